#include "duet/cli/pager.hpp"

#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <string>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace duet::cli {

namespace {

constexpr std::string_view k_default_pager = "less -FRX";

std::size_t terminal_rows() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        return ws.ws_row;
    }
    return 0;
}

// Writes everything, stopping quietly when the reader has gone (the person quit the pager).
void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

void print_directly(std::string_view text) {
    std::cout << text;
    std::cout.flush();
}

// Keeps duet alive while the pager has the terminal: Ctrl-C and a closed pipe
// belong to the pager, and duet just waits for it.
class IgnoreSignalsWhilePaging {
  public:
    IgnoreSignalsWhilePaging() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigemptyset(&ignore.sa_mask);
        ::sigaction(SIGPIPE, &ignore, &m_pipe);
        ::sigaction(SIGINT, &ignore, &m_int);
        ::sigaction(SIGQUIT, &ignore, &m_quit);
    }
    ~IgnoreSignalsWhilePaging() {
        ::sigaction(SIGPIPE, &m_pipe, nullptr);
        ::sigaction(SIGINT, &m_int, nullptr);
        ::sigaction(SIGQUIT, &m_quit, nullptr);
    }
    IgnoreSignalsWhilePaging(const IgnoreSignalsWhilePaging&) = delete;
    IgnoreSignalsWhilePaging& operator=(const IgnoreSignalsWhilePaging&) = delete;

  private:
    struct sigaction m_pipe {};
    struct sigaction m_int {};
    struct sigaction m_quit {};
};

// Only text taller than the terminal is paged (rows 0: height unknown, use 24).
bool needs_pager(std::string_view text, std::size_t rows) {
    const std::size_t height = rows == 0 ? 24 : rows;
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    // The shell's prompt needs the last row.
    return lines >= height;
}

} // namespace

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

void show_paged(std::string_view text) {
    if (!stdout_is_terminal() || !needs_pager(text, terminal_rows())) {
        return print_directly(text);
    }
    const std::string command = util::env("PAGER").value_or(std::string(k_default_pager));
    std::cout.flush();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return print_directly(text);
    }
    IgnoreSignalsWhilePaging quiet;
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return print_directly(text);
    }
    if (pid == 0) {
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGQUIT, SIG_DFL);
        ::dup2(fds[0], STDIN_FILENO);
        // less keeps colour and quits on short text when LESS does not say otherwise.
        ::setenv("LESS", "FRX", 0);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    write_all(fds[1], text);
    ::close(fds[1]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // 126/127: the shell could not find or run the pager, so nothing was shown.
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)) {
        std::cerr << fmt::format("duet: the pager '{}' could not be started; showing the text "
                                 "directly (set PAGER to change it).\n",
                                 util::printable(command, false));
        print_directly(text);
    }
}

} // namespace duet::cli
