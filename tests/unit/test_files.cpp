#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

using namespace duet;
namespace fs = std::filesystem;

namespace {

// A folder of this name under the test's working folder, empty.
fs::path empty_folder(const std::string& name) {
    fs::remove_all(name);
    fs::create_directories(name);
    return fs::absolute(name);
}

// Every name in the folder, hidden temporary ones included.
std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& de : fs::directory_iterator(dir)) {
        out.push_back(de.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("util::AtomicFile") {
    const fs::path dir = empty_folder("atomic");
    const fs::path target = dir / "out.txt";

    SUBCASE("commit puts the bytes in place with the mode asked for, and no temp name") {
        {
            util::AtomicFile f(target, true, 0644);
            f.stream() << "first line\n" << 42;
            CHECK_FALSE(fs::exists(target)); // nothing is visible before commit
            f.commit();
        }
        CHECK(util::read_file(target) == "first line\n42");
        CHECK(mode_of(target) == 0644);
        CHECK(names_in(dir) == std::vector<std::string>{"out.txt"});
    }
    SUBCASE("the default mode is private") {
        util::AtomicFile f(target, true);
        f.stream() << "private";
        f.commit();
        CHECK(mode_of(target) == 0600);
    }
    SUBCASE("abandoned without commit, it leaves nothing behind") {
        {
            util::AtomicFile f(target, true);
            f.stream() << "never published";
        }
        CHECK(names_in(dir).empty());
    }
    SUBCASE("an abandoned rewrite leaves the old file as it was") {
        util::write_file_atomic(target, "old", true);
        {
            util::AtomicFile f(target, true);
            f.stream() << "new";
        }
        CHECK(util::read_file(target) == "old");
        CHECK(names_in(dir) == std::vector<std::string>{"out.txt"});
    }
    SUBCASE("overwrite replaces an existing file whole") {
        util::write_file_atomic(target, "a longer old content", true);
        util::AtomicFile f(target, true);
        f.stream() << "short";
        f.commit();
        CHECK(util::read_file(target) == "short");
    }
    SUBCASE("without overwrite, an existing file survives the failed write") {
        util::write_file_atomic(target, "kept", true);
        {
            util::AtomicFile f(target, false);
            f.stream() << "refused";
            CHECK_THROWS_AS(f.commit(), RuntimeError);
        }
        CHECK(util::read_file(target) == "kept");
        CHECK(names_in(dir) == std::vector<std::string>{"out.txt"});
    }
    SUBCASE("a folder that cannot be written in is named") {
        CHECK_THROWS_AS(util::AtomicFile(dir / "missing" / "out.txt", true), RuntimeError);
    }
}

TEST_CASE("util::write_file_atomic") {
    const fs::path dir = empty_folder("atomic-write");
    const fs::path target = dir / "data";
    util::write_file_atomic(target, std::string("with\0nul", 8), false, 0640);
    CHECK(util::read_file(target) == std::string("with\0nul", 8));
    CHECK(mode_of(target) == 0640);
    // Never replaces when told not to, and leaves no temporary name behind.
    CHECK_THROWS_AS(util::write_file_atomic(target, "other", false), RuntimeError);
    CHECK(util::read_file(target) == std::string("with\0nul", 8));
    util::write_file_atomic(target, "replaced");
    CHECK(util::read_file(target) == "replaced");
    CHECK(mode_of(target) == 0600);
    CHECK(names_in(dir) == std::vector<std::string>{"data"});
}

TEST_CASE("util::sync_directory and friends") {
    const fs::path dir = empty_folder("sync");
    CHECK_NOTHROW(util::sync_directory(dir));
    // Best effort: a folder that is not there (or not a folder) is no error.
    CHECK_NOTHROW(util::sync_directory(dir / "not-there"));

    SUBCASE("ensure_private_dir makes the folder 0700") {
        const fs::path inner = dir / "a" / "b";
        util::ensure_private_dir(inner);
        CHECK(fs::is_directory(inner));
        CHECK(mode_of(inner) == 0700);
        fs::permissions(inner, fs::perms::owner_all | fs::perms::group_read);
        util::ensure_private_dir(inner); // tightened again
        CHECK(mode_of(inner) == 0700);
    }
    SUBCASE("read_file refuses what is too large, and names what is missing") {
        util::write_file_atomic(dir / "big", std::string(100, 'x'));
        CHECK(util::read_file(dir / "big", 100).size() == 100);
        CHECK_THROWS_AS(util::read_file(dir / "big", 99), Error);
        CHECK_THROWS_AS(util::read_file(dir / "absent"), RuntimeError);
        CHECK_FALSE(util::read_file_if_exists(dir / "absent"));
    }
    SUBCASE("remove_file is quiet about what is not there") {
        util::write_file_atomic(dir / "gone", "x");
        CHECK(util::remove_file(dir / "gone"));
        CHECK_FALSE(fs::exists(dir / "gone"));
        CHECK_NOTHROW(util::remove_file(dir / "gone"));
    }
}

TEST_CASE("util::read_foreign_file") {
    const fs::path dir = empty_folder("foreign-files");
    const fs::path real = dir / "real.txt";
    util::write_file_atomic(real, "shared");
    const util::ForeignFile f = util::read_foreign_file(real, 100);
    CHECK(f.content == "shared");
    CHECK(f.size == 6);
    CHECK(util::regular_file_stamp(real)->size == 6);
    CHECK_THROWS_AS(util::read_foreign_file(real, 5), DataError);
    fs::create_symlink(real, dir / "link.txt");
    CHECK_THROWS(util::read_foreign_file(dir / "link.txt", 100));
    CHECK_FALSE(util::regular_file_stamp(dir / "link.txt"));
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    CHECK_THROWS(util::read_foreign_file(dir / "fifo", 100)); // refused without blocking
    CHECK_FALSE(util::regular_file_stamp(dir / "fifo"));
}
