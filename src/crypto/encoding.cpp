#include "duet/crypto/encoding.hpp"

#include <sodium.h>

#include <cstring>

namespace duet::crypto {

std::string to_base64(ByteView bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::optional<Bytes> from_base64(std::string_view text) {
    if (text.empty()) {
        return Bytes{}; // libsodium must not be handed an empty (null) buffer
    }
    Bytes out(text.size());
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), " \t\r\n", &len,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

} // namespace duet::crypto
