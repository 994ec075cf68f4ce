#include "duet/util/text.hpp"

#include <cstdint>

namespace duet::util {

namespace {
// Length of the UTF-8 sequence starting at s[i], or 0 if it is invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        return 0;
    }
    return len;
}
} // namespace

std::size_t find_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            return i;
        }
        i += n;
    }
    return std::string_view::npos;
}

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (n == 1 && (c < 0x20 || c == 0x7F)) {
            if (keep_newlines && (c == '\n' || c == '\t')) {
                out += static_cast<char>(c);
            } else if (c == '\n' || c == '\t' || c == '\r') {
                out += ' ';
            } else {
                out += '^';
                out += static_cast<char>(c == 0x7F ? '?' : c + 0x40);
            }
        } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
            out += "\xEF\xBF\xBD"; // C1 controls (0x80-0x9F) can start escape sequences too
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto pos = s.find(sep, start);
        out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) {
            return out;
        }
        start = pos + 1;
    }
}

namespace {
std::size_t display_length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}
} // namespace

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
    std::string out;
    const std::size_t avail = width > indent.size() + 10 ? width - indent.size() : 10;
    for (const std::string& paragraph : split(text, '\n')) {
        std::string line;
        std::size_t line_len = 0;
        for (const std::string& word : split(paragraph, ' ')) {
            if (word.empty()) {
                continue;
            }
            const std::size_t wl = display_length(word);
            if (line_len > 0 && line_len + 1 + wl > avail) {
                out += indent;
                out += line;
                out += '\n';
                line.clear();
                line_len = 0;
            }
            if (line_len > 0) {
                line += ' ';
                ++line_len;
            }
            line += word;
            line_len += wl;
        }
        out += indent;
        out += line;
        out += '\n';
    }
    return out;
}

} // namespace duet::util
