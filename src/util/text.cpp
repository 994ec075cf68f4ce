#include "duet/util/text.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace duet::util {

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Sequence seq = decode_utf8(text, i);
        const std::size_t n = seq.length;
        const auto c = static_cast<unsigned char>(text[i]);
        if (!seq.valid) {
            out += k_replacement_character;
        } else if (n == 1 && (c < 0x20 || c == 0x7F)) {
            if (keep_newlines && (c == '\n' || c == '\t')) {
                out += static_cast<char>(c);
            } else if (c == '\n' || c == '\t' || c == '\r') {
                out += ' ';
            } else {
                out += '^';
                out += static_cast<char>(c == 0x7F ? '?' : c + 0x40);
            }
        } else if (seq.code_point >= 0x80 && seq.code_point < 0xA0) {
            out += k_replacement_character; // C1 controls can start escape sequences too
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
constexpr std::size_t k_tab = 8;
} // namespace

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
    std::string out;
    const std::size_t indent_width = display_width(indent);
    const std::size_t avail = width > indent_width + 10 ? width - indent_width : 10;
    for (const std::string& paragraph : split(text, '\n')) {
        std::string line;
        std::size_t line_len = 0;
        for (const std::string& word : split(paragraph, ' ')) {
            if (word.empty()) {
                continue;
            }
            const std::size_t wl = display_width(word);
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

// ProseWrapper

namespace {
// A first word after which a continued line hangs under the text that follows.
bool is_bullet(std::string_view word) {
    return word == "-" || word == "*" || word == "\u2022" || word == "\u2502";
}

// Chinese and Japanese run without spaces: a line may break before and after
// each of these characters (Korean has spaces between words, and is left alone).
bool breaks_around(char32_t cp) {
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

// Punctuation and small kana that must not start a line, and brackets that
// must not end one (the usual kinsoku rules, in short).
bool no_break_before(char32_t cp) {
    static constexpr std::u32string_view k_closing =
        U"\u3000\u3001\u3002\u3009\u300B\u300D\u300F\u3011\u3015\u3017\u3019\u301F\u30FB\u30FC"
        U"\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308E"
        U"\u30A1\u30A3\u30A5\u30A7\u30A9\u30C3\u30E3\u30E5\u30E7\u30EE\u30F5\u30F6"
        U"\uFF01\uFF09\uFF0C\uFF0E\uFF1A\uFF1B\uFF1F\uFF3D\uFF5D";
    return k_closing.find(cp) != std::u32string_view::npos;
}
bool no_break_after(char32_t cp) {
    static constexpr std::u32string_view k_opening =
        U"\u3008\u300A\u300C\u300E\u3010\u3014\u3016\u3018\u301D\uFF08\uFF3B\uFF5B";
    return k_opening.find(cp) != std::u32string_view::npos;
}

} // namespace

std::size_t ProseWrapper::spaces_width(std::string_view spaces, std::size_t col) const {
    std::size_t end = col;
    for (const char c : spaces) {
        end = c == '\t' ? (end / k_tab + 1) * k_tab : end + 1;
    }
    return end - col;
}

void ProseWrapper::place_word(std::string& out) {
    if (m_word.empty()) {
        return;
    }
    const std::size_t w = display_width(m_word);
    if (w == 0) {
        // Only colour sequences: they take no room and are no word.
        if (!m_line_start) {
            m_col += spaces_width(m_spaces, m_col);
            m_written_spaces += m_spaces.size();
            out += m_spaces;
            m_spaces.clear();
        }
        out += m_word;
        m_word.clear();
        return;
    }
    const std::size_t gap = spaces_width(m_spaces, m_col);
    const bool may_break =
        m_words > 0 && (!m_spaces.empty() || m_written_spaces > 0 || m_soft_break);
    if (may_break && m_col + gap + w > m_width) {
        out += '\n';
        out += m_indent;
        m_col = display_width(m_indent);
        m_spaces.clear();
    } else {
        if (m_words == 1 && !m_spaces.empty()) {
            // "  1  text", "#12  text", "  │ text": continued lines hang under the text.
            const bool bullet = is_bullet(m_first_word);
            if (bullet || (m_spaces.size() >= 2 && display_width(m_first_word) <= 8)) {
                const std::size_t hang = m_col + gap;
                if (hang <= m_width / 2) {
                    m_indent += m_first_word == "\u2502"
                                    ? m_first_word
                                    : std::string(display_width(m_first_word), ' ');
                    m_indent += std::string(hang - display_width(m_indent), ' ');
                }
            }
        }
        out += m_spaces;
        m_col += gap;
        m_spaces.clear();
    }
    if (m_words == 0) {
        m_first_word = m_word;
        // A continued line keeps the indentation, unless that leaves too little room.
        if (display_width(m_indent) > m_width / 2) {
            m_indent.clear();
        }
    }
    out += m_word;
    m_col += w;
    m_word.clear();
    m_written_spaces = 0;
    m_soft_break = false;
    m_line_start = false;
    ++m_words;
}

void ProseWrapper::code_point_done(std::string& out) {
    const std::string_view seq = std::string_view(m_word).substr(m_cp_start);
    const Utf8Sequence decoded = decode_utf8(seq, 0);
    if (!decoded.valid || decoded.length != seq.size()) {
        return;
    }
    const char32_t cp = decoded.code_point;
    const bool after_opening =
        m_after_opening ||
        (m_cp_start > 0 &&
         std::string_view("([{\"'`").find(m_word[m_cp_start - 1]) != std::string_view::npos);
    m_after_opening = no_break_after(cp);
    // A closing mark stays with what precedes it, and so does whatever follows
    // an opening bracket; both wait in the word in progress.
    if (!breaks_around(cp) || no_break_before(cp) || after_opening) {
        return;
    }
    const std::string ch(seq);
    m_word.resize(m_cp_start);
    if (!m_word.empty()) {
        place_word(out); // what came before it: "abc" in "abc日本", or the character before
        m_soft_break = true;
    }
    m_word = ch; // held back: a closing mark may still join it
}

void ProseWrapper::end_line() {
    m_soft_break = false;
    m_after_opening = false;
    m_col = 0;
    m_line_start = true;
    m_words = 0;
    m_indent.clear();
    m_first_word.clear();
    m_spaces.clear();
    m_written_spaces = 0;
}

std::string ProseWrapper::feed(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (m_escape_state != 0) {
            m_word += c;
            if (m_escape_state == 1) {
                m_escape_state = c == '[' ? 2 : 0;
            } else if (c >= 0x40 && c <= 0x7E) {
                m_escape_state = 0;
            }
            continue;
        }
        switch (c) {
        case '\x1b':
            m_word += c;
            m_escape_state = 1;
            break;
        case ' ':
        case '\t':
            m_after_opening = false;
            place_word(out);
            if (m_line_start) {
                m_col += spaces_width(std::string_view(&c, 1), m_col);
                m_indent += c;
                out += c;
            } else {
                m_spaces += c;
            }
            break;
        case '\n':
        case '\r':
            place_word(out);
            if (m_col + spaces_width(m_spaces, m_col) <= m_width) {
                out += m_spaces; // trailing spaces that fit are kept as they were
            }
            out += c;
            end_line();
            break;
        default: {
            const auto b = static_cast<unsigned char>(c);
            if ((b & 0xC0) == 0xC0) {
                m_cp_start = m_word.size();
                m_cp_left = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : 3;
                m_word += c;
            } else if ((b & 0xC0) == 0x80 && m_cp_left > 0) {
                m_word += c;
                if (--m_cp_left == 0) {
                    code_point_done(out);
                }
            } else {
                m_cp_left = 0;
                m_after_opening = false;
                m_word += c;
            }
        }
        }
    }
    return out;
}

std::string ProseWrapper::flush() {
    std::string out;
    place_word(out);
    if (!m_spaces.empty()) {
        m_col += spaces_width(m_spaces, m_col);
        m_written_spaces += m_spaces.size();
        out += m_spaces;
        m_spaces.clear();
    }
    return out;
}

void ProseWrapper::at_new_line() {
    end_line(); // a word held back (there should be none) starts the new line
}

} // namespace duet::util
