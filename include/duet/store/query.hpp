#pragma once
// Which entries to read and in what order, below the commands that show them:
// `review`, the pre-session summary and `share --list` all read through a Query.
// Built only on Journal's public interface and store/order.hpp.
#include "duet/store/journal.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace duet::store {

enum class Whose { both, mine, partner };

struct Filter {
    std::optional<util::DayNumber> since; // inclusive; nullopt: from the first entry
    std::optional<util::DayNumber> until; // inclusive; nullopt: up to now
    std::string pack;                     // empty: every pack
    std::string text;                     // in the prompt or the answer, in any ASCII case
    Whose whose = Whose::both;
    // Only these own entries, read by number instead of scanning the journal
    // (`share --list`); nullopt: every entry.
    std::optional<std::set<std::int64_t>> ids;
};

class Query {
  public:
    // last > 0: only the newest `last` matching entries.
    explicit Query(Filter filter, std::size_t last = 0);

    // Does the query want the partner's entries? They come from the journal's
    // received records, which only exchange/ decodes (store must not include
    // it): the caller decodes them and hands them in.
    bool wants_partner() const;
    // The partner's visible entries; the query keeps those that match.
    void set_partner_entries(std::vector<Entry> entries);

    // Visits the matching entries oldest first, own and partner's merged in
    // time order. Own entries stream from the journal one at a time, so memory
    // stays flat; with `last`, the journal is read newest first and only until
    // enough have matched. Damaged entries are reported and skipped.
    void run(const Journal& journal, const std::function<void(const Entry&)>& visit,
             const Journal::DamagedFn& on_damaged);

    // For a --pack that may be a typo: did any entry read have that pack? If
    // not, the packs the entries read had. Complete after run().
    bool pack_seen() const { return m_pack_seen; }
    const std::set<std::string>& other_packs() const { return m_other_packs; }

  private:
    bool matches(const Entry& entry);
    void note_pack(const Entry& entry);
    // Own and partner entries merged, newest or oldest first, until visit says stop.
    void merged(const Journal& journal, bool newest_first,
                const std::function<bool(const Entry&)>& visit,
                const Journal::DamagedFn& on_damaged);
    void own_entries(const Journal& journal, bool newest_first,
                     const std::function<bool(const Entry&)>& visit,
                     const Journal::DamagedFn& on_damaged) const;

    Filter m_filter;
    std::string m_needle; // the text, lower-cased once
    std::size_t m_last = 0;
    std::vector<Entry> m_theirs; // matching partner entries, oldest first
    bool m_pack_seen = false;
    std::set<std::string> m_other_packs;
};

} // namespace duet::store
