#include "duet/cli/terminal.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <streambuf>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace duet::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void note_interrupt(int) {
    g_interrupted = 1;
}

// While alive, Ctrl-C interrupts a blocking read() instead of killing duet,
// so the caller can stop cleanly (restoring echo, saving nothing half-done).
class InterruptibleRead {
  public:
    InterruptibleRead() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = note_interrupt;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART: read() must return EINTR
        sigaction(SIGINT, &sa, &m_old);
    }
    ~InterruptibleRead() { sigaction(SIGINT, &m_old, nullptr); }
    InterruptibleRead(const InterruptibleRead&) = delete;
    InterruptibleRead& operator=(const InterruptibleRead&) = delete;

  private:
    struct sigaction m_old {};
};

void write_fd(int fd, std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

constexpr std::size_t k_max_line = 1024 * 1024;

// Lines longer than this are hard to read, however wide the terminal.
constexpr std::size_t k_reading_width = 80;

// A stream buffer that wraps prose on its way to a terminal (see ProseOutput).
class WrappingBuf final : public std::streambuf {
  public:
    explicit WrappingBuf(int fd) : m_fd(fd), m_wrapper(prose_width(fd)) {}
    ~WrappingBuf() override { WrappingBuf::sync(); }
    WrappingBuf(const WrappingBuf&) = delete;
    WrappingBuf& operator=(const WrappingBuf&) = delete;

    void set_verbatim(bool on) {
        sync();
        m_verbatim = on;
        m_wrapper.at_new_line(); // verbatim text ends its own lines
    }
    void at_new_line() {
        sync();
        m_wrapper.at_new_line();
    }

  protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) {
            return traits_type::not_eof(c);
        }
        const char ch = traits_type::to_char_type(c);
        put(std::string_view(&ch, 1));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        put(std::string_view(s, static_cast<std::size_t>(n)));
        return n;
    }
    // A flush shows everything, the word in progress too (a prompt before input).
    int sync() override {
        if (!m_verbatim) {
            m_out += m_wrapper.flush();
            m_wrapper.set_width(prose_width(m_fd)); // the window may have been resized
        }
        write_fd(m_fd, m_out);
        m_out.clear();
        return 0;
    }

  private:
    void put(std::string_view s) {
        if (m_verbatim) {
            m_out.append(s);
        } else {
            m_out += m_wrapper.feed(s);
        }
        // Written line by line, as a terminal's stdout is.
        if (m_out.size() > 4096 || m_out.find('\n') != std::string::npos) {
            write_fd(m_fd, m_out);
            m_out.clear();
        }
    }

    int m_fd;
    util::ProseWrapper m_wrapper;
    bool m_verbatim = false;
    std::string m_out;
};

WrappingBuf* g_stdout_wrap = nullptr;
WrappingBuf* g_stderr_wrap = nullptr;
std::streambuf* g_stdout_old = nullptr;
std::streambuf* g_stderr_old = nullptr;

// The person pressed Enter: the cursor is at the start of a line.
void note_new_line() {
    for (WrappingBuf* b : {g_stdout_wrap, g_stderr_wrap}) {
        if (b != nullptr) {
            b->at_new_line();
        }
    }
}

} // namespace

std::size_t prose_width(int fd) {
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return std::clamp<std::size_t>(ws.ws_col, 20, k_reading_width);
    }
    return k_reading_width;
}

ProseOutput::ProseOutput() {
    if (g_stdout_wrap == nullptr && ::isatty(STDOUT_FILENO) == 1) {
        std::cout.flush();
        g_stdout_wrap = new WrappingBuf(STDOUT_FILENO);
        g_stdout_old = std::cout.rdbuf(g_stdout_wrap);
    }
    if (g_stderr_wrap == nullptr && ::isatty(STDERR_FILENO) == 1) {
        std::cerr.flush();
        g_stderr_wrap = new WrappingBuf(STDERR_FILENO);
        g_stderr_old = std::cerr.rdbuf(g_stderr_wrap);
    }
}

