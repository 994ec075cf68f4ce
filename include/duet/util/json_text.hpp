#pragma once
// Writing JSON scalars straight into a string, for exports too large to build as a tree.
#include <cstdint>
#include <string>
#include <string_view>

namespace duet::util {

// Appends text as a quoted JSON string, byte for byte what nlohmann's dump() writes with
// error_handler_t::replace: quotes, backslashes and control characters escaped, everything
// else passed through, and each invalid UTF-8 sequence (its maximal subpart) replaced by
// U+FFFD so the result is always valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

// Appends the decimal digits of value.
void append_json_int(std::string& out, std::int64_t value);

inline void append_json_bool(std::string& out, bool value) {
    out += value ? "true" : "false";
}

} // namespace duet::util
