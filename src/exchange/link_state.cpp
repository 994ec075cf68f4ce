// The link as the inbox sees it while taking files in; see link_state.hpp.
#include "link_state.hpp"

#include "received.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace duet::exchange {

using json = nlohmann::json;

std::map<std::int64_t, LinkState::Kept>& LinkState::newest_revisions() {
    if (!m_newest) {
        m_newest.emplace();
        for (const Received& r : received(m_journal, [](std::int64_t, const std::string&) {})) {
            Kept& at = (*m_newest)[r.source_id];
            at.revision = std::max(at.revision, r.revision);
            at.number = std::max(at.number, r.number);
        }
    }
    return *m_newest;
}

std::map<std::int64_t, int>& LinkState::withdrawn() {
    if (!m_withdrawn) {
        m_withdrawn.emplace();
        m_journal.for_each_record(
            "withdrawn",
            [&](std::int64_t, const std::string& payload) {
                const auto j = json::parse(payload, nullptr, false);
                if (j.is_object() && j.value("source_id", json()).is_number_integer()) {
                    int& floor = (*m_withdrawn)[j["source_id"].get<std::int64_t>()];
                    floor = std::max(floor, j.value("revision", 0));
                }
            },
            [](std::int64_t, const std::string&) {});
    }
    return *m_withdrawn;
}

std::vector<SentInvitation>& LinkState::sent_by_me() {
    if (!m_sent) {
        m_sent = sent_invitations(m_journal);
    }
    return *m_sent;
}

bool LinkState::may_become_partner(const PublicKey& key) {
    if (m_partner) {
        return std::any_of(
            m_partner->competing.begin(), m_partner->competing.end(),
            [&](const Candidate& c) { return crypto::equal_constant_time(c.key, key); });
    }
    const std::vector<SentInvitation>& sent = sent_by_me();
    return std::any_of(sent.begin(), sent.end(),
                       [](const SentInvitation& s) { return s.reply.empty(); });
}

bool LinkState::is_former(const PublicKey& key) {
    if (!m_former) {
        m_former.emplace();
        if (const auto text = m_journal.setting("former_partners")) {
            const auto j = json::parse(*text, nullptr, false);
            for (const json& k : j.is_array() ? j : json::array()) {
                const auto bytes = k.is_string() ? from_base64(k.get<std::string>()) : std::nullopt;
                if (bytes && bytes->size() == 32) {
                    m_former->push_back(to_public_key(*bytes));
                }
            }
        }
    }
    const bool current = m_partner && crypto::equal_constant_time(m_partner->key, key);
    return !current && std::any_of(m_former->begin(), m_former->end(), [&](const PublicKey& k) {
        return crypto::equal_constant_time(k, key);
    });
}

void LinkState::partner_left() {
    forget_partner(m_journal);
    is_former(m_partner->key); // loads the list, which forget_partner just extended
    m_former->push_back(m_partner->key);
    m_partner.reset();
}

} // namespace duet::exchange
