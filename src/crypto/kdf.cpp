#include "duet/crypto/kdf.hpp"

#include "duet/error.hpp"

#include <sodium.h>

#include <string>

namespace duet::crypto {

static_assert(k_salt_size == crypto_pwhash_SALTBYTES);

KdfParams kdf_preset(std::string_view name) {
    const int alg = crypto_pwhash_ALG_ARGON2ID13;
    if (name == "interactive") {
        return {alg, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    }
    if (name == "moderate" || name.empty()) {
        return {alg, crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    }
    if (name == "sensitive") {
        return {alg, crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
    }
    throw UsageError("DUET_KDF must be interactive, moderate or sensitive (got '" +
                     std::string(name) + "')");
}

std::string_view kdf_preset_name(const KdfParams& params) {
    for (const char* name : {"interactive", "moderate", "sensitive"}) {
        const KdfParams p = kdf_preset(name);
        if (p.algorithm == params.algorithm && p.opslimit == params.opslimit &&
            p.memlimit == params.memlimit) {
            return name;
        }
    }
    return "custom";
}

bool kdf_params_plausible(const KdfParams& params) {
    return params.algorithm == crypto_pwhash_ALG_ARGON2ID13 &&
           params.opslimit >= crypto_pwhash_OPSLIMIT_MIN && params.opslimit <= 64 &&
           params.memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
           params.memlimit <= 2ULL * crypto_pwhash_MEMLIMIT_SENSITIVE;
}

SecureBytes derive_key(const SecureBytes& passphrase, ByteView salt, const KdfParams& params) {
    if (salt.size() != k_salt_size || !kdf_params_plausible(params)) {
        throw DataError("the journal's key-derivation settings are damaged");
    }
    SecureBytes key(k_key_size);
    if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                      passphrase.size(), salt.data(), params.opslimit,
                      static_cast<size_t>(params.memlimit), params.algorithm) != 0) {
        throw RuntimeError("not enough memory to derive the key from the passphrase");
    }
    return key;
}

} // namespace duet::crypto
