#pragma once
// Internal to the review command: the day words shared by --since, --until and
// --session-done (the session days themselves are in store/sessions.hpp).
#include "duet/util/dates.hpp"

#include <optional>
#include <string>

namespace duet::cli::review {

// YYYY-MM-DD, today or yesterday; nullopt for anything else.
std::optional<util::DayNumber> parse_day_word(const std::string& text);

} // namespace duet::cli::review
