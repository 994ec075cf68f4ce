#include "duet/exchange/envelope.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/crypto/box.hpp"
#include "duet/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace duet::exchange {

namespace {

constexpr unsigned char k_magic[6] = {'D', 'U', 'E', 'T', 'M', 'S'};
constexpr std::uint8_t k_version = 1;

crypto::Bytes encode_header(const Header& h) {
    crypto::Bytes out(std::begin(k_magic), std::end(k_magic));
    out.push_back(h.version);
    out.push_back(static_cast<unsigned char>(h.type));
    out.insert(out.end(), h.id.begin(), h.id.end());
    out.insert(out.end(), h.sender.begin(), h.sender.end());
    out.insert(out.end(), h.recipient.begin(), h.recipient.end());
    return out;
}

crypto::SecureBytes shared_key(const PublicKey& peer, const crypto::SecureBytes& own_secret) {
    auto key = crypto::box_shared_key(peer, own_secret);
    if (!key) {
        throw DataError("a partner key is not usable (a weak or damaged public key)");
    }
    return std::move(*key);
}

} // namespace

std::optional<Header> peek_header(crypto::ByteView file) {
    if (file.size() < k_header_size ||
        !std::equal(std::begin(k_magic), std::end(k_magic), file.begin())) {
        return std::nullopt;
    }
    Header h;
    h.version = file[6];
    h.type = static_cast<MessageType>(file[7]);
    std::copy_n(file.begin() + 8, 16, h.id.begin());
    std::copy_n(file.begin() + 24, 32, h.sender.begin());
    std::copy_n(file.begin() + 56, 32, h.recipient.begin());
    return h;
}

crypto::Bytes seal_message_with(MessageType type, const std::array<unsigned char, 16>& id,
                                const PublicKey& sender, const crypto::SecureBytes& sender_secret,
                                const PublicKey& recipient, crypto::ByteView payload,
                                crypto::ByteView nonce) {
    Header h;
    h.version = k_version;
    h.type = type;
    h.id = id;
    h.sender = sender;
    h.recipient = recipient;
    crypto::Bytes out = encode_header(h);
    const crypto::SecureBytes key = shared_key(recipient, sender_secret);
    const crypto::Bytes sealed = crypto::seal_with_nonce(key, payload, out, nonce);
    out.insert(out.end(), sealed.begin(), sealed.end());
    return out;
}

crypto::Bytes seal_message(MessageType type, const PublicKey& sender,
                           const crypto::SecureBytes& sender_secret, const PublicKey& recipient,
                           crypto::ByteView payload) {
    std::array<unsigned char, 16> id{};
    const crypto::Bytes random_id = crypto::random_bytes(id.size());
    std::copy(random_id.begin(), random_id.end(), id.begin());
    const crypto::Bytes nonce = crypto::random_bytes(crypto::k_nonce_size);
    return seal_message_with(type, id, sender, sender_secret, recipient, payload, nonce);
}

std::optional<Opened> open_message(crypto::ByteView file, const PublicKey& expected_sender,
                                   const PublicKey& recipient,
                                   const crypto::SecureBytes& recipient_secret) {
    const auto h = peek_header(file);
    if (!h || h->version != k_version || file.size() > k_max_message_size ||
        file.size() < k_header_size + crypto::k_seal_overhead ||
        h->type < MessageType::acceptance || h->type > MessageType::leave ||
        !crypto::equal_constant_time(h->sender, expected_sender) ||
        !crypto::equal_constant_time(h->recipient, recipient)) {
        return std::nullopt;
    }
    crypto::SecureBytes key = [&] {
        try {
            return shared_key(expected_sender, recipient_secret);
        } catch (const DataError&) {
            return crypto::SecureBytes();
        }
    }();
    if (key.empty()) {
        return std::nullopt;
    }
    auto plain = crypto::open(key, file.subspan(k_header_size), file.first(k_header_size));
    if (!plain) {
        return std::nullopt;
    }
    return Opened{*h, std::move(*plain)};
}

std::string safety_code(const PublicKey& a, const PublicKey& b) {
    // A fixed order, so both partners compute the same code.
    const bool a_first = std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    const PublicKey& lo = a_first ? a : b;
    const PublicKey& hi = a_first ? b : a;
    crypto::Bytes msg;
    const std::string label = "duet-safety-code-v1";
    msg.insert(msg.end(), label.begin(), label.end());
    msg.insert(msg.end(), lo.begin(), lo.end());
    msg.insert(msg.end(), hi.begin(), hi.end());
    const crypto::Bytes h = crypto::keyed_hash({}, msg, 32);
    const auto number = [&h](std::size_t from) {
        std::uint64_t n = 0;
        for (std::size_t i = from; i < from + 8; ++i) {
            n = (n << 8) | h[i];
        }
        return n;
    };
    // Twelve digits from the first 8 bytes (as before), eight more from the next 8.
    const std::string digits =
        fmt::format("{:012}{:08}", number(0) % 1000000000000ULL, number(8) % 100000000ULL);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); i += 4) {
        out += (out.empty() ? "" : " ") + digits.substr(i, 4);
    }
    return out;
}

PublicKey to_public_key(crypto::ByteView bytes) {
    if (bytes.size() != 32) {
        throw DataError("a partner public key must be 32 bytes");
    }
    PublicKey pk{};
    std::copy(bytes.begin(), bytes.end(), pk.begin());
    return pk;
}

} // namespace duet::exchange
