#include "duet/exchange/link.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace duet::exchange {

namespace {

using json = nlohmann::json;

json parse_setting(const std::string& text, const char* what) {
    try {
        return json::parse(text);
    } catch (const json::exception&) {
        throw DataError(fmt::format("the journal's {} record is damaged", what));
    }
}

// Seals the payload to `to` and writes it into the shared folder as
// PREFIX-ID.duet; returns the file, and the message id through `id`.
fs::path send(const store::Journal& journal, MessageType type, const PublicKey& to,
              const json& payload, std::string_view prefix, const fs::path& dir, std::string& id) {
    const std::vector<std::uint8_t> bytes = json::to_msgpack(payload);
    const crypto::SecureBytes secret = journal.link_secret_key();
    const crypto::Bytes sealed = seal_message(type, own_key(journal), secret, to,
                                              crypto::ByteView(bytes.data(), bytes.size()));
    id = crypto::to_hex(peek_header(sealed)->id);
    const fs::path file = dir / fmt::format("{}-{}.duet", prefix, id);
    util::write_file_atomic(
        file, std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size()), false,
        0644);
    return file;
}

SentInvitation invitation_from(std::int64_t record, const json& j) {
    SentInvitation s;
    s.record = record;
    s.id = j.value("id", "");
    s.date = j.value("date", "");
    s.file = j.value("file", "");
    s.reply = j.value("reply", "");
    s.reply_message = j.value("reply_message", "");
    s.reply_name = j.value("reply_name", "");
    return s;
}

json invitation_json(const SentInvitation& s) {
    return {{"id", s.id},
            {"date", s.date},
            {"file", s.file},
            {"reply", s.reply},
            {"reply_message", s.reply_message},
            {"reply_name", s.reply_name}};
}

void ignore_damage(std::int64_t, const std::string&) {}

PublicKey key_of(const json& j) {
    const auto key = j.is_object() && j.contains("key") && j["key"].is_string()
                         ? from_base64(j["key"].get<std::string>())
                         : std::nullopt;
    if (!key || key->size() != 32) {
        throw DataError("the journal's partner record is damaged");
    }
    return to_public_key(*key);
}
} // namespace

std::optional<Partner> load_partner(const store::Journal& journal) {
    const auto text = journal.setting("partner");
    if (!text) {
        return std::nullopt;
    }
    const json j = parse_setting(*text, "partner");
    Partner p;
    p.name = j.value("name", "");
    p.key = key_of(j);
    p.linked_on = j.value("linked_on", "");
    p.verified_on = j.value("verified_on", "");
    p.invitation = j.value("invitation", "");
    if (j.contains("competing") && j["competing"].is_array()) {
        for (const json& c : j["competing"]) {
            p.competing.push_back({c.value("name", ""), key_of(c)});
        }
    }
    return p;
}

void save_partner(store::Journal& journal, const Partner& p) {
    json competing = json::array();
    for (const Candidate& c : p.competing) {
        competing.push_back({{"name", c.name}, {"key", to_base64(c.key)}});
    }
    journal.set_setting("partner", json{{"name", p.name},
                                        {"key", to_base64(p.key)},
                                        {"linked_on", p.linked_on},
                                        {"verified_on", p.verified_on},
                                        {"competing", competing},
                                        {"invitation", p.invitation}}
                                       .dump());
}

void forget_partner(store::Journal& journal) {
    const auto partner = load_partner(journal);
    if (!partner) {
        return;
    }
    // Keys of former partners: what still arrives from them is set aside quietly.
    json former = json::array();
    if (const auto text = journal.setting("former_partners")) {
        former = parse_setting(*text, "former partners");
    }
    former.push_back(to_base64(partner->key));
    for (const Candidate& c : partner->competing) {
        former.push_back(to_base64(c.key));
    }
    journal.batch([&] {
        journal.set_setting("former_partners", former.dump());
        journal.delete_setting("partner");
        for (const SharedRecord& r : shared_records(journal)) {
            journal.delete_record(r.record, "shared");
        }
    });
}

std::optional<fs::path> shared_folder(const store::Journal& journal) {
    if (auto s = journal.setting("shared_dir")) {
        return fs::path(*s);
    }
    return std::nullopt;
}

void remember_shared_folder(store::Journal& journal, const fs::path& dir) {
    journal.set_setting("shared_dir", fs::absolute(dir).lexically_normal().string());
}

PublicKey own_key(const store::Journal& journal) {
    return to_public_key(journal.link_public_key());
}

std::vector<SentInvitation> sent_invitations(const store::Journal& journal) {
    std::vector<SentInvitation> out;
    journal.for_each_record(
        "invitation",
        [&](std::int64_t id, const std::string& payload) {
            out.push_back(invitation_from(id, parse_setting(payload, "invitation")));
        },
        ignore_damage);
    return out;
}

void update_invitation(store::Journal& journal, const SentInvitation& s) {
    journal.update_record(s.record, "invitation", invitation_json(s).dump());
}

void record_invitation(store::Journal& journal, const Invitation& inv, const fs::path& file) {
    SentInvitation s;
    s.id = inv.id;
    s.date = inv.date;
    s.file = fs::absolute(file).string();
    journal.add_record("invitation", invitation_json(s).dump());
}

std::vector<SharedRecord> shared_records(const store::Journal& journal) {
    std::vector<SharedRecord> out;
    journal.for_each_record(
        "shared",
        [&](std::int64_t record, const std::string& payload) {
            const json j = parse_setting(payload, "shared");
            out.push_back({j.value("entry", std::int64_t{0}), j.value("revision", 1),
                           j.value("message", ""), j.value("file", ""), j.value("at", ""),
                           j.value("together", false), record});
        },
        ignore_damage);
    return out;
}

