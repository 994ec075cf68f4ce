#include "duet/error.hpp"
#include "duet/exchange/envelope.hpp"
#include "duet/exchange/invitation.hpp"
#include "duet/exchange/link.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

using namespace duet;
using namespace duet::exchange;

namespace {

struct KeyPair {
    PublicKey pk{};
    crypto::SecureBytes sk{32};
};

// Deterministic keys for known-answer tests.
KeyPair seeded(unsigned char fill) {
    KeyPair k;
    unsigned char seed[crypto_box_SEEDBYTES];
    std::fill(std::begin(seed), std::end(seed), fill);
    crypto_box_seed_keypair(k.pk.data(), k.sk.data(), seed);
    return k;
}

} // namespace

TEST_CASE("exchange::envelope") {
    const KeyPair alex = seeded(1);
    const KeyPair sam = seeded(2);
    const KeyPair stranger = seeded(3);
    const std::string payload = "an answer worth sharing";

    const crypto::Bytes msg =
        seal_message(MessageType::entry, alex.pk, alex.sk, sam.pk, crypto::as_bytes(payload));

    SUBCASE("round trip, and the header routes it") {
        const auto h = peek_header(msg);
        REQUIRE(h);
        CHECK(h->version == 1);
        CHECK(h->type == MessageType::entry);
        CHECK(h->sender == alex.pk);
        CHECK(h->recipient == sam.pk);
        const auto opened = open_message(msg, alex.pk, sam.pk, sam.sk);
        REQUIRE(opened);
        CHECK(opened->payload.str() == payload);
    }
    SUBCASE("deniable: the sender can open it too (same static-static key)") {
        // Each side can compute the key, so a message proves nothing to a third party.
        CHECK(open_message(msg, alex.pk, sam.pk, sam.sk));
    }
    SUBCASE("wrong recipient, wrong sender, stranger") {
        CHECK_FALSE(open_message(msg, alex.pk, stranger.pk, stranger.sk));
        CHECK_FALSE(open_message(msg, stranger.pk, sam.pk, sam.sk));
        const crypto::Bytes forged = seal_message(MessageType::entry, alex.pk, stranger.sk, sam.pk,
                                                  crypto::as_bytes(payload));
        CHECK_FALSE(open_message(forged, alex.pk, sam.pk, sam.sk)); // claims to be Alex, is not
    }
    SUBCASE("every flipped byte and every truncation is refused") {
        for (std::size_t i = 0; i < msg.size(); ++i) {
            crypto::Bytes bad = msg;
            bad[i] ^= 0x20;
            CHECK_FALSE(open_message(bad, alex.pk, sam.pk, sam.sk));
        }
        for (std::size_t n = 0; n < msg.size(); ++n) {
            CHECK_FALSE(open_message(crypto::ByteView(msg.data(), n), alex.pk, sam.pk, sam.sk));
        }
    }
    SUBCASE("a newer version is recognised but not opened") {
        crypto::Bytes newer = msg;
        newer[6] = 2;
        REQUIRE(peek_header(newer));
        CHECK(peek_header(newer)->version == 2);
        CHECK_FALSE(open_message(newer, alex.pk, sam.pk, sam.sk));
    }
    SUBCASE("not a message at all") {
        CHECK_FALSE(peek_header(crypto::as_bytes("duet invitation 1\nid: 00")));
        CHECK_FALSE(peek_header(crypto::Bytes{}));
    }
    SUBCASE("known answer for the byte layout") {
        std::array<unsigned char, 16> id{};
        id.fill(0xab);
        const crypto::Bytes nonce(24, 0x07);
        const crypto::Bytes fixed = seal_message_with(MessageType::acceptance, id, alex.pk, alex.sk,
                                                      sam.pk, crypto::as_bytes("hi"), nonce);
        CHECK(fixed.size() == k_header_size + 24 + 2 + 16);
        CHECK(crypto::to_hex(crypto::ByteView(fixed.data(), 8)) == "445545544d530101");
        CHECK(crypto::ByteView(fixed.data() + 8, 16)[0] == 0xab);
        CHECK(std::equal(alex.pk.begin(), alex.pk.end(), fixed.begin() + 24));
        CHECK(std::equal(sam.pk.begin(), sam.pk.end(), fixed.begin() + 56));
        CHECK(crypto::to_hex(crypto::ByteView(fixed.data() + 88, 24)) ==
              "070707070707070707070707070707070707070707070707");
        CHECK(crypto::to_hex(crypto::ByteView(fixed.data() + 112, 18)) ==
              "a3b3cb6588b8fc850ce7bcf179cd1d8f0e41");
    }
}

TEST_CASE("exchange::safety_code") {
    const KeyPair a = seeded(1);
    const KeyPair b = seeded(2);
    const KeyPair c = seeded(3);
    const std::string ab = safety_code(a.pk, b.pk);
    CHECK(ab == safety_code(b.pk, a.pk));
    CHECK(ab != safety_code(a.pk, c.pk));
    REQUIRE(ab.size() == 14);
    for (std::size_t i = 0; i < ab.size(); ++i) {
        CHECK((i == 4 || i == 9 ? ab[i] == ' ' : (ab[i] >= '0' && ab[i] <= '9')));
    }
}

TEST_CASE("exchange::invitation text") {
    const KeyPair a = seeded(1);
    Invitation inv;
    inv.id = std::string(32, 'a');
    inv.from_name = "Alex";
    inv.message = "I would like us to try this.\n\nNo rush at all.";
    inv.public_key = a.pk;
    inv.date = "2026-11-26";
    const std::string text = render_invitation(inv);
    CHECK(text.find("fine to say no") != std::string::npos);
    const Invitation back = parse_invitation(text, "inv.txt");
    CHECK(back.id == inv.id);
    CHECK(back.from_name == "Alex");
    CHECK(back.message == inv.message);
    CHECK(back.public_key == a.pk);

    CHECK_THROWS_AS(parse_invitation("hello", "x.txt"), DataError);
    std::string broken = text;
    broken.replace(broken.find("key: ") + 5, 4, "!!!!");
    CHECK_THROWS_AS(parse_invitation(broken, "x.txt"), DataError);
    CHECK(clean_name("Al\x1b[31mex\n") == "Al^[[31mex");
    CHECK(clean_name(std::string(200, 'x')).size() == k_max_name);

    Decline d{inv.id, "Not now. Maybe later.", "2026-11-27"};
    const Decline back_d = parse_decline(render_decline(d), "d.txt");
    CHECK(back_d.invitation_id == inv.id);
    CHECK(back_d.message == d.message);
    CHECK_THROWS_AS(parse_decline(text, "d.txt"), DataError);
}

TEST_CASE("exchange::is_conflict_copy") {
    CHECK(is_conflict_copy("duet-share-ab.sync-conflict-20261126-101010-ABCDEF.duet"));
    CHECK(is_conflict_copy("duet-share-ab (conflicted copy 2026-11-26).duet"));
    CHECK_FALSE(is_conflict_copy("duet-share-abcdef.duet"));
}
