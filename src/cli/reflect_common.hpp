#pragma once
// Internal to the reflect command: choosing prompts and turning answers into entries.
#include "duet/cli/commands.hpp"
#include "duet/prompts/answer.hpp"
#include "duet/store/journal.hpp"

#include <optional>
#include <vector>

namespace duet::cli::reflect {

store::Entry make_entry(const prompts::Pack& pack, const prompts::Prompt& prompt,
                        util::DayNumber day, const std::optional<prompts::Answer>& answer,
                        bool for_session);

// The prompts a session offers today: one for a daily pack, the rest of the
// walk for a sequence pack (skipping what is already done today).
std::vector<const prompts::Prompt*> todays_prompts(const prompts::Pack& pack, util::DayNumber day,
                                                   const std::vector<store::Entry>& done_today);

// Runs the interactive session over the given prompts; returns the exit code.
int run_session(Context& ctx, store::Journal& journal, const prompts::Pack& pack,
                const std::vector<const prompts::Prompt*>& prompts, util::DayNumber day,
                bool for_session);

} // namespace duet::cli::reflect
