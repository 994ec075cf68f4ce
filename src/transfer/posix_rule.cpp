// POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3"), as zoneinfo files end with:
// the offsets of the years after their last listed change.
#include "duet/transfer/zones.hpp"

#include <algorithm>
#include <array>

namespace duet::transfer {

namespace {

constexpr std::int64_t k_day = 86400;

bool is_leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : k_days[static_cast<std::size_t>(m - 1)];
}

// Reads the rule's text from left to right.
class RuleText {
  public:
    explicit RuleText(std::string_view s) : m_s(s) {}
    bool done() const { return m_i == m_s.size(); }
    bool take(char c) {
        if (m_i < m_s.size() && m_s[m_i] == c) {
            ++m_i;
            return true;
        }
        return false;
    }
    bool at_digit() const { return m_i < m_s.size() && m_s[m_i] >= '0' && m_s[m_i] <= '9'; }

    // "CET", or "<+0330>" for names that are not letters.
    bool name() {
        if (take('<')) {
            const std::size_t start = m_i;
            while (m_i < m_s.size() && m_s[m_i] != '>') {
                ++m_i;
            }
            const bool ok = m_i - start >= 3 && take('>');
            return ok;
        }
        std::size_t n = 0;
        while (m_i < m_s.size() &&
               ((m_s[m_i] >= 'A' && m_s[m_i] <= 'Z') || (m_s[m_i] >= 'a' && m_s[m_i] <= 'z'))) {
            ++m_i;
            ++n;
        }
        return n >= 3;
    }

    std::optional<int> number(int max) {
        if (!at_digit()) {
            return std::nullopt;
        }
        int v = 0;
        while (at_digit()) {
            v = v * 10 + (m_s[m_i++] - '0');
            if (v > max) {
                return std::nullopt;
            }
        }
        return v;
    }

    // [+-]hh[:mm[:ss]], in seconds; hours up to 167 as RFC 8536 allows for times.
    std::optional<std::int32_t> duration() {
        int sign = 1;
        if (take('-')) {
            sign = -1;
        } else {
            take('+');
        }
        const auto h = number(167);
        if (!h) {
            return std::nullopt;
        }
        std::int32_t total = *h * 3600;
        for (int unit : {60, 1}) {
            if (!take(':')) {
                break;
            }
            const auto part = number(59);
            if (!part) {
                return std::nullopt;
            }
            total += *part * unit;
        }
        return sign * total;
    }

  private:
    std::string_view m_s;
    std::size_t m_i = 0;
};

} // namespace

// Long on purpose (about 75 lines): the fields of a POSIX TZ string in the
// order they appear, each read once; the grammar reads best in one place.
std::optional<PosixRule> PosixRule::parse(std::string_view text) {
    RuleText t(text);
    PosixRule r;
    if (!t.name()) {
        return std::nullopt;
    }
    const auto std_offset = t.duration();
    if (!std_offset || *std_offset < -25 * 3600 || *std_offset > 25 * 3600) {
        return std::nullopt;
    }
    r.m_std = -*std_offset; // POSIX counts west of Greenwich as positive
    if (t.done()) {
        return r;
    }
    if (!t.name()) {
        return std::nullopt;
    }
    r.m_has_dst = true;
    r.m_dst = r.m_std + 3600;
    if (!t.done() && !t.take(',')) {
        const auto dst_offset = t.duration();
        if (!dst_offset || *dst_offset < -25 * 3600 || *dst_offset > 25 * 3600) {
            return std::nullopt;
        }
        r.m_dst = -*dst_offset;
        if (!t.take(',')) {
            return std::nullopt;
        }
    }
    const auto change = [&t](Change& c) {
        if (t.take('M')) {
            c.kind = Change::Kind::month_week_day;
            const auto m = t.number(12);
            if (!m || *m < 1 || !t.take('.')) {
                return false;
            }
            const auto w = t.number(5);
            if (!w || *w < 1 || !t.take('.')) {
                return false;
            }
            const auto d = t.number(6);
            if (!d) {
                return false;
            }
            c.month = *m;
            c.week = *w;
            c.weekday = *d;
        } else if (t.take('J')) {
            c.kind = Change::Kind::julian_no_leap;
            const auto n = t.number(365);
            if (!n || *n < 1) {
                return false;
            }
            c.day = *n;
        } else {
            c.kind = Change::Kind::day_of_year;
            const auto n = t.number(365);
            if (!n) {
                return false;
            }
            c.day = *n;
        }
        if (t.take('/')) {
            const auto time = t.duration();
            if (!time) {
                return false;
            }
            c.time = *time;
        }
        return true;
    };
    // Only zones with their rules spelled out: zoneinfo footers always spell them.
    if (!change(r.m_start) || !t.take(',') || !change(r.m_end) || !t.done()) {
        return std::nullopt;
    }
    return r;
}

std::int64_t PosixRule::Change::at(int year, std::int32_t offset) const {
    std::int64_t date = 0;
    switch (kind) {
    case Kind::month_week_day: {
        const util::DayNumber first = util::days_from_civil(year, static_cast<unsigned>(month), 1);
        const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7); // 0 is Sunday
        int d = 1 + (weekday - first_weekday + 7) % 7 + 7 * (week - 1);
        while (d > days_in_month(year, month)) {
            d -= 7;
        }
        date = first + d - 1;
        break;
    }
    case Kind::julian_no_leap:
        // 1 to 365, never counting 29 February.
        date = util::days_from_civil(year, 1, 1) + day - 1 + (is_leap(year) && day >= 60 ? 1 : 0);
        break;
    case Kind::day_of_year:
        date = util::days_from_civil(year, 1, 1) + std::min(day, is_leap(year) ? 365 : 364);
        break;
    }
    return date * k_day + time - offset;
}

std::int32_t PosixRule::offset_at(std::int64_t seconds) const {
    if (!m_has_dst) {
        return m_std;
    }
    // The year on the standard clock; the changes of that year decide.
    const std::int64_t local = seconds + m_std;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    util::civil_from_days(local >= 0 ? local / k_day : (local - (k_day - 1)) / k_day, y, m, d);
    // Summer time starts on the standard clock and ends on the summer clock.
    const std::int64_t start = m_start.at(y, m_std);
    const std::int64_t end = m_end.at(y, m_dst);
    const bool summer =
        start < end ? (seconds >= start && seconds < end) : (seconds < end || seconds >= start);
    return summer ? m_dst : m_std;
}

} // namespace duet::transfer
