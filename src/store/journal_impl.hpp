#pragma once
// What a Journal holds, shared by the files that implement its parts
// (journal.cpp: opening and keys; entries.cpp, order.cpp: entries;
// records.cpp: settings, records, seen; salvage.cpp). Private to src/store.
#include "database.hpp"
#include "duet/store/journal.hpp"

namespace duet::store {

// The time-order bookkeeping of add(), cached only inside a write transaction.
struct EntryOrder {
    std::int64_t last_time = INT64_MIN;
    std::vector<std::int64_t> starts;
    bool known = true;
};

struct Journal::Impl {
    DataFolder folder;
    Database db;
    crypto::Bytes journal_id;
    crypto::SecureBytes data_key;
    std::optional<crypto::SecureBytes> reminder_key;
    crypto::KdfParams kdf;
    bool in_batch = false;
    std::optional<EntryOrder> order;
    // The next entry id, known only inside a batch (no other writer can add then).
    std::optional<std::int64_t> next_id;
    // Entries added in the open transaction, for the sealed tally (save_tally).
    std::int64_t added = 0;
    std::int64_t added_max = 0;

    // Statements prepared once and reused: preparing one costs more than
    // running it. Declared after db, so they are finalized before it closes.
    std::optional<SQLite::Statement> insert_entry;
    std::optional<SQLite::Statement> select_seen;
    std::optional<SQLite::Statement> insert_seen;

    Impl(const DataFolder& f, int flags) : folder(f), db(f.journal(), flags) {}
    const fs::path& path() const { return db.path(); }
    // Forgets what add() keeps between calls, after a failed write.
    void forget_pending() {
        next_id.reset();
        added = 0;
    }
};

// Settings the store keeps for itself.
inline constexpr const char* k_identity_setting = "identity_index";
inline constexpr const char* k_order_setting = "entry_order";
inline constexpr const char* k_tally_setting = "entry_tally";

// The one encoding of the store's own bookkeeping (the order and tally
// settings, the last reserved number): decimal numbers separated by spaces.
std::string format_numbers(const std::vector<std::int64_t>& numbers);
// nullopt unless every part is a number.
std::optional<std::vector<std::int64_t>> parse_numbers(std::string_view text);

// A setting sealed under the data key and bound to its name.
void write_setting(SQLite::Database& db, const crypto::SecureBytes& data_key,
                   crypto::ByteView journal_id, const std::string& name, const std::string& value);

// Opens and decodes an entry; DataError when it fails its integrity check.
Entry open_entry(const crypto::SecureBytes& data_key, crypto::ByteView journal_id, std::int64_t id,
                 crypto::ByteView sealed);

} // namespace duet::store
