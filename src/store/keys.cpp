#include "keys.hpp"

#include "database.hpp"
#include "duet/crypto/aead.hpp"
#include "duet/crypto/keys.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <fmt/format.h>

namespace duet::store {

namespace {
constexpr std::size_t k_day_tag_size = 16;
constexpr std::size_t k_seen_tag_size = 16;
constexpr std::size_t k_wrapping_tag_size = 16;
constexpr const char* k_data_key_ad = "duet-data-key-v1";
constexpr const char* k_link_key_ad = "duet-link-secret-v1";

crypto::Bytes with_suffix(std::string_view prefix, crypto::ByteView id, std::string_view tail) {
    crypto::Bytes ad(prefix.begin(), prefix.end());
    ad.insert(ad.end(), id.begin(), id.end());
    ad.insert(ad.end(), tail.begin(), tail.end());
    return ad;
}
} // namespace

crypto::Bytes entry_ad(crypto::ByteView journal_id, std::int64_t id) {
    crypto::Bytes ad = with_suffix("duet-entry-v1:", journal_id, ":");
    for (int i = 0; i < 8; ++i) {
        ad.push_back(
            static_cast<unsigned char>((static_cast<std::uint64_t>(id) >> (8 * i)) & 0xff));
    }
    return ad;
}

crypto::Bytes record_ad(crypto::ByteView journal_id, std::int64_t id, std::string_view kind) {
    crypto::Bytes ad = entry_ad(journal_id, id);
    const std::string tail = ":record:" + std::string(kind);
    ad.insert(ad.end(), tail.begin(), tail.end());
    return ad;
}

crypto::Bytes setting_ad(crypto::ByteView journal_id, const std::string& name) {
    return with_suffix("duet-setting-v1:", journal_id, name);
}

crypto::Bytes day_tag(crypto::ByteView reminder_key, util::DayNumber day) {
    const std::string msg = "duet-day-v1:" + util::format_day(day);
    return crypto::keyed_hash(reminder_key, crypto::as_bytes(msg), k_day_tag_size);
}

crypto::Bytes seen_tag(const crypto::SecureBytes& data_key, std::string_view identity) {
    const std::string msg = "duet-seen-v1:" + std::string(identity);
    return crypto::keyed_hash(data_key.view(), crypto::as_bytes(msg), k_seen_tag_size);
}

std::optional<crypto::SecureBytes> load_reminder_key(const DataFolder& folder) {
    auto raw = util::read_file_if_exists(folder.reminder_key(), 1024);
    if (!raw || raw->size() != crypto::k_hash_key_size) {
        return std::nullopt;
    }
    crypto::SecureBytes key(crypto::as_bytes(*raw));
    crypto::wipe(raw->data(), raw->size());
    return key;
}

void ensure_reminder_key(const DataFolder& folder) {
    if (!load_reminder_key(folder)) {
        const crypto::SecureBytes key = crypto::new_random_key(crypto::k_hash_key_size);
        util::write_file_atomic(folder.reminder_key(), key.str(), true, 0600);
    }
}

Wrapping wrap_data_key(const crypto::SecureBytes& data_key, crypto::ByteView journal_id,
                       const crypto::SecureBytes& passphrase, const crypto::KdfParams& kdf) {
    Wrapping w{crypto::random_bytes(crypto::k_salt_size), kdf, {}};
    const crypto::SecureBytes kek = crypto::derive_key(passphrase, w.salt, kdf);
    w.wrapped_key = crypto::seal(kek, data_key.view(), with_suffix(k_data_key_ad, journal_id, ""));
    return w;
}

void write_wrapping(SQLite::Database& db, const Wrapping& w) {
    write_meta(db, "kdf_salt", w.salt);
    write_meta_text(db, "kdf_algorithm", std::to_string(w.kdf.algorithm));
    write_meta_text(db, "kdf_opslimit", std::to_string(w.kdf.opslimit));
    write_meta_text(db, "kdf_memlimit", std::to_string(w.kdf.memlimit));
    write_meta(db, "data_key", w.wrapped_key);
}

crypto::KdfParams read_kdf(SQLite::Database& db, const fs::path& path) {
    crypto::KdfParams kdf;
    kdf.algorithm = static_cast<int>(meta_number(db, "kdf_algorithm", path));
    kdf.opslimit = meta_number(db, "kdf_opslimit", path);
    kdf.memlimit = meta_number(db, "kdf_memlimit", path);
    return kdf;
}

crypto::SecureBytes unwrap_data_key(SQLite::Database& db, const fs::path& path,
                                    crypto::ByteView journal_id,
                                    const crypto::SecureBytes& passphrase, crypto::KdfParams& kdf) {
    const crypto::Bytes salt = read_meta(db, "kdf_salt", path);
    kdf = read_kdf(db, path);
    const crypto::Bytes wrapped = read_meta(db, "data_key", path);
    const crypto::SecureBytes kek = crypto::derive_key(passphrase, salt, kdf);
    auto key = crypto::open(kek, wrapped, with_suffix(k_data_key_ad, journal_id, ""));
    if (!key || key->size() != crypto::k_key_size) {
        throw AuthError(fmt::format("that passphrase does not unlock the journal at {}; "
                                    "nothing was changed",
                                    path.string()));
    }
    return std::move(*key);
}

void write_link_keys(SQLite::Database& db, const crypto::SecureBytes& data_key,
                     crypto::ByteView journal_id) {
    const crypto::LinkKeyPair pair = crypto::new_link_key_pair();
    write_meta(db, "link_public_key", pair.public_key);
    write_meta(
        db, "link_secret_key",
        crypto::seal(data_key, pair.secret_key.view(), with_suffix(k_link_key_ad, journal_id, "")));
}

std::optional<crypto::SecureBytes> open_link_secret(SQLite::Database& db, const fs::path& path,
                                                    const crypto::SecureBytes& data_key,
                                                    crypto::ByteView journal_id) {
    const crypto::Bytes sealed = read_meta(db, "link_secret_key", path);
    auto sk = crypto::open(data_key, sealed, with_suffix(k_link_key_ad, journal_id, ""));
    if (!sk || sk->size() != crypto::k_link_key_size) {
        return std::nullopt;
    }
    return sk;
}

crypto::Bytes checked_link_public_key(SQLite::Database& db, const fs::path& path,
                                      const crypto::SecureBytes& secret_key) {
    // The stored public key is only a copy: the one that counts is derived from
    // the secret key, which is sealed under the data key. A copy that was
    // swapped in the file (so that shares would go to someone else) is refused.
    crypto::Bytes pk = crypto::link_public_key_from(secret_key);
    const crypto::Bytes stored = read_meta(db, "link_public_key", path);
    if (!crypto::equal_constant_time(stored, pk)) {
        throw DataError(fmt::format("{}: the partner-link public key in the file does not "
                                    "belong to this journal (changed outside duet?); "
                                    "nothing was sent",
                                    path.string()));
    }
    return pk;
}

Journal::KeyTie read_key_tie(SQLite::Database& db, const crypto::Bytes& journal_id,
                             const fs::path& path) {
    // Each part goes in as "name:size:" and its value, so no two wrappings hash alike.
    std::vector<std::string> heads;
    std::vector<crypto::Bytes> values;
    std::vector<crypto::ByteView> parts;
    for (const char* name :
         {"kdf_salt", "kdf_algorithm", "kdf_opslimit", "kdf_memlimit", "data_key"}) {
        values.push_back(read_meta(db, name, path));
        heads.push_back(fmt::format("{}:{}:", name, values.back().size()));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        parts.push_back(crypto::as_bytes(heads[i]));
        parts.push_back(values[i]);
    }
    return Journal::KeyTie{journal_id, crypto::fingerprint(parts, k_wrapping_tag_size)};
}

} // namespace duet::store
