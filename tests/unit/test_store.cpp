#include "duet/error.hpp"
#include "duet/store/journal.hpp"
#include "duet/store/order.hpp"
#include "duet/util/files.hpp"
#include "duet/util/msgpack.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

using namespace duet;
using store::Entry;
using store::Journal;

namespace {

crypto::SecureBytes pass(std::string_view s) {
    return crypto::SecureBytes(crypto::as_bytes(s));
}

store::DataFolder fresh_folder(const std::string& name) {
    std::filesystem::remove_all(name);
    return {std::filesystem::absolute(name)};
}

Entry sample(std::string answer, util::DayNumber day = 20000) {
    Entry e;
    e.created_at = {day * 86400 + 3600, 0};
    e.day = day;
    e.pack = "daily";
    e.prompt_id = "noticed";
    e.prompt_text = "What did I notice?";
    e.kind = "text";
    e.answer = std::move(answer);
    return e;
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("store::Journal") {
    const auto kdf = crypto::kdf_preset("interactive");

    SUBCASE("create, add, read back") {
        const auto folder = fresh_folder("j1");
        Journal j = Journal::create(folder, pass("pw"), kdf);
        Entry a = sample("first");
        Entry b = sample("second");
        b.for_session = true;
        CHECK(j.add(a) == 1);
        CHECK(j.add(b) == 2);
        CHECK(j.count() == 2);
        std::vector<Entry> seen;
        j.for_each([&](const Entry& e) { seen.push_back(e); },
                   [](std::int64_t, const std::string&) { FAIL("nothing is damaged"); });
        REQUIRE(seen.size() == 2);
        CHECK(seen[0].answer == "first");
        CHECK(seen[1].id == 2);
        CHECK(seen[1].for_session);
        CHECK(mode_of(folder.dir) == 0700);
        CHECK(mode_of(folder.journal()) == 0600);
        CHECK(mode_of(folder.reminder_key()) == 0600);
    }

    SUBCASE("reopen with the passphrase; refuse a wrong one without changing a byte") {
        const auto folder = fresh_folder("j2");
        {
            Journal j = Journal::create(folder, pass("right"), kdf);
            Entry e = sample("kept");
            j.add(e);
        }
        const std::string before = util::read_file(folder.journal());
        CHECK_THROWS_AS(Journal::open(folder, pass("wrong")), AuthError);
        CHECK(util::read_file(folder.journal()) == before);
        Journal j = Journal::open(folder, pass("right"));
        CHECK(j.find(1)->answer == "kept");
        CHECK(j.kdf().memlimit == kdf.memlimit);
    }

    SUBCASE("the file holds no plaintext") {
        const auto folder = fresh_folder("j3");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            Entry e = sample("a very particular sentence about the garden");
            j.add(e);
            j.set_setting("last_session", "2026-11-20");
        }
        const std::string raw = util::read_file(folder.journal());
        CHECK(raw.find("particular sentence") == std::string::npos);
        CHECK(raw.find("noticed") == std::string::npos);
        CHECK(raw.find("2026-11-20") == std::string::npos);
    }

    SUBCASE("one damaged entry is named; the others stay readable") {
        const auto folder = fresh_folder("j4");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            for (const char* s : {"one", "two", "three"}) {
                Entry e = sample(s);
                j.add(e);
            }
        }
        {
            SQLite::Database db(folder.journal().string(), SQLite::OPEN_READWRITE);
            // Byte 31 is random ciphertext: give it a value it cannot already have.
            db.exec("UPDATE entries SET sealed = substr(sealed, 1, 30) || "
                    "(CASE substr(sealed, 31, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || "
                    "substr(sealed, 32) WHERE id = 2");
        }
        Journal j = Journal::open(folder, pass("pw"));
        std::vector<std::int64_t> ok;
        std::vector<std::int64_t> bad;
        j.for_each([&](const Entry& e) { ok.push_back(e.id); },
                   [&](std::int64_t id, const std::string& why) {
                       bad.push_back(id);
                       CHECK(why.find("entry 2") != std::string::npos);
                   });
        CHECK(ok == std::vector<std::int64_t>{1, 3});
        CHECK(bad == std::vector<std::int64_t>{2});
        CHECK_THROWS_AS(j.find(2), DataError);
    }

