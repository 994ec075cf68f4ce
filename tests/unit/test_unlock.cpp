#include "duet/cli/unlock.hpp"
#include "duet/crypto/keyring.hpp"
#include "duet/error.hpp"
#include "duet/store/journal.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>
#include <keyutils.h>
#include <sodium.h>

using namespace duet;
using store::Journal;
using test::fresh_folder;
using test::pass;

TEST_CASE("store::Journal::open_with_key") {
    const auto kdf = test::cheapest_kdf();
    const auto folder = fresh_folder("unlock1");
    Journal j = Journal::create(folder, pass("pw"), kdf);
    store::Entry e = test::sample_entry("kept");
    j.add(e);
    const Journal::KeyTie tie = j.key_tie();

    SUBCASE("the tie reads the same without the passphrase") {
        const Journal::KeyTie unread = Journal::key_tie(folder);
        CHECK(unread.journal_id == tie.journal_id);
        CHECK(unread.wrapping == tie.wrapping);
        CHECK(tie.wrapping.size() == 16);
    }
    SUBCASE("the data key opens the journal without Argon2id") {
        Journal again = Journal::open_with_key(folder, j.copy_data_key());
        REQUIRE(again.find(1));
        CHECK(again.find(1)->answer == "kept");
        CHECK(again.kdf().opslimit == kdf.opslimit);
    }
    SUBCASE("a wrong or short key is refused") {
        crypto::SecureBytes wrong(crypto::k_key_size);
        randombytes_buf(wrong.data(), wrong.size());
        CHECK_THROWS_AS(Journal::open_with_key(folder, std::move(wrong)), AuthError);
        CHECK_THROWS_AS(Journal::open_with_key(folder, crypto::SecureBytes(16)), AuthError);
    }
    SUBCASE("another journal's key is refused") {
        const auto other = fresh_folder("unlock2");
        Journal o = Journal::create(other, pass("pw"), kdf);
        CHECK_THROWS_AS(Journal::open_with_key(folder, o.copy_data_key()), AuthError);
    }
    SUBCASE("a new passphrase changes the wrapping, not the journal or its key") {
        j.change_passphrase(pass("new"), kdf);
        const Journal::KeyTie after = Journal::key_tie(folder);
        CHECK(after.journal_id == tie.journal_id);
        CHECK(after.wrapping != tie.wrapping);
        CHECK(cli::held_key_name(after) != cli::held_key_name(tie));
        CHECK_NOTHROW(Journal::open_with_key(folder, j.copy_data_key()));
    }
}

TEST_CASE("cli::parse_unlock_duration") {
    using std::chrono::seconds;
    CHECK(cli::parse_unlock_duration("90s") == seconds(90));
    CHECK(cli::parse_unlock_duration("15m") == seconds(900));
    CHECK(cli::parse_unlock_duration("2h") == seconds(7200));
    CHECK(cli::parse_unlock_duration("1h30m") == seconds(5400));
    CHECK(cli::parse_unlock_duration("1h0m5s") == seconds(3605));
    CHECK(cli::parse_unlock_duration("8h") == seconds(8 * 3600));
    CHECK(cli::parse_unlock_duration("480m") == seconds(8 * 3600));
    for (const char* bad : {"", "15", "0s", "0h0m0s", "8h1s", "481m", "m", "1m30", "30m1h", "1h1h",
                            "1.5h", "-5m", " 5m", "5m ", "5M", "1d", "9999999s"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(cli::parse_unlock_duration(bad), UsageError);
    }
    CHECK(cli::describe_duration(seconds(5400)) == "1 hour 30 minutes");
    CHECK(cli::describe_duration(seconds(61)) == "1 minute 1 second");
    CHECK(cli::describe_duration(seconds(8 * 3600)) == "8 hours");
}

TEST_CASE("crypto::keyring") {
    // A session keyring of this test run's own; where the kernel gives none
    // (keyutils blocked), there is nothing here to test.
    if (keyctl_join_session_keyring(nullptr) < 0) {
        MESSAGE("no kernel keyring here; crypto::keyring not tested");
        return;
    }
    crypto::SecureBytes key(32);
    randombytes_buf(key.data(), key.size());
    const auto held = crypto::keyring::hold("duet-unit-test:a", key, std::chrono::seconds(60));
    REQUIRE(held.place);
    CHECK(*held.place == crypto::keyring::Place::session);
    const auto back = crypto::keyring::fetch("duet-unit-test:a", 32);
    REQUIRE(back);
    CHECK(crypto::equal_constant_time(back->view(), key.view()));
    CHECK_FALSE(crypto::keyring::fetch("duet-unit-test:a", 16)); // not the size asked for
    CHECK_FALSE(crypto::keyring::fetch("duet-unit-test:b", 32));

    // Holding again under the name replaces the key: one is kept, not two.
    crypto::SecureBytes second(32);
    randombytes_buf(second.data(), second.size());
    REQUIRE(crypto::keyring::hold("duet-unit-test:a", second, std::chrono::seconds(60)).place);
    CHECK(crypto::equal_constant_time(crypto::keyring::fetch("duet-unit-test:a", 32)->view(),
                                      second.view()));
    REQUIRE(crypto::keyring::hold("duet-unit-test:c", key, std::chrono::seconds(60)).place);
    CHECK(crypto::keyring::drop("duet-unit-test:") == 2);
    CHECK_FALSE(crypto::keyring::fetch("duet-unit-test:a", 32));
    CHECK_FALSE(crypto::keyring::fetch("duet-unit-test:c", 32));
    CHECK(crypto::keyring::drop("duet-unit-test:") == 0);
}
