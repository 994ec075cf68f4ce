// Everything in the shared folder may come from someone else: sealed messages,
// invitations and declines. Reading them must refuse or accept, never crash, and
// only DataError may escape the text parsers.
#include "check.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/exchange/envelope.hpp"
#include "duet/exchange/invitation.hpp"
#include "duet/util/text.hpp"

#include <sodium.h>

#include <algorithm>
#include <memory>
#include <string>

using duet::fuzz::require;
namespace exchange = duet::exchange;
namespace crypto = duet::crypto;

namespace {

struct TestKeys {
    exchange::PublicKey pk{};
    crypto::SecureBytes sk;
};

// Fixed seeds, so the seed corpus can hold messages these keys really open.
std::unique_ptr<TestKeys> keys_from_seed(unsigned char fill) {
    auto keys = std::make_unique<TestKeys>();
    keys->sk = crypto::SecureBytes(crypto_box_SECRETKEYBYTES);
    unsigned char seed[crypto_box_SEEDBYTES];
    std::fill(std::begin(seed), std::end(seed), fill);
    crypto_box_seed_keypair(keys->pk.data(), keys->sk.data(), seed);
    return keys;
}

std::unique_ptr<TestKeys> g_alex; // writes to sam
std::unique_ptr<TestKeys> g_sam;

void check_header(crypto::ByteView bytes) {
    const auto header = exchange::peek_header(bytes);
    if (!header) {
        return;
    }
    require(bytes.size() >= exchange::k_header_size, "a header needs 88 bytes");
    require(header->version == bytes[6] && static_cast<unsigned char>(header->type) == bytes[7],
            "version and type are bytes 6 and 7");
    require(std::equal(header->id.begin(), header->id.end(), bytes.begin() + 8) &&
                std::equal(header->sender.begin(), header->sender.end(), bytes.begin() + 24) &&
                std::equal(header->recipient.begin(), header->recipient.end(), bytes.begin() + 56),
            "id and keys are read from their offsets");

    // Keys taken from the file itself, as the inbox does for acceptances: the
    // shared-key derivation and the decryption then see arbitrary keys and bytes.
    const auto opened = exchange::open_message(bytes, header->sender, header->recipient, g_sam->sk);
    if (opened) {
        require(opened->payload.size() + exchange::k_header_size + crypto::k_seal_overhead ==
                    bytes.size(),
                "an opened payload is the message minus header, nonce and tag");
    }
}

void check_open(crypto::ByteView bytes, const TestKeys& from, const TestKeys& to) {
    const auto opened = exchange::open_message(bytes, from.pk, to.pk, to.sk);
    if (!opened) {
        return;
    }
    require(opened->header.sender == from.pk && opened->header.recipient == to.pk,
            "an opened message is from the expected sender to us");
    require(opened->header.version == 1, "only version 1 opens");
}

// The parser drops one '\r' per line (files edited on Windows); a note that kept a
// second one loses it on the way back. Harmless: notes are shown through printable().
std::string without_line_end_cr(std::string_view note) {
    std::string out;
    for (const std::string& line : duet::util::split(note, '\n')) {
        const auto end = line.find_last_not_of('\r');
        out += line.substr(0, end == std::string::npos ? 0 : end + 1) + "\n";
    }
    return out;
}

void check_invitation(std::string_view text) {
    exchange::Invitation inv;
    try {
        inv = exchange::parse_invitation(text, "fuzz.txt");
    } catch (const duet::DataError& e) {
        require(std::string_view(e.what()).starts_with("fuzz.txt"), "errors name the file");
        return;
    }
    require(inv.id.size() == 32, "an invitation id has 32 hex digits");
    require(inv.from_name.size() <= exchange::k_max_name &&
                inv.from_name.find_first_of("\n\r\x1b") == std::string::npos &&
                duet::util::is_valid_utf8(inv.from_name),
            "the inviter's name is one short, printable line");
    require(inv.message.size() <= exchange::k_max_note, "the note is bounded");
    // What duet writes, duet reads back the same.
    const auto again = exchange::parse_invitation(exchange::render_invitation(inv), "again.txt");
    require(again.id == inv.id && again.public_key == inv.public_key && again.date == inv.date &&
                without_line_end_cr(again.message) == without_line_end_cr(inv.message),
            "an invitation survives render and parse");
}

void check_decline(std::string_view text) {
    exchange::Decline decline;
    try {
        decline = exchange::parse_decline(text, "fuzz.txt");
    } catch (const duet::DataError& e) {
        require(std::string_view(e.what()).starts_with("fuzz.txt"), "errors name the file");
        return;
    }
    require(decline.message.size() <= exchange::k_max_note, "the note is bounded");
    const auto again = exchange::parse_decline(exchange::render_decline(decline), "again.txt");
    require(again.invitation_id == decline.invitation_id && again.date == decline.date &&
                without_line_end_cr(again.message) == without_line_end_cr(decline.message),
            "a decline survives render and parse");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    crypto::init();
    g_alex = keys_from_seed(0xA1);
    g_sam = keys_from_seed(0x5A);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const crypto::ByteView bytes(data, size);
    check_header(bytes);
    check_open(bytes, *g_alex, *g_sam);
    check_open(bytes, *g_sam, *g_alex);

    const std::string_view text = duet::fuzz::as_text(data, size);
    check_invitation(text);
    check_decline(text);
    return 0;
}
