#pragma once
// The shared-folder message format: one immutable file per message, encrypted
// to the partner and authenticated with the sender's static key (deniable:
// both partners can compute the key, so neither can prove who wrote it).
//
// Byte layout (version 1), all integers unsigned:
//   0   6  magic "DUETMS"
//   6   1  version (1)
//   7   1  type (1 = acceptance, 2 = shared entry, 3 = withdrawal of a shared
//          entry, 4 = the sender has ended the link)
//   8  16  message id (random)
//  24  32  sender's X25519 public key
//  56  32  recipient's X25519 public key
//  88  24  nonce
// 112   …  XChaCha20-Poly1305 ciphertext + 16-byte tag of the payload, under
//          crypto_box_beforenm(recipient, sender); bytes 0-87 are the associated data.
#include "duet/crypto/encoding.hpp"
#include "duet/crypto/secure.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace duet::exchange {

using PublicKey = std::array<unsigned char, 32>;

enum class MessageType : std::uint8_t { acceptance = 1, entry = 2, withdrawal = 3, leave = 4 };

inline constexpr std::size_t k_header_size = 88;
inline constexpr std::size_t k_max_message_size = 4 * 1024 * 1024;

struct Header {
    std::uint8_t version = 1;
    MessageType type = MessageType::entry;
    std::array<unsigned char, 16> id{};
    PublicKey sender{};
    PublicKey recipient{};
};

// Reads just the header (for routing: is it for me, from whom?). nullopt when
// the bytes are not a duet message at all. A newer version is reported via
// Header::version so the caller can say "update duet".
std::optional<Header> peek_header(crypto::ByteView file);

crypto::Bytes seal_message(MessageType type, const PublicKey& sender,
                           const crypto::SecureBytes& sender_secret, const PublicKey& recipient,
                           crypto::ByteView payload);
// Same with a fixed id and nonce: only for known-answer tests.
crypto::Bytes seal_message_with(MessageType type, const std::array<unsigned char, 16>& id,
                                const PublicKey& sender, const crypto::SecureBytes& sender_secret,
                                const PublicKey& recipient, crypto::ByteView payload,
                                crypto::ByteView nonce);

struct Opened {
    Header header;
    crypto::SecureBytes payload;
};
// nullopt when the message fails authentication: altered, truncated, not for
// this recipient, or not from the expected sender.
std::optional<Opened> open_message(crypto::ByteView file, const PublicKey& expected_sender,
                                   const PublicKey& recipient,
                                   const crypto::SecureBytes& recipient_secret);

// "1234 5678 9012 3456 7890": twenty digits (about 66 bits, too many to search
// for a colliding key), the same for both partners whatever the argument
// order. The first twelve are the code earlier versions of duet showed.
std::string safety_code(const PublicKey& a, const PublicKey& b);

PublicKey to_public_key(crypto::ByteView bytes); // throws DataError if not 32 bytes
// Keys in invitations and link records are written in base64.
using crypto::from_base64;
using crypto::to_base64;

} // namespace duet::exchange
