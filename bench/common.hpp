#pragma once
// What the benchmark's two programs agree on: the passphrase and the KDF settings.
#include "duet/crypto/kdf.hpp"
#include "duet/crypto/secure.hpp"

#include <sodium.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace duet::bench {

// Used when DUET_PASSPHRASE is not set; the journals are throwaway test data.
inline constexpr std::string_view k_default_passphrase = "duet bench passphrase";

inline std::string bench_passphrase() {
    const char* v = std::getenv("DUET_PASSPHRASE");
    return v != nullptr && *v != '\0' ? std::string(v) : std::string(k_default_passphrase);
}

inline crypto::SecureBytes bench_passphrase_bytes() {
    const std::string p = bench_passphrase();
    return crypto::SecureBytes(crypto::as_bytes(p));
}

// duet's presets, plus "minimal": libsodium's lowest Argon2id cost, so a run on a
// journal rewrapped with it measures the work after the unlock almost alone.
inline crypto::KdfParams bench_kdf(std::string_view name) {
    if (name == "minimal") {
        return {crypto_pwhash_ALG_ARGON2ID13, crypto_pwhash_OPSLIMIT_MIN,
                crypto_pwhash_MEMLIMIT_MIN};
    }
    return crypto::kdf_preset(name);
}

} // namespace duet::bench
