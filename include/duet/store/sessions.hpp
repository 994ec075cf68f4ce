#pragma once
// Therapy session days, kept in the journal as sealed settings: "sessions"
// (newline-separated days) and, for readers of older journals, the single
// "last_session". Everything that reads or writes them lives here.
#include "duet/store/journal.hpp"
#include "duet/util/dates.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::store {

// The "sessions" setting's text, sorted and each day once; a line that is not
// a day is left out (only duet writes the setting).
std::vector<util::DayNumber> parse_session_days(std::string_view text);
std::string format_session_days(const std::vector<util::DayNumber>& days);
// Adds the day (once) and keeps the list sorted.
std::vector<util::DayNumber> add_session_day(std::vector<util::DayNumber> days,
                                             util::DayNumber day);
// The most recent session day not after `today`.
std::optional<util::DayNumber> last_session_day(const std::vector<util::DayNumber>& days,
                                                util::DayNumber today);

// Every recorded session day, sorted: the "sessions" setting, plus the older
// single "last_session" setting when a journal has only that.
std::vector<util::DayNumber> session_days(const Journal& journal);
// The most recent recorded session on or before today.
std::optional<util::DayNumber> last_session(const Journal& journal);
// Records a session on the day; false when it was recorded already (nothing
// is written then).
bool record_session(Journal& journal, util::DayNumber day);

} // namespace duet::store
