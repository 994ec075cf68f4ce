// Reading the shared folder: what the partner (or an invitee) sent us.
#include "duet/error.hpp"
#include "duet/exchange/link.hpp"
#include "duet/util/files.hpp"
#include "duet/util/msgpack.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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
    std::int64_t source_id = 0;
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
                r.entry =
                    store::decode_entry(crypto::ByteView(bin.data(), bin.size()), r.source_id);
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

class Inbox {
  public:
    Inbox(store::Journal& journal, InboxReport& report)
        : m_journal(journal), m_report(report), m_me(own_key(journal)),
          m_secret(journal.link_secret_key()), m_partner(load_partner(journal)) {}

    void file(const fs::path& path) {
        const std::string name = path.filename().string();
        if (name.ends_with(".duet")) {
            message(path);
        } else if (name.starts_with("duet-decline-") && name.ends_with(".txt")) {
            decline(path);
        }
    }

  private:
    void refuse(const fs::path& path, std::string_view why) {
        m_report.refused.push_back(fmt::format("{}: {}", path.string(), why));
    }

    void message(const fs::path& path) {
        std::string raw;
        try {
            raw = util::read_file(path, k_max_message_size);
        } catch (const Error& e) {
            refuse(path, e.what());
            return;
        }
        const crypto::ByteView bytes(reinterpret_cast<const unsigned char*>(raw.data()),
                                     raw.size());
        const auto h = peek_header(bytes);
        if (!h) {
            refuse(path, "not a duet message (damaged, or some other file); it was ignored");
            return;
        }
        if (crypto::equal_constant_time(h->sender, m_me)) {
            return; // one of ours, waiting for the partner
        }
        if (!crypto::equal_constant_time(h->recipient, m_me)) {
            refuse(path, "addressed to a different journal; it was ignored");
            return;
        }
        if (h->version != 1) {
            refuse(path, "written by a newer version of duet; please update duet to read it");
            return;
        }
        const std::string id = crypto::to_hex(h->id);
        if (m_journal.seen("msg:" + id)) {
            return; // already imported: a copy or a replay adds nothing
        }
        if (h->type == MessageType::acceptance) {
            acceptance(path, bytes, *h, id);
        } else {
            entry(path, bytes, *h, id);
        }
    }

    void acceptance(const fs::path& path, crypto::ByteView bytes, const Header& h,
                    const std::string& id) {
        const auto opened = open_message(bytes, h.sender, m_me, m_secret);
        const auto j = opened ? unpack(opened->payload) : std::nullopt;
        if (!j || !j->is_object() || !j->contains("invitation") ||
            !(*j)["invitation"].is_string() || (j->contains("name") && !(*j)["name"].is_string())) {
            refuse(path, "fails its integrity check (damaged or tampered with); it was ignored");
            return;
        }
        const std::string invitation = j->value("invitation", "");
        const std::string name = clean_name(j->value("name", "your partner"));
        std::vector<SentInvitation>& sent = sent_by_me();
        const auto it = std::find_if(sent.begin(), sent.end(),
                                     [&](const SentInvitation& s) { return s.id == invitation; });
        if (it == sent.end()) {
            refuse(path, "accepts an invitation this journal did not send; it was ignored");
            return;
        }
        if (m_partner && !crypto::equal_constant_time(m_partner->key, h.sender)) {
            refuse(path, fmt::format("an acceptance from {}, but this journal is already linked "
                                     "with {}; it was ignored",
                                     name, m_partner->name));
            return;
        }
        m_partner = Partner{name, h.sender, util::format_day(util::today())};
        save_partner(m_journal, *m_partner);
        it->reply = "accepted";
        it->reply_name = name;
        update_invitation(m_journal, *it);
        m_journal.mark_seen("msg:" + id);
        ++m_report.accepted;
        m_report.notices.push_back(fmt::format("{} accepted your invitation; your journals are "
                                               "now linked.",
                                               util::printable(name, false)));
    }

