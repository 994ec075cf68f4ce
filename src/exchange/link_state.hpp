#pragma once
// Internal to exchange/: what the inbox consults about the link while it takes
// files in. Each part is read from the journal once per run, on first need, and
// kept current as files are taken in: a full shared folder costs one pass, not
// one per file.
#include "duet/exchange/link.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace duet::exchange {

class LinkState {
  public:
    explicit LinkState(store::Journal& journal)
        : m_journal(journal), m_partner(load_partner(journal)) {}

    std::optional<Partner>& partner() { return m_partner; }

    // The newest revision of each partner entry kept, and its number here.
    struct Kept {
        int revision = 0;
        std::int64_t number = 0;
    };
    std::map<std::int64_t, Kept>& newest_revisions(); // by partner entry id
    std::map<std::int64_t, int>& withdrawn();         // partner entry id -> revision
    std::vector<SentInvitation>& sent_by_me();

    // Not (yet) the partner, but could become it: an answer to one of our
    // invitations is still to come, or the link is on hold between candidates.
    bool may_become_partner(const PublicKey& key);
    // A partner of a link that has ended (and not the current one).
    bool is_former(const PublicKey& key);
    // The partner ended the link: forgotten here, a former partner from now on.
    void partner_left();

  private:
    store::Journal& m_journal;
    std::optional<Partner> m_partner;
    std::optional<std::map<std::int64_t, Kept>> m_newest;
    std::optional<std::map<std::int64_t, int>> m_withdrawn;
    std::optional<std::vector<SentInvitation>> m_sent;
    std::optional<std::vector<PublicKey>> m_former;
};

} // namespace duet::exchange
