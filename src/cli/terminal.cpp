#include "duet/cli/terminal.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <cerrno>
#include <csignal>
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

constexpr std::size_t k_max_line = 1024 * 1024;

} // namespace

ProcessTerminal::ProcessTerminal(Output& output, const bool& no_color)
    : m_output(output), m_no_color(no_color) {}

bool ProcessTerminal::color() const {
    return !m_no_color && m_output.out_is_terminal() && !util::env("NO_COLOR") &&
           util::env("TERM").value_or("dumb") != "dumb";
}

bool ProcessTerminal::interactive() const {
    return ::isatty(STDIN_FILENO) == 1;
}

void ProcessTerminal::say(std::string_view text) {
    m_output.say(text);
}

InputLine ProcessTerminal::read_line(std::string_view prompt) {
    m_output.err().flush();
    say(prompt);
    InterruptibleRead guard;
    InputLine result;
    struct NewLineAfter {
        Output& output;
        ~NewLineAfter() { output.at_new_line(); }
    } new_line_after{m_output};
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
    m_output.out().flush();
    m_output.err() << prompt;
    m_output.err().flush();
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
    m_output.at_new_line(); // the terminal echoed the newline
    if (interrupted) {
        m_output.err() << '\n';
        m_output.err().flush();
        throw Interrupted();
    }
    if (len > 0 && buf.data()[len - 1] == '\r') {
        --len;
    }
    buf.resize(len);
    return buf;
}

std::size_t ProcessTerminal::width() const {
    return m_output.width();
}

std::string bold(const Terminal& t, std::string_view s) {
    return t.color() ? "\x1b[1m" + std::string(s) + "\x1b[0m" : std::string(s);
}

std::string dim(const Terminal& t, std::string_view s) {
    return t.color() ? "\x1b[2m" + std::string(s) + "\x1b[0m" : std::string(s);
}

} // namespace duet::cli
