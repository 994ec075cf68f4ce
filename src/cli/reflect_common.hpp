#pragma once
// Internal to the reflect command: choosing prompts and turning answers into entries.
#include "duet/cli/commands.hpp"
#include "duet/prompts/answer.hpp"
#include "duet/prompts/today.hpp"
#include "duet/store/journal.hpp"

#include <optional>
#include <vector>

namespace duet::cli::reflect {

// Runs the interactive session over the given prompts; returns the exit code.
int run_session(Context& ctx, store::Journal& journal, const prompts::Pack& pack,
                const std::vector<const prompts::Prompt*>& prompts, util::DayNumber day,
                bool for_session);

} // namespace duet::cli::reflect
