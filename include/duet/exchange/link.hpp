#pragma once
// The partner link kept in a journal, and the shared folder: what goes out
// (invitations, acceptances, shared entries) and what comes in.
#include "duet/exchange/envelope.hpp"
#include "duet/exchange/invitation.hpp"
#include "duet/store/journal.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace duet::exchange {

namespace fs = std::filesystem;

struct Partner {
    std::string name;
    PublicKey key{};
    std::string linked_on; // YYYY-MM-DD
};

std::optional<Partner> load_partner(const store::Journal& journal);
void save_partner(store::Journal& journal, const Partner& partner);

std::optional<fs::path> shared_folder(const store::Journal& journal);
void remember_shared_folder(store::Journal& journal, const fs::path& dir);

PublicKey own_key(const store::Journal& journal);

// Invitations this journal wrote and still waits on (or heard back about).
struct SentInvitation {
    std::string id;
    std::string date;
    std::string file;
    std::string reply;         // "", "accepted" or "declined"
    std::string reply_message; // a decline's note, if any
    std::string reply_name;    // who accepted
    std::int64_t record = 0;
};
std::vector<SentInvitation> sent_invitations(const store::Journal& journal);
void record_invitation(store::Journal& journal, const Invitation& inv, const fs::path& file);
void update_invitation(store::Journal& journal, const SentInvitation& invitation);

// What the journal shared: one record per shared file.
struct SharedRecord {
    std::int64_t entry_id = 0;
    int revision = 1;
    std::string message_id;
    std::string file;
    std::string shared_at; // ISO 8601
    bool together = false;
};
std::vector<SharedRecord> shared_records(const store::Journal& journal);

// Seals one entry to the partner and writes it into the shared folder
// (temporary name, then rename); returns the file written.
fs::path share_entry(store::Journal& journal, const Partner& partner, const fs::path& dir,
                     const store::Entry& entry);

// Writes the acceptance of an invitation into the shared folder.
fs::path write_acceptance(const store::Journal& journal, const Invitation& inv,
                          const std::string& my_name, const fs::path& dir);

// Reads the shared folder: acceptances of our invitations, declines, entries
// from the partner. Every item is imported at most once; damaged or foreign
// files are named in `refused` and skipped, and the rest goes on.
struct InboxReport {
    int accepted = 0;
    int declined = 0;
    int received = 0;
    std::vector<std::string> refused; // one sentence per refused file
    std::vector<std::string> notices; // calm news (e.g. an acceptance arrived)
};
InboxReport process_inbox(store::Journal& journal, const fs::path& dir);

// Entries the partner shared, newest revision of each, as author=partner.
// A `together` answer stays hidden until this journal has answered or
// skipped the same prompt for the same day; hidden ones are only counted.
struct PartnerEntries {
    std::vector<store::Entry> visible;
    int waiting = 0;
};
PartnerEntries partner_entries(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged);

// Sync tools leave copies such as "x.sync-conflict-2024…" or "x (conflicted copy)".
bool is_conflict_copy(const std::string& filename);

} // namespace duet::exchange