fs::path share_entry(store::Journal& journal, const Partner& partner, const fs::path& dir,
                     const store::Entry& entry) {
    // Revisions go on counting past a withdrawal, so the partner's duet never
    // mistakes a new share for an old, withdrawn copy.
    int revision = 1;
    for (const SharedRecord& r : shared_records(journal)) {
        if (r.entry_id == entry.id) {
            revision = std::max(revision, r.revision + 1);
        }
    }
    if (const auto floor = journal.setting(fmt::format("withdrawn_revision:{}", entry.id))) {
        revision = std::max(revision, std::atoi(floor->c_str()) + 1);
    }
    store::Entry outgoing = entry;
    outgoing.for_session = false; // the writer's own marking stays with the writer
    const crypto::SecureBytes encoded = store::encode_entry(outgoing);
    const json payload = {{"v", 1},
                          {"source_id", entry.id},
                          {"revision", revision},
                          {"entry", json::binary(std::vector<std::uint8_t>(
                                        encoded.data(), encoded.data() + encoded.size()))}};
    std::string id;
    const fs::path file =
        send(journal, MessageType::entry, partner.key, payload, "duet-share", dir, id);
    journal.add_record("shared", json{{"entry", entry.id},
                                      {"revision", revision},
                                      {"message", id},
                                      {"file", file.filename().string()},
                                      {"at", util::format_iso8601(util::now())},
                                      {"together", entry.together}}
                                     .dump());
    return file;
}

fs::path write_acceptance(const store::Journal& journal, const Invitation& inv,
                          const std::string& my_name, const fs::path& dir) {
    const json payload = {{"v", 1}, {"invitation", inv.id}, {"name", clean_name(my_name)}};
    std::string id;
    return send(journal, MessageType::acceptance, inv.public_key, payload, "duet-accept", dir, id);
}

std::vector<std::int64_t> withdraw_entries(store::Journal& journal, const Partner& partner,
                                           const fs::path& dir,
                                           const std::vector<std::int64_t>& entry_ids) {
    const std::vector<SharedRecord> records = shared_records(journal);
    std::vector<std::int64_t> done;
    for (const std::int64_t id : entry_ids) {
        int newest = 0;
        std::vector<const SharedRecord*> of_entry;
        for (const SharedRecord& r : records) {
            if (r.entry_id == id) {
                newest = std::max(newest, r.revision);
                of_entry.push_back(&r);
            }
        }
        if (of_entry.empty()) {
            continue;
        }
        std::string message_id;
        send(journal, MessageType::withdrawal, partner.key,
             json{{"v", 1}, {"source_id", id}, {"revision", newest}}, "duet-withdraw", dir,
             message_id);
        journal.batch([&] {
            for (const SharedRecord* r : of_entry) {
                journal.delete_record(r->record, "shared");
            }
            journal.set_setting(fmt::format("withdrawn_revision:{}", id), std::to_string(newest));
        });
        for (const SharedRecord* r : of_entry) {
            util::remove_file(dir / fs::path(r->file).filename());
        }
        done.push_back(id);
    }
    return done;
}

int remove_own_files(const store::Journal& journal, const fs::path& dir) {
    const PublicKey me = own_key(journal);
    int removed = 0;
    std::error_code ec;
    for (const auto& de : fs::directory_iterator(dir, ec)) {
        const std::string name = de.path().filename().string();
        if (!name.ends_with(".duet") || !util::regular_file_stamp(de.path())) {
            continue;
        }
        try {
            const util::ForeignFile f = util::read_foreign_file(de.path(), k_max_message_size);
            const auto h = peek_header(crypto::as_bytes(f.content));
            if (h && crypto::equal_constant_time(h->sender, me) && util::remove_file(de.path())) {
                ++removed;
            }
        } catch (const Error&) {
            // Not readable as ours: not ours to remove.
        }
    }
    for (const SentInvitation& s : sent_invitations(journal)) {
        if (!s.file.empty() && fs::path(s.file).parent_path() == dir &&
            util::regular_file_stamp(s.file) && util::remove_file(s.file)) {
            ++removed;
        }
    }
    return removed;
}

LeaveResult leave_link(store::Journal& journal, const Partner& partner,
                       const std::optional<fs::path>& dir, const std::string& message,
                       bool remove_received) {
    LeaveResult result;
    if (dir) {
        std::error_code ec;
        if (fs::is_directory(*dir, ec)) {
            result.files_removed = remove_own_files(journal, *dir);
            json payload = {{"v", 1}};
            if (!message.empty()) {
                payload["message"] = message;
            }
            if (!partner.invitation.empty()) {
                payload["link"] = partner.invitation; // which link this ends
            }
            std::string id;
            send(journal, MessageType::leave, partner.key, payload, "duet-leave", *dir, id);
            result.notice_written = true;
        }
    }
    if (remove_received) {
        result.received_removed = remove_received_entries(journal);
    }
    forget_partner(journal);
    return result;
}

bool is_conflict_copy(const std::string& filename) {
    const std::string lower = util::to_lower_ascii(filename);
    return lower.find(".sync-conflict-") != std::string::npos ||
           lower.find("conflicted copy") != std::string::npos ||
           lower.find("(conflict") != std::string::npos;
}

} // namespace duet::exchange
