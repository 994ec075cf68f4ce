#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/exchange/envelope.hpp"
#include "duet/exchange/invitation.hpp"
#include "duet/exchange/link.hpp"
#include "duet/store/journal.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <filesystem>
#include <map>

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
    REQUIRE(ab.size() == 24);
    for (std::size_t i = 0; i < ab.size(); ++i) {
        CHECK((i % 5 == 4 ? ab[i] == ' ' : (ab[i] >= '0' && ab[i] <= '9')));
    }
    // The first twelve digits are the code of the first release (the oracle:
    // BLAKE2b of the label and the sorted keys, first 8 bytes mod 10^12).
    const PublicKey& lo =
        std::lexicographical_compare(a.pk.begin(), a.pk.end(), b.pk.begin(), b.pk.end()) ? a.pk
                                                                                         : b.pk;
    const PublicKey& hi = &lo == &a.pk ? b.pk : a.pk;
    crypto::Bytes msg;
    const std::string label = "duet-safety-code-v1";
    msg.insert(msg.end(), label.begin(), label.end());
    msg.insert(msg.end(), lo.begin(), lo.end());
    msg.insert(msg.end(), hi.begin(), hi.end());
    const crypto::Bytes h = crypto::keyed_hash({}, msg, 32);
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) {
        n = (n << 8) | h[static_cast<std::size_t>(i)];
    }
    const std::string old = fmt::format("{:012}", n % 1000000000000ULL);
    CHECK(ab.substr(0, 14) ==
          fmt::format("{} {} {}", old.substr(0, 4), old.substr(4, 4), old.substr(8, 4)));
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

    Decline d{inv.id, decline_text(DeclineKind::not_now, "  I need time.\n"), "2026-11-27"};
    CHECK(d.message == "Not now.\nI need time.");
    CHECK(decline_text(DeclineKind::no_thank_you, "") == "No, thank you.");
    const std::string decline_file = render_decline(d);
    CHECK(decline_file.starts_with("Not now.\nI need time.\n\n-- duet decline 1 --\n"));
    const Decline back_d = parse_decline(decline_file, "d.txt");
    CHECK(back_d.invitation_id == inv.id);
    CHECK(back_d.message == d.message);
    CHECK_THROWS_AS(parse_decline(text, "d.txt"), DataError);
}

TEST_CASE("exchange::invitation layout: human words first, machine fields last") {
    const KeyPair a = seeded(1);
    Invitation inv;
    inv.id = std::string(32, 'b');
    inv.from_name = "";
    inv.message = fmt::format("-- duet invitation 1 --\nid: {}", std::string(32, 'c'));
    inv.public_key = a.pk;
    const std::string text = render_invitation(inv);
    CHECK(text.starts_with("Your partner would like to keep a duet journal alongside you."));
    CHECK(text.rfind("\nid: ") > text.find("What joining would mean"));
    // A note that quotes the mark and an id cannot stand in for the real fields.
    const Invitation back = parse_invitation(text, "inv.txt");
    CHECK(back.id == inv.id);
    CHECK(back.message == inv.message);
    CHECK(back.from_name.empty());

    // The first release's layout still reads.
    const std::string first = fmt::format("duet invitation 1\nid: {}\nfrom: Alex\ndate: "
                                          "2026-11-26\nkey: {}\nmessage:\n> hello\n\nAlex "
                                          "would like ...\n",
                                          std::string(32, 'd'), to_base64(a.pk));
    const Invitation old = parse_invitation(first, "old.txt");
    CHECK(old.id == std::string(32, 'd'));
    CHECK(old.message == "hello");
    const Decline old_decline = parse_decline(
        fmt::format("duet decline 1\ninvitation: {}\n\nprose\n", std::string(32, 'd')), "o.txt");
    CHECK(old_decline.message == "No, thank you.");
    // A note of blank space is no note: it still reads back after a round trip.
    const Decline blank = parse_decline(
        fmt::format("duet decline 1\ninvitation: {}\nmessage:\n>  \n\n", std::string(32, 'd')),
        "b.txt");
    CHECK(blank.message == "No, thank you.");
    CHECK(parse_decline(render_decline(blank), "again.txt").message == "No, thank you.");
}

TEST_CASE("exchange::is_conflict_copy") {
    CHECK(is_conflict_copy("duet-share-ab.sync-conflict-20261126-101010-ABCDEF.duet"));
    CHECK(is_conflict_copy("duet-share-ab (conflicted copy 2026-11-26).duet"));
    CHECK_FALSE(is_conflict_copy("duet-share-abcdef.duet"));
}

TEST_CASE("exchange::number_partner_entries gives an old journal's partner entries numbers") {
    // Journals from before one number per entry kept the partner's entries
    // under the partner's own numbers, which collided with this journal's.
    store::Journal j = store::Journal::create(test::fresh_folder("numbering"), test::pass("pw"),
                                              test::cheapest_kdf());
    const auto entry = [](std::string answer) {
        return test::sample_entry(std::move(answer));
    };
    const auto old_record = [&](std::int64_t source, int revision, const std::string& answer) {
        crypto::SecureBytes plain(256);
        store::encode_entry_into(entry(answer), plain);
        const nlohmann::json stored = {{"source_id", source},
                                       {"revision", revision},
                                       {"message", fmt::format("m{}-{}", source, revision)},
                                       {"entry", nlohmann::json::binary_t(std::vector<std::uint8_t>(
                                                     plain.data(), plain.data() + plain.size()))}};
        const auto packed = nlohmann::json::to_msgpack(stored);
        j.add_record("received", std::string(packed.begin(), packed.end()));
    };
    store::Entry mine1 = entry("mine 1");
    store::Entry mine2 = entry("mine 2");
    j.add(mine1);
    j.add(mine2);
    old_record(1, 1, "theirs 1");
    old_record(2, 1, "theirs 2");
    old_record(1, 2, "theirs 1, again");

    const auto numbers = [&] {
        std::map<std::string, std::int64_t> out;
        for (const store::Entry& e : partner_entries(j, [](std::int64_t, const std::string&) {
                                         FAIL("nothing is damaged");
                                     }).visible) {
            out[*e.answer] = e.id;
        }
        return out;
    };
    CHECK(numbers() ==
          std::map<std::string, std::int64_t>{{"theirs 1, again", 1}, {"theirs 2", 2}});
    number_partner_entries(j);
    const auto after = numbers();
    CHECK(after == std::map<std::string, std::int64_t>{{"theirs 1, again", 3}, {"theirs 2", 4}});
    number_partner_entries(j); // once done, nothing changes
    CHECK(numbers() == after);
    store::Entry mine3 = entry("mine 3");
    CHECK(j.add(mine3) == 5);
    CHECK(j.reserve_number() == 6);
    store::Entry mine4 = entry("mine 4");
    CHECK(j.add(mine4) == 7);
}
