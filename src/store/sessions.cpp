#include "duet/store/sessions.hpp"

#include "duet/util/text.hpp"

#include <algorithm>

namespace duet::store {

std::vector<util::DayNumber> parse_session_days(std::string_view text) {
    std::vector<util::DayNumber> days;
    for (const std::string& line : util::split(text, '\n')) {
        // Only duet writes this setting; a line it cannot read is left out, not fatal.
        if (auto day = util::parse_day(util::trim(line))) {
            days = add_session_day(std::move(days), *day);
        }
    }
    return days;
}

std::string format_session_days(const std::vector<util::DayNumber>& days) {
    std::string out;
    for (util::DayNumber d : days) {
        out += util::format_day(d) + '\n';
    }
    return out;
}

std::vector<util::DayNumber> add_session_day(std::vector<util::DayNumber> days,
                                             util::DayNumber day) {
    const auto at = std::lower_bound(days.begin(), days.end(), day);
    if (at == days.end() || *at != day) {
        days.insert(at, day);
    }
    return days;
}

std::optional<util::DayNumber> last_session_day(const std::vector<util::DayNumber>& days,
                                                util::DayNumber today) {
    const auto after = std::upper_bound(days.begin(), days.end(), today);
    if (after == days.begin()) {
        return std::nullopt;
    }
    return *(after - 1);
}

std::vector<util::DayNumber> session_days(const Journal& journal) {
    std::vector<util::DayNumber> days;
    if (const auto list = journal.setting("sessions")) {
        days = parse_session_days(*list);
    }
    if (const auto single = journal.setting("last_session")) {
        if (const auto day = util::parse_day(*single)) {
            days = add_session_day(std::move(days), *day);
        }
    }
    return days;
}

std::optional<util::DayNumber> last_session(const Journal& journal) {
    return last_session_day(session_days(journal), util::today());
}

bool record_session(Journal& journal, util::DayNumber day) {
    const std::vector<util::DayNumber> before = session_days(journal);
    const std::vector<util::DayNumber> days = add_session_day(before, day);
    if (days == before) {
        return false;
    }
    journal.set_setting("sessions", format_session_days(days));
    // "last_session" stays the latest day not after today, for readers of the single setting.
    if (const auto last = last_session_day(days, util::today())) {
        journal.set_setting("last_session", util::format_day(*last));
    }
    return true;
}

} // namespace duet::store
