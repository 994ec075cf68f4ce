#pragma once
// Internal to the review command: session dates shared by --since and --session-done.
#include "duet/store/journal.hpp"
#include "duet/util/dates.hpp"

#include <optional>
#include <string>
#include <vector>

namespace duet::cli::review {

// Every recorded session day, sorted: the "sessions" setting, plus the older
// single "last_session" setting when a journal has only that.
std::vector<util::DayNumber> session_days(const store::Journal& journal);

// The most recent recorded session on or before today.
std::optional<util::DayNumber> last_session(const store::Journal& journal);

// YYYY-MM-DD, today or yesterday; nullopt for anything else.
std::optional<util::DayNumber> parse_day_word(const std::string& text);

} // namespace duet::cli::review
