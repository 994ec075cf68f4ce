// Taking in what the partner (or an invitee) sent: phase two of the inbox, in
// one write transaction, after arrivals.cpp has read the folder.
#include "arrivals.hpp"
#include "duet/error.hpp"
#include "duet/exchange/link.hpp"
#include "duet/util/files.hpp"
#include "duet/util/msgpack.hpp"
#include "duet/util/text.hpp"
#include "link_state.hpp"
#include "received.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <map>

namespace duet::exchange {

namespace {

using json = nlohmann::json;

// parse_msgpack already turns malformed bytes into nullopt.
std::optional<json> unpack(const crypto::SecureBytes& bytes) {
    return util::parse_msgpack(bytes.data(), bytes.data() + bytes.size());
}

// Does the opened payload carry these whole-number fields?
bool has_integers(const json& j, std::initializer_list<const char*> keys) {
    return std::all_of(keys.begin(), keys.end(),
                       [&](const char* k) { return j.contains(k) && j[k].is_number_integer(); });
}

class Inbox {
  public:
    Inbox(store::Journal& journal, InboxReport& report, Refusals& refusals, const PublicKey& me)
        : m_journal(journal), m_report(report), m_refusals(refusals), m_me(me), m_link(journal) {}

    // Phase two, inside the write transaction: take in what was read.
    void take_in(const Arrival& a) {
        if (!a.header) {
            decline(a);
            return;
        }
        const std::string id = crypto::to_hex(a.header->id);
        if (m_journal.seen("msg:" + id)) {
            return; // another duet took it in meanwhile
        }
        // Sync tools deliver files in any order: a partner's first messages can
        // arrive before their acceptance. They wait, unread and unreported.
        if (a.header->type != MessageType::acceptance &&
            m_link.may_become_partner(a.header->sender)) {
            return;
        }
        // From a link that has ended: set aside quietly, once. Judged here, after
        // any acceptance of this run, so a link made again is not mistaken for it.
        if (a.header->type != MessageType::acceptance && m_link.is_former(a.header->sender)) {
            m_journal.mark_seen("msg:" + id);
            return;
        }
        const crypto::ByteView bytes = crypto::as_bytes(a.content);
        switch (a.header->type) {
        case MessageType::acceptance:
            acceptance(a, bytes, id);
            break;
        case MessageType::entry:
            entry(a, bytes, id);
            break;
        case MessageType::withdrawal:
            withdrawal(a, bytes, id);
            break;
        case MessageType::leave:
            leave(a, bytes, id);
            break;
        }
    }

    // Files that have served their purpose, to remove once the transaction is in.
    const std::vector<fs::path>& served() const { return m_served; }

  private:
    std::optional<json> opened(const Arrival& a, crypto::ByteView bytes, const PublicKey& from) {
        if (m_secret.empty()) {
            m_secret = m_journal.link_secret_key();
        }
        const auto o = open_message(bytes, from, m_me, m_secret);
        if (!o && a.fresh) {
            return std::nullopt; // perhaps still being written: read again next time
        }
        auto j = o ? unpack(o->payload) : std::nullopt;
        if (!j || !j->is_object()) {
            m_refusals.refuse_damaged(a);
            return std::nullopt;
        }
        return j;
    }

    void acceptance(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = opened(a, bytes, a.header->sender);
        if (!j) {
            return;
        }
        if (!j->contains("invitation") || !(*j)["invitation"].is_string() ||
            (j->contains("name") && !(*j)["name"].is_string())) {
            m_refusals.refuse_damaged(a);
            return;
        }
        const std::string invitation = j->value("invitation", "");
        const std::string name = clean_name(j->value("name", ""));
        SentInvitation* answered = answered_invitation(a, invitation);
        if (answered == nullptr) {
            return;
        }
        m_journal.mark_seen("msg:" + id);
        m_served.push_back(a.path);
        const std::optional<Partner>& partner = m_link.partner();
        if (partner && crypto::equal_constant_time(partner->key, a.header->sender)) {
            return; // the same journal again
        }
        if (partner) {
            another_answer(a, name);
            return;
        }
        link_with(a, name, *answered);
    }