    void entry(const fs::path& path, crypto::ByteView bytes, const Header& h,
               const std::string& id) {
        if (!m_partner) {
            refuse(path, "from a journal this one is not linked with; it was ignored");
            return;
        }
        if (!crypto::equal_constant_time(m_partner->key, h.sender)) {
            refuse(path, "not from your linked partner; it was ignored");
            return;
        }
        const auto opened = open_message(bytes, m_partner->key, m_me, m_secret);
        const auto j = opened ? unpack(opened->payload) : std::nullopt;
        if (!j || !j->is_object() || !j->contains("entry") || !(*j)["entry"].is_binary() ||
            !j->contains("source_id") || !(*j)["source_id"].is_number_integer() ||
            !j->contains("revision") || !(*j)["revision"].is_number_integer()) {
            refuse(path, "fails its integrity check (damaged or tampered with); it was ignored");
            return;
        }
        const auto source_id = (*j)["source_id"].get<std::int64_t>();
        const int revision = static_cast<int>((*j)["revision"].get<std::int64_t>());
        const auto& bin = (*j)["entry"].get_binary();
        try {
            store::decode_entry(crypto::ByteView(bin.data(), bin.size()), source_id);
        } catch (const DataError&) {
            refuse(path, "holds an entry this duet cannot read; it was ignored");
            return;
        }
        std::map<std::int64_t, int>& newest = newest_revisions();
        if (const auto kept = newest.find(source_id);
            kept != newest.end() && kept->second >= revision) {
            refuse(path, fmt::format("an older copy of your partner's entry {}; the newer "
                                     "one is kept",
                                     source_id));
            m_journal.mark_seen("msg:" + id);
            return;
        }
        json stored = {{"source_id", source_id},
                       {"revision", revision},
                       {"message", id},
                       {"entry", (*j)["entry"]}};
        const std::vector<std::uint8_t> packed = json::to_msgpack(stored);
        m_journal.add_record("received", std::string(packed.begin(), packed.end()));
        m_journal.mark_seen("msg:" + id);
        newest[source_id] = revision;
        ++m_report.received;
    }

    void decline(const fs::path& path) {
        Decline d;
        try {
            d = parse_decline(util::read_file(path, 64 * 1024), path.string());
        } catch (const Error& e) {
            refuse(path, e.what());
            return;
        }
        for (SentInvitation& s : sent_by_me()) {
            if (s.id != d.invitation_id || !s.reply.empty()) {
                continue;
            }
            s.reply = "declined";
            s.reply_message = d.message;
            update_invitation(m_journal, s);
            ++m_report.declined;
            m_report.notices.push_back("There is a reply to your invitation: not now. "
                                       "`duet invite status` shows it.");
        }
    }

    // Read from the journal once per run, on first need, and kept current as
    // files are taken in: a full shared folder costs one pass, not one per file.
    std::map<std::int64_t, int>& newest_revisions() {
        if (!m_newest) {
            m_newest.emplace();
            for (const Received& r : received(m_journal, [](std::int64_t, const std::string&) {})) {
                const auto [at, added] = m_newest->try_emplace(r.source_id, r.revision);
                if (!added) {
                    at->second = std::max(at->second, r.revision);
                }
            }
        }
        return *m_newest;
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
    std::optional<std::map<std::int64_t, int>> m_newest; // partner entry id -> revision
    std::optional<std::vector<SentInvitation>> m_sent;
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
    std::vector<fs::path> files;
    for (const auto& de : fs::directory_iterator(dir, ec)) {
        const std::string name = de.path().filename().string();
        if (name.empty() || name[0] == '.' || is_conflict_copy(name) || !de.is_regular_file(ec)) {
            continue;
        }
        files.push_back(de.path());
    }
    std::sort(files.begin(), files.end());
    journal.batch([&] {
        Inbox inbox(journal, report);
        for (const fs::path& f : files) {
            inbox.file(f);
        }
    });
    return report;
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
