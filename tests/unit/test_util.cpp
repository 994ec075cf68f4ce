#include "duet/util/dates.hpp"
#include "duet/util/text.hpp"

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
    }
    SUBCASE("split and trim") {
        CHECK(split("a|b||c", '|') == std::vector<std::string>{"a", "b", "", "c"});
        CHECK(trim("  x y \r\n") == "x y");
        CHECK(to_lower_ascii("AbC") == "abc");
    }
}
