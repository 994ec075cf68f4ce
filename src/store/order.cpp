#include "duet/store/order.hpp"

#include <algorithm>

namespace duet::store {

namespace {
// More segments than this means many clock jumps; a plain sort is then simpler.
constexpr std::size_t k_max_segments = 256;
} // namespace

bool earlier(const Entry& a, const Entry& b) {
    if (a.created_at.seconds != b.created_at.seconds) {
        return a.created_at.seconds < b.created_at.seconds;
    }
    return a.id < b.id;
}

void for_each_in_time_order(const Journal& journal, bool newest_first,
                            const std::function<bool(const Entry&)>& visit,
                            const Journal::DamagedFn& on_damaged) {
    const auto starts = journal.order_segments();
    const std::int64_t last_id = journal.max_id();
    if (!starts || starts->size() > k_max_segments) {
        std::vector<Entry> all;
        journal.for_each([&](const Entry& e) { all.push_back(e); }, on_damaged);
        std::stable_sort(all.begin(), all.end(), earlier);
        if (newest_first) {
            std::reverse(all.begin(), all.end());
        }
        for (const Entry& e : all) {
            if (!visit(e)) {
                return;
            }
        }
        return;
    }
    std::vector<Journal::Cursor> cursors;
    std::vector<std::optional<Entry>> heads;
    for (std::size_t i = 0; i < starts->size(); ++i) {
        const std::int64_t first = (*starts)[i];
        const std::int64_t last = i + 1 < starts->size() ? (*starts)[i + 1] - 1 : last_id;
        if (first > last) {
            continue;
        }
        cursors.push_back(journal.cursor(first, last, newest_first, on_damaged));
        heads.push_back(cursors.back().next());
    }
    for (;;) {
        std::size_t best = heads.size();
        for (std::size_t i = 0; i < heads.size(); ++i) {
            if (!heads[i]) {
                continue;
            }
            if (best == heads.size() || (newest_first ? earlier(*heads[best], *heads[i])
                                                      : earlier(*heads[i], *heads[best]))) {
                best = i;
            }
        }
        if (best == heads.size()) {
            return;
        }
        if (!visit(*heads[best])) {
            return;
        }
        heads[best] = cursors[best].next();
    }
}

} // namespace duet::store
