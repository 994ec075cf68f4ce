#pragma once
// Making untrusted text safe to print on a terminal, and fitting prose to a
// terminal's width (UTF-8 itself is in utf8.hpp).
#include "duet/util/utf8.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace duet::util {

// Replaces control characters (escape sequences included) with visible stand-ins,
// keeping newlines and tabs when keep_newlines is true; invalid UTF-8 becomes U+FFFD.
std::string printable(std::string_view text, bool keep_newlines = true);

std::string trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);

// Greedy word wrap to the given width (in display columns), each line
// prefixed with indent; a word wider than the line is left whole.
std::string wrap(std::string_view text, std::size_t width, std::string_view indent = "");

// Fits prose to a terminal as it is written, piece by piece: lines break only
// at spaces, never inside a word (a word wider than the line stays whole), and
// between Chinese or Japanese characters, which have no spaces between words.
// A continued line keeps the indentation of the line it continues, and lines
// like "  1  text", "#12  text" or "  │ text" continue under their text.
// Colour sequences take no room; '\r' starts the line again.
class ProseWrapper {
  public:
    explicit ProseWrapper(std::size_t width) : m_width(width) {}
    void set_width(std::size_t width) { m_width = width; }
    // Takes the next piece of output; returns what can be written now (the
    // word in progress and the spaces before it are held back).
    std::string feed(std::string_view text);
    // Everything held back, for a prompt that must show before input is read.
    std::string flush();
    // The cursor is at the start of a line again (the person pressed Enter).
    void at_new_line();

  private:
    void place_word(std::string& out);
    void code_point_done(std::string& out);
    std::size_t spaces_width(std::string_view spaces, std::size_t col) const;
    void end_line();

    std::size_t m_width;
    std::size_t m_col = 0;            // columns used on the current screen line
    bool m_line_start = true;         // nothing but indentation on this line yet
    std::size_t m_words = 0;          // words placed on this line (before any break)
    std::string m_indent;             // what a continued line starts with
    std::string m_spaces;             // spaces after the last word, not yet written
    std::size_t m_written_spaces = 0; // spaces written after the last word (flushed)
    std::string m_word;               // the word in progress
    std::string m_first_word;         // the line's first word, for a hanging indent
    int m_escape_state = 0;           // 1: after ESC, 2: inside ESC [ ... (a colour sequence)
    std::size_t m_cp_start = 0;       // where the last code point starts in m_word
    int m_cp_left = 0;                // bytes of that code point still to come
    bool m_soft_break = false;        // a break may come before the next word, without a space
    bool m_after_opening = false;     // the last character was an opening bracket (「, （ ...)
};

} // namespace duet::util
