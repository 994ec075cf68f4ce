#pragma once
// Entries in time order without decrypting the whole journal first.
#include "duet/store/journal.hpp"

#include <functional>

namespace duet::store {

// Visits entries oldest first (or newest first) by (created_at, id); stops as
// soon as visit returns false. Memory stays flat: the journal's time-ordered
// id segments are merged with one cursor each. Journals whose bookkeeping is
// missing are sorted in memory instead.
void for_each_in_time_order(const Journal& journal, bool newest_first,
                            const std::function<bool(const Entry&)>& visit,
                            const Journal::DamagedFn& on_damaged);

// True when a comes before b in time order.
bool earlier(const Entry& a, const Entry& b);

} // namespace duet::store
