#include "duet/crypto/keys.hpp"

#include "duet/error.hpp"

#include <sodium.h>

namespace duet::crypto {

static_assert(k_link_key_size == crypto_box_PUBLICKEYBYTES);
static_assert(k_link_key_size == crypto_box_SECRETKEYBYTES);
static_assert(k_link_key_size == crypto_scalarmult_BYTES);
static_assert(k_hash_key_size == crypto_generichash_KEYBYTES);

SecureBytes new_random_key(std::size_t size) {
    SecureBytes key(size);
    randombytes_buf(key.data(), key.size());
    return key;
}

LinkKeyPair new_link_key_pair() {
    LinkKeyPair pair{Bytes(k_link_key_size), SecureBytes(k_link_key_size)};
    crypto_box_keypair(pair.public_key.data(), pair.secret_key.data());
    return pair;
}

Bytes link_public_key_from(const SecureBytes& secret_key) {
    if (secret_key.size() != k_link_key_size) {
        throw DataError("a partner-link secret key has the wrong size");
    }
    Bytes pk(k_link_key_size);
    crypto_scalarmult_base(pk.data(), secret_key.data());
    return pk;
}

Bytes fingerprint(std::span<const ByteView> parts, std::size_t out_size) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, out_size);
    for (const ByteView part : parts) {
        crypto_generichash_update(&st, part.data(), part.size());
    }
    Bytes out(out_size);
    crypto_generichash_final(&st, out.data(), out.size());
    return out;
}

} // namespace duet::crypto
