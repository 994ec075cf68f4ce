// Journal's life: creating, opening (by passphrase or a kept key), batches,
// and the keys. Entries, records and salvage live in files of their own.
#include "duet/store/journal.hpp"

#include "duet/crypto/keys.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "journal_impl.hpp"
#include "keys.hpp"

#include <fmt/format.h>

#include <cstring>
#include <unistd.h>

namespace duet::store {

namespace {
[[noreturn]] void no_journal_yet(const DataFolder& folder) {
    throw RuntimeError(fmt::format("there is no journal at {} yet", folder.journal().string()));
}

[[noreturn]] void already_exists(const DataFolder& folder) {
    throw RuntimeError(fmt::format("a journal already exists at {}", folder.journal().string()));
}

// Writes a whole new journal into the empty file tmp.
void build_journal(const fs::path& tmp, const Wrapping& wrapping,
                   const crypto::SecureBytes& data_key, crypto::ByteView journal_id) {
    SQLite::Database db(tmp.string(), SQLite::OPEN_READWRITE);
    configure(db);
    mark_new_file(db, k_schema_version);
    SQLite::Transaction tx(db);
    create_tables(db);
    write_meta(db, "journal_id", journal_id);
    write_wrapping(db, wrapping);
    write_link_keys(db, data_key, journal_id);
    // A new journal indexes its entries' identities from the first one.
    write_setting(db, data_key, journal_id, k_identity_setting, "1");
    tx.commit();
}

// Links the complete file into place; never replaces a journal that appeared meanwhile.
void link_into_place(const fs::path& tmp, const DataFolder& folder) {
    const int err = ::link(tmp.c_str(), folder.journal().c_str()) == 0 ? 0 : errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    if (err == EEXIST) {
        already_exists(folder);
    }
    if (err != 0) {
        throw RuntimeError(
            fmt::format("could not create {}: {}", folder.journal().string(), std::strerror(err)));
    }
}
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
        already_exists(folder);
    }
    // The reminder key first, so a journal never exists without one.
    ensure_reminder_key(folder);