    // The invitation of ours an acceptance answers, if it can still be
    // accepted; refused otherwise.
    SentInvitation* answered_invitation(const Arrival& a, const std::string& invitation) {
        std::vector<SentInvitation>& sent = m_link.sent_by_me();
        const auto it = std::find_if(sent.begin(), sent.end(),
                                     [&](const SentInvitation& s) { return s.id == invitation; });
        if (it == sent.end()) {
            m_refusals.refuse_mine(
                a, "accepts an invitation this journal did not send; it was ignored");
            return nullptr;
        }
        if (it->reply == "declined") {
            m_refusals.refuse_mine(a, "accepts an invitation that was declined; a declined "
                                      "invitation cannot be accepted, so it was ignored");
            return nullptr;
        }
        if (it->reply == "accepted" && !m_link.partner()) {
            m_refusals.refuse_mine(a, "accepts an invitation that was answered before, for a "
                                      "link that has since ended; a new invitation is needed, "
                                      "so it was ignored");
            return nullptr;
        }
        return &*it;
    }

    // A second journal answered while one is linked: the link is on hold.
    void another_answer(const Arrival& a, const std::string& name) {
        Partner& partner = *m_link.partner();
        const bool known = std::any_of(
            partner.competing.begin(), partner.competing.end(), [&](const Candidate& c) {
                return crypto::equal_constant_time(c.key, a.header->sender);
            });
        if (!known) {
            partner.competing.push_back({name, a.header->sender});
            save_partner(m_journal, partner);
            m_report.notices.push_back(
                "Another journal has also answered your invitation. Only one of them can "
                "be your partner, so duet shares nothing until you have compared safety "
                "codes in person. `duet invite status` shows how.");
        }
    }

    void link_with(const Arrival& a, const std::string& name, SentInvitation& answered) {
        const std::string shown = name.empty() ? "your partner" : name;
        std::optional<Partner>& partner = m_link.partner();
        partner =
            Partner{name, a.header->sender, util::format_day(util::today()), "", {}, answered.id};
        save_partner(m_journal, *partner);
        answered.reply = "accepted";
        answered.reply_name = name;
        update_invitation(m_journal, answered);
        ++m_report.accepted;
        m_report.notices.push_back(fmt::format(
            "{} accepted your invitation; your journals are now linked. When you are together, "
            "compare the safety code that `duet invite status` shows.",
            util::printable(shown, false)));
    }

    // Entries, withdrawals and leaves come only from the linked partner.
    std::optional<json> from_partner(const Arrival& a, crypto::ByteView bytes) {
        const std::optional<Partner>& partner = m_link.partner();
        if (!partner) {
            m_refusals.refuse(a, "from a journal this one is not linked with; it was ignored");
            return std::nullopt;
        }
        if (!crypto::equal_constant_time(partner->key, a.header->sender)) {
            m_refusals.refuse(a, "not from your linked partner; it was ignored");
            return std::nullopt;
        }
        return opened(a, bytes, partner->key);
    }

    void entry(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        if (!j->contains("entry") || !(*j)["entry"].is_binary() ||
            !has_integers(*j, {"source_id", "revision"})) {
            m_refusals.refuse_damaged(a);
            return;
        }
        const auto source_id = (*j)["source_id"].get<std::int64_t>();
        const int revision = static_cast<int>((*j)["revision"].get<std::int64_t>());
        const auto& bin = (*j)["entry"].get_binary();
        try {
            store::decode_entry(crypto::ByteView(bin.data(), bin.size()), source_id);
        } catch (const DataError&) {
            m_refusals.refuse_mine(a, "holds an entry this duet cannot read; it was ignored");
            return;
        }
        if (const auto w = m_link.withdrawn().find(source_id);
            w != m_link.withdrawn().end() && w->second >= revision) {
            m_journal.mark_seen("msg:" + id); // taken back before it arrived
            return;
        }
        std::map<std::int64_t, LinkState::Kept>& newest = m_link.newest_revisions();
        const auto kept = newest.find(source_id);
        if (kept != newest.end() && kept->second.revision >= revision) {
            m_refusals.refuse_mine(a, fmt::format("an older copy of your partner's entry {}; the "
                                                  "newer one is kept",
                                                  source_id));
            m_journal.mark_seen("msg:" + id);
            return;
        }
        // A new revision keeps the number the entry already has here.
        const std::int64_t number = kept != newest.end() && kept->second.number > 0
                                        ? kept->second.number
                                        : m_journal.reserve_number();
        json stored = {{"source_id", source_id},
                       {"revision", revision},
                       {"number", number},
                       {"message", id},
                       {"entry", (*j)["entry"]}};
        const std::vector<std::uint8_t> packed = json::to_msgpack(stored);
        m_journal.add_record("received", std::string(packed.begin(), packed.end()));
        m_journal.mark_seen("msg:" + id);
        newest[source_id] = LinkState::Kept{revision, number};
        ++m_report.received;
    }

