#pragma once
// What several unit-test files share: fresh journal folders, a sample entry,
// and the cheapest key derivation libsodium allows (the unit tests check duet,
// not Argon2id's cost; only the test of the presets uses a real one).
#include "duet/crypto/kdf.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/store/journal.hpp"

#include <sodium.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace duet::test {

inline crypto::KdfParams cheapest_kdf() {
    return {crypto_pwhash_ALG_ARGON2ID13, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

inline crypto::SecureBytes pass(std::string_view s) {
    return crypto::SecureBytes(crypto::as_bytes(s));
}

// A journal folder of this name under the test's working folder, emptied.
inline store::DataFolder fresh_folder(const std::string& name) {
    std::filesystem::remove_all(name);
    return {std::filesystem::absolute(name)};
}

// A text answer to the daily pack's "noticed" prompt, written an hour into `day`.
inline store::Entry sample_entry(std::string answer, util::DayNumber day = 20000) {
    store::Entry e;
    e.created_at = {day * 86400 + 3600, 0};
    e.day = day;
    e.pack = "daily";
    e.prompt_id = "noticed";
    e.prompt_text = "What did I notice?";
    e.kind = "text";
    e.answer = std::move(answer);
    return e;
}

} // namespace duet::test
