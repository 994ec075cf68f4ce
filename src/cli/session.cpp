// `duet review --session-done [DATE]`: remembering when a therapy session took place.
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/report/summary.hpp"
#include "duet/util/text.hpp"
#include "review_common.hpp"

#include <fmt/format.h>

#include <iostream>

namespace duet::cli {

namespace review {

std::vector<util::DayNumber> session_days(const store::Journal& journal) {
    std::vector<util::DayNumber> days;
    if (const auto list = journal.setting("sessions")) {
        days = report::parse_session_days(*list);
    }
    if (const auto single = journal.setting("last_session")) {
        if (const auto day = util::parse_day(*single)) {
            days = report::add_session_day(std::move(days), *day);
        }
    }
    return days;
}

std::optional<util::DayNumber> last_session(const store::Journal& journal) {
    return report::last_session_day(session_days(journal), util::today());
}

std::optional<util::DayNumber> parse_day_word(const std::string& text) {
    if (text == "today") {
        return util::today();
    }
    if (text == "yesterday") {
        return util::today() - 1;
    }
    return util::parse_day(text);
}

} // namespace review

int run_session_done(const std::string& date, Context& ctx) {
    const auto day = review::parse_day_word(date);
    if (!day) {
        throw UsageError(fmt::format("--session-done '{}': please use YYYY-MM-DD, today or "
                                     "yesterday",
                                     util::printable(date, false)));
    }
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    const std::vector<util::DayNumber> before = review::session_days(journal);
    const std::vector<util::DayNumber> days = report::add_session_day(before, *day);
    const std::string when = util::format_day_long(*day);
    if (days == before) {
        std::cout << fmt::format("A session on {} is already recorded; nothing changed.\n", when);
        return 0;
    }
    journal.set_setting("sessions", report::format_session_days(days));
    // "last_session" stays the latest day not after today, for readers of the single setting.
    if (const auto last = report::last_session_day(days, util::today())) {
        journal.set_setting("last_session", util::format_day(*last));
    }
    std::cout << fmt::format("Recorded a session on {}.\n", when);
    if (*day > util::today()) {
        std::cout << "That day is still ahead; it counts as the last session once it comes.\n";
    } else if (report::last_session_day(days, util::today()) == day) {
        std::cout << "`duet review --summary` now starts from that day, whenever you want "
                     "to look.\n";
    }
    return 0;
}

} // namespace duet::cli