    SUBCASE("entries cannot be swapped: the id is bound") {
        const auto folder = fresh_folder("j5");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            Entry a = sample("a");
            Entry b = sample("b");
            j.add(a);
            j.add(b);
        }
        {
            SQLite::Database db(folder.journal().string(), SQLite::OPEN_READWRITE);
            db.exec("UPDATE entries SET sealed = (SELECT sealed FROM entries WHERE id = 1) WHERE "
                    "id = 2");
        }
        Journal j = Journal::open(folder, pass("pw"));
        CHECK(j.find(1)->answer == "a");
        CHECK_THROWS_AS(j.find(2), DataError);
    }

    SUBCASE("day markers answer 'anything today?' without the passphrase") {
        const auto folder = fresh_folder("j6");
        CHECK_FALSE(Journal::has_entry_on(folder, 20000).has_value());
        Journal j = Journal::create(folder, pass("pw"), kdf);
        CHECK(Journal::has_entry_on(folder, 20000) == false);
        Entry e = sample("x", 20000);
        j.add(e);
        CHECK(Journal::has_entry_on(folder, 20000) == true);
        CHECK(Journal::has_entry_on(folder, 20001) == false);
        CHECK(j.entries_on(20000).size() == 1);
        CHECK(j.entries_on(20001).empty());
    }

    SUBCASE("changing the passphrase rewraps the key only") {
        const auto folder = fresh_folder("j7");
        {
            Journal j = Journal::create(folder, pass("old"), kdf);
            Entry e = sample("still here");
            j.add(e);
            j.change_passphrase(pass("new"), kdf);
        }
        CHECK_THROWS_AS(Journal::open(folder, pass("old")), AuthError);
        CHECK(Journal::open(folder, pass("new")).find(1)->answer == "still here");
    }

    SUBCASE("settings are sealed and round-trip") {
        const auto folder = fresh_folder("j8");
        Journal j = Journal::create(folder, pass("pw"), kdf);
        CHECK_FALSE(j.setting("x"));
        j.set_setting("x", "1");
        j.set_setting("x", "2");
        CHECK(j.setting("x") == "2");
    }

    SUBCASE("a file that is not a journal, and one from a newer duet") {
        const auto folder = fresh_folder("j9");
        util::ensure_private_dir(folder.dir);
        util::write_file_atomic(folder.journal(), "this is not a database at all, just text....");
        CHECK_THROWS_AS(Journal::open(folder, pass("pw")), DataError);

        const auto other = fresh_folder("j10");
        { Journal::create(other, pass("pw"), kdf); }
        {
            SQLite::Database db(other.journal().string(), SQLite::OPEN_READWRITE);
            db.exec("PRAGMA user_version = 99");
        }
        try {
            Journal::open(other, pass("pw"));
            FAIL("a newer journal must be refused");
        } catch (const DataError& e) {
            CHECK(std::string(e.what()).find("newer version") != std::string::npos);
        }
    }

    SUBCASE("create refuses to replace an existing journal") {
        const auto folder = fresh_folder("j11");
        { Journal::create(folder, pass("pw"), kdf); }
        CHECK_THROWS_AS(Journal::create(folder, pass("pw"), kdf), RuntimeError);
    }

    SUBCASE("the link key pair survives reopening") {
        const auto folder = fresh_folder("j12");
        crypto::Bytes pk;
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            pk = j.link_public_key();
            CHECK(pk.size() == 32);
        }
        Journal j = Journal::open(folder, pass("pw"));
        CHECK(j.link_public_key() == pk);
        CHECK(j.link_secret_key().size() == 32);
    }
}

TEST_CASE("store::Journal batches, identities and records") {
    const auto kdf = crypto::kdf_preset("interactive");
    const auto folder = fresh_folder("jb");
    Journal j = Journal::create(folder, pass("pw"), kdf);

    SUBCASE("a batch commits together, or not at all") {
        j.batch([&] {
            for (int i = 0; i < 50; ++i) {
                Entry e = sample("n" + std::to_string(i));
                j.add(e);
            }
        });
        CHECK(j.count() == 50);
        CHECK_THROWS_AS(j.batch([&] {
            Entry e = sample("lost");
            j.add(e);
            throw RuntimeError("stop");
        }),
                        RuntimeError);
        CHECK(j.count() == 50);
        Entry after = sample("after");
        CHECK(j.add(after) == 51);
    }
    SUBCASE("add_once adds an identity only once") {
        Entry e = sample("imported");
        CHECK(j.add_once(e, "jrnl:abc") == 1);
        Entry again = sample("imported");
        CHECK_FALSE(j.add_once(again, "jrnl:abc"));
        CHECK(j.seen("jrnl:abc"));
        CHECK_FALSE(j.seen("jrnl:abd"));
        CHECK(j.count() == 1);
        CHECK(util::read_file(folder.journal()).find("jrnl:abc") == std::string::npos);
    }
    SUBCASE("records are sealed, bound to kind and id, and updatable") {
        const auto a = j.add_record("shared", "first payload");
        const auto b = j.add_record("received", std::string("bin\0ary", 7));
        j.update_record(a, "shared", "changed payload");
        std::vector<std::string> got;
        j.for_each_record(
            "shared",
            [&](std::int64_t id, const std::string& p) {
                CHECK(id == a);
                got.push_back(p);
            },
            [](std::int64_t, const std::string&) { FAIL("not damaged"); });
        CHECK(got == std::vector<std::string>{"changed payload"});
        j.for_each_record(
            "received",
            [&](std::int64_t id, const std::string& p) {
                CHECK(id == b);
                CHECK(p.size() == 7);
            },
            [](std::int64_t, const std::string&) { FAIL("not damaged"); });
        {
            SQLite::Database db(folder.journal().string(), SQLite::OPEN_READWRITE);
            db.exec("UPDATE records SET kind = 'shared' WHERE kind = 'received'");
        }
        int damaged = 0;
        j.for_each_record(
            "shared", [](std::int64_t, const std::string&) {},
            [&](std::int64_t, const std::string&) { ++damaged; });
        CHECK(damaged == 1); // a record moved to another kind no longer opens
    }
}

