#include "duet/store/journal.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

namespace duet::store {

namespace {

constexpr int k_application_id = 0x64756574; // "duet"
constexpr int k_schema_version = 1;
constexpr int k_busy_timeout_ms = 10000;
constexpr std::size_t k_day_tag_size = 16;
constexpr std::size_t k_journal_id_size = 16;
constexpr const char* k_data_key_ad = "duet-data-key-v1";
constexpr const char* k_link_key_ad = "duet-link-secret-v1";

constexpr const char* k_schema = R"sql(
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL, day_tag BLOB);
CREATE INDEX entries_by_day ON entries(day_tag);
CREATE TABLE settings (name TEXT PRIMARY KEY, sealed BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, sealed BLOB NOT NULL);
CREATE INDEX records_by_kind ON records(kind, id);
CREATE TABLE seen (tag BLOB PRIMARY KEY) WITHOUT ROWID;
)sql";

crypto::Bytes blob_of(const SQLite::Column& c) {
    const auto* p = static_cast<const unsigned char*>(c.getBlob());
    return crypto::Bytes(p, p + c.getBytes());
}

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

// Every entry id the day index knows: when a page of the entries table is
// damaged, the index (kept in pages of its own) still names what was there.
// What it cannot give either is left out. Sorted, without repeats.
std::vector<std::int64_t> ids_from_index(SQLite::Database& db, std::string_view table = "entries",
                                         std::string_view index = "entries_by_day") {
    std::vector<std::int64_t> ids;
    try {
        SQLite::Statement q(db, fmt::format("SELECT id FROM {} INDEXED BY {}", table, index));
        while (q.executeStep()) {
            ids.push_back(q.getColumn(0).getInt64());
        }
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) {
            throw;
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::string damaged_part(std::int64_t id, const fs::path& path) {
    return fmt::format("entry {} is in a damaged part of {} and cannot be read "
                       "(`duet check --salvage` keeps everything that can be)",
                       id, path.string());
}

void configure(SQLite::Database& db) {
    db.exec("PRAGMA secure_delete = ON");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA synchronous = FULL");
}

crypto::Bytes read_meta(SQLite::Database& db, const char* name, const fs::path& path) {
    SQLite::Statement q(db, "SELECT value FROM meta WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep()) {
        throw DataError(
            fmt::format("{} is damaged: its '{}' record is missing", path.string(), name));
    }
    return blob_of(q.getColumn(0));
}

void write_meta(SQLite::Database& db, const char* name, crypto::ByteView value) {
    SQLite::Statement q(db, "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)");
    q.bind(1, name);
    q.bind(2, value.data(), static_cast<int>(value.size()));
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

crypto::Bytes with_suffix(std::string_view prefix, crypto::ByteView id, std::string_view tail) {
    crypto::Bytes ad(prefix.begin(), prefix.end());
    ad.insert(ad.end(), id.begin(), id.end());
    ad.insert(ad.end(), tail.begin(), tail.end());
    return ad;
}

crypto::Bytes entry_ad(crypto::ByteView journal_id, std::int64_t id) {
    crypto::Bytes ad = with_suffix("duet-entry-v1:", journal_id, ":");
    for (int i = 0; i < 8; ++i) {
        ad.push_back(
            static_cast<unsigned char>((static_cast<std::uint64_t>(id) >> (8 * i)) & 0xff));
    }
    return ad;
}

crypto::Bytes day_tag(crypto::ByteView reminder_key, util::DayNumber day) {
    const std::string msg = "duet-day-v1:" + util::format_day(day);
    return crypto::keyed_hash(reminder_key, crypto::as_bytes(msg), k_day_tag_size);
}

std::optional<crypto::SecureBytes> load_reminder_key(const DataFolder& folder) {
    auto raw = util::read_file_if_exists(folder.reminder_key(), 1024);
    if (!raw || raw->size() != crypto_generichash_KEYBYTES) {
        return std::nullopt;
    }
    crypto::SecureBytes key(crypto::as_bytes(*raw));
    sodium_memzero(raw->data(), raw->size());
    return key;
}

crypto::Bytes setting_ad(crypto::ByteView journal_id, const std::string& name) {
    return with_suffix("duet-setting-v1:", journal_id, name);
}

void write_setting(SQLite::Database& db, const crypto::SecureBytes& data_key,
                   crypto::ByteView journal_id, const std::string& name, const std::string& value) {
    const crypto::Bytes sealed =
        crypto::seal(data_key, crypto::as_bytes(value), setting_ad(journal_id, name));
    SQLite::Statement q(db, "INSERT OR REPLACE INTO settings (name, sealed) VALUES (?, ?)");
    q.bind(1, name);
    q.bind(2, sealed.data(), static_cast<int>(sealed.size()));
    q.exec();
}

constexpr const char* k_identity_setting = "identity_index";

} // namespace

struct Journal::Impl {
    fs::path path;
    DataFolder folder;
    mutable SQLite::Database db;
    crypto::Bytes journal_id;
    crypto::SecureBytes data_key;
    std::optional<crypto::SecureBytes> reminder_key;
    crypto::KdfParams kdf;
    bool in_batch = false;
    // The time-order bookkeeping of add(), cached only inside a write transaction.
    struct Order {
        std::int64_t last_time = INT64_MIN;
        std::vector<std::int64_t> starts;
        bool known = true;
    };
    std::optional<Order> order;
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

    Impl(const DataFolder& f, int flags)
        : path(f.journal()), folder(f), db(path.string(), flags, k_busy_timeout_ms) {}
};

namespace {
// A cached statement for one use: reset afterwards even on an exception, so it
// never keeps a read transaction open between uses.
class Reuse {
  public:
    Reuse(SQLite::Database& db, std::optional<SQLite::Statement>& slot, const char* sql) {
        if (!slot) {
            slot.emplace(db, sql);
        }
        m_q = &*slot;
    }
    ~Reuse() {
        try {
            m_q->reset();
            m_q->clearBindings();
        } catch (const SQLite::Exception&) {
            // reset reports the last step's error again; it was already thrown.
        }
    }
    Reuse(const Reuse&) = delete;
    Reuse& operator=(const Reuse&) = delete;
    SQLite::Statement& operator*() { return *m_q; }
    SQLite::Statement* operator->() { return m_q; }

  private:
    SQLite::Statement* m_q;
};
} // namespace

Journal::Journal(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

bool Journal::exists(const DataFolder& folder) {
    std::error_code ec;
    return fs::exists(folder.journal(), ec);
}

Journal Journal::create(const DataFolder& folder, const crypto::SecureBytes& passphrase,
                        const crypto::KdfParams& kdf) {
    util::ensure_private_dir(folder.dir);
    if (exists(folder)) {
        throw RuntimeError(
            fmt::format("a journal already exists at {}", folder.journal().string()));
    }
    // The reminder key first, so a journal never exists without one.
    if (!load_reminder_key(folder)) {
        crypto::SecureBytes rk(crypto_generichash_KEYBYTES);
        randombytes_buf(rk.data(), rk.size());
        util::write_file_atomic(folder.reminder_key(), rk.str(), true, 0600);
    }

    // Build the whole journal under a temporary name, then link it into place:
    // a crash leaves either no journal or a complete one.
    const fs::path tmp =
        folder.dir / (".journal.db.new-" + crypto::to_hex(crypto::random_bytes(6)));
    const crypto::Bytes salt = crypto::random_bytes(crypto::k_salt_size);
    const crypto::Bytes journal_id = crypto::random_bytes(k_journal_id_size);
    crypto::SecureBytes data_key(crypto::k_key_size);
    randombytes_buf(data_key.data(), data_key.size());
    {
        const crypto::SecureBytes kek = crypto::derive_key(passphrase, salt, kdf);
        // Made 0600 before SQLite writes a byte, whatever the umask; SQLite's own
        // rollback files copy this mode.
        const int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0) {
            throw RuntimeError(fmt::format("could not create a journal in {}: {}",
                                           folder.dir.string(), std::strerror(errno)));
        }
        ::close(fd);
        try {
            SQLite::Database db(tmp.string(), SQLite::OPEN_READWRITE);
            configure(db);
            db.exec(fmt::format("PRAGMA application_id = {}", k_application_id));
            db.exec(fmt::format("PRAGMA user_version = {}", k_schema_version));
            db.exec("PRAGMA journal_mode = DELETE");
            SQLite::Transaction tx(db);
            db.exec(k_schema);
            write_meta(db, "journal_id", journal_id);
            write_meta(db, "kdf_salt", salt);
            write_meta_text(db, "kdf_algorithm", std::to_string(kdf.algorithm));
            write_meta_text(db, "kdf_opslimit", std::to_string(kdf.opslimit));
            write_meta_text(db, "kdf_memlimit", std::to_string(kdf.memlimit));
            write_meta(
                db, "data_key",
                crypto::seal(kek, data_key.view(), with_suffix(k_data_key_ad, journal_id, "")));
            unsigned char pk[crypto_box_PUBLICKEYBYTES];
            crypto::SecureBytes sk(crypto_box_SECRETKEYBYTES);
            crypto_box_keypair(pk, sk.data());
            write_meta(db, "link_public_key", crypto::ByteView(pk, sizeof pk));
            write_meta(
                db, "link_secret_key",
                crypto::seal(data_key, sk.view(), with_suffix(k_link_key_ad, journal_id, "")));
            // A new journal indexes its entries' identities from the first one.
            write_setting(db, data_key, journal_id, k_identity_setting, "1");
            tx.commit();
        } catch (const SQLite::Exception& e) {
            std::error_code ec;
            fs::remove(tmp, ec);
            rethrow_sqlite(e, folder.journal());
        }
    }
    if (::link(tmp.c_str(), folder.journal().c_str()) != 0) {
        const int err = errno;
        std::error_code ec;
        fs::remove(tmp, ec);
        if (err == EEXIST) {
            throw RuntimeError(
                fmt::format("a journal already exists at {}", folder.journal().string()));
        }
        throw RuntimeError(
            fmt::format("could not create {}: {}", folder.journal().string(), std::strerror(err)));
    }
    std::error_code ec;
    fs::remove(tmp, ec);
    // The key is in hand: opening need not derive it from the passphrase again.
    std::unique_ptr<Impl> impl = open_file(folder);
    impl->kdf = kdf;
    impl->data_key = std::move(data_key);
    return Journal(std::move(impl));
}

Journal Journal::open(const DataFolder& folder, const crypto::SecureBytes& passphrase) {
    if (!exists(folder)) {
        throw RuntimeError(fmt::format("there is no journal at {} yet", folder.journal().string()));
    }
    std::unique_ptr<Impl> impl = open_file(folder);
    try {
        SQLite::Database& db = impl->db;
        const crypto::Bytes salt = read_meta(db, "kdf_salt", impl->path);
        impl->kdf.algorithm = static_cast<int>(meta_number(db, "kdf_algorithm", impl->path));
        impl->kdf.opslimit = meta_number(db, "kdf_opslimit", impl->path);
        impl->kdf.memlimit = meta_number(db, "kdf_memlimit", impl->path);
        const crypto::Bytes wrapped = read_meta(db, "data_key", impl->path);
        const crypto::SecureBytes kek = crypto::derive_key(passphrase, salt, impl->kdf);
        auto key = crypto::open(kek, wrapped, with_suffix(k_data_key_ad, impl->journal_id, ""));
        if (!key || key->size() != crypto::k_key_size) {
            throw AuthError(fmt::format("that passphrase does not unlock the journal at {}; "
                                        "nothing was changed",
                                        impl->path.string()));
        }
        impl->data_key = std::move(*key);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, folder.journal());
    }
    return Journal(std::move(impl));
}

std::unique_ptr<Journal::Impl> Journal::open_file(const DataFolder& folder) {
    try {
        auto impl = std::make_unique<Journal::Impl>(folder, SQLite::OPEN_READWRITE);
        SQLite::Database& db = impl->db;
        configure(db);
        const int app_id = db.execAndGet("PRAGMA application_id").getInt();
        if (app_id != k_application_id) {
            throw DataError(fmt::format("{} is not a duet journal", impl->path.string()));
        }
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        if (version > k_schema_version) {
            throw DataError(fmt::format(
                "{} was written by a newer version of duet; please update duet to open it",
                impl->path.string()));
        }
        impl->journal_id = read_meta(db, "journal_id", impl->path);
        impl->reminder_key = load_reminder_key(folder);
        return impl;
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, folder.journal());
    }
}

