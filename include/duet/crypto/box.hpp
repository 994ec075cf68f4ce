#pragma once
// X25519 key agreement (libsodium's crypto_box), for messages between partners.
#include "duet/crypto/secure.hpp"

#include <cstddef>
#include <optional>

namespace duet::crypto {

inline constexpr std::size_t k_box_public_key_size = 32;
inline constexpr std::size_t k_box_secret_key_size = 32;

// The symmetric key both sides of a pair compute (crypto_box_beforenm):
// nullopt when own_secret has the wrong size or the peer's key is weak.
std::optional<SecureBytes> box_shared_key(ByteView peer_public, const SecureBytes& own_secret);

} // namespace duet::crypto
