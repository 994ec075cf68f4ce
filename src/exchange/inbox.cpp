// Reading the shared folder: what the partner (or an invitee) sent us.
#include "duet/error.hpp"
#include "duet/exchange/link.hpp"
#include "duet/util/files.hpp"
#include "duet/util/msgpack.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <map>

namespace duet::exchange {

namespace {

using json = nlohmann::json;

// parse_msgpack already turns malformed bytes into nullopt.
std::optional<json> unpack(const crypto::SecureBytes& bytes) {
    return util::parse_msgpack(bytes.data(), bytes.data() + bytes.size());
}

struct Received {
    std::int64_t record = 0;
    std::int64_t source_id = 0; // the entry's number in the partner's journal
    std::int64_t number = 0;    // its number in this one; 0 in journals from before numbering
    int revision = 0;
    store::Entry entry;
};

// Every received entry's record, decoded; damaged ones reported.
std::vector<Received> received(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged) {
    std::vector<Received> out;
    journal.for_each_record(
        "received",
        [&](std::int64_t id, const std::string& payload) {
            try {
                const auto parsed = util::parse_msgpack(payload.begin(), payload.end());
                if (!parsed || !parsed->is_object()) {
                    throw std::invalid_argument("not a record");
                }
                const json& j = *parsed;
                const auto& bin = j.at("entry").get_binary();
                Received r;
                r.record = id;
                if (!j.at("source_id").is_number_integer() ||
                    !j.at("revision").is_number_integer()) {
                    throw std::invalid_argument("not an integer");
                }
                r.source_id = j.at("source_id").get<std::int64_t>();
                r.revision = static_cast<int>(j.at("revision").get<std::int64_t>());
                if (const auto n = j.find("number"); n != j.end()) {
                    if (!n->is_number_integer() || n->get<std::int64_t>() <= 0) {
                        throw std::invalid_argument("not a number");
                    }
                    r.number = n->get<std::int64_t>();
                }
                r.entry = store::decode_entry(crypto::ByteView(bin.data(), bin.size()),
                                              r.number > 0 ? r.number : r.source_id);
                r.entry.author = store::Author::partner;
                out.push_back(std::move(r));
            } catch (const std::exception&) {
                on_damaged(id, fmt::format("an entry your partner shared (record {}) is damaged "
                                           "and cannot be shown",
                                           id));
            }
        },
        on_damaged);
    return out;
}

// One file of the shared folder, read before the journal's write transaction
// (never a link, a FIFO or an oversized file), with what its name and stamp
// were, so a refusal can be remembered.
struct Arrival {
    fs::path path;
    std::string refusal_key; // "refused:NAME:SIZE:MTIME"
    std::string content;
    std::optional<Header> header; // for .duet messages
    bool fresh = false;           // changed moments ago: a sync tool may still be writing it
};

// Git, and some cloud drives, write a file in place, so duet can meet one half
// written. A file that fails its check while it is this new is read again on
// the next run instead of being refused; once it has stopped changing for this
// long, it is refused as damaged, once.
constexpr auto k_settle_time = std::chrono::seconds(60);

bool is_fresh(std::int64_t mtime_ns) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::int64_t window = std::chrono::nanoseconds(k_settle_time).count();
    return mtime_ns > now - window && mtime_ns < now + window;
}

// The first bytes of a sealed message, or fewer: what a half-written one shows.
bool could_be_unfinished_message(const std::string& content) {
    constexpr std::string_view magic = "DUETMS";
    return content.size() < k_header_size &&
           std::string_view(content).substr(0, magic.size()) ==
               magic.substr(0, std::min(content.size(), magic.size()));
}

// Gone between the listing and the reading: the other side deleted it.
bool vanished(const fs::path& path) {
    std::error_code ec;
    return !fs::exists(fs::symlink_status(path, ec));
}

// The order in which kinds are taken in: who we are linked with first, then
// what they sent, then the end of a link, so a leave that arrives with the
// last entries still finds them in place.
int order_of(const Arrival& a) {
    if (!a.header) {
        return 3; // declines
    }
    switch (a.header->type) {
    case MessageType::acceptance:
        return 0;
    case MessageType::entry:
        return 1;
    case MessageType::withdrawal:
        return 2;
    default:
        return 4;
    }
}

class Inbox {
  public:
    Inbox(store::Journal& journal, InboxReport& report)
        : m_journal(journal), m_report(report), m_me(own_key(journal)),
          m_partner(load_partner(journal)) {}

