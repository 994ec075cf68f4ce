#include "database.hpp"

#include "duet/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

namespace duet::store {

namespace {
constexpr const char* k_schema = R"sql(
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL, day_tag BLOB);
CREATE INDEX entries_by_day ON entries(day_tag);
CREATE TABLE settings (name TEXT PRIMARY KEY, sealed BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, sealed BLOB NOT NULL);
CREATE INDEX records_by_kind ON records(kind, id);
CREATE TABLE seen (tag BLOB PRIMARY KEY) WITHOUT ROWID;
)sql";
} // namespace

[[noreturn]] void rethrow_sqlite(const SQLite::Exception& e, const fs::path& path) {
    const int code = e.getErrorCode() & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
        throw DataError(
            fmt::format("{} is damaged or is not a duet journal ({})", path.string(), e.what()));
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        throw RuntimeError(fmt::format(
            "{} is busy: another duet is writing to it; try again in a moment", path.string()));
    }
    throw RuntimeError(fmt::format("journal {}: {}", path.string(), e.what()));
}

bool is_damage(const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;
    return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

crypto::ByteView view_of(const SQLite::Column& c) {
    return {static_cast<const unsigned char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes())};
}

crypto::Bytes blob_of(const SQLite::Column& c) {
    const crypto::ByteView v = view_of(c);
    return crypto::Bytes(v.begin(), v.end());
}

void bind_bytes(SQLite::Statement& q, int at, crypto::ByteView value) {
    q.bind(at, value.data(), static_cast<int>(value.size()));
}

void bind_column(SQLite::Statement& q, int at, const SQLite::Column& c) {
    if (c.isNull()) {
        q.bind(at);
    } else {
        q.bind(at, c.getBlob(), c.getBytes());
    }
}

int create_private_file(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno;
    }
    ::close(fd);
    return 0;
}

void configure(SQLite::Database& db) {
    db.exec("PRAGMA secure_delete = ON");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA synchronous = FULL");
}

void mark_new_file(SQLite::Database& db, int user_version) {
    db.exec(fmt::format("PRAGMA application_id = {}", k_application_id));
    db.exec(fmt::format("PRAGMA user_version = {}", user_version));
    db.exec("PRAGMA journal_mode = DELETE");
}

void create_tables(SQLite::Database& db) {
    db.exec(k_schema);
}

std::optional<crypto::Bytes> read_meta_if(SQLite::Database& db, const char* name) {
    SQLite::Statement q(db, "SELECT value FROM meta WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep()) {
        return std::nullopt;
    }
    return blob_of(q.getColumn(0));
}

crypto::Bytes read_meta(SQLite::Database& db, const char* name, const fs::path& path) {
    auto value = read_meta_if(db, name);
    if (!value) {
        throw DataError(
            fmt::format("{} is damaged: its '{}' record is missing", path.string(), name));
    }
    return std::move(*value);
}

void write_meta(SQLite::Database& db, const char* name, crypto::ByteView value) {
    SQLite::Statement q(db, "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)");
    q.bind(1, name);
    bind_bytes(q, 2, value);
    q.exec();
}

void write_meta_text(SQLite::Database& db, const char* name, const std::string& value) {
    write_meta(db, name, crypto::as_bytes(value));
}

std::uint64_t meta_number(SQLite::Database& db, const char* name, const fs::path& path) {
    const crypto::Bytes v = read_meta(db, name, path);
    const std::string s(v.begin(), v.end());
    try {
        std::size_t used = 0;
        const auto n = std::stoull(s, &used);
        if (used == s.size()) {
            return n;
        }
    } catch (const std::exception&) {
    }
    throw DataError(
        fmt::format("{} is damaged: its '{}' record is not a number", path.string(), name));
}

Database::Database(const fs::path& path, int flags)
    : m_path(path), m_db(store::guarded(path, [&] {
          SQLite::Database db(path.string(), flags, k_busy_timeout_ms);
          configure(db);
          return db;
      })) {}

std::vector<std::int64_t> Database::ids_from_index(const std::string& table,
                                                   const std::string& index) const {
    std::vector<std::int64_t> ids;
    guarded(
        [&] {
            SQLite::Statement q(m_db, fmt::format("SELECT id FROM {} INDEXED BY {}", table, index));
            while (q.executeStep()) {
                ids.push_back(q.getColumn(0).getInt64());
            }
        },
        [] {});
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

Reuse::Reuse(const Database& db, std::optional<SQLite::Statement>& slot, const char* sql) {
    if (!slot) {
        slot.emplace(db.sql(), sql);
    }
    m_q = &*slot;
}

Reuse::~Reuse() {
    try {
        m_q->reset();
        m_q->clearBindings();
    } catch (const SQLite::Exception&) {
        // reset reports the last step's error again; it was already thrown.
    }
}

WriteScope::WriteScope(const Database& db, bool in_batch) {
    if (!in_batch) {
        m_tx.emplace(db.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    }
}

void WriteScope::commit() {
    if (m_tx) {
        m_tx->commit();
    }
}

} // namespace duet::store
