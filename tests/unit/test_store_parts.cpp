// The store's private parts: the one SQLite-error translation and the one
// row reader that goes on past a damaged page.
#include "../../src/store/database.hpp"
#include "../../src/store/rows.hpp"
#include "duet/error.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <numeric>

using namespace duet;
using store::Database;
using store::RowReader;

namespace {

std::filesystem::path fresh_file(const std::string& name) {
    std::filesystem::remove(name);
    return std::filesystem::absolute(name);
}

// A table of n rows spread over many pages, with an index of its own pages.
void fill(const std::filesystem::path& file, int n) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL, tag BLOB)");
    db.exec("CREATE INDEX t_by_tag ON t(tag)");
    SQLite::Transaction tx(db);
    SQLite::Statement ins(db, "INSERT INTO t (id, v, tag) VALUES (?, zeroblob(300), ?)");
    for (int id = 1; id <= n; ++id) {
        ins.reset();
        ins.bind(1, id);
        ins.bind(2, id % 7);
        ins.exec();
    }
    tx.commit();
}

// Zeroes the middle leaf under the table's root page (which must be an interior page).
void zero_a_leaf(const std::filesystem::path& file) {
    int root = 0;
    int page_size = 0;
    {
        SQLite::Database db(file.string());
        root = db.execAndGet("SELECT rootpage FROM sqlite_master WHERE name = 't'").getInt();
        page_size = db.execAndGet("PRAGMA page_size").getInt();
    }
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    std::vector<unsigned char> page(static_cast<std::size_t>(page_size));
    f.seekg(static_cast<std::streamoff>(root - 1) * page_size);
    f.read(reinterpret_cast<char*>(page.data()), page_size);
    REQUIRE(page[0] == 0x05); // an interior table page
    const int cells = (page[3] << 8) | page[4];
    const int pointer = 12 + 2 * (cells / 2);
    const int cell = (page[pointer] << 8) | page[pointer + 1];
    const int child =
        (page[cell] << 24) | (page[cell + 1] << 16) | (page[cell + 2] << 8) | page[cell + 3];
    const std::vector<char> zeros(static_cast<std::size_t>(page_size), 0);
    f.seekp(static_cast<std::streamoff>(child - 1) * page_size);
    f.write(zeros.data(), page_size);
}

std::vector<std::int64_t> read_all(const Database& db, RowReader::Range range,
                                   std::vector<std::int64_t>& lost) {
    std::vector<std::int64_t> ids;
    RowReader rows(db, std::move(range), [&](std::int64_t id) { lost.push_back(id); });
    while (SQLite::Statement* row = rows.next()) {
        ids.push_back(row->getColumn(0).getInt64());
    }
    return ids;
}

} // namespace

TEST_CASE("store::Database translates SQLite's errors in one place") {
    const auto file = fresh_file("parts-errors.db");
    fill(file, 3);
    const Database db(file, SQLite::OPEN_READWRITE);
    CHECK(db.guarded([&] { return db.sql().execAndGet("SELECT count(*) FROM t").getInt(); }) == 3);
    const std::string named = "journal " + file.string();
    CHECK_THROWS_WITH_AS(db.guarded([&] { db.sql().exec("SELECT * FROM missing"); }),
                         doctest::Contains(named.c_str()), RuntimeError);
    const auto damaged = [] {
        throw SQLite::Exception("damaged", SQLITE_CORRUPT);
    };
    CHECK_THROWS_WITH_AS(db.guarded(damaged), doctest::Contains("is damaged"), DataError);
    CHECK(db.guarded(
              [&] {
                  damaged();
                  return 1;
              },
              [] { return 2; }) == 2);
    const auto busy = [] {
        throw SQLite::Exception("busy", SQLITE_BUSY);
    };
    CHECK_THROWS_WITH_AS(db.guarded(busy, [] {}), doctest::Contains("is busy"), RuntimeError);
    // duet's own errors pass through untouched.
    CHECK_THROWS_WITH_AS(db.guarded([] { throw AuthError("no"); }), "no", AuthError);
}

TEST_CASE("store::RowReader goes on past a damaged page") {
    const auto file = fresh_file("parts-rows.db");
    constexpr int n = 200;
    fill(file, n);
    std::vector<std::int64_t> all(n);
    std::iota(all.begin(), all.end(), 1);

    SUBCASE("an undamaged table is read in one scan, either way, within its range") {
        const Database db(file, SQLite::OPEN_READWRITE);
        std::vector<std::int64_t> lost;
        CHECK(read_all(db, {"t", "t_by_tag", "v"}, lost) == all);
        CHECK(read_all(db, {"t", "t_by_tag", "v", 10, 12, true}, lost) ==
              std::vector<std::int64_t>{12, 11, 10});
        CHECK(lost.empty());
    }
    SUBCASE("what a damaged page held is named, everything else is read, in order") {
        zero_a_leaf(file);
        const Database db(file, SQLite::OPEN_READWRITE);
        for (const bool descending : {false, true}) {
            CAPTURE(descending);
            std::vector<std::int64_t> lost;
            std::vector<std::int64_t> ids =
                read_all(db, {"t", "t_by_tag", "v", INT64_MIN, INT64_MAX, descending}, lost);
            CHECK(!lost.empty());
            CHECK(lost.size() < 40);
            CHECK(std::is_sorted(ids.begin(), ids.end(),
                                 [&](auto a, auto b) { return descending ? a > b : a < b; }));
            ids.insert(ids.end(), lost.begin(), lost.end());
            std::sort(ids.begin(), ids.end());
            CHECK(ids == all);
        }
    }
}