TEST_CASE("store::for_each_in_time_order") {
    const auto kdf = crypto::kdf_preset("interactive");
    const auto folder = fresh_folder("jo");
    Journal j = Journal::create(folder, pass("pw"), kdf);
    // Written out of time order: a clock set back, then an import of older entries.
    const std::vector<std::int64_t> days = {100, 101, 102, 50, 51, 103, 10, 11, 12, 104};
    j.batch([&] {
        for (std::size_t i = 0; i < 3; ++i) {
            Entry e = sample("d" + std::to_string(days[i]), days[i]);
            j.add(e);
        }
    });
    for (std::size_t i = 3; i < 6; ++i) {
        Entry e = sample("d" + std::to_string(days[i]), days[i]);
        j.add(e);
    }
    j.batch([&] {
        for (std::size_t i = 6; i < days.size(); ++i) {
            Entry e = sample("d" + std::to_string(days[i]), days[i]);
            j.add(e);
        }
    });
    REQUIRE(j.order_segments());
    CHECK(*j.order_segments() == std::vector<std::int64_t>{1, 4, 7});

    std::vector<std::int64_t> sorted = days;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int64_t> seen;
    for_each_in_time_order(
        j, false,
        [&](const Entry& e) {
            seen.push_back(e.day);
            return true;
        },
        [](std::int64_t, const std::string&) {});
    CHECK(seen == sorted);

    seen.clear();
    for_each_in_time_order(
        j, true,
        [&](const Entry& e) {
            seen.push_back(e.day);
            return seen.size() < 3;
        },
        [](std::int64_t, const std::string&) {});
    CHECK(seen == std::vector<std::int64_t>{104, 103, 102});
}

TEST_CASE("store::encode_entry") {
    Entry e = sample("answer");
    e.kind = "scale";
    e.value = 4;
    e.scale_min = 1;
    e.scale_max = 5;
    e.together = true;
    const auto bytes = store::encode_entry(e);
    const Entry back = store::decode_entry(bytes.view(), 9);
    CHECK(back.id == 9);
    CHECK(back.value == 4);
    CHECK(back.scale_max == 5);
    CHECK(back.together);
    CHECK(back.created_at.seconds == e.created_at.seconds);
    CHECK_THROWS_AS(store::decode_entry(crypto::as_bytes("garbage"), 1), DataError);
    // Deep nesting must be refused, not recursed into until the stack runs out.
    std::vector<unsigned char> deep(200000, 0x91); // a one-element array, nested
    deep.push_back(0xc0);
    CHECK_THROWS_AS(store::decode_entry(crypto::ByteView(deep.data(), deep.size()), 1), DataError);
    CHECK_FALSE(util::parse_msgpack(deep.begin(), deep.end()));
    std::vector<unsigned char> shallow(10, 0x91);
    shallow.push_back(0xc0);
    CHECK(util::parse_msgpack(shallow.begin(), shallow.end()));
    // Found by fuzz_entry: a float where an integer belongs must be damage, not UB.
    for (const char* key : {"t", "o", "d", "v"}) {
        nlohmann::json j = nlohmann::json::from_msgpack(bytes.view().begin(), bytes.view().end());
        j[key] = 1.26e25;
        const auto packed = nlohmann::json::to_msgpack(j);
        CHECK_THROWS_AS(store::decode_entry(crypto::ByteView(packed.data(), packed.size()), 1),
                        DataError);
    }
}
