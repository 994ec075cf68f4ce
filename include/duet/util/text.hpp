#pragma once
// UTF-8 checks and making untrusted text safe to print on a terminal.
#include <string>
#include <string_view>
#include <vector>

namespace duet::util {

// Offset of the first invalid byte, or npos when the text is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) {
    return find_invalid_utf8(text) == std::string_view::npos;
}

// Replaces control characters (escape sequences included) with visible stand-ins,
// keeping newlines and tabs when keep_newlines is true; invalid UTF-8 becomes U+FFFD.
std::string printable(std::string_view text, bool keep_newlines = true);

std::string trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);

// Greedy word wrap to the given width (in code points), each line prefixed with indent.
std::string wrap(std::string_view text, std::size_t width, std::string_view indent = "");

} // namespace duet::util
