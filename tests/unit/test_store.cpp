#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/store/journal.hpp"
#include "duet/store/order.hpp"
#include "duet/util/files.hpp"
#include "duet/util/msgpack.hpp"
#include "helpers.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

using namespace duet;
using store::Entry;
using store::Journal;
using test::pass;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("store::Journal") {
    const auto kdf = test::cheapest_kdf();

    SUBCASE("create, add, read back") {
        const auto folder = test::fresh_folder("j1");
        Journal j = Journal::create(folder, pass("pw"), kdf);
        Entry a = test::sample_entry("first");
        Entry b = test::sample_entry("second");
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
        const auto folder = test::fresh_folder("j2");
        {
            Journal j = Journal::create(folder, pass("right"), kdf);
            Entry e = test::sample_entry("kept");
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
        const auto folder = test::fresh_folder("j3");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            Entry e = test::sample_entry("a very particular sentence about the garden");
            j.add(e);
            j.set_setting("last_session", "2026-11-20");
        }
        const std::string raw = util::read_file(folder.journal());
        CHECK(raw.find("particular sentence") == std::string::npos);
        CHECK(raw.find("noticed") == std::string::npos);
        CHECK(raw.find("2026-11-20") == std::string::npos);
    }

    SUBCASE("one damaged entry is named; the others stay readable") {
        const auto folder = test::fresh_folder("j4");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            for (const char* s : {"one", "two", "three"}) {
                Entry e = test::sample_entry(s);
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
        const auto folder = test::fresh_folder("j5");
        {
            Journal j = Journal::create(folder, pass("pw"), kdf);
            Entry a = test::sample_entry("a");
            Entry b = test::sample_entry("b");
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
        const auto folder = test::fresh_folder("j6");
        CHECK_FALSE(Journal::has_entry_on(folder, 20000).has_value());
        Journal j = Journal::create(folder, pass("pw"), kdf);
        CHECK(Journal::has_entry_on(folder, 20000) == false);
        Entry e = test::sample_entry("x", 20000);
        j.add(e);
        CHECK(Journal::has_entry_on(folder, 20000) == true);
        CHECK(Journal::has_entry_on(folder, 20001) == false);
        CHECK(j.entries_on(20000).size() == 1);
        CHECK(j.entries_on(20001).empty());
    }

    SUBCASE("changing the passphrase rewraps the key only") {
        const auto folder = test::fresh_folder("j7");
        {
            Journal j = Journal::create(folder, pass("old"), kdf);
            Entry e = test::sample_entry("still here");
            j.add(e);
            j.change_passphrase(pass("new"), kdf);
        }
        CHECK_THROWS_AS(Journal::open(folder, pass("old")), AuthError);
        CHECK(Journal::open(folder, pass("new")).find(1)->answer == "still here");
    }

    SUBCASE("settings are sealed and round-trip") {
        const auto folder = test::fresh_folder("j8");
        Journal j = Journal::create(folder, pass("pw"), kdf);
        CHECK_FALSE(j.setting("x"));
        j.set_setting("x", "1");
        j.set_setting("x", "2");
        CHECK(j.setting("x") == "2");
    }

    SUBCASE("a file that is not a journal, and one from a newer duet") {
        const auto folder = test::fresh_folder("j9");
        util::ensure_private_dir(folder.dir);
        util::write_file_atomic(folder.journal(), "this is not a database at all, just text....");
        CHECK_THROWS_AS(Journal::open(folder, pass("pw")), DataError);

        const auto other = test::fresh_folder("j10");
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
        const auto folder = test::fresh_folder("j11");
        { Journal::create(folder, pass("pw"), kdf); }
        CHECK_THROWS_AS(Journal::create(folder, pass("pw"), kdf), RuntimeError);
    }

    SUBCASE("the link key pair survives reopening") {
        const auto folder = test::fresh_folder("j12");
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
    const auto kdf = test::cheapest_kdf();
    const auto folder = test::fresh_folder("jb");
    Journal j = Journal::create(folder, pass("pw"), kdf);

    SUBCASE("a batch commits together, or not at all") {
        j.batch([&] {
            for (int i = 0; i < 50; ++i) {
                Entry e = test::sample_entry(fmt::format("n{}", i));
                j.add(e);
            }
        });
        CHECK(j.count() == 50);
        CHECK_THROWS_AS(j.batch([&] {
            Entry e = test::sample_entry("lost");
            j.add(e);
            throw RuntimeError("stop");
        }),
                        RuntimeError);
        CHECK(j.count() == 50);
        Entry after = test::sample_entry("after");
        CHECK(j.add(after) == 51);
    }
    SUBCASE("add_once adds an identity only once") {
        Entry e = test::sample_entry("imported");
        CHECK(j.add_once(e, "jrnl:abc") == 1);
        Entry again = test::sample_entry("imported");
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
    const auto kdf = test::cheapest_kdf();
    const auto folder = test::fresh_folder("jo");
    Journal j = Journal::create(folder, pass("pw"), kdf);
    // Written out of time order: a clock set back, then an import of older entries.
    const std::vector<std::int64_t> days = {100, 101, 102, 50, 51, 103, 10, 11, 12, 104};
    j.batch([&] {
        for (std::size_t i = 0; i < 3; ++i) {
            Entry e = test::sample_entry(fmt::format("d{}", days[i]), days[i]);
            j.add(e);
        }
    });
    for (std::size_t i = 3; i < 6; ++i) {
        Entry e = test::sample_entry(fmt::format("d{}", days[i]), days[i]);
        j.add(e);
    }
    j.batch([&] {
        for (std::size_t i = 6; i < days.size(); ++i) {
            Entry e = test::sample_entry(fmt::format("d{}", days[i]), days[i]);
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
    Entry e = test::sample_entry("answer");
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

namespace {

// How the first journals were encoded (nlohmann::json::to_msgpack of a map):
// kept here as the oracle the hand-written codec must agree with.
std::vector<std::uint8_t> first_encoding(const Entry& e) {
    nlohmann::json j = {
        {"v", 1},
        {"t", e.created_at.seconds},
        {"o", e.created_at.utc_offset},
        {"d", e.day},
        {"pk", e.pack},
        {"pi", e.prompt_id},
        {"pt", e.prompt_text},
        {"k", e.kind},
        {"s", e.skipped},
        {"fs", e.for_session},
        {"tg", e.together},
        {"im", e.imported},
    };
    if (e.answer) {
        j["a"] = *e.answer;
    }
    if (e.value) {
        j["n"] = *e.value;
    }
    if (e.kind == "scale") {
        j["lo"] = e.scale_min;
        j["hi"] = e.scale_max;
    }
    if (!e.source.empty()) {
        j["src"] = e.source;
    }
    return nlohmann::json::to_msgpack(j);
}

bool same_entry(const Entry& a, const Entry& b) {
    return a.id == b.id && a.created_at.seconds == b.created_at.seconds &&
           a.created_at.utc_offset == b.created_at.utc_offset && a.day == b.day &&
           a.pack == b.pack && a.prompt_id == b.prompt_id && a.prompt_text == b.prompt_text &&
           a.kind == b.kind && a.answer == b.answer && a.value == b.value &&
           a.scale_min == b.scale_min && a.scale_max == b.scale_max && a.skipped == b.skipped &&
           a.for_session == b.for_session && a.together == b.together && a.imported == b.imported &&
           a.source == b.source;
}

// Deterministic variety: sizes across every MessagePack string and integer width.
Entry varied_entry(std::uint64_t& state) {
    const auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    const std::int64_t ints[] = {
        0,      1,      31,           127,           128,        255,       256,
        65535,  65536,  -1,           -32,           -33,        -128,      -129,
        -32768, -32769, 4294967295LL, -2147483648LL, 1798000000, INT64_MAX, INT64_MIN};
    const std::size_t sizes[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000};
    const auto text = [&] {
        std::string s(sizes[next() % std::size(sizes)], 'x');
        for (char& c : s) {
            c = static_cast<char>(next() & 0xff);
        }
        return s;
    };
    Entry e;
    e.created_at.seconds = ints[next() % std::size(ints)];
    e.created_at.utc_offset = static_cast<std::int32_t>(next() % 50401) - 25200;
    e.day = ints[next() % std::size(ints)];
    e.pack = text();
    e.prompt_id = text();
    e.prompt_text = text();
    e.kind = next() % 2 == 0 ? "scale" : text();
    if (next() % 3 != 0) {
        e.answer = text();
    }
    if (next() % 2 == 0) {
        e.value = static_cast<int>(ints[next() % 12]);
    }
    if (e.kind == "scale") {
        e.scale_min = static_cast<int>(ints[next() % 12]);
        e.scale_max = static_cast<int>(ints[next() % 12]);
    }
    e.skipped = next() % 2 == 0;
    e.for_session = next() % 2 == 0;
    e.together = next() % 2 == 0;
    e.imported = next() % 2 == 0;
    if (next() % 2 == 0) {
        e.source = text();
    }
    return e;
}

Entry decode(const std::vector<std::uint8_t>& bytes, std::int64_t id = 7) {
    return store::decode_entry(crypto::ByteView(bytes.data(), bytes.size()), id);
}

} // namespace

TEST_CASE("store: the entry codec agrees with the first journals' encoding") {
    std::uint64_t state = 42;
    for (int i = 0; i < 600; ++i) {
        Entry e = varied_entry(state);
        e.id = 7;
        CAPTURE(i);
        // Bytes written by the first duets read back the same...
        CHECK(same_entry(decode(first_encoding(e)), e));
        // ...and today's bytes are ordinary MessagePack carrying the same map.
        const auto now = store::encode_entry(e);
        auto as_json = nlohmann::json::from_msgpack(now.view().begin(), now.view().end());
        // ...plus padding ("z", zero bytes) that brings it to one of a few sizes.
        const std::string pad = as_json.at("z").get<std::string>();
        CHECK(pad.find_first_not_of('\0') == std::string::npos);
        const std::size_t size = now.size();
        CHECK(((size >= 256 && size <= 16384 && (size & (size - 1)) == 0) ||
               (size > 16384 && size % 16384 == 0)));
        as_json.erase("z");
        CHECK(as_json == nlohmann::json::from_msgpack(first_encoding(e)));
        CHECK(same_entry(store::decode_entry(now.view(), 7), e));
        crypto::SecureBytes reused(4);
        store::encode_entry_into(e, reused);
        CHECK(reused.str() == now.str());
    }
}

TEST_CASE("store: decode_entry refuses damage and skips fields it does not know") {
    const Entry e = test::sample_entry("kept");
    nlohmann::json base = nlohmann::json::from_msgpack(first_encoding(e));
    const auto packed = [](const nlohmann::json& j) {
        return nlohmann::json::to_msgpack(j);
    };

    // A later duet may add fields of any shape; this one reads past them.
    nlohmann::json extra = base;
    extra["zz"] = {{"nested", {1, 2.5, nullptr, "x", {{"deeper", true}}}}};
    extra["zb"] = nlohmann::json::binary({1, 2, 3});
    CHECK(decode(packed(extra)).answer == "kept");

    // Each required field missing, or of the wrong type, is damage.
    for (const char* key : {"v", "t", "o", "d", "pk", "pi", "pt", "k", "s", "fs"}) {
        CAPTURE(key);
        nlohmann::json missing = base;
        missing.erase(key);
        CHECK_THROWS_AS(decode(packed(missing)), DataError);
        nlohmann::json wrong = base;
        wrong[key] = nlohmann::json::array({1});
        CHECK_THROWS_AS(decode(packed(wrong)), DataError);
    }
    for (const char* key : {"tg", "im", "a", "n", "lo", "hi", "src"}) {
        CAPTURE(key);
        nlohmann::json wrong = base;
        wrong[key] = nlohmann::json::object();
        CHECK_THROWS_AS(decode(packed(wrong)), DataError);
    }
    // Numbers out of their field's range.
    nlohmann::json big_offset = base;
    big_offset["o"] = 1LL << 40;
    CHECK_THROWS_AS(decode(packed(big_offset)), DataError);
    nlohmann::json huge_time = base;
    huge_time["t"] = std::numeric_limits<std::uint64_t>::max();
    CHECK_THROWS_AS(decode(packed(huge_time)), DataError);
    nlohmann::json bool_as_number = base;
    bool_as_number["s"] = 1;
    CHECK_THROWS_AS(decode(packed(bool_as_number)), DataError);

    // Truncated at every length, and a byte too many.
    const auto whole = packed(base);
    for (std::size_t n = 0; n < whole.size(); ++n) {
        CAPTURE(n);
        CHECK_THROWS_AS(store::decode_entry(crypto::ByteView(whole.data(), n), 1), DataError);
    }
    auto longer = whole;
    longer.push_back(0xc0);
    CHECK_THROWS_AS(decode(longer), DataError);

    // Nesting inside an unknown field is bounded, not recursed into without end.
    std::vector<std::uint8_t> deep = {0x81, 0xa2, 'z', 'z'};
    deep.insert(deep.end(), 100000, 0x91);
    deep.push_back(0xc0);
    CHECK_THROWS_AS(decode(deep), DataError);

    // A newer entry format is named as such.
    nlohmann::json newer = base;
    newer["v"] = 2;
    try {
        decode(packed(newer));
        FAIL("a newer format was read");
    } catch (const DataError& err) {
        CHECK(std::string(err.what()).find("newer duet") != std::string::npos);
    }
}

TEST_CASE("store: every entry's identity is indexed, and older journals once") {
    const auto folder = test::fresh_folder("j-identity");
    Entry a = test::sample_entry("first", 20000);
    Entry b = test::sample_entry("second", 20001);
    Entry c = test::sample_entry("third", 20002);
    {
        Journal j = Journal::create(folder, pass("pw"), test::cheapest_kdf());
        j.add(a);
        CHECK(j.seen(store::content_identity(a)));
        CHECK_FALSE(j.seen(store::content_identity(b)));
        // Inside a batch too, and ids keep counting across the batch.
        j.batch([&] {
            CHECK(j.add(b) == 2);
            CHECK(j.add(c) == 3);
        });
        CHECK(j.seen(store::content_identity(c)));
        CHECK(j.add_once(c, store::content_identity(c)) == std::nullopt);
    }
    {
        // What a journal from before the index looks like: no marks, no setting.
        SQLite::Database db(folder.journal().string(), SQLite::OPEN_READWRITE);
        db.exec("DELETE FROM seen");
        db.exec("DELETE FROM settings WHERE name = 'identity_index'");
    }
    Journal j = Journal::open(folder, pass("pw"));
    CHECK_FALSE(j.seen(store::content_identity(b)));
    j.index_identities();
    for (const Entry* e : {&a, &b, &c}) {
        CHECK(j.seen(store::content_identity(*e)));
    }
    CHECK(j.setting("identity_index") == "1");
    // Changing the answer makes it other writing.
    Entry changed = b;
    changed.answer = "second, reworded";
    CHECK(j.add_once(changed, store::content_identity(changed)) == 4);
    CHECK(j.count() == 4);
}

TEST_CASE("store::content_identity keeps the canonical form of the first imports") {
    // How the first duets computed it, through nlohmann: the oracle.
    const auto first_identity = [](const Entry& e) {
        const nlohmann::json answer =
            e.skipped || !e.answer ? nlohmann::json(nullptr) : nlohmann::json(*e.answer);
        const nlohmann::json canonical =
            nlohmann::json::array({e.created_at.seconds, e.pack, e.prompt_id, answer});
        const std::string text =
            canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return "duet:" + crypto::to_hex(crypto::keyed_hash({}, crypto::as_bytes(text), 32));
    };
    std::uint64_t state = 7;
    for (int i = 0; i < 400; ++i) {
        const Entry e = varied_entry(state);
        CAPTURE(i);
        CHECK(store::content_identity(e) == first_identity(e));
    }
    Entry plain = test::sample_entry("the walk \"by\" the river\n");
    CHECK(store::content_identity(plain) == first_identity(plain));
    plain.skipped = true;
    CHECK(store::content_identity(plain) == first_identity(plain));
}
