// Passphrase sources (SPEC §2), first found wins: --passphrase-fd N,
// DUET_PASSPHRASE_FILE, DUET_PASSPHRASE_COMMAND, DUET_PASSPHRASE, then the terminal.
#include "duet/cli/context.hpp"
#include "duet/cli/unlock.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/io.hpp"
#include "duet/util/process.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace duet::cli {

namespace {

constexpr std::size_t k_max_passphrase = 1024;

// Keeps the first line (without its line ending) of what was read.
crypto::SecureBytes first_line(crypto::SecureBytes buf) {
    std::size_t n = 0;
    while (n < buf.size() && buf.data()[n] != '\n') {
        ++n;
    }
    if (n > 0 && buf.data()[n - 1] == '\r') {
        --n;
    }
    buf.resize(n);
    return buf;
}

// Waits until fd can be read or the deadline passes; false on time-out.
bool wait_readable(int fd, std::optional<std::chrono::steady_clock::time_point> deadline) {
    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return false;
            }
            wait_ms = static_cast<int>(std::min<long long>(left.count(), 60'000));
        }
        pollfd p{fd, POLLIN, 0};
        const int rc = ::poll(&p, 1, wait_ms);
        if (rc > 0) {
            return true;
        }
        if (rc < 0 && errno != EINTR) {
            return true; // let read() report it
        }
    }
}

struct TimedOut {};

// The first line, at most k_max_passphrase bytes: a longer one is refused, never cut.
crypto::SecureBytes
read_fd_line(int fd, const std::string& what,
             std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
    crypto::SecureBytes buf(k_max_passphrase + 1);
    std::size_t len = 0;
    while (len < buf.capacity()) {
        if (deadline && !wait_readable(fd, deadline)) {
            throw TimedOut{};
        }
        const ssize_t n = util::read_some(fd, buf.data() + len, 1);
        if (n < 0) {
            throw AuthError(fmt::format("could not read the passphrase from {}", what));
        }
        if (n == 0 || buf.data()[len] == '\n') {
            break;
        }
        ++len;
    }
    if (len > k_max_passphrase) {
        throw AuthError(fmt::format("the passphrase from {} is longer than {} bytes; duet does not "
                                    "cut a passphrase short, so please use a shorter one",
                                    what, k_max_passphrase));
    }
    buf.resize(len);
    return first_line(std::move(buf));
}

crypto::SecureBytes from_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw AuthError(
            fmt::format("could not read the passphrase file {} (DUET_PASSPHRASE_FILE)", path));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    return read_fd_line(fd, path);
}

// DUET_PASSPHRASE_TIMEOUT seconds (default 30) for DUET_PASSPHRASE_COMMAND.
std::chrono::seconds command_timeout() {
    const auto text = util::env("DUET_PASSPHRASE_TIMEOUT");
    if (!text) {
        return std::chrono::seconds(30);
    }
    char* end = nullptr;
    const long v = std::strtol(text->c_str(), &end, 10);
    if (end == text->c_str() || *end != '\0' || v < 1 || v > 3600) {
        throw UsageError(fmt::format("DUET_PASSPHRASE_TIMEOUT '{}': please give whole seconds "
                                     "from 1 to 3600",
                                     *text));
    }
    return std::chrono::seconds(v);
}

using Deadline = std::chrono::steady_clock::time_point;

// Reads on a little after the passphrase, so a command that prints more (or
// lingers) is not cut off mid-way; but never for long, and never more than a
// little. false when the command had to be stopped.
bool drain_output(int fd, Deadline deadline) {
    char sink[4096];
    std::size_t drained = 0;
    const auto drain_until =
        std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(2));
    bool finished = true;
    for (;;) {
        if (!wait_readable(fd, drain_until)) {
            finished = false;
            break;
        }
        const ssize_t n = util::read_some(fd, sink, sizeof sink);
        if (n <= 0) {
            break;
        }
        drained += static_cast<std::size_t>(n);
        if (drained > 64 * 1024) {
            finished = false;
            break;
        }
    }
    crypto::wipe(sink, sizeof sink);
    return finished;
}

