#include "duet/util/files.hpp"

#include "duet/error.hpp"
#include "duet/util/io.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <utility>

namespace duet::util {

namespace {
std::string errno_text() {
    return std::strerror(errno);
}

void write_all(int fd, std::string_view content, const fs::path& path) {
    if (!util::write_all(fd, content)) {
        throw RuntimeError(fmt::format("could not write {}: {}", path.string(), errno_text()));
    }
}

} // namespace

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

void ensure_private_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw RuntimeError(
            fmt::format("could not create folder {}: {}", dir.string(), ec.message()));
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw RuntimeError(fmt::format("{} is not a folder", dir.string()));
    }
    if ((st.st_mode & 077) != 0 && st.st_uid == ::getuid()) {
        if (::chmod(dir.c_str(), 0700) != 0) {
            throw RuntimeError(
                fmt::format("could not make {} private (0700): {}", dir.string(), errno_text()));
        }
    }
}

namespace {
fs::path folder_of(const fs::path& path) {
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// A new file with the given mode beside path, hidden by its name: its
// descriptor and its name.
std::pair<int, fs::path> make_temporary(const fs::path& path, unsigned mode) {
    const fs::path dir = folder_of(path);
    std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        throw RuntimeError(fmt::format("could not write in {}: {}", dir.string(), errno_text()));
    }
    ::fchmod(fd, static_cast<mode_t>(mode));
    return {fd, fs::path(tmpl)};
}

// Moves a finished temporary file into place (or links it, to never replace).
void publish(const fs::path& tmp, const fs::path& path, bool overwrite) {
    if (overwrite) {
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            throw RuntimeError(fmt::format("could not write {}: {}", path.string(), errno_text()));
        }
        return;
    }
    int rc = ::link(tmp.c_str(), path.c_str());
    if (rc != 0 && (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS)) {
        rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
    }
    if (rc != 0) {
        const int saved = errno;
        throw RuntimeError(saved == EEXIST ? fmt::format("{} already exists", path.string())
                                           : fmt::format("could not write {}: {}", path.string(),
                                                         std::strerror(saved)));
    }
    ::unlink(tmp.c_str());
}
} // namespace

void write_file_atomic(const fs::path& path, std::string_view content, bool overwrite,
                       unsigned mode) {
    const auto [fd, tmp] = make_temporary(path, mode);
    try {
        write_all(fd, content, path);
        if (::fsync(fd) != 0) {
            throw RuntimeError(fmt::format("could not write {}: {}", path.string(), errno_text()));
        }
        ::close(fd);
        publish(tmp, path, overwrite);
    } catch (...) {
        ::close(fd); // harmless if already closed
        ::unlink(tmp.c_str());
        throw;
    }
    sync_directory(folder_of(path));
}

namespace {
// Temporary files that must not outlive the process: a terminal closed or a
// `kill` while an export is being written would otherwise leave it behind.
// The handler only unlinks fixed buffers and dies again, as it was asked to.
constexpr int k_pending_slots = 8;
char g_pending[k_pending_slots][4096];
volatile std::sig_atomic_t g_pending_used[k_pending_slots] = {};

extern "C" void remove_pending_and_die(int sig) {
    for (int i = 0; i < k_pending_slots; ++i) {
        if (g_pending_used[i] != 0) {
            ::unlink(g_pending[i]);
        }
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

// Installs the handler for signals nobody else handles; returns a slot or -1.
int remove_on_fatal_signal(const fs::path& path) {
    static const bool installed = [] {
        for (const int sig : {SIGTERM, SIGHUP, SIGINT}) {
            struct sigaction old {};
            if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
                struct sigaction act {};
                act.sa_handler = remove_pending_and_die;
                sigemptyset(&act.sa_mask);
                ::sigaction(sig, &act, nullptr);
            }
        }
        return true;
    }();
    (void)installed;
    const std::string& p = path.native();
    for (int i = 0; i < k_pending_slots; ++i) {
        if (g_pending_used[i] == 0 && p.size() < sizeof g_pending[i]) {
            std::memcpy(g_pending[i], p.c_str(), p.size() + 1);
            std::atomic_signal_fence(std::memory_order_seq_cst);
            g_pending_used[i] = 1;
            return i;
        }
    }
    return -1;
}

void forget_pending(int slot) {
    if (slot >= 0) {
        g_pending_used[slot] = 0;
    }
}

// Holds back SIGTERM, SIGHUP and SIGINT while alive: one arriving between
// creating a temporary file and remembering its name would leave the file
// behind. A signal held back is delivered when the scope ends.
class FatalSignalsHeld {
  public:
    FatalSignalsHeld() {
        sigset_t set;
        sigemptyset(&set);
        for (const int sig : {SIGTERM, SIGHUP, SIGINT}) {
            sigaddset(&set, sig);
        }
        ::pthread_sigmask(SIG_BLOCK, &set, &m_old);
    }
    ~FatalSignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr); }
    FatalSignalsHeld(const FatalSignalsHeld&) = delete;
    FatalSignalsHeld& operator=(const FatalSignalsHeld&) = delete;

