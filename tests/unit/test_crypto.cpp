#include "duet/crypto/aead.hpp"
#include "duet/crypto/box.hpp"
#include "duet/crypto/encoding.hpp"
#include "duet/crypto/kdf.hpp"
#include "duet/error.hpp"

#include <doctest/doctest.h>

using namespace duet::crypto;

namespace {
Bytes from_hex(std::string_view hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(
            static_cast<unsigned char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

SecureBytes counting_key() {
    Bytes k(32);
    for (int i = 0; i < 32; ++i) {
        k[static_cast<std::size_t>(i)] = static_cast<unsigned char>(i);
    }
    return SecureBytes(k);
}
} // namespace

TEST_CASE("crypto::seal and open") {
    const SecureBytes key = counting_key();
    const Bytes ad = {1, 2, 3};

    SUBCASE("round trip") {
        const Bytes sealed = seal(key, as_bytes("we went for a walk"), ad);
        CHECK(sealed.size() == 18 + k_seal_overhead);
        const auto plain = open(key, sealed, ad);
        REQUIRE(plain);
        CHECK(plain->str() == "we went for a walk");
    }
    SUBCASE("fresh nonce every time") {
        CHECK(seal(key, as_bytes("same"), ad) != seal(key, as_bytes("same"), ad));
    }
    SUBCASE("wrong key, wrong associated data") {
        const Bytes sealed = seal(key, as_bytes("private"), ad);
        SecureBytes other(32);
        for (std::size_t i = 0; i < 32; ++i) {
            other.data()[i] = 7;
        }
        CHECK_FALSE(open(other, sealed, ad));
        CHECK_FALSE(open(key, sealed, Bytes{1, 2, 4}));
    }
    SUBCASE("every flipped byte is detected") {
        const Bytes sealed = seal(key, as_bytes("tamper with me"), ad);
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            Bytes bad = sealed;
            bad[i] ^= 0x01;
            CHECK_FALSE(open(key, bad, ad));
        }
    }
    SUBCASE("truncation is detected") {
        const Bytes sealed = seal(key, as_bytes("short"), ad);
        for (std::size_t n = 0; n < sealed.size(); ++n) {
            CHECK_FALSE(open(key, ByteView(sealed.data(), n), ad));
        }
    }
    SUBCASE("known answer: the sealed layout is nonce || ciphertext || tag") {
        Bytes nonce(24);
        for (std::size_t i = 0; i < 24; ++i) {
            nonce[i] = static_cast<unsigned char>(0x40 + i);
        }
        const Bytes sealed =
            seal_with_nonce(key, as_bytes("duet known answer"), as_bytes("ad"), nonce);
        CHECK(to_hex(sealed) ==
              "404142434445464748494a4b4c4d4e4f5051525354555657"
              "b04c6004f08b1779f89aa7dfc1ef12f7e04f5ea80470688c86bb827e9385fecce7");
    }
}

TEST_CASE("crypto::derive_key") {
    const SecureBytes pass(as_bytes("correct horse"));
    Bytes salt(16);
    for (std::size_t i = 0; i < 16; ++i) {
        salt[i] = static_cast<unsigned char>(0xa0 + i);
    }
    SUBCASE("known answer for Argon2id with the interactive preset") {
        const SecureBytes key = derive_key(pass, salt, kdf_preset("interactive"));
        CHECK(to_hex(key.view()) ==
              "26ab9b50ccacd3e57b89043b2f45030415ac8450e8108229d1a317a894d9ec3e");
    }
    SUBCASE("different salt, different key") {
        Bytes other = salt;
        other[0] ^= 1;
        CHECK(to_hex(derive_key(pass, salt, kdf_preset("interactive")).view()) !=
              to_hex(derive_key(pass, other, kdf_preset("interactive")).view()));
    }
    SUBCASE("presets") {
        CHECK(kdf_preset_name(kdf_preset("moderate")) == "moderate");
        CHECK(kdf_preset_name(kdf_preset("sensitive")) == "sensitive");
        CHECK(kdf_preset("moderate").memlimit > kdf_preset("interactive").memlimit);
        CHECK_THROWS_AS(kdf_preset("fast"), duet::UsageError);
    }
    SUBCASE("implausible stored parameters are refused, not obeyed") {
        KdfParams huge = kdf_preset("sensitive");
        huge.memlimit = 1ULL << 40;
        CHECK_FALSE(kdf_params_plausible(huge));
        CHECK_THROWS_AS(derive_key(pass, salt, huge), duet::DataError);
        CHECK_THROWS_AS(derive_key(pass, Bytes(3), kdf_preset("interactive")), duet::DataError);
    }
}

TEST_CASE("crypto::keyed_hash") {
    const SecureBytes key = counting_key();
    CHECK(to_hex(keyed_hash(key.view(), as_bytes("duet-day-v1:2026-11-26"), 16)) ==
          "c58d07b0dce181973f4111958a416e04");
}

TEST_CASE("crypto::SecureBytes") {
    SecureBytes b(as_bytes("secret"));
    CHECK(b.str() == "secret");
    b.resize(3);
    CHECK(b.str() == "sec");
    CHECK_THROWS(b.resize(100));
    SecureBytes moved = std::move(b);
    CHECK(moved.str() == "sec");
    CHECK(b.empty()); // NOLINT(bugprone-use-after-move): moved-from state is specified
    CHECK(equal_constant_time(as_bytes("abc"), as_bytes("abc")));
    CHECK_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("abd")));
    CHECK_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("ab")));
}

TEST_CASE("crypto::box_shared_key") {
    // The key pairs of RFC 7748 section 6.1; the expected key is NaCl's "firstkey".
    const SecureBytes alice_secret(
        from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    const Bytes alice_public =
        from_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    const SecureBytes bob_secret(
        from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    const Bytes bob_public =
        from_hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const auto ab = box_shared_key(bob_public, alice_secret);
    const auto ba = box_shared_key(alice_public, bob_secret);
    REQUIRE(ab);
    REQUIRE(ba);
    CHECK(to_hex(ab->view()) == "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    CHECK(equal_constant_time(ab->view(), ba->view()));

    SUBCASE("a weak public key is refused") {
        CHECK_FALSE(box_shared_key(Bytes(32, 0), alice_secret));
    }
    SUBCASE("keys of the wrong size are refused") {
        CHECK_FALSE(box_shared_key(Bytes(31, 9), alice_secret));
        CHECK_FALSE(box_shared_key(bob_public, SecureBytes(Bytes(16, 1))));
    }
}

TEST_CASE("crypto::base64") {
    CHECK(to_base64(as_bytes("")) == "");
    // Empty text is no bytes (the fuzzer found libsodium handed a null buffer for it).
    REQUIRE(from_base64("").has_value());
    CHECK(from_base64("")->empty());
    CHECK(to_base64(as_bytes("duet")) == "ZHVldA==");
    CHECK(to_base64(as_bytes("duets")) == "ZHVldHM=");
    const auto back = from_base64(" ZHVl\ndA==\r\n");
    REQUIRE(back);
    CHECK(std::string(back->begin(), back->end()) == "duet");
    CHECK_FALSE(from_base64("ZHVl*dA=="));
    CHECK_FALSE(from_base64("ZHVldA="));
}

TEST_CASE("crypto::wipe") {
    unsigned char buf[5] = {1, 2, 3, 4, 5};
    wipe(buf + 1, 3);
    CHECK(buf[0] == 1);
    CHECK(buf[1] == 0);
    CHECK(buf[3] == 0);
    CHECK(buf[4] == 5);
}
