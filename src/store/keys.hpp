#pragma once
// The journal's keys: the data key wrapped under a passphrase, the partner
// link's key pair, the reminder key, what `duet unlock` ties a kept key to,
// and the associated data that binds every sealed value to its place.
// Raw cryptography stays in crypto/. Private to src/store.
#include "duet/crypto/kdf.hpp"
#include "duet/store/journal.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace duet::store {

inline constexpr std::size_t k_journal_id_size = 16;

// Associated data: a sealed value opens only under the journal, id and name it was sealed for.
crypto::Bytes entry_ad(crypto::ByteView journal_id, std::int64_t id);
crypto::Bytes record_ad(crypto::ByteView journal_id, std::int64_t id, std::string_view kind);
crypto::Bytes setting_ad(crypto::ByteView journal_id, const std::string& name);

// Keyed hashes: an entry's day marker (under the reminder key, so `--remind`
// can ask without the passphrase) and a seen identity (under the data key).
crypto::Bytes day_tag(crypto::ByteView reminder_key, util::DayNumber day);
crypto::Bytes seen_tag(const crypto::SecureBytes& data_key, std::string_view identity);

std::optional<crypto::SecureBytes> load_reminder_key(const DataFolder& folder);
// Writes a new reminder key unless the folder holds one.
void ensure_reminder_key(const DataFolder& folder);

// The data key sealed under a key derived from a passphrase (the slow part,
// done before any transaction opens), then stored in meta.
struct Wrapping {
    crypto::Bytes salt;
    crypto::KdfParams kdf;
    crypto::Bytes wrapped_key;
};
Wrapping wrap_data_key(const crypto::SecureBytes& data_key, crypto::ByteView journal_id,
                       const crypto::SecureBytes& passphrase, const crypto::KdfParams& kdf);
void write_wrapping(SQLite::Database& db, const Wrapping& wrapping);
crypto::KdfParams read_kdf(SQLite::Database& db, const fs::path& path);
// Sets kdf to the stored settings; AuthError when the passphrase does not unwrap the key.
crypto::SecureBytes unwrap_data_key(SQLite::Database& db, const fs::path& path,
                                    crypto::ByteView journal_id,
                                    const crypto::SecureBytes& passphrase, crypto::KdfParams& kdf);

// A new link key pair, the secret half sealed under the data key.
void write_link_keys(SQLite::Database& db, const crypto::SecureBytes& data_key,
                     crypto::ByteView journal_id);
// nullopt when the sealed secret does not open (or is not a key).
std::optional<crypto::SecureBytes> open_link_secret(SQLite::Database& db, const fs::path& path,
                                                    const crypto::SecureBytes& data_key,
                                                    crypto::ByteView journal_id);
// The public half, derived from the secret one and checked against the stored copy.
crypto::Bytes checked_link_public_key(SQLite::Database& db, const fs::path& path,
                                      const crypto::SecureBytes& secret_key);

Journal::KeyTie read_key_tie(SQLite::Database& db, const crypto::Bytes& journal_id,
                             const fs::path& path);

} // namespace duet::store