// Waits for the command to end, stopping it at the deadline; its wait status.
int wait_until(util::ChildProcess& child, Deadline deadline, bool& stopped) {
    for (;;) {
        if (stopped) {
            return child.wait();
        }
        if (const auto status = child.try_wait()) {
            return *status;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            child.kill(SIGKILL);
            stopped = true;
        } else {
            ::usleep(10'000);
        }
    }
}

crypto::SecureBytes from_command(const std::string& command) {
    const auto timeout = command_timeout();
    util::ChildOptions options;
    options.pipe = util::ChildPipe::from_stdout;
    options.own_process_group = true; // so a time-out ends whatever it started
    // On an exception, the child's destructor kills its group and reaps it.
    auto child = util::ChildProcess::start_shell(command, {}, options);
    if (!child) {
        throw RuntimeError("could not run DUET_PASSPHRASE_COMMAND");
    }
    const Deadline deadline = std::chrono::steady_clock::now() + timeout;
    bool stopped = false;
    const auto stop = [&] {
        child->kill(SIGKILL);
        stopped = true;
    };
    std::optional<crypto::SecureBytes> p;
    try {
        p = read_fd_line(child->pipe_fd(), "DUET_PASSPHRASE_COMMAND", deadline);
    } catch (const TimedOut&) {
        stop();
    }
    if (!stopped && !drain_output(child->pipe_fd(), deadline)) {
        stop();
    }
    child->close_pipe();
    const int status = wait_until(*child, deadline, stopped);
    if (!p) {
        throw AuthError(fmt::format("DUET_PASSPHRASE_COMMAND gave no passphrase within {} seconds "
                                    "(DUET_PASSPHRASE_TIMEOUT), so it was stopped",
                                    timeout.count()));
    }
    if (!stopped && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        throw AuthError("DUET_PASSPHRASE_COMMAND failed, so there is no passphrase to use");
    }
    return std::move(*p);
}

constexpr const char* k_sources_help =
    "duet looks for a passphrase in --passphrase-fd N, DUET_PASSPHRASE_FILE, "
    "DUET_PASSPHRASE_COMMAND and DUET_PASSPHRASE, or asks on a terminal";

} // namespace

crypto::SecureBytes Context::passphrase(bool creating) {
    std::optional<crypto::SecureBytes> p;
    if (m_options.passphrase_fd >= 0) {
        p = read_fd_line(m_options.passphrase_fd,
                         fmt::format("file descriptor {}", m_options.passphrase_fd));
    } else if (m_secrets.file) {
        p = from_file(*m_secrets.file);
    } else if (m_secrets.command) {
        p = from_command(*m_secrets.command);
    } else if (m_secrets.env_passphrase) {
        p.emplace(m_secrets.env_passphrase->view());
    } else if (m_terminal.interactive()) {
        p = creating ? ask_new_passphrase_twice() : m_terminal.read_secret(m_passphrase_question);
    } else {
        throw AuthError(fmt::format("this needs your passphrase, and there is no terminal to ask "
                                    "on; {}",
                                    k_sources_help));
    }
    if (!p || p->empty()) {
        throw AuthError(fmt::format("the passphrase is empty; {}", k_sources_help));
    }
    return std::move(*p);
}

crypto::SecureBytes Context::ask_new_passphrase_twice() {
    if (!m_terminal.interactive()) {
        throw AuthError("choosing a new passphrase needs a terminal, or --new-passphrase-fd N");
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto first = m_terminal.read_secret("New passphrase: ");
        if (!first || first->empty()) {
            m_terminal.say("An empty passphrase would leave the journal open to anyone; "
                           "please choose one.\n");
            continue;
        }
        auto second = m_terminal.read_secret("The same passphrase again: ");
        if (second && crypto::equal_constant_time(first->view(), second->view())) {
            return std::move(*first);
        }
        m_terminal.say("Those two did not match; let's try once more.\n");
    }
    throw AuthError("no new passphrase was chosen, so nothing was changed");
}

crypto::SecureBytes Context::read_passphrase_fd(int fd) {
    auto p = read_fd_line(fd, fmt::format("file descriptor {}", fd));
    if (p.empty()) {
        throw AuthError(fmt::format("the passphrase on file descriptor {} is empty", fd));
    }
    return p;
}

store::Journal Context::unlock(bool create_if_missing) {
    if (auto held = open_held(data_folder())) {
        return std::move(*held);
    }
    return unlock_asking(create_if_missing);
}

store::Journal Context::unlock_with_passphrase() {
    require_journal();
    return unlock_asking(false);
}

store::Journal Context::unlock_asking(bool create_if_missing) {
    const store::DataFolder folder = data_folder();
    if (!store::Journal::exists(folder)) {
        if (!create_if_missing) {
            require_journal();
        }
        const auto preset = util::env("DUET_KDF");
        const crypto::KdfParams kdf = crypto::kdf_preset(preset.value_or("moderate"));
        if (m_terminal.interactive()) {
            m_terminal.say(fmt::format(
                "Welcome. duet will keep your journal in {}, encrypted with a passphrase only "
                "you know.\nIf the passphrase is lost, so is the journal: there is no reset.\n"
                "duet is not meant for a relationship with fear, threats, violence or control; "
                "if that is yours, it is not your fault, and `man duet` (SAFETY) says where "
                "help is found.\n",
                folder.dir.string()));
        }
        const crypto::SecureBytes pass = passphrase(true);
        return store::Journal::create(folder, pass, kdf);
    }
    // On a terminal, a mistyped passphrase gets two more tries.
    const bool can_retry = m_options.passphrase_fd < 0 && !m_secrets.file && !m_secrets.command &&
                           !m_secrets.env_passphrase && m_terminal.interactive();
    for (int attempt = 1;; ++attempt) {
        const crypto::SecureBytes pass = passphrase(false);
        try {
            return store::Journal::open(folder, pass);
        } catch (const AuthError&) {
            if (!can_retry || attempt == 3) {
                throw;
            }
            m_terminal.say("That passphrase does not unlock this journal. Please try again.\n");
        }
    }
}

} // namespace duet::cli