    // Phase one, outside any transaction: which files are new, and their bytes.
    std::vector<Arrival> collect(const fs::path& dir) {
        std::vector<fs::path> names;
        std::error_code ec;
        for (const auto& de : fs::directory_iterator(dir, ec)) {
            const std::string name = de.path().filename().string();
            if (name.empty() || name[0] == '.' || is_conflict_copy(name)) {
                continue;
            }
            if (name.ends_with(".duet") ||
                (name.starts_with("duet-decline-") && name.ends_with(".txt"))) {
                names.push_back(de.path());
            }
        }
        std::sort(names.begin(), names.end());
        std::vector<Arrival> out;
        for (const fs::path& path : names) {
            Arrival a;
            a.path = path;
            const auto stamp = util::regular_file_stamp(path);
            a.refusal_key = stamp ? fmt::format("refused:{}:{}:{}", path.filename().string(),
                                                stamp->size, stamp->mtime_ns)
                                  : fmt::format("refused:{}:not-a-file", path.filename().string());
            if (m_journal.seen(a.refusal_key)) {
                continue; // refused before, unchanged: said once is enough
            }
            if (!stamp) {
                if (!vanished(path)) {
                    refuse(a,
                           "is not a plain file (a link, a folder or a device); it was not read");
                }
                continue;
            }
            a.fresh = is_fresh(stamp->mtime_ns);
            const bool is_message = path.filename().string().ends_with(".duet");
            try {
                a.content =
                    util::read_foreign_file(path, is_message ? k_max_message_size : 64 * 1024)
                        .content;
            } catch (const Error& e) {
                if (!vanished(path)) {
                    refuse(a, e.what(), false);
                }
                continue;
            }
            if (is_message && !admit_message(a)) {
                continue;
            }
            out.push_back(std::move(a));
        }
        std::stable_sort(out.begin(), out.end(), [](const Arrival& x, const Arrival& y) {
            return order_of(x) < order_of(y);
        });
        return out;
    }

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
        if (a.header->type != MessageType::acceptance && may_become_partner(a.header->sender)) {
            return;
        }
        // From a link that has ended: set aside quietly, once. Judged here, after
        // any acceptance of this run, so a link made again is not mistaken for it.
        if (a.header->type != MessageType::acceptance && is_former(a.header->sender)) {
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

    // Refusals are remembered inside the same transaction.
    void remember_refusals() {
        for (const std::string& key : m_refusal_keys) {
            m_journal.mark_seen(key);
        }
    }

    // Files that have served their purpose, to remove once the transaction is in.
    const std::vector<fs::path>& served() const { return m_served; }

  private:
    void refuse(const Arrival& a, std::string_view why, bool with_name = true) {
        m_report.refused.push_back(with_name ? fmt::format("{}: {}", a.path.string(), why)
                                             : std::string(why));
        m_refusal_keys.push_back(a.refusal_key);
    }
    void refuse_mine(const Arrival& a, std::string_view why) {
        refuse(a, why);
        m_report.refused_addressed_to_me = true;
    }
    void refuse_damaged(const Arrival& a) {
        refuse_mine(a, "fails its integrity check (damaged or tampered with); it was ignored");
    }
    // Does the opened payload carry these whole-number fields?
    static bool has_integers(const json& j, std::initializer_list<const char*> keys) {
        return std::all_of(keys.begin(), keys.end(), [&](const char* k) {
            return j.contains(k) && j[k].is_number_integer();
        });
    }

    // Is this message worth keeping in memory for phase two?
    bool admit_message(Arrival& a) {
        a.header = peek_header(crypto::as_bytes(a.content));
        if (!a.header) {
            if (!(a.fresh && could_be_unfinished_message(a.content))) {
                refuse(a, "not a duet message (damaged, or some other file); it was ignored");
            }
            return false;
        }
        if (crypto::equal_constant_time(a.header->sender, m_me)) {
            return false; // one of ours, waiting for the partner
        }
        if (!crypto::equal_constant_time(a.header->recipient, m_me)) {
            refuse(a, "addressed to a different journal; it was ignored");
            return false;
        }
        if (a.header->version != 1) {
            refuse_mine(a, "written by a newer version of duet; please update duet to read it");
            return false;
        }
        if (m_journal.seen("msg:" + crypto::to_hex(a.header->id))) {
            return false; // already taken in: a copy or a replay adds nothing
        }
        return true;
    }

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
            refuse_damaged(a);
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
            refuse_damaged(a);
            return;
        }
        const std::string invitation = j->value("invitation", "");
        const std::string name = clean_name(j->value("name", ""));
        const std::string shown = name.empty() ? "your partner" : name;
        std::vector<SentInvitation>& sent = sent_by_me();
        const auto it = std::find_if(sent.begin(), sent.end(),
                                     [&](const SentInvitation& s) { return s.id == invitation; });
        if (it == sent.end()) {
            refuse_mine(a, "accepts an invitation this journal did not send; it was ignored");
            return;
        }
        if (it->reply == "declined") {
            refuse_mine(a, "accepts an invitation that was declined; a declined invitation "
                           "cannot be accepted, so it was ignored");
            return;
        }
        if (it->reply == "accepted" && !m_partner) {
            refuse_mine(a, "accepts an invitation that was answered before, for a link that "
                           "has since ended; a new invitation is needed, so it was ignored");
            return;
        }
        m_journal.mark_seen("msg:" + id);
        m_served.push_back(a.path);
        if (m_partner && crypto::equal_constant_time(m_partner->key, a.header->sender)) {
            return; // the same journal again
        }
        if (m_partner) {
            const bool known = std::any_of(
                m_partner->competing.begin(), m_partner->competing.end(), [&](const Candidate& c) {
                    return crypto::equal_constant_time(c.key, a.header->sender);
                });
            if (!known) {
                m_partner->competing.push_back({name, a.header->sender});
                save_partner(m_journal, *m_partner);
                m_report.notices.push_back(
                    "Another journal has also answered your invitation. Only one of them can "
                    "be your partner, so duet shares nothing until you have compared safety "
                    "codes in person. `duet invite status` shows how.");
            }
            return;
        }
        m_partner =
            Partner{name, a.header->sender, util::format_day(util::today()), "", {}, invitation};
        save_partner(m_journal, *m_partner);
        it->reply = "accepted";
        it->reply_name = name;
        update_invitation(m_journal, *it);
        ++m_report.accepted;
        m_report.notices.push_back(fmt::format(
            "{} accepted your invitation; your journals are now linked. When you are together, "
            "compare the safety code that `duet invite status` shows.",
            util::printable(shown, false)));
    }

