#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace duet;
using namespace duet::util;

namespace {
// What a folder holds besides the names given, so leftovers show.
std::size_t entries_in(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) {
        ++n;
    }
    return n;
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}
} // namespace

TEST_CASE("util::AtomicFile") {
    const fs::path dir = "atomic";
    fs::create_directories(dir);
    const fs::path target = dir / "export.json";

    SUBCASE("commit puts the whole file in place, with its mode") {
        {
            AtomicFile file(target, true, 0640);
            file.stream() << "first part, ";
            CHECK_FALSE(fs::exists(target)); // nothing shows before commit
            file.stream() << "second part";
            file.commit();
        }
        CHECK(read_file(target) == "first part, second part");
        CHECK(mode_of(target) == 0640);
        CHECK(entries_in(dir) == 1);
    }
    SUBCASE("destroyed without commit, it leaves nothing behind") {
        {
            AtomicFile file(target, true);
            file.stream() << "never shown";
        }
        CHECK(entries_in(dir) == 0);
    }
    SUBCASE("an existing file is replaced, or refused when overwrite is false") {
        write_file_atomic(target, "old");
        {
            AtomicFile file(target, false);
            file.stream() << "new";
            CHECK_THROWS_WITH_AS(file.commit(), doctest::Contains("already exists"), RuntimeError);
        }
        CHECK(read_file(target) == "old");
        CHECK(entries_in(dir) == 1);
        AtomicFile file(target, true);
        file.stream() << "new";
        file.commit();
        CHECK(read_file(target) == "new");
    }
    SUBCASE("no folder to write in") {
        CHECK_THROWS_AS(AtomicFile(dir / "missing" / "x", true), RuntimeError);
    }
    fs::remove_all(dir);
}

TEST_CASE("util::write_file_atomic and read_file") {
    const fs::path path = "plain.txt";
    write_file_atomic(path, "content");
    CHECK(mode_of(path) == 0600);
    CHECK(read_file(path) == "content");
    CHECK(read_file_if_exists(path) == "content");
    CHECK_FALSE(read_file_if_exists("absent.txt"));
    CHECK_THROWS_AS(read_file("absent.txt"), RuntimeError);
    CHECK_THROWS_AS(read_file(path, 6), DataError);
    CHECK(read_file(path, 7) == "content");
    CHECK_THROWS_AS(write_file_atomic(path, "again", false), RuntimeError);
    CHECK(read_file(path) == "content");
    CHECK(remove_file(path));
    CHECK(remove_file(path)); // already gone is fine
}

TEST_CASE("util::read_foreign_file") {
    write_file_atomic("real.txt", "shared");
    const ForeignFile f = read_foreign_file("real.txt", 100);
    CHECK(f.content == "shared");
    CHECK(f.size == 6);
    CHECK(regular_file_stamp("real.txt")->size == 6);
    CHECK_THROWS_AS(read_foreign_file("real.txt", 5), DataError);
    fs::create_symlink("real.txt", "link.txt");
    CHECK_THROWS(read_foreign_file("link.txt", 100));
    CHECK_FALSE(regular_file_stamp("link.txt"));
    REQUIRE(::mkfifo("fifo", 0600) == 0);
    CHECK_THROWS(read_foreign_file("fifo", 100)); // refused without blocking
    CHECK_FALSE(regular_file_stamp("fifo"));
}
