#pragma once
// The encrypted journal: one SQLite file of sealed records per data folder.
// It stores opaque blobs and knows nothing of terminals or prompts.
#include "duet/crypto/kdf.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/store/entry.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duet::store {

namespace fs = std::filesystem;

// File names inside a data folder.
struct DataFolder {
    fs::path dir;
    fs::path journal() const { return dir / "journal.db"; }
    fs::path reminder_key() const { return dir / "reminder.key"; }
    fs::path config() const { return dir / "config"; }
};

class Journal {
  public:
    static bool exists(const DataFolder& folder);
    // Creates a new journal; fails if one appeared meanwhile.
    static Journal create(const DataFolder& folder, const crypto::SecureBytes& passphrase,
                          const crypto::KdfParams& kdf);
    // Opens and unlocks; AuthError on a wrong passphrase (nothing is written).
    static Journal open(const DataFolder& folder, const crypto::SecureBytes& passphrase);

    // Without the passphrase: was anything written or skipped on that day?
    // nullopt when there is no journal (or no reminder key) to ask.
    static std::optional<bool> has_entry_on(const DataFolder& folder, util::DayNumber day);

    Journal(Journal&&) noexcept;
    Journal& operator=(Journal&&) noexcept;
    ~Journal();

    // Seals and stores the entry in one transaction; sets and returns entry.id.
    std::int64_t add(Entry& entry);

    // Entry numbers are one space for own entries and a partner's shared ones:
    // takes the next number for an entry kept elsewhere (a partner's entry),
    // so no entry added later is given it.
    std::int64_t reserve_number();

    using DamagedFn = std::function<void(std::int64_t id, const std::string& why)>;
    // Every entry in id order; a damaged entry is reported, never fatal.
    void for_each(const std::function<void(const Entry&)>& visit,
                  const DamagedFn& on_damaged) const;
    std::optional<Entry> find(std::int64_t id) const;

    // Reads entries of an id range one at a time, in id order or reversed;
    // damaged entries are reported and skipped.
    class Cursor {
      public:
        Cursor(Cursor&&) noexcept;
        ~Cursor();
        std::optional<Entry> next();

      private:
        friend class Journal;
        struct State;
        explicit Cursor(std::unique_ptr<State> state);
        std::unique_ptr<State> m_state;
    };
    Cursor cursor(std::int64_t first, std::int64_t last, bool descending,
                  const DamagedFn& on_damaged) const;

    // Where the entries' time order restarts: ids at which an entry is older
    // than the one written before it (an import, a clock set back). Between
    // two starts, id order is time order. Kept sealed; nullopt if unknown.
    std::optional<std::vector<std::int64_t>> order_segments() const;
    std::int64_t max_id() const;
    // Entries whose day marker matches the day (cheap: no full scan).
    std::vector<Entry> entries_on(util::DayNumber day) const;
    std::int64_t count() const;

    // Runs body inside one write transaction: many adds, one commit (imports, tests).
    // If body throws, nothing of it is kept.
    void batch(const std::function<void()>& body);

    // Adds an entry unless one with the same identity (for example a hash of
    // the imported record) was added before; nullopt when it was.
    std::optional<std::int64_t> add_once(Entry& entry, std::string_view identity);

    // add() records every entry's content_identity as seen, so importing the
    // journal's own export finds them without reading the journal. Journals
    // from before that are indexed once, here; afterwards this is a no-op.
    void index_identities();

    // Has this identity (an import key, a shared message's id) been recorded?
    // Stored only as a keyed hash, so the file reveals nothing of it.
    bool seen(std::string_view identity) const;
    void mark_seen(std::string_view identity);

    // Sealed records of a kind ("received", "shared", ...), each bound to its id and kind.
    std::int64_t add_record(std::string_view kind, std::string_view payload);
    void
    for_each_record(std::string_view kind,
                    const std::function<void(std::int64_t id, const std::string& payload)>& visit,
                    const DamagedFn& on_damaged) const;
    // Replaces a record's payload (for example when a reveal becomes visible).
    void update_record(std::int64_t id, std::string_view kind, std::string_view payload);
    // Removes a record for good (secure_delete overwrites its freed pages).
    void delete_record(std::int64_t id, std::string_view kind);

    // Small sealed settings (session dates, preferences).
    std::optional<std::string> setting(const std::string& name) const;
    void set_setting(const std::string& name, const std::string& value);
    void delete_setting(const std::string& name);

    // Rewraps the data key only; entries are untouched.
    void change_passphrase(const crypto::SecureBytes& passphrase, const crypto::KdfParams& kdf);
    crypto::KdfParams kdf() const;
    // duet never removes an entry: a sealed tally of how many it wrote (and the
    // highest number) is kept with every write. nullopt when the file agrees
    // (or keeps no tally yet), else what differs.
    std::optional<std::string> check_tally() const;
    // SQLite's own structural check: "ok", or what it found.
    std::string integrity_check() const;
    const fs::path& path() const;

    // Copies every part of the journal that can still be read and opened
    // into a new journal file (created 0600; it must not exist), with the
    // same keys and numbers; the damaged file is left as it is.
    struct SalvageReport {
        std::int64_t entries_kept = 0;
        std::vector<std::int64_t> entries_lost;
        std::int64_t records_kept = 0;
        std::int64_t records_lost = 0;
        std::int64_t settings_lost = 0;
        bool settings_complete = true;
        bool seen_complete = true;
    };
    SalvageReport salvage_into(const fs::path& file) const;

    // The partner link's X25519 key pair (secret part sealed under the data key).
    crypto::Bytes link_public_key() const;
    crypto::SecureBytes link_secret_key() const;

    // For `duet unlock`, which keeps the data key in the kernel keyring for a while.
    // What a kept key is tied to, read without the passphrase: the journal's id,
    // and a fingerprint of how the data key is wrapped now (salt, KDF settings,
    // wrapped key), which a new passphrase changes.
    struct KeyTie {
        crypto::Bytes journal_id;
        crypto::Bytes wrapping;
    };
    static KeyTie key_tie(const DataFolder& folder);
    KeyTie key_tie() const;
    // Opens with a data key kept from an earlier unlock, checked against the
    // journal's sealed link key; AuthError when it does not open this journal.
    static Journal open_with_key(const DataFolder& folder, crypto::SecureBytes data_key);
    // A copy of the data key, in guarded memory.
    crypto::SecureBytes copy_data_key() const;

  private:
    struct Impl;
    explicit Journal(std::unique_ptr<Impl> impl);
    // add() with the entry's content_identity already worked out.
    std::int64_t add(Entry& entry, const std::string& content);
    void insert_entry(const Entry& entry); // seals and inserts; entry.id is set
    // Opens the file and checks it is a duet journal this duet can read.
    static std::unique_ptr<Impl> open_file(const DataFolder& folder);
    void note_order(const Entry& entry); // inside add's transaction
    void save_order();
    void save_tally(); // after save_order, inside the same transaction
    std::unique_ptr<Impl> m_impl;
};

} // namespace duet::store
