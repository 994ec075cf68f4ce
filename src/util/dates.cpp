#include "duet/util/dates.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <ctime>

namespace duet::util {

// Howard Hinnant's public-domain civil calendar algorithms, in our own words.
DayNumber days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(DayNumber z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

Timestamp now() {
    const std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    return {static_cast<std::int64_t>(t), static_cast<std::int32_t>(local.tm_gmtoff)};
}

DayNumber local_day(const Timestamp& t) {
    const std::int64_t shifted = t.seconds + t.utc_offset;
    return (shifted >= 0 ? shifted : shifted - 86399) / 86400;
}

DayNumber today() {
    return local_day(now());
}

std::string format_day(DayNumber day) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(day, y, m, d);
    // Compiled formats: an export formats two dates per entry.
    return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}"), y, m, d);
}

namespace {
bool parse_int(std::string_view s, int& out) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc();
}

unsigned days_in_month(int y, unsigned m) {
    static constexpr std::array<unsigned, 12> k_days = {31, 28, 31, 30, 31, 30,
                                                        31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k_days[m - 1];
}
} // namespace

std::optional<DayNumber> parse_day(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return std::nullopt;
    }
    int y = 0;
    int m = 0;
    int d = 0;
    if (!parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), m) ||
        !parse_int(s.substr(8, 2), d)) {
        return std::nullopt;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 ||
        static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m))) {
        return std::nullopt;
    }
    return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_iso8601(const Timestamp& t) {
    const std::int64_t local = t.seconds + t.utc_offset;
    const DayNumber day = (local >= 0 ? local : local - 86399) / 86400;
    const std::int64_t sod = local - day * 86400;
    const std::int32_t off = t.utc_offset < 0 ? -t.utc_offset : t.utc_offset;
    return fmt::format(FMT_COMPILE("{}T{:02}:{:02}:{:02}{}{:02}:{:02}"), format_day(day),
                       sod / 3600, (sod / 60) % 60, sod % 60, t.utc_offset < 0 ? '-' : '+',
                       off / 3600, (off / 60) % 60);
}

// Long on purpose (about 75 lines): one left-to-right pass over the text, a
// few lines per field; split up, the grammar would be harder to follow.
std::optional<Timestamp> parse_iso8601(std::string_view s) {
    // Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]; a space may stand for T.
    const auto day = parse_day(s.substr(0, 10));
    if (!day) {
        return std::nullopt;
    }
    std::int64_t sod = 0;
    std::int32_t offset = 0;
    bool has_zone = false;
    std::string_view rest = s.substr(10);
    if (!rest.empty()) {
        if (rest[0] != 'T' && rest[0] != ' ') {
            return std::nullopt;
        }
        rest.remove_prefix(1);
        int hh = 0;
        int mm = 0;
        int ss = 0;
        if (rest.size() < 5 || rest[2] != ':' || !parse_int(rest.substr(0, 2), hh) ||
            !parse_int(rest.substr(3, 2), mm)) {
            return std::nullopt;
        }
        rest.remove_prefix(5);
        if (!rest.empty() && rest[0] == ':') {
            if (rest.size() < 3 || !parse_int(rest.substr(1, 2), ss)) {
                return std::nullopt;
            }
            rest.remove_prefix(3);
            if (!rest.empty() && rest[0] == '.') {
                rest.remove_prefix(1);
                while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
                    rest.remove_prefix(1);
                }
            }
        }
        if (hh > 23 || mm > 59 || ss > 60) {
            return std::nullopt;
        }
        sod = hh * 3600 + mm * 60 + ss;
        if (rest == "Z" || rest == "z") {
            has_zone = true;
        } else if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
            int oh = 0;
            int om = 0;
            std::string_view z = rest.substr(1);
            if (z.size() == 5 && z[2] == ':' && parse_int(z.substr(0, 2), oh) &&
                parse_int(z.substr(3, 2), om)) {
            } else if (z.size() == 4 && parse_int(z.substr(0, 2), oh) &&
                       parse_int(z.substr(2, 2), om)) {
            } else {
                return std::nullopt;
            }
            offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
            has_zone = true;
        } else if (!rest.empty()) {
            return std::nullopt;
        }
    }
    if (!has_zone) {
        // A time without a zone is local time on that day.
        std::tm tm{};
        int y = 0;
        unsigned m = 0;
        unsigned d = 0;
        civil_from_days(*day, y, m, d);
        tm.tm_year = y - 1900;
        tm.tm_mon = static_cast<int>(m) - 1;
        tm.tm_mday = static_cast<int>(d);
        tm.tm_hour = static_cast<int>(sod / 3600);
        tm.tm_min = static_cast<int>((sod / 60) % 60);
        tm.tm_sec = static_cast<int>(sod % 60);
        tm.tm_isdst = -1;
        const std::time_t t = mktime(&tm);
        return Timestamp{static_cast<std::int64_t>(t), static_cast<std::int32_t>(tm.tm_gmtoff)};
    }
    return Timestamp{*day * 86400 + sod - offset, offset};
}

std::string format_day_long(DayNumber day) {
    static constexpr std::array<const char*, 7> k_weekdays = {
        "Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"};
    static constexpr std::array<const char*, 12> k_months = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(day, y, m, d);
    const auto wd = static_cast<std::size_t>(((day % 7) + 7) % 7); // 1970-01-01 was a Thursday
    return fmt::format("{} {} {} {}", k_weekdays[wd], d, k_months[m - 1], y);
}

} // namespace duet::util
