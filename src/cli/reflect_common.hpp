#pragma once
// Internal to the reflect command: choosing prompts and turning answers into entries.
#include "duet/cli/commands.hpp"
#include "duet/prompts/answer.hpp"
#include "duet/prompts/today.hpp"
#include "duet/store/journal.hpp"

#include <optional>
#include <vector>

namespace duet::cli::reflect {

// Today's-prompt choice lives in prompts/ (prompts/today.hpp); these names
// keep the command's own spelling of it.
using prompts::make_entry;
using prompts::todays_prompts;

// Runs the interactive session over the given prompts; returns the exit code.
int run_session(Context& ctx, store::Journal& journal, const prompts::Pack& pack,
                const std::vector<const prompts::Prompt*>& prompts, util::DayNumber day,
                bool for_session);

} // namespace duet::cli::reflect
