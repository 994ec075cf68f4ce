#include "duet/cli/pager.hpp"

#include "duet/util/files.hpp"
#include "duet/util/io.hpp"
#include "duet/util/process.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
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

void print_directly(std::string_view text) {
    std::cout << text;
    std::cout.flush();
}

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
    // Keeps duet alive while the pager has the terminal: Ctrl-C and a closed
    // pipe belong to the pager, and duet just waits for it.
    util::ScopedSignals quiet;
    for (const int sig : {SIGPIPE, SIGINT, SIGQUIT}) {
        quiet.ignore(sig);
    }
    util::ChildOptions options;
    options.pipe = util::ChildPipe::to_stdin;
    options.default_signals = {SIGPIPE, SIGINT, SIGQUIT};
    // less keeps colour and quits on short text when LESS does not say otherwise.
    options.env_defaults = {{"LESS", "FRX"}};
    auto pager = util::ChildProcess::start_shell(command, {}, options);
    if (!pager) {
        return print_directly(text);
    }
    // A failed write means the person quit the pager before the end: fine.
    (void)util::write_all(pager->pipe_fd(), text);
    pager->close_pipe();
    const int status = pager->wait();
    // 126/127: the shell could not find or run the pager, so nothing was shown.
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)) {
        std::cerr << fmt::format("duet: the pager '{}' could not be started; showing the text "
                                 "directly (set PAGER to change it).\n",
                                 util::printable(command, false));
        print_directly(text);
    }
}

} // namespace duet::cli