    // Build the whole journal under a temporary name, then link it into place:
    // a crash leaves either no journal or a complete one.
    const fs::path tmp =
        folder.dir / (".journal.db.new-" + crypto::to_hex(crypto::random_bytes(6)));
    const crypto::Bytes journal_id = crypto::random_bytes(k_journal_id_size);
    crypto::SecureBytes data_key = crypto::new_random_key(crypto::k_key_size);
    const Wrapping wrapping = wrap_data_key(data_key, journal_id, passphrase, kdf);
    if (const int err = create_private_file(tmp)) {
        throw RuntimeError(fmt::format("could not create a journal in {}: {}", folder.dir.string(),
                                       std::strerror(err)));
    }
    try {
        guarded(folder.journal(), [&] { build_journal(tmp, wrapping, data_key, journal_id); });
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
    link_into_place(tmp, folder);
    // The key is in hand: opening need not derive it from the passphrase again.
    std::unique_ptr<Impl> impl = open_file(folder);
    impl->kdf = kdf;
    impl->data_key = std::move(data_key);
    return Journal(std::move(impl));
}

Journal Journal::open(const DataFolder& folder, const crypto::SecureBytes& passphrase) {
    if (!exists(folder)) {
        no_journal_yet(folder);
    }
    std::unique_ptr<Impl> impl = open_file(folder);
    Impl& im = *impl;
    im.db.guarded([&] {
        im.data_key = unwrap_data_key(im.db.sql(), im.path(), im.journal_id, passphrase, im.kdf);
    });
    return Journal(std::move(impl));
}

std::unique_ptr<Journal::Impl> Journal::open_file(const DataFolder& folder) {
    auto impl = std::make_unique<Journal::Impl>(folder, SQLite::OPEN_READWRITE);
    const Database& db = impl->db;
    db.guarded([&] {
        const int app_id = db.sql().execAndGet("PRAGMA application_id").getInt();
        if (app_id != k_application_id) {
            throw DataError(fmt::format("{} is not a duet journal", db.path().string()));
        }
        const int version = db.sql().execAndGet("PRAGMA user_version").getInt();
        if (version > k_schema_version) {
            throw DataError(fmt::format(
                "{} was written by a newer version of duet; please update duet to open it",
                db.path().string()));
        }
        impl->journal_id = read_meta(db.sql(), "journal_id", db.path());
    });
    impl->reminder_key = load_reminder_key(folder);
    return impl;
}

std::optional<bool> Journal::has_entry_on(const DataFolder& folder, util::DayNumber day) {
    if (!exists(folder)) {
        return std::nullopt;
    }
    const auto key = load_reminder_key(folder);
    if (!key) {
        return std::nullopt;
    }
    return guarded(folder.journal(), [&] {
        SQLite::Database db(folder.journal().string(), SQLite::OPEN_READONLY, k_busy_timeout_ms);
        SQLite::Statement q(db, "SELECT 1 FROM entries WHERE day_tag = ? LIMIT 1");
        bind_bytes(q, 1, day_tag(key->view(), day));
        return std::optional<bool>(q.executeStep());
    });
}

void Journal::change_passphrase(const crypto::SecureBytes& passphrase,
                                const crypto::KdfParams& kdf) {
    Impl& im = *m_impl;
    const Wrapping wrapping = wrap_data_key(im.data_key, im.journal_id, passphrase, kdf);
    im.db.guarded([&] {
        SQLite::Transaction tx(im.db.sql(), SQLite::TransactionBehavior::IMMEDIATE);
        write_wrapping(im.db.sql(), wrapping);
        tx.commit();
        im.kdf = kdf;
    });
}

void Journal::batch(const std::function<void()>& body) {
    Impl& im = *m_impl;
    if (im.in_batch) {
        body();
        return;
    }
    try {
        im.db.guarded([&] {
            SQLite::Transaction tx(im.db.sql(), SQLite::TransactionBehavior::IMMEDIATE);
            im.in_batch = true;
            im.order.reset();
            im.next_id.reset();
            body(); // if it throws, the transaction rolls back as it goes out of scope
            im.in_batch = false;
            im.next_id.reset();
            save_order();
            save_tally();
            tx.commit();
        });
    } catch (...) {
        im.in_batch = false;
        im.order.reset();
        im.forget_pending();
        throw;
    }
}

crypto::KdfParams Journal::kdf() const {
    return m_impl->kdf;
}

const fs::path& Journal::path() const {
    return m_impl->path();
}

crypto::Bytes Journal::link_public_key() const {
    const crypto::SecureBytes sk = link_secret_key();
    return m_impl->db.guarded(
        [&] { return checked_link_public_key(m_impl->db.sql(), m_impl->path(), sk); });
}

crypto::SecureBytes Journal::link_secret_key() const {
    const Impl& im = *m_impl;
    auto sk = im.db.guarded(
        [&] { return open_link_secret(im.db.sql(), im.path(), im.data_key, im.journal_id); });
    if (!sk) {
        throw DataError(fmt::format("{}: the partner-link key is damaged", im.path().string()));
    }
    return std::move(*sk);
}

Journal::KeyTie Journal::key_tie(const DataFolder& folder) {
    if (!exists(folder)) {
        no_journal_yet(folder);
    }
    return Journal(open_file(folder)).key_tie();
}

Journal::KeyTie Journal::key_tie() const {
    const Impl& im = *m_impl;
    return im.db.guarded([&] { return read_key_tie(im.db.sql(), im.journal_id, im.path()); });
}

Journal Journal::open_with_key(const DataFolder& folder, crypto::SecureBytes data_key) {
    if (!exists(folder)) {
        no_journal_yet(folder);
    }
    std::unique_ptr<Impl> impl = open_file(folder);
    Impl& im = *impl;
    im.db.guarded([&] {
        im.kdf = read_kdf(im.db.sql(), im.path());
        // The link secret is sealed under the data key: opening it proves the key.
        const bool opens = data_key.size() == crypto::k_key_size &&
                           open_link_secret(im.db.sql(), im.path(), data_key, im.journal_id);
        if (!opens) {
            throw AuthError(fmt::format("the key kept by `duet unlock` does not open the journal "
                                        "at {}",
                                        im.path().string()));
        }
    });
    im.data_key = std::move(data_key);
    return Journal(std::move(impl));
}

crypto::SecureBytes Journal::copy_data_key() const {
    return crypto::SecureBytes(m_impl->data_key.view());
}

} // namespace duet::store