std::optional<bool> Journal::has_entry_on(const DataFolder& folder, util::DayNumber day) {
    if (!exists(folder)) {
        return std::nullopt;
    }
    const auto key = load_reminder_key(folder);
    if (!key) {
        return std::nullopt;
    }
    try {
        SQLite::Database db(folder.journal().string(), SQLite::OPEN_READONLY, k_busy_timeout_ms);
        SQLite::Statement q(db, "SELECT 1 FROM entries WHERE day_tag = ? LIMIT 1");
        const crypto::Bytes tag = day_tag(key->view(), day);
        q.bind(1, tag.data(), static_cast<int>(tag.size()));
        return q.executeStep();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, folder.journal());
    }
}

namespace {
// A write transaction unless the caller's batch already holds one.
class WriteScope {
  public:
    WriteScope(SQLite::Database& db, bool in_batch) {
        if (!in_batch) {
            m_tx.emplace(db, SQLite::TransactionBehavior::IMMEDIATE);
        }
    }
    void commit() {
        if (m_tx) {
            m_tx->commit();
        }
    }

  private:
    std::optional<SQLite::Transaction> m_tx;
};
} // namespace

namespace {
// Entry numbers are one space for the journal's own entries and the entries a
// partner shared (kept as records): "last_number" in meta is the highest
// number handed to a partner's entry, so no own entry is given it later.
constexpr const char* k_last_number = "last_number";

std::int64_t next_number(SQLite::Database& db) {
    std::int64_t last = db.execAndGet("SELECT coalesce(max(id), 0) FROM entries").getInt64();
    SQLite::Statement q(db, "SELECT value FROM meta WHERE name = ?");
    q.bind(1, k_last_number);
    if (q.executeStep()) {
        const crypto::Bytes v = blob_of(q.getColumn(0));
        const std::string text(v.begin(), v.end());
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc() && end == text.data() + text.size() && n > last) {
            last = n;
        }
    }
    return last + 1;
}
} // namespace

