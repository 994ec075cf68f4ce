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

// Another journal that answered the same invitations: while there is one, the
// link is on hold and nothing is shared until the safety code decides.
struct Candidate {
    std::string name;
    PublicKey key{};
};

struct Partner {
    std::string name;
    PublicKey key{};
    std::string linked_on;   // YYYY-MM-DD
    std::string verified_on; // when the safety code was confirmed; empty: not yet
    std::vector<Candidate> competing;
    // The invitation this link answered (empty in journals linked by older
    // versions): a leave notice naming another one is about an earlier link.
    std::string invitation;

    bool on_hold() const { return !competing.empty(); }
};

std::optional<Partner> load_partner(const store::Journal& journal);
void save_partner(store::Journal& journal, const Partner& partner);
// Ends the link in this journal only (what arrives from that key afterwards is
// set aside quietly); the shared folder is left to the caller.
void forget_partner(store::Journal& journal);

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
    std::int64_t record = 0;
};
std::vector<SharedRecord> shared_records(const store::Journal& journal);

// Seals one entry to the partner and writes it into the shared folder
// (temporary name, then rename); returns the file written.
fs::path share_entry(store::Journal& journal, const Partner& partner, const fs::path& dir,
                     const store::Entry& entry);

// Writes the acceptance of an invitation into the shared folder.
fs::path write_acceptance(const store::Journal& journal, const Invitation& inv,
                          const std::string& my_name, const fs::path& dir);

// Takes shared entries back: a sealed withdrawal for each, this journal's
// files of them removed from the folder, and `share --list` forgets them.
// Returns the ids that had been shared (others are left alone).
std::vector<std::int64_t> withdraw_entries(store::Journal& journal, const Partner& partner,
                                           const fs::path& dir,
                                           const std::vector<std::int64_t>& entry_ids);

// Ends the link from this side: removes every file this journal wrote into the
// shared folder, writes a sealed notice to the partner (with the person's own
// words, if any), forgets the partner and what was shared, and removes the
// entries the partner had shared when asked to. Returns the files removed.
struct LeaveResult {
    int files_removed = 0;
    int received_removed = 0;
    bool notice_written = false; // false when the shared folder was not there
};
LeaveResult leave_link(store::Journal& journal, const Partner& partner,
                       const std::optional<fs::path>& dir, const std::string& message,
                       bool remove_received);

// Removes every file this journal wrote into the folder: its sealed messages
// (found by their sender key) and its invitations. Returns how many.
int remove_own_files(const store::Journal& journal, const fs::path& dir);

// Reads the shared folder: acceptances of our invitations, declines, entries
// from the partner. Every item is imported at most once; damaged or foreign
// files are named in `refused` and skipped, and the rest goes on.
// A refused file is reported once: it is remembered by name, size and time,
// and costs nothing on later runs unless it changes.
struct InboxReport {
    int accepted = 0;
    int declined = 0;
    int received = 0;
    int withdrawn = 0;
    bool link_ended = false;
    std::vector<std::string> refused;     // one sentence per newly refused file
    bool refused_addressed_to_me = false; // ... one of them a message to this journal
    std::vector<std::string> notices;     // calm news about the link itself
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

// Gives the partner's entries numbers of this journal where they have none
// yet (journals from before one number per entry showed the partner's own
// numbers); the same number for every revision of an entry. Cheap once done.
void number_partner_entries(store::Journal& journal);

// Removes every entry the partner shared (and pending reveals); returns how many.
int remove_received_entries(store::Journal& journal);

// Sync tools leave copies such as "x.sync-conflict-2024…" or "x (conflicted copy)".
bool is_conflict_copy(const std::string& filename);

} // namespace duet::exchange
