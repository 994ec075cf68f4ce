// The unit-test runner: libsodium initialised, and every run in a fresh temp folder.
#define DOCTEST_CONFIG_IMPLEMENT
#include "duet/crypto/secure.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
    duet::crypto::init();
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "duet-unit-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        return 1;
    }
    fs::current_path(tmpl);
    doctest::Context context(argc, argv);
    const int rc = context.run();
    fs::current_path(fs::temp_directory_path());
    std::error_code ec;
    fs::remove_all(tmpl, ec);
    return rc;
}