std::int64_t Journal::add(Entry& entry) {
    return add(entry, content_identity(entry));
}

std::int64_t Journal::reserve_number() {
    Impl& im = *m_impl;
    try {
        WriteScope tx(im.db, im.in_batch);
        const std::int64_t number =
            im.next_id ? std::max(*im.next_id, next_number(im.db)) : next_number(im.db);
        write_meta_text(im.db, k_last_number, std::to_string(number));
        if (im.next_id) {
            im.next_id = number + 1;
        }
        tx.commit();
        return number;
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

std::int64_t Journal::add(Entry& entry, const std::string& content) {
    Impl& im = *m_impl;
    try {
        WriteScope tx(im.db, im.in_batch);
        if (!im.in_batch) {
            im.order.reset(); // another process may have written since we last looked
        }
        if (!im.next_id) {
            im.next_id = next_number(im.db);
        }
        const std::int64_t id = *im.next_id;
        entry.id = id;
        note_order(entry);
        // One guarded buffer per thread for the plaintext, as for reading.
        thread_local crypto::SecureBytes plain(4 * 1024);
        encode_entry_into(entry, plain);
        const crypto::Bytes sealed =
            crypto::seal(im.data_key, plain.view(), entry_ad(im.journal_id, id));
        sodium_memzero(plain.data(), plain.size());
        {
            Reuse ins(im.db, im.insert_entry,
                      "INSERT INTO entries (id, sealed, day_tag) VALUES (?, ?, ?)");
            ins->bind(1, id);
            ins->bind(2, sealed.data(), static_cast<int>(sealed.size()));
            if (im.reminder_key) {
                const crypto::Bytes tag = day_tag(im.reminder_key->view(), entry.day);
                ins->bind(3, tag.data(), static_cast<int>(tag.size()));
            } else {
                ins->bind(3);
            }
            ins->exec();
        }
        mark_seen(content);
        ++im.added;
        im.added_max = std::max(im.added_max, id);
        if (im.in_batch) {
            im.next_id = id + 1;
        } else {
            im.next_id.reset();
            save_order();
            save_tally();
        }
        tx.commit();
        return id;
    } catch (const SQLite::Exception& e) {
        if (!im.in_batch) {
            im.added = 0;
            im.next_id.reset();
        }
        rethrow_sqlite(e, im.path);
    }
}

namespace {
constexpr const char* k_order_setting = "entry_order";
} // namespace

namespace {
// The sealed "entry_order" setting: the newest entry's time, then the ids at
// which time order restarts. nullopt when it cannot be read.
struct OrderText {
    std::int64_t last_time = INT64_MIN;
    std::vector<std::int64_t> starts;
};
std::optional<OrderText> parse_order(const std::string& text) {
    const auto parts = util::split(text, ' ');
    OrderText order;
    try {
        order.last_time = std::stoll(parts.at(0));
        for (std::size_t i = 1; i < parts.size(); ++i) {
            order.starts.push_back(std::stoll(parts[i]));
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return order;
}
} // namespace

void Journal::note_order(const Entry& entry) {
    Impl& im = *m_impl;
    if (!im.order) {
        im.order = Impl::Order{};
        if (const auto text = setting(k_order_setting)) {
            if (auto parsed = parse_order(*text)) {
                im.order->last_time = parsed->last_time;
                im.order->starts = std::move(parsed->starts);
            } else {
                im.order->known = false;
            }
        } else if (entry.id > 1) {
            im.order->known = false; // entries without bookkeeping: order must be sorted
        }
    }
    if (entry.created_at.seconds < im.order->last_time) {
        im.order->starts.push_back(entry.id);
    }
    im.order->last_time = entry.created_at.seconds;
}

void Journal::save_order() {
    Impl& im = *m_impl;
    if (!im.order || !im.order->known) {
        return;
    }
    std::string text = std::to_string(im.order->last_time);
    for (const std::int64_t start : im.order->starts) {
        text += ' ' + std::to_string(start);
    }
    set_setting(k_order_setting, text);
}

namespace {
// The sealed "entry_tally" setting: how many entries the journal holds and the
// highest number among them, kept with every write. Rows removed from the file
// outside duet (which never removes an entry) leave it behind; check says so.
constexpr const char* k_tally_setting = "entry_tally";

std::optional<std::pair<std::int64_t, std::int64_t>> parse_tally(const std::string& text) {
    const auto parts = util::split(text, ' ');
    std::pair<std::int64_t, std::int64_t> tally;
    if (parts.size() != 2 ||
        std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), tally.first).ec !=
            std::errc() ||
        std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), tally.second).ec !=
            std::errc()) {
        return std::nullopt;
    }
    return tally;
}
} // namespace

