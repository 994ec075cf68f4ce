#pragma once
// Calendar days and timestamps in the user's local time zone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace duet::util {

// A calendar day as days since 1970-01-01 (proleptic Gregorian).
using DayNumber = std::int64_t;

struct Timestamp {
    std::int64_t seconds = 0;    // Unix time
    std::int32_t utc_offset = 0; // seconds east of UTC where it was taken
};

Timestamp now();
DayNumber local_day(const Timestamp& t);
DayNumber today();

std::string format_day(DayNumber day);                // YYYY-MM-DD
std::optional<DayNumber> parse_day(std::string_view); // strict YYYY-MM-DD, a real date
std::string format_iso8601(const Timestamp& t);       // 2026-11-26T09:12:03+01:00
std::optional<Timestamp> parse_iso8601(std::string_view text);
// "Thursday 26 November 2026", for people.
std::string format_day_long(DayNumber day);

DayNumber days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(DayNumber z, int& y, unsigned& m, unsigned& d);

} // namespace duet::util
