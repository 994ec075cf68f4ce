#pragma once
// Authenticated encryption of small records: XChaCha20-Poly1305 with a fresh
// random nonce per call. Sealed layout: nonce (24 bytes) || ciphertext || tag (16 bytes).
#include "duet/crypto/secure.hpp"

#include <optional>

namespace duet::crypto {

inline constexpr std::size_t k_nonce_size = 24;
inline constexpr std::size_t k_tag_size = 16;
inline constexpr std::size_t k_seal_overhead = k_nonce_size + k_tag_size;

Bytes seal(const SecureBytes& key, ByteView plaintext, ByteView associated_data);
// Same, with a caller-chosen nonce: only for known-answer tests.
Bytes seal_with_nonce(const SecureBytes& key, ByteView plaintext, ByteView associated_data,
                      ByteView nonce);

// nullopt when the record was altered, truncated, or sealed under another key or AD.
std::optional<SecureBytes> open(const SecureBytes& key, ByteView sealed, ByteView associated_data);

// Same, decrypting into a caller's reusable buffer (grown when too small), so a
// scan over many records does not allocate guarded memory for each one.
bool open_into(const SecureBytes& key, ByteView sealed, ByteView associated_data, SecureBytes& out);

// Keyed BLAKE2b, used for the reminder's day markers.
Bytes keyed_hash(ByteView key, ByteView message, std::size_t out_size);

} // namespace duet::crypto
