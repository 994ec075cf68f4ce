#pragma once
// Today's prompts and the entry an answer becomes. The one place prompts/
// meets store/entry.hpp: only its plain Entry record, nothing of the journal.
#include "duet/prompts/answer.hpp"
#include "duet/prompts/pack.hpp"
#include "duet/store/entry.hpp"
#include "duet/util/dates.hpp"

#include <optional>
#include <vector>

namespace duet::prompts {

// The prompts a session offers on the day: today's one for a daily pack, the
// rest of the walk for a sequence pack; what is already answered or skipped
// for that day (entries of the same pack in done_today) is left out.
std::vector<const Prompt*> todays_prompts(const Pack& pack, util::DayNumber day,
                                          const std::vector<store::Entry>& done_today);

// The entry for an answer to the prompt on the day, written now; no answer
// makes it a skipped entry. A scale entry keeps its range, so charts need no pack.
store::Entry make_entry(const Pack& pack, const Prompt& prompt, util::DayNumber day,
                        const std::optional<Answer>& answer, bool for_session);

} // namespace duet::prompts