void Journal::save_tally() {
    Impl& im = *m_impl;
    if (im.added == 0) {
        return;
    }
    std::pair<std::int64_t, std::int64_t> tally;
    const auto text = setting(k_tally_setting);
    const auto known = text ? parse_tally(*text) : std::nullopt;
    if (known) {
        tally = {known->first + im.added, std::max(known->second, im.added_max)};
    } else { // a journal from before the tally: counted once, as it is now
        tally = {count(), max_id()};
    }
    im.added = 0;
    im.added_max = 0;
    set_setting(k_tally_setting, fmt::format("{} {}", tally.first, tally.second));
}

std::optional<std::string> Journal::check_tally() const {
    const auto text = setting(k_tally_setting);
    if (!text) {
        return std::nullopt; // not kept yet: nothing to compare
    }
    const auto tally = parse_tally(*text);
    if (!tally) {
        return std::string("its record of how many entries it holds is unreadable");
    }
    std::int64_t held = 0;
    std::int64_t highest = 0;
    try {
        held = count();
        highest = max_id();
    } catch (const DataError&) {
        return std::nullopt; // a damaged page: the entries themselves say what is lost
    }
    if (held == tally->first && highest == tally->second) {
        return std::nullopt;
    }
    return fmt::format("duet wrote {} entries up to number {}, but the file holds {} up to "
                       "number {}: entries were removed or the file was changed outside duet",
                       tally->first, tally->second, held, highest);
}

std::optional<std::vector<std::int64_t>> Journal::order_segments() const {
    const auto text = setting(k_order_setting);
    std::vector<std::int64_t> starts{1};
    if (!text) {
        if (count() == 0) {
            return starts;
        }
        return std::nullopt;
    }
    const auto parsed = parse_order(*text);
    if (!parsed) {
        return std::nullopt;
    }
    starts.insert(starts.end(), parsed->starts.begin(), parsed->starts.end());
    return starts;
}

std::int64_t Journal::max_id() const {
    try {
        return m_impl->db.execAndGet("SELECT coalesce(max(id), 0) FROM entries").getInt64();
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) {
            rethrow_sqlite(e, m_impl->path);
        }
        const std::vector<std::int64_t> ids = ids_from_index(m_impl->db);
        return ids.empty() ? 0 : ids.back();
    }
}

namespace {
Entry open_entry(const crypto::SecureBytes& key, crypto::ByteView journal_id, std::int64_t id,
                 crypto::ByteView sealed) {
    // One guarded buffer per thread, reused across a scan: guarded memory costs
    // several system calls to allocate, which dominated long reviews.
    thread_local crypto::SecureBytes plain(16 * 1024);
    if (!crypto::open_into(key, sealed, entry_ad(journal_id, id), plain)) {
        throw DataError(fmt::format("entry {} is damaged (it fails its integrity check) and "
                                    "cannot be read",
                                    id));
    }
    Entry entry = decode_entry(plain.view(), id);
    sodium_memzero(plain.data(), plain.size());
    return entry;
}
} // namespace

void Journal::for_each(const std::function<void(const Entry&)>& visit,
                       const DamagedFn& on_damaged) const {
    Cursor all = cursor(INT64_MIN, INT64_MAX, false, on_damaged);
    while (const std::optional<Entry> entry = all.next()) {
        visit(*entry);
    }
}

std::optional<Entry> Journal::find(std::int64_t id) const {
    const Impl& im = *m_impl;
    try {
        SQLite::Statement q(im.db, "SELECT sealed FROM entries WHERE id = ?");
        q.bind(1, id);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        const crypto::Bytes sealed = blob_of(q.getColumn(0));
        return open_entry(im.data_key, im.journal_id, id, sealed);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

std::vector<Entry> Journal::entries_on(util::DayNumber day) const {
    const Impl& im = *m_impl;
    std::vector<Entry> out;
    if (!im.reminder_key) {
        // No markers to use: fall back to a full scan.
        for_each(
            [&](const Entry& e) {
                if (e.day == day)
                    out.push_back(e);
            },
            [](std::int64_t, const std::string&) {});
        return out;
    }
    try {
        SQLite::Statement q(im.db, "SELECT id, sealed FROM entries WHERE day_tag = ? ORDER BY id");
        const crypto::Bytes tag = day_tag(im.reminder_key->view(), day);
        q.bind(1, tag.data(), static_cast<int>(tag.size()));
        while (q.executeStep()) {
            const std::int64_t id = q.getColumn(0).getInt64();
            const crypto::Bytes sealed = blob_of(q.getColumn(1));
            try {
                Entry e = open_entry(im.data_key, im.journal_id, id, sealed);
                if (e.day == day) {
                    out.push_back(std::move(e));
                }
            } catch (const DataError&) {
                // Damaged entries are reported by review; here they just do not count.
            }
        }
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) { // as above: review and check name what is lost
            rethrow_sqlite(e, im.path);
        }
    }
    return out;
}

std::int64_t Journal::count() const {
    try {
        return m_impl->db.execAndGet("SELECT count(*) FROM entries").getInt64();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, m_impl->path);
    }
}

