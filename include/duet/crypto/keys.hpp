#pragma once
// Keys that are made rather than derived from a passphrase: fresh random keys,
// the partner link's X25519 pair, and fingerprints of key material.
#include "duet/crypto/secure.hpp"

#include <span>

namespace duet::crypto {

inline constexpr std::size_t k_link_key_size = 32; // X25519, either half
inline constexpr std::size_t k_hash_key_size = 32; // the keyed_hash key

// size random bytes in guarded memory.
SecureBytes new_random_key(std::size_t size);

struct LinkKeyPair {
    Bytes public_key;
    SecureBytes secret_key;
};
LinkKeyPair new_link_key_pair();
// The public half that belongs to a secret one (which must be k_link_key_size bytes).
Bytes link_public_key_from(const SecureBytes& secret_key);

// Unkeyed BLAKE2b over the parts in order, as if they were one message.
Bytes fingerprint(std::span<const ByteView> parts, std::size_t out_size);

} // namespace duet::crypto
