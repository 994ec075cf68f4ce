#include "duet/cli/editor.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/text.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace duet::util;

TEST_CASE("util::dates") {
    SUBCASE("civil days round trip") {
        CHECK(days_from_civil(1970, 1, 1) == 0);
        CHECK(format_day(days_from_civil(2026, 11, 26)) == "2026-11-26");
        CHECK(format_day(days_from_civil(2024, 2, 29)) == "2024-02-29");
    }
    SUBCASE("strict day parsing") {
        CHECK(parse_day("2026-11-26") == days_from_civil(2026, 11, 26));
        CHECK_FALSE(parse_day("2026-02-30"));
        CHECK_FALSE(parse_day("2025-02-29"));
        CHECK(parse_day("2024-02-29"));
        CHECK_FALSE(parse_day("26-11-2026"));
        CHECK_FALSE(parse_day("2026-1-1"));
        CHECK_FALSE(parse_day("tomorrow"));
    }
    SUBCASE("ISO 8601 with offsets") {
        const Timestamp t{days_from_civil(2026, 11, 26) * 86400 + 8 * 3600 + 5, 3600};
        CHECK(format_iso8601(t) == "2026-11-26T09:00:05+01:00");
        const auto back = parse_iso8601("2026-11-26T09:00:05+01:00");
        REQUIRE(back);
        CHECK(back->seconds == t.seconds);
        CHECK(back->utc_offset == 3600);
        CHECK(parse_iso8601("2026-11-26T08:00:05Z")->seconds == t.seconds);
        CHECK(parse_iso8601("2026-11-26T08:00:05.123Z")->seconds == t.seconds);
        CHECK(format_iso8601({0, -5 * 3600 - 1800}) == "1969-12-31T18:30:00-05:30");
        CHECK_FALSE(parse_iso8601("2026-11-26T25:00:00Z"));
        CHECK_FALSE(parse_iso8601("2026-11-26Tnoon"));
    }
    SUBCASE("local day honours the offset") {
        const Timestamp late{days_from_civil(2026, 11, 26) * 86400 + 23 * 3600, 3600};
        CHECK(local_day(late) == days_from_civil(2026, 11, 27));
    }
    SUBCASE("long form") {
        CHECK(format_day_long(days_from_civil(2026, 11, 26)) == "Thursday 26 November 2026");
    }
}

TEST_CASE("util::text") {
    SUBCASE("UTF-8 validation") {
        CHECK(is_valid_utf8("plain"));
        CHECK(is_valid_utf8("caf\xC3\xA9 \xF0\x9F\x92\x9B"));
        CHECK(find_invalid_utf8("ab\xC3") == 2);
        CHECK(find_invalid_utf8("\xC0\xAF") == 0);     // overlong
        CHECK(find_invalid_utf8("\xED\xA0\x80") == 0); // surrogate
        CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == 0);
    }
    SUBCASE("escape sequences never reach the terminal raw") {
        CHECK(printable("a\x1b[31mred") == "a^[[31mred");
        CHECK(printable("line\nnext\tcol") == "line\nnext\tcol");
        CHECK(printable("line\nnext", false) == "line next");
        CHECK(printable("\x7f") == "^?");
        CHECK(printable("\xC2\x9B"
                        "31m") == "\xEF\xBF\xBD"
                                  "31m");
        CHECK(printable("bad\xFF") == "bad\xEF\xBF\xBD");
    }
    SUBCASE("wrap") {
        CHECK(wrap("one two three four", 20, "") == "one two three four\n");
        CHECK(wrap("aaaa bbbb cccc dddd eeee ffff", 20, "  ") ==
              "  aaaa bbbb cccc\n  dddd eeee ffff\n");
        CHECK(wrap("a\nb", 20, "") == "a\nb\n");
        // Columns, not bytes or code points: each of these takes two columns.
        CHECK(wrap("\u65e5\u672c \u65e5\u672c \u65e5\u672c", 11, "") ==
              "\u65e5\u672c \u65e5\u672c\n\u65e5\u672c\n");
        CHECK(wrap("caf\u00e9 caf\u00e9 caf\u00e9", 14, "") == "caf\u00e9 caf\u00e9 caf\u00e9\n");
    }
    SUBCASE("display width") {
        CHECK(display_width("plain") == 5);
        CHECK(display_width("caf\u00e9") == 4);
        CHECK(display_width("cafe\u0301") == 4); // a combining accent takes no column
        CHECK(display_width("\u65e5\u672c\u8a9e") == 6);
        CHECK(display_width("\xF0\x9F\x92\x9B") == 2); // an emoji heart
        CHECK(display_width("\uFF21") == 2);           // fullwidth A
        CHECK(display_width("\x1b[1mbold\x1b[0m") == 4);
        CHECK(display_width("bad\xFF") == 4);
        CHECK(display_width("\u2026 \u00b7 \u203a") == 5);
    }
    SUBCASE("split and trim") {
        CHECK(split("a|b||c", '|') == std::vector<std::string>{"a", "b", "", "c"});
        CHECK(trim("  x y \r\n") == "x y");
        CHECK(to_lower_ascii("AbC") == "abc");
    }
}

namespace {
// Feeds the text in pieces of `step` bytes, flushing between pieces when asked.
std::string wrapped(std::string_view text, std::size_t width, std::size_t step = 1000,
                    bool flush_between = false) {
    ProseWrapper w(width);
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += step) {
        out += w.feed(text.substr(i, step));
        if (flush_between) {
            out += w.flush();
        }
    }
    return out + w.flush();
}

