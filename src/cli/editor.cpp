#include "duet/cli/editor.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/io.hpp"
#include "duet/util/process.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

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
    PrivateFile(const fs::path& base, std::string_view draft) {
        // The pid in the name lets `duet erase` tell a leftover from a draft in use.
        std::string tmpl = (base / fmt::format("duet-edit-{}-XXXXXX", ::getpid())).string();
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
        const bool written = util::write_all(fd, draft);
        ::close(fd);
        if (!written) {
            ::unlink(m_file.c_str());
            ::rmdir(m_dir.c_str());
            throw RuntimeError(fmt::format("could not write the draft in {}", m_dir.string()));
        }
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
            constexpr char k_zeros[4096] = {};
            for (off_t done = 0; done < st.st_size; done += static_cast<off_t>(sizeof k_zeros)) {
                if (!util::write_all(fd, std::string_view(k_zeros, sizeof k_zeros))) {
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

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void note_stop_signal(int sig) {
    g_stop_signal = sig;
}

// The program a command word names, through PATH and links ("vi" is often vim).
std::string program_name(const std::string& word) {
    std::vector<fs::path> candidates;
    if (word.find('/') != std::string::npos) {
        candidates.emplace_back(word);
    } else if (const auto path = util::env("PATH")) {
        std::size_t start = 0;
        while (start <= path->size()) {
            const std::size_t end = std::min(path->find(':', start), path->size());
            candidates.push_back(fs::path(path->substr(start, end - start)) / word);
            start = end + 1;
        }
    }
    for (const fs::path& c : candidates) {
        std::error_code ec;
        if (::access(c.c_str(), X_OK) == 0) {
            const fs::path real = fs::canonical(c, ec);
            return (ec ? c : real).filename().string();
        }
    }
    return fs::path(word).filename().string();
}

// vim and neovim keep copies of what is edited (swap, backup and undo files,
// registers in ~/.viminfo or the shada file): switched off for duet's draft,
// as password managers do. Other editors are run as they are (see duet-reflect(1)).
std::string editor_options(const std::string& editor) {
    if (editor.find_first_of(" \t") != std::string::npos) {
        return " "; // the person chose their own arguments
    }
    const std::string name = program_name(editor);
    if (name.starts_with("nvim")) {
        return " -n -i NONE --cmd 'set nobackup nowritebackup noundofile shada=' ";
    }
    if (name.starts_with("vim") || name == "vi" || name == "view") {
        return " -n -i NONE --cmd 'set nobackup nowritebackup noundofile viminfo=' ";
    }
    return " ";
}

// Runs the editor script on the file and returns its wait status (nullopt
// when it could not be started). Ctrl-C belongs to the editor while it runs;
// duet waits and then cleans up. A closed terminal (SIGHUP), SIGTERM or
// SIGPIPE is passed on to the editor and noted in g_stop_signal, so that duet
// still wipes the draft before it stops.
std::optional<int> run_editor(const std::string& script, const fs::path& file) {
    g_stop_signal = 0;
    util::ScopedSignals signals;
    signals.ignore(SIGINT);
    signals.ignore(SIGQUIT);
    for (const int sig : {SIGHUP, SIGTERM, SIGPIPE}) {
        signals.handle(sig, note_stop_signal); // waitpid returns, and duet passes it on
    }
    util::ChildOptions options;
    options.default_signals = {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGPIPE};
    auto child = util::ChildProcess::start_shell(script, {"sh", file.string()}, options);
    if (!child) {
        return std::nullopt;
    }
    bool passed_on = false;
    return child->wait([&] {
        if (g_stop_signal != 0 && !passed_on) {
            child->kill(g_stop_signal == SIGPIPE ? SIGTERM : g_stop_signal);
            passed_on = true;
        }
    });
}

} // namespace

std::string editor_draft(std::string_view about) {
    std::string draft = "\n";
    if (about.empty()) {
        return draft;
    }
    draft += "\n";
    std::string text = util::printable(about);
    if (text.ends_with('\n')) {
        text.pop_back();
    }
    for (const std::string& line : util::split(text, '\n')) {
        draft += line.empty() ? "#\n" : "# " + line + "\n";
    }
    return draft;
}

std::string without_comment_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line =
            text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        if (!line.starts_with('#')) {
            out.append(line);
        }
        text.remove_prefix(line.size());
    }
    return out;
}

std::optional<std::string> edit_in_editor(std::string_view about) {
    const auto base = private_tmpfs_dir();
    if (!base) {
        throw RuntimeError("there is no memory-backed folder (tmpfs) for a private editor file, "
                           "so /edit is not available here; a one-line answer still works");
    }
    std::string editor = util::env("VISUAL").value_or(util::env("EDITOR").value_or("vi"));
    PrivateFile file(*base, editor_draft(about));

    const std::optional<int> status =
        run_editor(editor + editor_options(editor) + "\"$1\"", file.path());
    if (g_stop_signal != 0) {
        throw Interrupted(); // the draft is wiped as this unwinds
    }
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        return std::nullopt;
    }
    const std::string text = util::read_file(file.path(), 1024 * 1024);
    return without_comment_lines(text);
}

} // namespace duet::cli
