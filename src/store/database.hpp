#pragma once
// The SQLite file under a journal: opening, the schema, meta records, cached
// statements, write scopes, and the one place where SQLite's errors become
// duet's (Database::guarded). Private to src/store.
#include "duet/crypto/secure.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace duet::store {

namespace fs = std::filesystem;

inline constexpr int k_application_id = 0x64756574; // "duet"
inline constexpr int k_schema_version = 1;
inline constexpr int k_busy_timeout_ms = 10000;

// DataError for a damaged file, RuntimeError for a busy one or anything else.
[[noreturn]] void rethrow_sqlite(const SQLite::Exception& e, const fs::path& path);
// Is this SQLite's report of a damaged page (rather than, say, a busy file)?
bool is_damage(const SQLite::Exception& e);

// Runs fn; an SQLite error in it leaves as duet's error, naming the file.
template <class Fn> auto guarded(const fs::path& path, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, path);
    }
}

crypto::Bytes blob_of(const SQLite::Column& c);
crypto::ByteView view_of(const SQLite::Column& c);
void bind_bytes(SQLite::Statement& q, int at, crypto::ByteView value);
// Binds a column of another statement as it is, NULL included.
void bind_column(SQLite::Statement& q, int at, const SQLite::Column& c);

// Creates an empty file 0600 before SQLite writes a byte, whatever the umask
// (SQLite's rollback files copy its mode); 0, or errno when it cannot (EEXIST too).
int create_private_file(const fs::path& file);

// The pragmas every connection runs with.
void configure(SQLite::Database& db);
// Marks a new, empty file as a journal of the given version (before any transaction).
void mark_new_file(SQLite::Database& db, int user_version);
// The tables and indexes of an empty journal.
void create_tables(SQLite::Database& db);

// The meta table: plain records that must be readable before the key is known.
crypto::Bytes read_meta(SQLite::Database& db, const char* name, const fs::path& path);
std::optional<crypto::Bytes> read_meta_if(SQLite::Database& db, const char* name);
void write_meta(SQLite::Database& db, const char* name, crypto::ByteView value);
void write_meta_text(SQLite::Database& db, const char* name, const std::string& value);
std::uint64_t meta_number(SQLite::Database& db, const char* name, const fs::path& path);

class Database {
  public:
    Database(const fs::path& path, int flags);

    SQLite::Database& sql() const { return m_db; }
    const fs::path& path() const { return m_path; }

    template <class Fn> auto guarded(Fn&& fn) const -> decltype(fn()) {
        return store::guarded(m_path, std::forward<Fn>(fn));
    }
    // Same, but a damaged page gives on_damage()'s answer instead.
    template <class Fn, class OnDamage>
    auto guarded(Fn&& fn, OnDamage&& on_damage) const -> decltype(fn()) {
        try {
            return fn();
        } catch (const SQLite::Exception& e) {
            if (!is_damage(e)) {
                rethrow_sqlite(e, m_path);
            }
        }
        return on_damage();
    }

    // Every id a table's index knows: when a page of the table is damaged, the
    // index (kept in pages of its own) still names what was there. What it
    // cannot give either is left out. Sorted, without repeats.
    std::vector<std::int64_t> ids_from_index(const std::string& table,
                                             const std::string& index) const;

  private:
    fs::path m_path;
    mutable SQLite::Database m_db;
};

// A cached statement for one use: reset afterwards even on an exception, so it
// never keeps a read transaction open between uses.
class Reuse {
  public:
    Reuse(const Database& db, std::optional<SQLite::Statement>& slot, const char* sql);
    ~Reuse();
    Reuse(const Reuse&) = delete;
    Reuse& operator=(const Reuse&) = delete;
    SQLite::Statement& operator*() { return *m_q; }
    SQLite::Statement* operator->() { return m_q; }

  private:
    SQLite::Statement* m_q;
};

// A write transaction unless the caller's batch already holds one.
class WriteScope {
  public:
    WriteScope(const Database& db, bool in_batch);
    void commit();

  private:
    std::optional<SQLite::Transaction> m_tx;
};

} // namespace duet::store
