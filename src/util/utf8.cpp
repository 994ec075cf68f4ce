#include "duet/util/utf8.hpp"

#include <algorithm>
#include <iterator>

namespace duet::util {

std::size_t find_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Sequence seq = decode_utf8(text, i);
        if (!seq.valid) {
            return i;
        }
        i += seq.length;
    }
    return std::string_view::npos;
}

namespace {

struct CodeRange {
    char32_t first;
    char32_t last;
};
#include "width_table.inc"

template <std::size_t N> bool in_table(const CodeRange (&table)[N], char32_t cp) {
    const auto* it = std::upper_bound(std::begin(table), std::end(table), cp,
                                      [](char32_t c, const CodeRange& r) { return c < r.first; });
    return it != std::begin(table) && cp <= (it - 1)->last;
}

// Where the escape sequence starting at s[i] (an ESC) ends.
std::size_t skip_escape(std::string_view s, std::size_t i) {
    ++i;
    if (i < s.size() && s[i] == '[') {
        ++i;
        while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7E)) {
            ++i;
        }
    }
    return std::min(i + 1, s.size());
}

} // namespace

std::size_t code_point_width(char32_t cp) {
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
        return 0;
    }
    if (cp < 0x300) {
        return 1;
    }
    if (in_table(k_zero_width, cp)) {
        return 0;
    }
    return in_table(k_wide, cp) ? 2 : 1;
}

std::size_t display_width(std::string_view text) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '\x1b') {
            i = skip_escape(text, i);
            continue;
        }
        const Utf8Sequence seq = decode_utf8(text, i);
        n += seq.valid ? code_point_width(seq.code_point) : 1; // shown as U+FFFD
        i += seq.length;
    }
    return n;
}

} // namespace duet::util
