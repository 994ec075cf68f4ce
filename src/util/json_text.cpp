#include "duet/util/json_text.hpp"

#include "duet/util/utf8.hpp"

#include <array>
#include <charconv>
#include <cstring>

namespace duet::util {

namespace {

// What a byte asks for inside a JSON string.
enum class ByteKind : std::uint8_t { plain, escape, non_ascii };

constexpr std::array<ByteKind, 256> make_byte_kinds() {
    std::array<ByteKind, 256> kinds{};
    for (std::size_t b = 0; b < kinds.size(); ++b) {
        if (b < 0x20 || b == '"' || b == '\\') {
            kinds[b] = ByteKind::escape;
        } else if (b >= 0x80) {
            kinds[b] = ByteKind::non_ascii;
        } else {
            kinds[b] = ByteKind::plain; // DEL (0x7f) included: JSON allows it unescaped
        }
    }
    return kinds;
}

constexpr std::array<ByteKind, 256> k_byte_kinds = make_byte_kinds();

unsigned char byte_at(std::string_view text, std::size_t pos) {
    return static_cast<unsigned char>(text[pos]);
}

constexpr std::size_t k_word_size = sizeof(std::uint64_t);

// True when none of the eight bytes at p needs a look of its own: all are ASCII from space
// up, none a quote or backslash. Typical answers are mostly such bytes, and testing eight
// at a time is what keeps long ones cheap. Each test below is exact about whether some byte
// matches (borrows only spread above the lowest match), which is all the caller needs.
bool is_plain_word(const char* p) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);
    constexpr std::uint64_t k_ones = 0x0101010101010101;
    constexpr std::uint64_t k_high_bits = 0x8080808080808080;
    const auto has_byte_below = [](std::uint64_t w, std::uint64_t limit) {
        return (w - k_ones * limit) & ~w & k_high_bits;
    };
    const std::uint64_t non_ascii = word & k_high_bits;
    const std::uint64_t control = has_byte_below(word, 0x20);
    const std::uint64_t quote = has_byte_below(word ^ (k_ones * '"'), 1);
    const std::uint64_t backslash = has_byte_below(word ^ (k_ones * '\\'), 1);
    return (non_ascii | control | quote | backslash) == 0;
}

void append_escape(std::string& out, unsigned char b) {
    switch (b) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\f':
        out += "\\f";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default:
        break;
    }
    // Lowercase hex, as nlohmann writes it.
    constexpr std::string_view k_hex = "0123456789abcdef";
    const char escape[] = {'\\', 'u', '0', '0', k_hex[b >> 4], k_hex[b & 0xF]};
    out.append(escape, sizeof escape);
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    // Bytes that pass through unchanged are copied a run at a time, not one by one.
    std::size_t run_start = 0;
    std::size_t pos = 0;
    const auto flush_run = [&] {
        out.append(text.data() + run_start, pos - run_start);
    };
    while (pos < text.size()) {
        while (pos + k_word_size <= text.size() && is_plain_word(text.data() + pos)) {
            pos += k_word_size;
        }
        // At most a word's worth of plain bytes before the one that stopped the word loop.
        while (pos < text.size() && k_byte_kinds[byte_at(text, pos)] == ByteKind::plain) {
            ++pos;
        }
        if (pos == text.size()) {
            break;
        }
        const unsigned char b = byte_at(text, pos);
        if (k_byte_kinds[b] == ByteKind::escape) {
            flush_run();
            append_escape(out, b);
            ++pos;
            run_start = pos;
            continue;
        }
        // Each invalid sequence's maximal subpart becomes one U+FFFD, as in nlohmann's dump().
        const Utf8Sequence sequence = decode_utf8(text, pos, Replacement::maximal_subpart);
        if (!sequence.valid) {
            flush_run();
            out += k_replacement_character;
            run_start = pos + sequence.length;
        }
        pos += sequence.length;
    }
    flush_run();
    out += '"';
}

void append_json_int(std::string& out, std::int64_t value) {
    std::array<char, 24> digits{}; // 20 characters hold any int64, sign included
    const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    out.append(digits.data(), result.ptr);
}

} // namespace duet::util
