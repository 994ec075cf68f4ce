// `duet review --session-done [DATE]`: remembering when a therapy session took place.
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/store/sessions.hpp"
#include "duet/util/text.hpp"
#include "review_common.hpp"

#include <fmt/format.h>

#include <iostream>

namespace duet::cli {

namespace review {

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
    const std::string when = util::format_day_long(*day);
    if (!store::record_session(journal, *day)) {
        ctx.out() << fmt::format("A session on {} is already recorded; nothing changed.\n", when);
        return 0;
    }
    ctx.out() << fmt::format("Recorded a session on {}.\n", when);
    if (*day > util::today()) {
        ctx.out() << "That day is still ahead; it counts as the last session once it comes.\n";
    } else if (store::last_session(journal) == day) {
        ctx.out() << "`duet review --summary` now starts from that day, whenever you want "
                     "to look.\n";
    }
    return 0;
}

} // namespace duet::cli
