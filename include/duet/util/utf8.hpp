#pragma once
// UTF-8, in one place: checking, decoding with one replacement rule, and the
// columns a terminal gives a text.
#include <cstddef>
#include <string_view>

namespace duet::util {

inline constexpr std::string_view k_replacement_character = "\xEF\xBF\xBD"; // U+FFFD

// How much of invalid input one U+FFFD stands for. per_byte: each byte on its
// own (duet's terminal text). maximal_subpart: the longest start that could
// still have become a valid sequence, as Unicode recommends and nlohmann's
// JSON writer does; exports use it so their bytes match what it wrote.
enum class Replacement { per_byte, maximal_subpart };

struct Utf8Sequence {
    std::size_t length;  // bytes it takes; for invalid input, what one U+FFFD replaces
    char32_t code_point; // U+FFFD when invalid
    bool valid;
};

// The sequence that starts at text[pos] (pos < text.size()). Overlong forms,
// surrogates and values past U+10FFFF are invalid. Inline: exports and width
// measurements call it for every non-ASCII character.
inline Utf8Sequence decode_utf8(std::string_view text, std::size_t pos,
                                Replacement rule = Replacement::per_byte) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) {
        return {1, lead, true};
    }
    const auto invalid = [rule](std::size_t subpart) {
        return Utf8Sequence{rule == Replacement::per_byte ? 1 : subpart, 0xFFFD, false};
    };
    std::size_t continuation_count = 0;
    char32_t cp = 0;
    // The second byte's range is narrower after some leads: that is what rules
    // out overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        continuation_count = 1;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuation_count = 2;
        cp = lead & 0x0F;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuation_count = 3;
        cp = lead & 0x07;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return invalid(1); // a stray continuation byte, C0/C1 (always overlong) or F5..FF
    }
    for (std::size_t i = 1; i <= continuation_count; ++i) {
        if (pos + i >= text.size()) {
            return invalid(i); // cut short by the end of the text
        }
        const auto b = static_cast<unsigned char>(text[pos + i]);
        if (b < low || b > high) {
            return invalid(i); // b starts afresh after the replacement
        }
        cp = (cp << 6) | (b & 0x3F);
        low = 0x80;
        high = 0xBF;
    }
    return {continuation_count + 1, cp, true};
}

// Offset of the first invalid byte, or npos when the text is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) {
    return find_invalid_utf8(text) == std::string_view::npos;
}

// The columns a terminal gives one code point: wide East Asian characters and
// emoji take two, combining marks, joiners and control characters none. From
// duet's own table (width_table.inc, made by width_table.py from Python's
// Unicode database), not wcwidth(3), whose answers change with the locale and
// the C library.
std::size_t code_point_width(char32_t cp);

// The columns a terminal gives the text: colour sequences (ESC [ ... m) take
// none; an invalid byte counts one, as the U+FFFD that stands in for it.
std::size_t display_width(std::string_view text);

} // namespace duet::util
