#pragma once
// Small, careful file helpers: private folders, atomic writes, bounded reads.
#include <cstddef>
#include <cstdint>
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
// Makes renames and new names in a folder durable (fsync on the folder).
void sync_directory(const fs::path& dir);

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

// A file in a folder someone else can write to (the shared folder): never
// follows a symlink, never blocks on a FIFO or device, reads only a regular
// file of at most max_size bytes, judged on the open descriptor itself.
struct ForeignFile {
    std::string content;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
};
// What lstat says of a name, without opening it: nullopt when it is not a
// regular file (a link, a folder, a FIFO, gone).
struct FileStamp {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
};
std::optional<FileStamp> regular_file_stamp(const fs::path& path);
// RuntimeError/DataError naming the file when it cannot be read this way.
ForeignFile read_foreign_file(const fs::path& path, std::size_t max_size);

// Removes a file if it is there; false (never an exception) when it could not.
bool remove_file(const fs::path& path);

bool is_tmpfs(const fs::path& dir);

// getenv that treats an empty value as unset.
std::optional<std::string> env(const char* name);

} // namespace duet::util
