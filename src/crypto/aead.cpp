#include "duet/crypto/aead.hpp"

#include "duet/error.hpp"

#include <sodium.h>

#include <algorithm>

namespace duet::crypto {

static_assert(k_nonce_size == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(k_tag_size == crypto_aead_xchacha20poly1305_ietf_ABYTES);

Bytes seal_with_nonce(const SecureBytes& key, ByteView plaintext, ByteView associated_data,
                      ByteView nonce) {
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES || nonce.size() != k_nonce_size) {
        throw std::invalid_argument("seal: bad key or nonce size");
    }
    Bytes out(k_nonce_size + plaintext.size() + k_tag_size);
    std::copy(nonce.begin(), nonce.end(), out.begin());
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data() + k_nonce_size, &written, plaintext.data(), plaintext.size(),
        associated_data.data(), associated_data.size(), nullptr, nonce.data(), key.data());
    out.resize(k_nonce_size + written);
    return out;
}

Bytes seal(const SecureBytes& key, ByteView plaintext, ByteView associated_data) {
    unsigned char nonce[k_nonce_size];
    randombytes_buf(nonce, sizeof nonce);
    return seal_with_nonce(key, plaintext, associated_data, ByteView(nonce, sizeof nonce));
}

std::optional<SecureBytes> open(const SecureBytes& key, ByteView sealed, ByteView associated_data) {
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
        sealed.size() < k_seal_overhead) {
        return std::nullopt;
    }
    SecureBytes plain(sealed.size() - k_seal_overhead);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain.data(), &written, nullptr, sealed.data() + k_nonce_size,
            sealed.size() - k_nonce_size, associated_data.data(), associated_data.size(),
            sealed.data(), key.data()) != 0) {
        return std::nullopt;
    }
    plain.resize(written);
    return plain;
}

bool open_into(const SecureBytes& key, ByteView sealed, ByteView associated_data,
               SecureBytes& out) {
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
        sealed.size() < k_seal_overhead) {
        return false;
    }
    const std::size_t need = sealed.size() - k_seal_overhead;
    if (out.capacity() < need) {
        out = SecureBytes(std::max<std::size_t>(need, 2 * out.capacity()));
    }
    // Exactly the plaintext's length: sizing to the whole capacity made the
    // shrink below wipe the unused rest of the buffer on every entry read.
    out.resize(need);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.data(), &written, nullptr, sealed.data() + k_nonce_size,
            sealed.size() - k_nonce_size, associated_data.data(), associated_data.size(),
            sealed.data(), key.data()) != 0) {
        out.resize(0);
        return false;
    }
    out.resize(written);
    return true;
}

Bytes keyed_hash(ByteView key, ByteView message, std::size_t out_size) {
    Bytes out(out_size);
    if (crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(),
                           key.size()) != 0) {
        throw std::invalid_argument("keyed_hash: bad sizes");
    }
    return out;
}

} // namespace duet::crypto