std::optional<std::string> Journal::setting(const std::string& name) const {
    const Impl& im = *m_impl;
    try {
        SQLite::Statement q(im.db, "SELECT sealed FROM settings WHERE name = ?");
        q.bind(1, name);
        if (!q.executeStep()) {
            return std::nullopt;
        }
        const crypto::Bytes sealed = blob_of(q.getColumn(0));
        const auto plain = crypto::open(im.data_key, sealed, setting_ad(im.journal_id, name));
        if (!plain) {
            throw DataError(fmt::format("the journal's '{}' setting is damaged", name));
        }
        return std::string(plain->str());
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::set_setting(const std::string& name, const std::string& value) {
    Impl& im = *m_impl;
    try {
        write_setting(im.db, im.data_key, im.journal_id, name, value);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::delete_setting(const std::string& name) {
    Impl& im = *m_impl;
    try {
        SQLite::Statement q(im.db, "DELETE FROM settings WHERE name = ?");
        q.bind(1, name);
        q.exec();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::change_passphrase(const crypto::SecureBytes& passphrase,
                                const crypto::KdfParams& kdf) {
    Impl& im = *m_impl;
    const crypto::Bytes salt = crypto::random_bytes(crypto::k_salt_size);
    const crypto::SecureBytes kek = crypto::derive_key(passphrase, salt, kdf);
    const crypto::Bytes wrapped =
        crypto::seal(kek, im.data_key.view(), with_suffix(k_data_key_ad, im.journal_id, ""));
    try {
        SQLite::Transaction tx(im.db, SQLite::TransactionBehavior::IMMEDIATE);
        write_meta(im.db, "kdf_salt", salt);
        write_meta_text(im.db, "kdf_algorithm", std::to_string(kdf.algorithm));
        write_meta_text(im.db, "kdf_opslimit", std::to_string(kdf.opslimit));
        write_meta_text(im.db, "kdf_memlimit", std::to_string(kdf.memlimit));
        write_meta(im.db, "data_key", wrapped);
        tx.commit();
        im.kdf = kdf;
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::batch(const std::function<void()>& body) {
    Impl& im = *m_impl;
    if (im.in_batch) {
        body();
        return;
    }
    try {
        SQLite::Transaction tx(im.db, SQLite::TransactionBehavior::IMMEDIATE);
        im.in_batch = true;
        im.order.reset();
        im.next_id.reset();
        try {
            body();
        } catch (...) {
            im.in_batch = false;
            im.order.reset();
            im.next_id.reset();
            im.added = 0;
            throw; // the transaction rolls back as it goes out of scope
        }
        im.in_batch = false;
        im.next_id.reset();
        save_order();
        save_tally();
        tx.commit();
    } catch (const SQLite::Exception& e) {
        im.in_batch = false;
        im.next_id.reset();
        im.added = 0;
        rethrow_sqlite(e, im.path);
    }
}

namespace {
crypto::Bytes seen_tag(const crypto::SecureBytes& data_key, std::string_view identity) {
    const std::string msg = "duet-seen-v1:" + std::string(identity);
    return crypto::keyed_hash(data_key.view(), crypto::as_bytes(msg), 16);
}

crypto::Bytes record_ad(crypto::ByteView journal_id, std::int64_t id, std::string_view kind) {
    crypto::Bytes ad = entry_ad(journal_id, id);
    const std::string tail = ":record:" + std::string(kind);
    ad.insert(ad.end(), tail.begin(), tail.end());
    return ad;
}
} // namespace

bool Journal::seen(std::string_view identity) const {
    Impl& im = *m_impl;
    try {
        Reuse q(im.db, im.select_seen, "SELECT 1 FROM seen WHERE tag = ?");
        const crypto::Bytes tag = seen_tag(im.data_key, identity);
        q->bind(1, tag.data(), static_cast<int>(tag.size()));
        return q->executeStep();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::mark_seen(std::string_view identity) {
    Impl& im = *m_impl;
    try {
        Reuse q(im.db, im.insert_seen, "INSERT OR IGNORE INTO seen (tag) VALUES (?)");
        const crypto::Bytes tag = seen_tag(im.data_key, identity);
        q->bind(1, tag.data(), static_cast<int>(tag.size()));
        q->exec();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::index_identities() {
    if (setting(k_identity_setting)) {
        return;
    }
    // Journals from before the index: mark every entry once, streaming, and
    // remember that it was done.
    batch([&] {
        for_each([&](const Entry& e) { mark_seen(content_identity(e)); },
                 // A damaged entry cannot be compared; `duet review` reports it.
                 [](std::int64_t, const std::string&) {});
        set_setting(k_identity_setting, "1");
    });
}

std::optional<std::int64_t> Journal::add_once(Entry& entry, std::string_view identity) {
    std::optional<std::int64_t> id;
    const std::string content = content_identity(entry);
    batch([&] {
        if (seen(identity)) {
            return;
        }
        id = add(entry, content);
        if (identity != content) { // a duet export's identity is the content's own
            mark_seen(identity);
        }
    });
    return id;
}

std::int64_t Journal::add_record(std::string_view kind, std::string_view payload) {
    Impl& im = *m_impl;
    try {
        WriteScope tx(im.db, im.in_batch);
        const std::int64_t id =
            im.db.execAndGet("SELECT coalesce(max(id), 0) + 1 FROM records").getInt64();
        const crypto::Bytes sealed = crypto::seal(im.data_key, crypto::as_bytes(payload),
                                                  record_ad(im.journal_id, id, kind));
        SQLite::Statement ins(im.db, "INSERT INTO records (id, kind, sealed) VALUES (?, ?, ?)");
        ins.bind(1, id);
        ins.bind(2, std::string(kind));
        ins.bind(3, sealed.data(), static_cast<int>(sealed.size()));
        ins.exec();
        tx.commit();
        return id;
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::update_record(std::int64_t id, std::string_view kind, std::string_view payload) {
    Impl& im = *m_impl;
    try {
        const crypto::Bytes sealed = crypto::seal(im.data_key, crypto::as_bytes(payload),
                                                  record_ad(im.journal_id, id, kind));
        SQLite::Statement q(im.db, "UPDATE records SET sealed = ? WHERE id = ? AND kind = ?");
        q.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        q.bind(2, id);
        q.bind(3, std::string(kind));
        q.exec();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::delete_record(std::int64_t id, std::string_view kind) {
    Impl& im = *m_impl;
    try {
        SQLite::Statement q(im.db, "DELETE FROM records WHERE id = ? AND kind = ?");
        q.bind(1, id);
        q.bind(2, std::string(kind));
        q.exec();
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

void Journal::for_each_record(
    std::string_view kind,
    const std::function<void(std::int64_t id, const std::string& payload)>& visit,
    const DamagedFn& on_damaged) const {
    const Impl& im = *m_impl;
    try {
        SQLite::Statement q(im.db, "SELECT id, sealed FROM records WHERE kind = ? ORDER BY id");
        q.bind(1, std::string(kind));
        while (q.executeStep()) {
            const std::int64_t id = q.getColumn(0).getInt64();
            const crypto::Bytes sealed = blob_of(q.getColumn(1));
            const auto plain =
                crypto::open(im.data_key, sealed, record_ad(im.journal_id, id, kind));
            if (!plain) {
                on_damaged(id, fmt::format("{} record {} is damaged and cannot be read", kind, id));
                continue;
            }
            visit(id, std::string(plain->str()));
        }
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) {
            rethrow_sqlite(e, im.path);
        }
        on_damaged(0, fmt::format("some {} records are in a damaged part of {} and cannot be "
                                  "read",
                                  kind, im.path.string()));
    }
}

std::string Journal::integrity_check() const {
    try {
        SQLite::Statement q(m_impl->db, "PRAGMA quick_check");
        std::string out;
        while (q.executeStep()) {
            out += (out.empty() ? "" : "; ") + q.getColumn(0).getString();
        }
        return out;
    } catch (const SQLite::Exception& e) {
        return e.what();
    }
}

crypto::KdfParams Journal::kdf() const {
    return m_impl->kdf;
}
const fs::path& Journal::path() const {
    return m_impl->path;
}

crypto::Bytes Journal::link_public_key() const {
    // The stored public key is only a copy: the one that counts is derived from
    // the secret key, which is sealed under the data key. A copy that was
    // swapped in the file (so that shares would go to someone else) is refused.
    const crypto::SecureBytes sk = link_secret_key();
    crypto::Bytes pk(crypto_box_PUBLICKEYBYTES);
    crypto_scalarmult_base(pk.data(), sk.data());
    try {
        const crypto::Bytes stored = read_meta(m_impl->db, "link_public_key", m_impl->path);
        if (!crypto::equal_constant_time(stored, pk)) {
            throw DataError(fmt::format("{}: the partner-link public key in the file does not "
                                        "belong to this journal (changed outside duet?); "
                                        "nothing was sent",
                                        m_impl->path.string()));
        }
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, m_impl->path);
    }
    return pk;
}

crypto::SecureBytes Journal::link_secret_key() const {
    const Impl& im = *m_impl;
    try {
        const crypto::Bytes sealed = read_meta(im.db, "link_secret_key", im.path);
        auto sk = crypto::open(im.data_key, sealed, with_suffix(k_link_key_ad, im.journal_id, ""));
        if (!sk || sk->size() != crypto_box_SECRETKEYBYTES) {
            throw DataError(fmt::format("{}: the partner-link key is damaged", im.path.string()));
        }
        return std::move(*sk);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, im.path);
    }
}

namespace {
constexpr std::size_t k_wrapping_tag_size = 16;

Journal::KeyTie read_key_tie(SQLite::Database& db, const crypto::Bytes& journal_id,
                             const fs::path& path) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, k_wrapping_tag_size);
    for (const char* name :
         {"kdf_salt", "kdf_algorithm", "kdf_opslimit", "kdf_memlimit", "data_key"}) {
        const crypto::Bytes v = read_meta(db, name, path);
        const std::string head = fmt::format("{}:{}:", name, v.size());
        crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(head.data()),
                                  head.size());
        crypto_generichash_update(&st, v.data(), v.size());
    }
    Journal::KeyTie tie{journal_id, crypto::Bytes(k_wrapping_tag_size)};
    crypto_generichash_final(&st, tie.wrapping.data(), tie.wrapping.size());
    return tie;
}
} // namespace

Journal::KeyTie Journal::key_tie(const DataFolder& folder) {
    if (!exists(folder)) {
        throw RuntimeError(fmt::format("there is no journal at {} yet", folder.journal().string()));
    }
    const std::unique_ptr<Impl> impl = open_file(folder);
    try {
        return read_key_tie(impl->db, impl->journal_id, impl->path);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, impl->path);
    }
}

Journal::KeyTie Journal::key_tie() const {
    try {
        return read_key_tie(m_impl->db, m_impl->journal_id, m_impl->path);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, m_impl->path);
    }
}

Journal Journal::open_with_key(const DataFolder& folder, crypto::SecureBytes data_key) {
    if (!exists(folder)) {
        throw RuntimeError(fmt::format("there is no journal at {} yet", folder.journal().string()));
    }
    std::unique_ptr<Impl> impl = open_file(folder);
    try {
        SQLite::Database& db = impl->db;
        impl->kdf.algorithm = static_cast<int>(meta_number(db, "kdf_algorithm", impl->path));
        impl->kdf.opslimit = meta_number(db, "kdf_opslimit", impl->path);
        impl->kdf.memlimit = meta_number(db, "kdf_memlimit", impl->path);
        // The link secret is sealed under the data key: opening it proves the key.
        const crypto::Bytes sealed = read_meta(db, "link_secret_key", impl->path);
        const bool opens =
            data_key.size() == crypto::k_key_size &&
            crypto::open(data_key, sealed, with_suffix(k_link_key_ad, impl->journal_id, ""))
                .has_value();
        if (!opens) {
            throw AuthError(fmt::format("the key kept by `duet unlock` does not open the journal "
                                        "at {}",
                                        impl->path.string()));
        }
        impl->data_key = std::move(data_key);
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, folder.journal());
    }
    return Journal(std::move(impl));
}

crypto::SecureBytes Journal::copy_data_key() const {
    return crypto::SecureBytes(m_impl->data_key.view());
}

} // namespace duet::store

namespace duet::store {

struct Journal::Cursor::State {
    const Journal::Impl* impl;
    std::int64_t first;
    std::int64_t last;
    bool descending;
    std::optional<SQLite::Statement> query;
    DamagedFn on_damaged;
    std::optional<std::int64_t> passed; // the last id the scan stepped over
    // Once the scan met a damaged page: the ids still to try, one at a time.
    std::optional<std::vector<std::int64_t>> pending;

    State(const Journal::Impl* i, std::int64_t f, std::int64_t l, bool desc, DamagedFn d)
        : impl(i), first(f), last(l), descending(desc), on_damaged(std::move(d)) {
        query.emplace(i->db, fmt::format("SELECT id, sealed FROM entries WHERE id BETWEEN {} AND "
                                         "{} ORDER BY id {}",
                                         first, last, descending ? "DESC" : "ASC"));
    }

    // The ids the damaged scan did not reach, next one last (popped from the back).
    void switch_to_one_at_a_time() {
        query.reset();
        std::vector<std::int64_t> ids = ids_from_index(impl->db);
        std::erase_if(ids, [&](std::int64_t id) {
            const bool beyond = !passed || (descending ? id < *passed : id > *passed);
            return id < first || id > last || !beyond;
        });
        if (!descending) {
            std::reverse(ids.begin(), ids.end());
        }
        pending = std::move(ids);
    }

    std::optional<Entry> next_one_at_a_time() {
        while (!pending->empty()) {
            const std::int64_t id = pending->back();
            pending->pop_back();
            try {
                SQLite::Statement q(impl->db, "SELECT sealed FROM entries WHERE id = ?");
                q.bind(1, id);
                if (!q.executeStep()) {
                    continue;
                }
                const crypto::Bytes sealed = blob_of(q.getColumn(0));
                return open_entry(impl->data_key, impl->journal_id, id, sealed);
            } catch (const DataError& e) {
                on_damaged(id, e.what());
            } catch (const SQLite::Exception& e) {
                if (!is_damage(e)) {
                    rethrow_sqlite(e, impl->path);
                }
                on_damaged(id, damaged_part(id, impl->path));
            }
        }
        return std::nullopt;
    }
};

Journal::Cursor::Cursor(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Journal::Cursor::Cursor(Cursor&&) noexcept = default;
Journal::Cursor::~Cursor() = default;

std::optional<Entry> Journal::Cursor::next() {
    State& st = *m_state;
    if (st.pending) {
        return st.next_one_at_a_time();
    }
    try {
        while (st.query->executeStep()) {
            const std::int64_t id = st.query->getColumn(0).getInt64();
            st.passed = id;
            const SQLite::Column c = st.query->getColumn(1);
            const crypto::ByteView sealed(static_cast<const unsigned char*>(c.getBlob()),
                                          static_cast<std::size_t>(c.getBytes()));
            try {
                return open_entry(st.impl->data_key, st.impl->journal_id, id, sealed);
            } catch (const DataError& e) {
                st.on_damaged(id, e.what());
            }
        }
        return std::nullopt;
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) {
            rethrow_sqlite(e, st.impl->path);
        }
    }
    // A damaged page: go on past it, entry by entry, naming what is lost.
    st.switch_to_one_at_a_time();
    return st.next_one_at_a_time();
}

Journal::Cursor Journal::cursor(std::int64_t first, std::int64_t last, bool descending,
                                const DamagedFn& on_damaged) const {
    try {
        return Cursor(
            std::make_unique<Cursor::State>(m_impl.get(), first, last, descending, on_damaged));
    } catch (const SQLite::Exception& e) {
        rethrow_sqlite(e, m_impl->path);
    }
}

} // namespace duet::store

namespace duet::store {

namespace {
// Rows of a rowid table in id order. Past a damaged page it goes on one row at
// a time, by the ids the table's index still names; what neither holds is
// passed to `lost` (ids) or stops the scan.
void scan_rows(SQLite::Database& db, const std::string& table, const std::string& index,
               const std::string& columns, const std::function<void(SQLite::Statement&)>& visit,
               const std::function<void(std::int64_t)>& lost) {
    std::optional<std::int64_t> passed;
    try {
        SQLite::Statement q(db, fmt::format("SELECT id, {} FROM {} ORDER BY id", columns, table));
        while (q.executeStep()) {
            passed = q.getColumn(0).getInt64();
            visit(q);
        }
        return;
    } catch (const SQLite::Exception& e) {
        if (!is_damage(e)) {
            throw;
        }
    }
    const std::vector<std::int64_t> ids = ids_from_index(db, table, index);
    const std::string by_id = fmt::format("SELECT id, {} FROM {} WHERE id = ?", columns, table);
    for (const std::int64_t id : ids) {
        if (passed && id <= *passed) {
            continue;
        }
        try {
            SQLite::Statement one(db, by_id); // a statement that met damage cannot be reset
            one.bind(1, id);
            if (one.executeStep()) {
                visit(one);
            }
        } catch (const SQLite::Exception& e) {
            if (!is_damage(e)) {
                throw;
            }
            lost(id);
        }
    }
}

void bind_blob(SQLite::Statement& q, int at, const SQLite::Column& c) {
    if (c.isNull()) {
        q.bind(at);
    } else {
        q.bind(at, c.getBlob(), c.getBytes());
    }
}
} // namespace

Journal::SalvageReport Journal::salvage_into(const fs::path& file) const {
    const Impl& im = *m_impl;
    SalvageReport report;
    const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw RuntimeError(
            fmt::format("could not create {}: {}", file.string(), std::strerror(errno)));
    }
    ::close(fd);
    try {
        SQLite::Transaction reading(im.db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Database out(file.string(), SQLite::OPEN_READWRITE);
        configure(out);
        out.exec(fmt::format("PRAGMA application_id = {}", k_application_id));
        out.exec(fmt::format("PRAGMA user_version = {}",
                             im.db.execAndGet("PRAGMA user_version").getInt()));
        out.exec("PRAGMA journal_mode = DELETE");
        SQLite::Transaction writing(out);
        out.exec(k_schema);
        // The key records first: without them nothing else could be opened.
        try {
            SQLite::Statement q(im.db, "SELECT name, value FROM meta");
            SQLite::Statement ins(out, "INSERT INTO meta (name, value) VALUES (?, ?)");
            while (q.executeStep()) {
                ins.reset();
                ins.bind(1, q.getColumn(0).getString());
                bind_blob(ins, 2, q.getColumn(1));
                ins.exec();
            }
        } catch (const SQLite::Exception& e) {
            if (!is_damage(e)) {
                throw;
            }
            throw DataError(fmt::format("the part of {} that holds its keys is damaged, so "
                                        "nothing can be copied out of it; a backup of the data "
                                        "folder is the way back",
                                        im.path.string()));
        }
        std::int64_t highest = 0;
        SQLite::Statement put_entry(out,
                                    "INSERT INTO entries (id, sealed, day_tag) VALUES (?, ?, ?)");
        scan_rows(
            im.db, "entries", "entries_by_day", "sealed, day_tag",
            [&](SQLite::Statement& row) {
                const std::int64_t id = row.getColumn(0).getInt64();
                try {
                    open_entry(im.data_key, im.journal_id, id, blob_of(row.getColumn(1)));
                } catch (const DataError&) {
                    report.entries_lost.push_back(id);
                    return;
                }
                put_entry.reset();
                put_entry.bind(1, id);
                bind_blob(put_entry, 2, row.getColumn(1));
                bind_blob(put_entry, 3, row.getColumn(2));
                put_entry.exec();
                ++report.entries_kept;
                highest = std::max(highest, id);
            },
            [&](std::int64_t id) { report.entries_lost.push_back(id); });
        SQLite::Statement put_record(out,
                                     "INSERT INTO records (id, kind, sealed) VALUES (?, ?, ?)");
        scan_rows(
            im.db, "records", "records_by_kind", "kind, sealed",
            [&](SQLite::Statement& row) {
                const std::int64_t id = row.getColumn(0).getInt64();
                const std::string kind = row.getColumn(1).getString();
                const crypto::Bytes sealed = blob_of(row.getColumn(2));
                if (!crypto::open(im.data_key, sealed, record_ad(im.journal_id, id, kind))) {
                    ++report.records_lost;
                    return;
                }
                put_record.reset();
                put_record.bind(1, id);
                put_record.bind(2, kind);
                put_record.bind(3, sealed.data(), static_cast<int>(sealed.size()));
                put_record.exec();
                ++report.records_kept;
            },
            [&](std::int64_t) { ++report.records_lost; });
        try {
            SQLite::Statement q(im.db, "SELECT name, sealed FROM settings");
            SQLite::Statement ins(out, "INSERT INTO settings (name, sealed) VALUES (?, ?)");
            while (q.executeStep()) {
                const std::string name = q.getColumn(0).getString();
                const crypto::Bytes sealed = blob_of(q.getColumn(1));
                if (!crypto::open(im.data_key, sealed, setting_ad(im.journal_id, name))) {
                    ++report.settings_lost;
                    continue;
                }
                ins.reset();
                ins.bind(1, name);
                ins.bind(2, sealed.data(), static_cast<int>(sealed.size()));
                ins.exec();
            }
        } catch (const SQLite::Exception& e) {
            if (!is_damage(e)) {
                throw;
            }
            report.settings_complete = false;
        }
        try {
            SQLite::Statement q(im.db, "SELECT tag FROM seen");
            SQLite::Statement ins(out, "INSERT INTO seen (tag) VALUES (?)");
            while (q.executeStep()) {
                ins.reset();
                bind_blob(ins, 1, q.getColumn(0));
                ins.exec();
            }
        } catch (const SQLite::Exception& e) {
            if (!is_damage(e)) {
                throw;
            }
            report.seen_complete = false;
        }
        // What the fresh journal holds now is what its tally says.
        write_setting(out, im.data_key, im.journal_id, k_tally_setting,
                      fmt::format("{} {}", report.entries_kept, highest));
        writing.commit();
    } catch (const SQLite::Exception& e) {
        std::error_code ec;
        fs::remove(file, ec);
        rethrow_sqlite(e, im.path);
    } catch (...) {
        std::error_code ec;
        fs::remove(file, ec);
        throw;
    }
    std::sort(report.entries_lost.begin(), report.entries_lost.end());
    return report;
}

} // namespace duet::store
