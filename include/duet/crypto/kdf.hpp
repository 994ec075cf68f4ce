#pragma once
// Passphrase key derivation (Argon2id) and the presets of DUET_KDF.
#include "duet/crypto/secure.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace duet::crypto {

struct KdfParams {
    int algorithm = 0; // libsodium's crypto_pwhash_ALG_* value
    std::uint64_t opslimit = 0;
    std::uint64_t memlimit = 0;
};

inline constexpr std::size_t k_salt_size = 16; // crypto_pwhash_SALTBYTES
inline constexpr std::size_t k_key_size = 32;

// "interactive", "moderate" (the default) or "sensitive"; throws UsageError otherwise.
KdfParams kdf_preset(std::string_view name);
std::string_view kdf_preset_name(const KdfParams& params);

// Rejects parameters no duet would have written (a damaged or hostile journal
// must not make us allocate gigabytes or spin for hours).
bool kdf_params_plausible(const KdfParams& params);

// Derives a 32-byte key-encryption key from a passphrase.
SecureBytes derive_key(const SecureBytes& passphrase, ByteView salt, const KdfParams& params);

} // namespace duet::crypto
