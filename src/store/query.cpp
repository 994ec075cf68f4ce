#include "duet/store/query.hpp"

#include "duet/error.hpp"
#include "duet/store/order.hpp"
#include "duet/util/text.hpp"

#include <algorithm>

namespace duet::store {

namespace {

bool contains_ci(const std::string& hay, const std::string& needle_lower) {
    return util::to_lower_ascii(hay).find(needle_lower) != std::string::npos;
}

} // namespace

Query::Query(Filter filter, std::size_t last)
    : m_filter(std::move(filter)), m_needle(util::to_lower_ascii(m_filter.text)), m_last(last) {}

bool Query::wants_partner() const {
    return m_filter.whose != Whose::mine && !m_filter.ids;
}

void Query::note_pack(const Entry& e) {
    if (m_filter.pack.empty() || m_pack_seen) {
        return;
    }
    m_pack_seen = e.pack == m_filter.pack;
    if (!m_pack_seen) {
        m_other_packs.insert(e.pack);
    }
}

// Every entry read passes here once, so the pack census sees them all.
bool Query::matches(const Entry& e) {
    note_pack(e);
    const Filter& f = m_filter;
    if ((f.since && e.day < *f.since) || (f.until && e.day > *f.until) ||
        (!f.pack.empty() && e.pack != f.pack) ||
        (f.whose == Whose::mine && e.author != Author::me) ||
        (f.whose == Whose::partner && e.author != Author::partner)) {
        return false;
    }
    return m_needle.empty() || contains_ci(e.prompt_text, m_needle) ||
           (e.answer && contains_ci(*e.answer, m_needle));
}

void Query::set_partner_entries(std::vector<Entry> entries) {
    m_theirs.clear();
    if (!wants_partner()) {
        return;
    }
    for (Entry& e : entries) {
        if (matches(e)) {
            m_theirs.push_back(std::move(e));
        }
    }
    std::stable_sort(m_theirs.begin(), m_theirs.end(), earlier);
}

void Query::own_entries(const Journal& journal, bool newest_first,
                        const std::function<bool(const Entry&)>& visit,
                        const Journal::DamagedFn& on_damaged) const {
    if (!m_filter.ids) {
        for_each_in_time_order(journal, newest_first, visit, on_damaged);
        return;
    }
    // A few chosen entries: looked up by number, then put in time order.
    std::vector<Entry> picked;
    for (const std::int64_t id : *m_filter.ids) {
        try {
            if (auto e = journal.find(id)) {
                picked.push_back(std::move(*e));
            }
        } catch (const DataError& err) {
            on_damaged(id, err.what());
        }
    }
    std::stable_sort(picked.begin(), picked.end(), earlier);
    if (newest_first) {
        std::reverse(picked.begin(), picked.end());
    }
    for (const Entry& e : picked) {
        if (!visit(e)) {
            return;
        }
    }
}

void Query::merged(const Journal& journal, bool newest_first,
                   const std::function<bool(const Entry&)>& visit,
                   const Journal::DamagedFn& on_damaged) {
    // The partner's entries are few and already sorted; they are slotted into
    // the journal's own time-ordered stream.
    std::size_t next = 0; // into m_theirs, from the matching end
    const auto partner_at = [&](std::size_t i) -> const Entry& {
        return newest_first ? m_theirs[m_theirs.size() - 1 - i] : m_theirs[i];
    };
    const auto comes_first = [&](const Entry& a, const Entry& b) {
        return newest_first ? earlier(b, a) : earlier(a, b);
    };
    bool go_on = true;
    if (m_filter.whose != Whose::partner) {
        own_entries(
            journal, newest_first,
            [&](const Entry& own) {
                while (go_on && next < m_theirs.size() && comes_first(partner_at(next), own)) {
                    go_on = visit(partner_at(next++));
                }
                if (go_on && matches(own)) {
                    go_on = visit(own);
                }
                return go_on;
            },
            on_damaged);
    }
    while (go_on && next < m_theirs.size()) {
        go_on = visit(partner_at(next++));
    }
}

void Query::run(const Journal& journal, const std::function<void(const Entry&)>& visit,
                const Journal::DamagedFn& on_damaged) {
    if (m_last == 0) {
        merged(
            journal, false,
            [&](const Entry& e) {
                visit(e);
                return true;
            },
            on_damaged);
        return;
    }
    // The last N: read newest first, stop at N, and hand them on oldest first.
    std::vector<Entry> picked;
    merged(
        journal, true,
        [&](const Entry& e) {
            picked.push_back(e);
            return picked.size() < m_last;
        },
        on_damaged);
    for (auto e = picked.rbegin(); e != picked.rend(); ++e) {
        visit(*e);
    }
}

} // namespace duet::store
