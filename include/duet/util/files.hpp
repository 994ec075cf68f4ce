#pragma once
// Small, careful file helpers: private folders, atomic writes, bounded reads.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace duet::util {

namespace fs = std::filesystem;

// Creates the folder (and parents) if needed and makes the folder itself 0700.
void ensure_private_dir(const fs::path& dir);

// Writes to a temporary name in the same folder, fsyncs, then renames into place.
// With overwrite false, fails with RuntimeError if the target exists.
void write_file_atomic(const fs::path& path, std::string_view content, bool overwrite = true,
                       unsigned mode = 0600);

// Reads a whole file, refusing anything larger than max_size (RuntimeError/DataError).
// A file written through a stream under a temporary name, then moved into
// place by commit(); destroyed without commit, it leaves nothing behind.
class AtomicFile {
  public:
    AtomicFile(const fs::path& path, bool overwrite, unsigned mode = 0600);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    std::ostream& stream();
    void commit();

  private:
    struct State;
    std::unique_ptr<State> m_state;
};

std::string read_file(const fs::path& path, std::size_t max_size = 64 * 1024 * 1024);
std::optional<std::string> read_file_if_exists(const fs::path& path,
                                               std::size_t max_size = 64 * 1024 * 1024);

bool is_tmpfs(const fs::path& dir);

// getenv that treats an empty value as unset.
std::optional<std::string> env(const char* name);

} // namespace duet::util