// Every word of the text, in order, whatever the spacing.
std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (const char c : text) {
        if (c == ' ' || c == '\n') {
            if (!word.empty()) {
                out.push_back(word);
            }
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) {
        out.push_back(word);
    }
    return out;
}
} // namespace

TEST_CASE("util::ProseWrapper") {
    SUBCASE("short lines pass through byte for byte") {
        const std::string text = "Saved as entry 3.\n  Hmm,  two spaces kept.\r\nA prompt \u203a ";
        CHECK(wrapped(text, 40) == text);
    }
    SUBCASE("long lines break at spaces, keeping their indentation") {
        CHECK(wrapped("one two three four five six\n", 14) == "one two three\nfour five six\n");
        CHECK(wrapped("  one two three four five six\n", 16) ==
              "  one two three\n  four five six\n");
    }
    SUBCASE("a word longer than the line stays whole on its own line") {
        CHECK(wrapped("see /a/very/long/path/that/goes/on please\n", 12) ==
              "see\n/a/very/long/path/that/goes/on\nplease\n");
    }
    SUBCASE("lists hang under their text") {
        CHECK(wrapped("    1  an option with words\n", 18) ==
              "    1  an option\n       with words\n");
        CHECK(wrapped("#12  shared on a day\n", 14) == "#12  shared on\n     a day\n");
        CHECK(wrapped("  \u2502 a note from them\n", 12) ==
              "  \u2502 a note\n  \u2502 from\n  \u2502 them\n");
    }
    SUBCASE("columns are display columns, colour takes none") {
        CHECK(wrapped("\ud55c\uad6d\uc5b4 \ud55c\uad6d\uc5b4\n", 12) ==
              "\ud55c\uad6d\uc5b4\n\ud55c\uad6d\uc5b4\n"); // 13 columns, not 7 code points
        CHECK(wrapped("\x1b[2mone two three\x1b[0m\n", 13) == "\x1b[2mone two three\x1b[0m\n");
        CHECK(wrapped("\x1b[1m  one two three\n\x1b[0m", 10) ==
              "\x1b[1m  one two\n  three\n\x1b[0m");
    }
    SUBCASE("Chinese and Japanese break between characters, not before closing marks") {
        CHECK(wrapped("\u4eca\u65e5\u306f\u3001\u3044\u3044\u5929\u6c17\u3067\u3059\u306d\u3002\n",
                      10) ==
              "\u4eca\u65e5\u306f\u3001\u3044\n\u3044\u5929\u6c17\u3067\u3059\n\u306d\u3002\n");
        CHECK(wrapped("see \u65e5\u672c\u8a9e now\n", 8) == "see \u65e5\u672c\n\u8a9e now\n");
        // Fed one byte at a time, the same.
        CHECK(wrapped("see \u65e5\u672c\u8a9e now\n", 8, 1) == "see \u65e5\u672c\n\u8a9e now\n");
        // Korean keeps its words whole: it has spaces between them.
        CHECK(wrapped("\ud55c\uad6d\uc5b4 \ud55c\uad6d\uc5b4\n", 8) ==
              "\ud55c\uad6d\uc5b4\n\ud55c\uad6d\uc5b4\n");
    }
    SUBCASE("pieces and flushes never cut a word") {
        const std::string text = "duet: error: there is no prompt pack named 'nosuch' (packs here: "
                                 "appreciation, daily, e2e, e2e-pair, e2e-steps); `duet reflect "
                                 "--list` shows them all\n";
        for (const std::size_t step : {1, 2, 3, 7, 13}) {
            for (const bool flush : {false, true}) {
                const std::string out = wrapped(text, 30, step, flush);
                CHECK(words(out) == words(text));
                if (!flush) { // a word flushed half-way cannot move to the next line
                    for (const std::string& line : split(out, '\n')) {
                        CHECK(display_width(line) <= 30);
                    }
                }
            }
        }
    }
    SUBCASE("a prompt's trailing space still allows a break after a flush") {
        ProseWrapper w(20);
        std::string out = w.feed("duet: ");
        out += w.flush(); // std::cerr flushes after every piece
        out += w.feed("a message of several words\n");
        CHECK(out == "duet: a message of\nseveral words\n");
    }
    SUBCASE("after input the line starts again") {
        ProseWrapper w(20);
        std::string out = w.feed("  Your answer \u203a ");
        out += w.flush();
        w.at_new_line();
        out += w.feed("  Saved as entry 1.\n");
        CHECK(out == "  Your answer \u203a   Saved as entry 1.\n");
    }
}

TEST_CASE("cli::editor draft") {
    using duet::cli::editor_draft;
    using duet::cli::without_comment_lines;
    const std::string draft = editor_draft("Daily\n\nWhat made you smile?\n");
    CHECK(draft == "\n\n# Daily\n#\n# What made you smile?\n");
    CHECK(without_comment_lines(draft) == "\n\n");
    CHECK(without_comment_lines("my answer\n# a note\n #kept\nlast") == "my answer\n #kept\nlast");
    CHECK(editor_draft("") == "\n");
    CHECK(editor_draft("a\x1b[31m") == "\n\n# a^[[31m\n");
}
