#pragma once
// Base64 (the original alphabet, with padding) for keys written as text.
#include "duet/crypto/secure.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace duet::crypto {

std::string to_base64(ByteView bytes);
// Spaces, tabs and line breaks are ignored; nullopt when the text is not base64.
std::optional<Bytes> from_base64(std::string_view text);

} // namespace duet::crypto
