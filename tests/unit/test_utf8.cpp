#include "duet/util/json_text.hpp"
#include "duet/util/text.hpp"
#include "duet/util/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace duet::util;

namespace {
// The text with each invalid part replaced under the rule, through decode_utf8.
std::string replaced(std::string_view text, Replacement rule) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Sequence seq = decode_utf8(text, i, rule);
        out += seq.valid ? std::string(text.substr(i, seq.length))
                         : std::string(k_replacement_character);
        i += seq.length;
    }
    return out;
}
} // namespace

TEST_CASE("util::decode_utf8") {
    SUBCASE("code points of every length") {
        CHECK(decode_utf8("A", 0).code_point == U'A');
        CHECK(decode_utf8("\xC3\xA9", 0).code_point == U'\u00e9');
        CHECK(decode_utf8("\xE6\x97\xA5", 0).code_point == U'\u65e5');
        const Utf8Sequence heart = decode_utf8("x\xF0\x9F\x92\x9B", 1);
        CHECK(heart.valid);
        CHECK(heart.length == 4);
        CHECK(heart.code_point == U'\U0001F49B');
        CHECK(decode_utf8("\xF4\x8F\xBF\xBF", 0).code_point == 0x10FFFF);
    }
    SUBCASE("what is not UTF-8") {
        for (const std::string_view bad :
             {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF",
              "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE6\x97"}) {
            CAPTURE(bad);
            const Utf8Sequence seq = decode_utf8(bad, 0);
            CHECK_FALSE(seq.valid);
            CHECK(seq.code_point == 0xFFFD);
            CHECK(seq.length == 1);
            CHECK(find_invalid_utf8(bad) == 0);
        }
    }
    SUBCASE("the two replacement rules") {
        // Unicode's own example (chapter 3, "U+FFFD substitution of maximal subparts").
        const std::string_view text = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
        CHECK(replaced(text, Replacement::maximal_subpart) ==
              "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
        CHECK(replaced(text, Replacement::per_byte) ==
              "a\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
        // The terminal's rule is per byte, the JSON writer's per maximal subpart.
        CHECK(printable(text) == replaced(text, Replacement::per_byte));
        std::string json;
        append_json_string(json, text);
        std::string expected = replaced(text, Replacement::maximal_subpart);
        expected.insert(expected.begin(), '"');
        expected.push_back('"');
        CHECK(json == expected);
    }
}

TEST_CASE("util::code_point_width") {
    CHECK(code_point_width(U'a') == 1);
    CHECK(code_point_width(U'\t') == 0);
    CHECK(code_point_width(0x9B) == 0);
    CHECK(code_point_width(U'\u0301') == 0); // combining acute accent
    CHECK(code_point_width(U'\u200D') == 0); // zero width joiner
    CHECK(code_point_width(U'\u65e5') == 2);
    CHECK(code_point_width(U'\uAC00') == 2); // Hangul
    CHECK(code_point_width(U'\U0001F49B') == 2);
    CHECK(code_point_width(U'\u00e9') == 1);
    CHECK(display_width("\xE6\x97") == 2); // two invalid bytes, one column each
}