ProseOutput::~ProseOutput() {
    if (g_stdout_wrap != nullptr) {
        std::cout.flush();
        std::cout.rdbuf(g_stdout_old);
        delete g_stdout_wrap;
        g_stdout_wrap = nullptr;
    }
    if (g_stderr_wrap != nullptr) {
        std::cerr.flush();
        std::cerr.rdbuf(g_stderr_old);
        delete g_stderr_wrap;
        g_stderr_wrap = nullptr;
    }
}

VerbatimStdout::VerbatimStdout() {
    if (g_stdout_wrap != nullptr) {
        std::cout.flush();
        g_stdout_wrap->set_verbatim(true);
    }
}

VerbatimStdout::~VerbatimStdout() {
    if (g_stdout_wrap != nullptr) {
        std::cout.flush();
        g_stdout_wrap->set_verbatim(false);
    }
}

ProcessTerminal::ProcessTerminal(const bool& no_color) : m_no_color(no_color) {}

bool ProcessTerminal::color() const {
    return !m_no_color && ::isatty(STDOUT_FILENO) == 1 && !util::env("NO_COLOR") &&
           util::env("TERM").value_or("dumb") != "dumb";
}

bool ProcessTerminal::interactive() const {
    return ::isatty(STDIN_FILENO) == 1;
}

void ProcessTerminal::say(std::string_view text) {
    std::cout << text;
    std::cout.flush();
}

InputLine ProcessTerminal::read_line(std::string_view prompt) {
    std::cerr.flush();
    say(prompt);
    InterruptibleRead guard;
    InputLine result;
    struct NewLineAfter {
        ~NewLineAfter() { note_new_line(); }
    } new_line_after;
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0) {
            if (errno == EINTR && g_interrupted) {
                say("\n");
                return {InputLine::Status::interrupted, {}};
            }
            if (errno == EINTR) {
                continue;
            }
            throw RuntimeError("could not read from the terminal");
        }
        if (n == 0) {
            if (result.text.empty()) {
                if (interactive()) {
                    say("\n");
                }
                return {InputLine::Status::end_of_input, {}};
            }
            return result; // a last line without a newline
        }
        if (c == '\n') {
            if (!result.text.empty() && result.text.back() == '\r') {
                result.text.pop_back();
            }
            return result;
        }
        if (result.text.size() >= k_max_line) {
            throw DataError("that line is too long (over 1 MiB); /edit suits long answers");
        }
        result.text += c;
    }
}

std::optional<crypto::SecureBytes> ProcessTerminal::read_secret(std::string_view prompt) {
    if (!interactive()) {
        return std::nullopt;
    }
    termios old{};
    if (::tcgetattr(STDIN_FILENO, &old) != 0) {
        return std::nullopt;
    }
    std::cout.flush();
    std::cerr << prompt;
    std::cerr.flush();
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    crypto::SecureBytes buf(1024);
    std::size_t len = 0;
    bool interrupted = false;
    {
        InterruptibleRead guard;
        for (;;) {
            char c = 0;
            const ssize_t n = ::read(STDIN_FILENO, &c, 1);
            if (n < 0 && errno == EINTR && g_interrupted) {
                interrupted = true;
                break;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0 || c == '\n') {
                break;
            }
            if (len < buf.capacity()) {
                buf.data()[len++] = static_cast<unsigned char>(c);
            }
        }
    }
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    note_new_line(); // the terminal echoed the newline
    if (interrupted) {
        write_fd(STDERR_FILENO, "\n");
        throw Interrupted();
    }
    if (len > 0 && buf.data()[len - 1] == '\r') {
        --len;
    }
    buf.resize(len);
    return buf;
}

std::size_t ProcessTerminal::width() const {
    return prose_width(STDOUT_FILENO);
}

std::string bold(const Terminal& t, std::string_view s) {
    return t.color() ? "\x1b[1m" + std::string(s) + "\x1b[0m" : std::string(s);
}

std::string dim(const Terminal& t, std::string_view s) {
    return t.color() ? "\x1b[2m" + std::string(s) + "\x1b[0m" : std::string(s);
}

} // namespace duet::cli