  private:
    sigset_t m_old{};
};
} // namespace

struct AtomicFile::State {
    int pending_slot = -1;
    fs::path path;
    fs::path tmp;
    bool overwrite = true;
    bool committed = false;
    std::ofstream out;
};

AtomicFile::AtomicFile(const fs::path& path, bool overwrite, unsigned mode)
    : m_state(std::make_unique<State>()) {
    {
        const FatalSignalsHeld held;
        const auto [fd, tmp] = make_temporary(path, mode);
        ::close(fd);
        m_state->tmp = tmp;
        m_state->pending_slot = remove_on_fatal_signal(m_state->tmp);
    }
    m_state->path = path;
    m_state->overwrite = overwrite;
    m_state->out.open(m_state->tmp, std::ios::binary | std::ios::trunc);
    if (!m_state->out) {
        ::unlink(m_state->tmp.c_str());
        forget_pending(m_state->pending_slot);
        throw RuntimeError(fmt::format("could not write {}", path.string()));
    }
}

AtomicFile::~AtomicFile() {
    if (!m_state->committed) {
        m_state->out.close();
        ::unlink(m_state->tmp.c_str());
    }
    forget_pending(m_state->pending_slot);
}

std::ostream& AtomicFile::stream() {
    return m_state->out;
}

void AtomicFile::commit() {
    State& st = *m_state;
    st.out.flush();
    if (!st.out) {
        throw RuntimeError(fmt::format("could not write {} (is the disk full?)", st.path.string()));
    }
    st.out.close();
    const int fd = ::open(st.tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    publish(st.tmp, st.path, st.overwrite);
    st.committed = true;
    forget_pending(st.pending_slot);
    sync_directory(folder_of(st.path));
}

namespace {
// Reads fd to its end into out, refusing more than max_size bytes in all.
void read_to_end(int fd, const fs::path& path, std::size_t max_size, std::string& out) {
    switch (util::read_to_end(fd, out, max_size)) {
    case ReadEnd::complete:
        return;
    case ReadEnd::failed:
        throw RuntimeError(fmt::format("could not read {}: {}", path.string(), errno_text()));
    case ReadEnd::too_large:
        throw DataError(fmt::format("{} is too large (over {} bytes)", path.string(), max_size));
    }
}
} // namespace

std::optional<std::string> read_file_if_exists(const fs::path& path, std::size_t max_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throw RuntimeError(fmt::format("could not read {}: {}", path.string(), errno_text()));
    }
    std::string out;
    try {
        read_to_end(fd, path, max_size, out);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return out;
}

std::string read_file(const fs::path& path, std::size_t max_size) {
    auto content = read_file_if_exists(path, max_size);
    if (!content) {
        throw RuntimeError(fmt::format("could not read {}: no such file", path.string()));
    }
    return std::move(*content);
}

namespace {
std::int64_t mtime_ns_of(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}
} // namespace

std::optional<FileStamp> regular_file_stamp(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    return FileStamp{static_cast<std::uint64_t>(st.st_size), mtime_ns_of(st)};
}

ForeignFile read_foreign_file(const fs::path& path, std::size_t max_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) {
            throw DataError(fmt::format("{} is a symbolic link; duet reads only plain files in "
                                        "the shared folder",
                                        path.string()));
        }
        throw RuntimeError(fmt::format("could not read {}: {}", path.string(), errno_text()));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw RuntimeError(fmt::format("could not read {}: {}", path.string(), errno_text()));
    }
    if (!S_ISREG(st.st_mode)) {
        throw DataError(fmt::format("{} is not a plain file; it was not read", path.string()));
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_size) {
        throw DataError(fmt::format("{} is too large (over {} bytes)", path.string(), max_size));
    }
    ForeignFile out;
    out.size = static_cast<std::uint64_t>(st.st_size);
    out.mtime_ns = mtime_ns_of(st);
    out.content.reserve(out.size);
    read_to_end(fd, path, max_size, out.content); // it may have grown since fstat
    return out;
}

bool remove_file(const fs::path& path) {
    return ::unlink(path.c_str()) == 0 || errno == ENOENT;
}

bool is_tmpfs(const fs::path& dir) {
    struct statfs sf {};
    return ::statfs(dir.c_str(), &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        return std::nullopt;
    }
    return std::string(v);
}

} // namespace duet::util
