#include "duet/util/process.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace duet::util {

ScopedSignals::~ScopedSignals() {
    for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it) {
        ::sigaction(it->first, &it->second, nullptr);
    }
}

void ScopedSignals::set(int sig, const struct sigaction& action) {
    struct sigaction old {};
    ::sigaction(sig, &action, &old);
    m_saved.emplace_back(sig, old);
}

void ScopedSignals::ignore(int sig) {
    struct sigaction action {};
    action.sa_handler = SIG_IGN;
    ::sigemptyset(&action.sa_mask);
    set(sig, action);
}

void ScopedSignals::handle(int sig, void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    ::sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    set(sig, action);
}

namespace {
// What the child does between fork and exec; never returns.
[[noreturn]] void become_child(const std::vector<char*>& argv, const ChildOptions& options,
                               const std::array<int, 2>& fds) {
    if (options.own_process_group) {
        ::setpgid(0, 0);
    }
    for (const int sig : options.default_signals) {
        ::signal(sig, SIG_DFL);
    }
    if (options.pipe == ChildPipe::to_stdin) {
        ::dup2(fds[0], STDIN_FILENO);
    } else if (options.pipe == ChildPipe::from_stdout) {
        ::dup2(fds[1], STDOUT_FILENO);
    }
    for (const auto& [name, value] : options.env_defaults) {
        ::setenv(name.c_str(), value.c_str(), 0);
    }
    ::execv("/bin/sh", argv.data());
    ::_exit(127);
}
} // namespace

std::optional<ChildProcess> ChildProcess::start_shell(const std::string& script,
                                                      const std::vector<std::string>& args,
                                                      const ChildOptions& options) {
    // Built before fork, so the child need not allocate.
    std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                               const_cast<char*>(script.c_str())};
    for (const std::string& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::array<int, 2> fds = {-1, -1};
    if (options.pipe != ChildPipe::none && ::pipe2(fds.data(), O_CLOEXEC) != 0) {
        return std::nullopt;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int saved = errno;
        for (const int fd : fds) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
        errno = saved;
        return std::nullopt;
    }
    if (pid == 0) {
        become_child(argv, options, fds);
    }
    if (options.own_process_group) {
        ::setpgid(pid, pid); // also here, so kill() works before the child ran
    }
    int ours = -1;
    if (options.pipe == ChildPipe::to_stdin) {
        ::close(fds[0]);
        ours = fds[1];
    } else if (options.pipe == ChildPipe::from_stdout) {
        ::close(fds[1]);
        ours = fds[0];
    }
    return ChildProcess(pid, ours, options.own_process_group);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(other.m_pid), m_pipe(std::exchange(other.m_pipe, -1)), m_group(other.m_group),
      m_reaped(std::exchange(other.m_reaped, true)) {}

ChildProcess::~ChildProcess() {
    close_pipe();
    if (!m_reaped) {
        kill(SIGKILL);
        wait();
    }
}

void ChildProcess::close_pipe() {
    if (m_pipe >= 0) {
        ::close(m_pipe);
        m_pipe = -1;
    }
}

void ChildProcess::kill(int sig) {
    if (!m_reaped) {
        ::kill(m_group ? -m_pid : m_pid, sig);
    }
}

int ChildProcess::wait(const std::function<void()>& on_interrupt) {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0) {
        if (errno != EINTR) {
            break;
        }
        if (on_interrupt) {
            on_interrupt();
        }
    }
    m_reaped = true;
    return status;
}

std::optional<int> ChildProcess::try_wait() {
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
        if (done == 0) {
            return std::nullopt;
        }
        if (done < 0 && errno == EINTR) {
            continue;
        }
        m_reaped = true; // ended, or not ours to wait for (ECHILD)
        return status;
    }
}

} // namespace duet::util
