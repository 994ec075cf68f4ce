#include "duet/cli/editor.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace duet::cli {

namespace fs = std::filesystem;

std::optional<fs::path> private_tmpfs_dir() {
    if (auto run = util::env("XDG_RUNTIME_DIR"); run && util::is_tmpfs(*run)) {
        return fs::path(*run);
    }
    if (util::is_tmpfs("/dev/shm")) {
        return fs::path("/dev/shm");
    }
    return std::nullopt;
}

namespace {

// Owns the private folder and file; overwrites and removes them on every exit path.
class PrivateFile {
  public:
    explicit PrivateFile(const fs::path& base) {
        std::string tmpl = (base / "duet-edit-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw RuntimeError(fmt::format("could not make a private folder in {}: {}",
                                           base.string(), std::strerror(errno)));
        }
        m_dir = tmpl;
        ::chmod(m_dir.c_str(), 0700);
        m_file = m_dir / "answer.txt";
        const int fd = ::open(m_file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0) {
            ::rmdir(m_dir.c_str());
            throw RuntimeError(fmt::format("could not make a private file in {}", m_dir.string()));
        }
        ::close(fd);
    }
    ~PrivateFile() {
        // Editors may leave swap or backup files next to ours: wipe everything.
        std::error_code ec;
        for (const auto& de : fs::directory_iterator(m_dir, ec)) {
            wipe(de.path());
        }
        fs::remove_all(m_dir, ec);
    }
    PrivateFile(const PrivateFile&) = delete;
    PrivateFile& operator=(const PrivateFile&) = delete;
    const fs::path& path() const { return m_file; }

  private:
    static void wipe(const fs::path& p) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return;
        }
        const int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
            char zeros[4096] = {};
            for (off_t done = 0; done < st.st_size; done += static_cast<off_t>(sizeof zeros)) {
                if (::write(fd, zeros, sizeof zeros) < 0) {
                    break;
                }
            }
            ::close(fd);
        }
        ::unlink(p.c_str());
    }
    fs::path m_dir;
    fs::path m_file;
};

} // namespace

std::optional<std::string> edit_in_editor() {
    const auto base = private_tmpfs_dir();
    if (!base) {
        throw RuntimeError("there is no memory-backed folder (tmpfs) for a private editor file, "
                           "so /edit is not available here; a one-line answer still works");
    }
    std::string editor = util::env("VISUAL").value_or(util::env("EDITOR").value_or("vi"));
    PrivateFile file(*base);

    // Ctrl-C belongs to the editor while it runs; duet waits and then cleans up.
    struct sigaction ignore {};
    struct sigaction old_int {};
    struct sigaction old_quit {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    const pid_t pid = ::fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        const std::string script = editor + " \"$1\"";
        ::execl("/bin/sh", "sh", "-c", script.c_str(), "sh", file.path().c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    if (pid > 0) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::nullopt;
    }
    std::string text = util::read_file(file.path(), 1024 * 1024);
    return text;
}

} // namespace duet::cli