    // Entries, withdrawals and leaves come only from the linked partner.
    std::optional<json> from_partner(const Arrival& a, crypto::ByteView bytes) {
        if (!m_partner) {
            refuse(a, "from a journal this one is not linked with; it was ignored");
            return std::nullopt;
        }
        if (!crypto::equal_constant_time(m_partner->key, a.header->sender)) {
            refuse(a, "not from your linked partner; it was ignored");
            return std::nullopt;
        }
        return opened(a, bytes, m_partner->key);
    }

    void entry(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        if (!j->contains("entry") || !(*j)["entry"].is_binary() ||
            !has_integers(*j, {"source_id", "revision"})) {
            refuse_damaged(a);
            return;
        }
        const auto source_id = (*j)["source_id"].get<std::int64_t>();
        const int revision = static_cast<int>((*j)["revision"].get<std::int64_t>());
        const auto& bin = (*j)["entry"].get_binary();
        try {
            store::decode_entry(crypto::ByteView(bin.data(), bin.size()), source_id);
        } catch (const DataError&) {
            refuse_mine(a, "holds an entry this duet cannot read; it was ignored");
            return;
        }
        if (const auto w = withdrawn().find(source_id);
            w != withdrawn().end() && w->second >= revision) {
            m_journal.mark_seen("msg:" + id); // taken back before it arrived
            return;
        }
        std::map<std::int64_t, Kept>& newest = newest_revisions();
        const auto kept = newest.find(source_id);
        if (kept != newest.end() && kept->second.revision >= revision) {
            refuse_mine(a, fmt::format("an older copy of your partner's entry {}; the newer "
                                       "one is kept",
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
        newest[source_id] = Kept{revision, number};
        ++m_report.received;
    }

    void withdrawal(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        if (!has_integers(*j, {"source_id", "revision"})) {
            refuse_damaged(a);
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
        int& floor = withdrawn()[source_id];
        floor = std::max(floor, revision);
        m_journal.add_record("withdrawn",
                             json{{"source_id", source_id}, {"revision", floor}}.dump());
        newest_revisions().erase(source_id);
        m_journal.mark_seen("msg:" + id);
        m_served.push_back(a.path);
        ++m_report.withdrawn;
    }

    void leave(const Arrival& a, crypto::ByteView bytes, const std::string& id) {
        const auto j = from_partner(a, bytes);
        if (!j) {
            return;
        }
        // The end of an earlier link with the same journal, arriving after the two
        // linked again (sync tools deliver in any order): it ends nothing now.
        if (j->contains("link") && (*j)["link"].is_string() && !m_partner->invitation.empty() &&
            (*j)["link"].get<std::string>() != m_partner->invitation) {
            m_journal.mark_seen("msg:" + id);
            m_served.push_back(a.path);
            return;
        }
        const std::string words =
            j->contains("message") && (*j)["message"].is_string()
                ? util::trim((*j)["message"].get<std::string>()).substr(0, k_max_note)
                : "";
        const std::string name =
            util::printable(m_partner->name.empty() ? "Your partner" : m_partner->name, false);
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
        forget_partner(m_journal);
        is_former(m_partner->key); // loads the list, which forget_partner just extended
        m_former->push_back(m_partner->key);
        m_partner.reset();
    }

    void decline(const Arrival& a) {
        Decline d;
        try {
            d = parse_decline(a.content, a.path.string());
        } catch (const Error& e) {
            if (!a.fresh) {
                refuse(a, e.what(), false);
            }
            return;
        }
        bool ours = false;
        for (SentInvitation& s : sent_by_me()) {
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
            m_refusal_keys.push_back(a.refusal_key); // someone else's answer: not read again
        }
    }

    // Not (yet) the partner, but could become it: an answer to one of our
    // invitations is still to come, or the link is on hold between candidates.
    bool may_become_partner(const PublicKey& key) {
        if (m_partner) {
            return std::any_of(
                m_partner->competing.begin(), m_partner->competing.end(),
                [&](const Candidate& c) { return crypto::equal_constant_time(c.key, key); });
        }
        const std::vector<SentInvitation>& sent = sent_by_me();
        return std::any_of(sent.begin(), sent.end(),
                           [](const SentInvitation& s) { return s.reply.empty(); });
    }

    bool is_former(const PublicKey& key) {
        if (!m_former) {
            m_former.emplace();
            if (const auto text = m_journal.setting("former_partners")) {
                const auto j = json::parse(*text, nullptr, false);
                for (const json& k : j.is_array() ? j : json::array()) {
                    const auto bytes =
                        k.is_string() ? from_base64(k.get<std::string>()) : std::nullopt;
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

    // Read from the journal once per run, on first need, and kept current as
    // files are taken in: a full shared folder costs one pass, not one per file.
    struct Kept {
        int revision = 0;
        std::int64_t number = 0;
    };
    std::map<std::int64_t, Kept>& newest_revisions() {
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
    std::map<std::int64_t, int>& withdrawn() {
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
    std::vector<SentInvitation>& sent_by_me() {
        if (!m_sent) {
            m_sent = sent_invitations(m_journal);
        }
        return *m_sent;
    }

    store::Journal& m_journal;
    InboxReport& m_report;
    PublicKey m_me;
    crypto::SecureBytes m_secret;
    std::optional<Partner> m_partner;
    std::optional<std::map<std::int64_t, Kept>> m_newest;   // partner entry id -> newest kept
    std::optional<std::map<std::int64_t, int>> m_withdrawn; // partner entry id -> revision
    std::optional<std::vector<SentInvitation>> m_sent;
    std::optional<std::vector<PublicKey>> m_former;
    std::vector<std::string> m_refusal_keys;
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
    Inbox inbox(journal, report);
    // Every file is read before the journal is locked for writing, and none is
    // open while it is: a link in the folder can never reach the journal.
    const std::vector<Arrival> arrivals = inbox.collect(dir);
    journal.batch([&] {
        for (const Arrival& a : arrivals) {
            inbox.take_in(a);
        }
        inbox.remember_refusals();
    });
    for (const fs::path& f : inbox.served()) {
        util::remove_file(f);
    }
    if (report.link_ended) {
        remove_own_files(journal, dir); // nothing of ours is needed there any more
    }
    return report;
}

void number_partner_entries(store::Journal& journal) {
    constexpr const char* k_done = "partner_numbers";
    if (journal.setting(k_done)) {
        return;
    }
    journal.batch([&] {
        // One pass over the records: the numbers already given, and the
        // records still without one (their entries need not be decoded).
        std::map<std::int64_t, std::int64_t> numbers;       // source id -> number here
        std::vector<std::pair<std::int64_t, json>> updates; // oldest record first
        journal.for_each_record(
            "received",
            [&](std::int64_t id, const std::string& payload) {
                auto j = util::parse_msgpack(payload.begin(), payload.end());
                if (!j || !j->is_object() || !(*j)["source_id"].is_number_integer()) {
                    return; // damaged ones are named when read
                }
                const auto number = j->find("number");
                if (number == j->end()) {
                    updates.emplace_back(id, std::move(*j));
                } else if (number->is_number_integer() && number->get<std::int64_t>() > 0) {
                    numbers[(*j)["source_id"].get<std::int64_t>()] = number->get<std::int64_t>();
                }
            },
            [](std::int64_t, const std::string&) {});
        for (auto& [id, j] : updates) {
            auto [at, added] = numbers.try_emplace(j["source_id"].get<std::int64_t>(), 0);
            if (added) {
                at->second = journal.reserve_number();
            }
            j["number"] = at->second;
            const std::vector<std::uint8_t> packed = json::to_msgpack(j);
            journal.update_record(id, "received", std::string(packed.begin(), packed.end()));
        }
        journal.set_setting(k_done, "1");
    });
}

int remove_received_entries(store::Journal& journal) {
    std::vector<std::int64_t> ids; // damaged ones go too
    journal.for_each_record(
        "received", [&](std::int64_t id, const std::string&) { ids.push_back(id); },
        [&](std::int64_t id, const std::string&) { ids.push_back(id); });
    journal.batch([&] {
        for (const std::int64_t id : ids) {
            journal.delete_record(id, "received");
        }
    });
    return static_cast<int>(ids.size());
}

PartnerEntries partner_entries(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged) {
    std::map<std::int64_t, Received> latest;
    for (Received& r : received(journal, on_damaged)) {
        auto it = latest.find(r.source_id);
        if (it == latest.end() || it->second.revision < r.revision) {
            latest[r.source_id] = std::move(r);
        }
    }
    PartnerEntries out;
    std::map<util::DayNumber, std::vector<store::Entry>> own_by_day;
    for (auto& [source, r] : latest) {
        if (r.entry.together) {
            auto day_it = own_by_day.find(r.entry.day);
            if (day_it == own_by_day.end()) {
                day_it = own_by_day.emplace(r.entry.day, journal.entries_on(r.entry.day)).first;
            }
            const bool answered_too =
                std::any_of(day_it->second.begin(), day_it->second.end(),
                            [&shared = r.entry](const store::Entry& e) {
                                return e.pack == shared.pack && e.prompt_id == shared.prompt_id;
                            });
            if (!answered_too) {
                ++out.waiting;
                continue;
            }
        }
        out.visible.push_back(std::move(r.entry));
    }
    return out;
}

} // namespace duet::exchange
