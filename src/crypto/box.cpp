#include "duet/crypto/box.hpp"

#include <sodium.h>

namespace duet::crypto {

static_assert(k_box_public_key_size == crypto_box_PUBLICKEYBYTES);
static_assert(k_box_secret_key_size == crypto_box_SECRETKEYBYTES);

std::optional<SecureBytes> box_shared_key(ByteView peer_public, const SecureBytes& own_secret) {
    SecureBytes key(crypto_box_BEFORENMBYTES);
    if (peer_public.size() != crypto_box_PUBLICKEYBYTES ||
        own_secret.size() != crypto_box_SECRETKEYBYTES ||
        crypto_box_beforenm(key.data(), peer_public.data(), own_secret.data()) != 0) {
        return std::nullopt;
    }
    return key;
}

} // namespace duet::crypto