    void withdrawal(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        if (!has_integers(*j, {"source_id", "revision"})) {
            m_refusals.refuse_damaged(a);
            return;
        }
        const auto source_id = (*j)["source_id"].get<std::int64_t>();
        const int revision = static_cast<int>(
            std::clamp<std::int64_t>((*j)["revision"].get<std::int64_t>(), 0, 1 << 30));
        for (const Received& r : received(m_journal, [](std::int64_t, const std::string&) {})) {
            if (r.source_id == source_id && r.revision <= revision) {
                m_journal.delete_record(r.record, "received");
            }
        }
        int& floor = m_link.withdrawn()[source_id];
        floor = std::max(floor, revision);
        m_journal.add_record("withdrawn",
                             json{{"source_id", source_id}, {"revision", floor}}.dump());
        m_link.newest_revisions().erase(source_id);
        m_journal.mark_seen("msg:" + id);
        m_served.push_back(a.path);
        ++m_report.withdrawn;
    }

    void leave(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        const Partner& partner = *m_link.partner();
        // The end of an earlier link with the same journal, arriving after the two
        // linked again (sync tools deliver in any order): it ends nothing now.
        if (j->contains("link") && (*j)["link"].is_string() && !partner.invitation.empty() &&
            (*j)["link"].get<std::string>() != partner.invitation) {
            m_journal.mark_seen("msg:" + id);
            m_served.push_back(a.path);
            return;
        }
        const std::string words =
            j->contains("message") && (*j)["message"].is_string()
                ? util::trim((*j)["message"].get<std::string>()).substr(0, k_max_note)
                : "";
        const std::string name =
            util::printable(partner.name.empty() ? "Your partner" : partner.name, false);
        std::string notice = fmt::format(
            "{} has ended the link between your journals. Your own journal stays as it is, "
            "with everything in it.",
            name);
        for (const std::string& line : util::split(words, '\n')) {
            if (!words.empty()) {
                notice += "\n  │ " + util::printable(line, false);
            }
        }
        m_report.notices.push_back(notice);
        m_report.link_ended = true;
        m_journal.mark_seen("msg:" + id);
        m_served.push_back(a.path);
        m_link.partner_left();
    }

    void decline(const Arrival& a) {
        Decline d;
        try {
            d = parse_decline(a.content, a.path.string());
        } catch (const Error& e) {
            if (!a.fresh) {
                m_refusals.refuse(a, e.what(), false);
            }
            return;
        }
        bool ours = false;
        for (SentInvitation& s : m_link.sent_by_me()) {
            if (s.id != d.invitation_id) {
                continue;
            }
            ours = true;
            if (s.reply.empty()) {
                s.reply = "declined";
                s.reply_message = d.message;
                update_invitation(m_journal, s);
                ++m_report.declined;
                m_report.notices.push_back("Your invitation has an answer; `duet invite status` "
                                           "shows it.");
            }
            // Both files have served their purpose: the answer is kept in the journal.
            m_served.push_back(a.path);
            if (!s.file.empty()) {
                m_served.push_back(s.file);
            }
        }
        if (!ours) {
            m_refusals.pass_over(a); // someone else's answer: not read again
        }
    }

    store::Journal& m_journal;
    InboxReport& m_report;
    Refusals& m_refusals;
    PublicKey m_me;
    crypto::SecureBytes m_secret;
    LinkState m_link;
    std::vector<fs::path> m_served;
};

} // namespace

InboxReport process_inbox(store::Journal& journal, const fs::path& dir) {
    InboxReport report;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        // Not an error: the folder may simply not be synced or mounted yet.
        report.notices.push_back(fmt::format("the shared folder {} is not there right now (not "
                                             "synced yet, or moved?); nothing was picked up",
                                             dir.string()));
        return report;
    }
    const PublicKey me = own_key(journal);
    Refusals refusals(report);
    Inbox inbox(journal, report, refusals, me);
    // Every file is read before the journal is locked for writing, and none is
    // open while it is: a link in the folder can never reach the journal.
    const std::vector<Arrival> arrivals = read_arrivals(dir, journal, me, refusals);
    journal.batch([&] {
        for (const Arrival& a : arrivals) {
            inbox.take_in(a);
        }
        refusals.remember(journal);
    });
    for (const fs::path& f : inbox.served()) {
        util::remove_file(f);
    }
    if (report.link_ended) {
        remove_own_files(journal, dir); // nothing of ours is needed there any more
    }
    return report;
}

} // namespace duet::exchange
