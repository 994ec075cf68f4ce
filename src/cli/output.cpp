#include "duet/cli/output.hpp"

#include "piece_buf.hpp"

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <streambuf>
#include <sys/ioctl.h>
#include <unistd.h>

namespace duet::cli {

namespace {

// Lines longer than this are hard to read, however wide the terminal.
constexpr std::size_t k_reading_width = 80;

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

class FdDevice final : public OutputDevice {
  public:
    explicit FdDevice(int fd) : m_fd(fd) {}
    void write(std::string_view bytes) override { write_fd(m_fd, bytes); }
    std::size_t width() const override { return prose_width(m_fd); }

  private:
    int m_fd;
};

class StringDevice final : public OutputDevice {
  public:
    explicit StringDevice(std::size_t width) : m_width(width) {}
    void write(std::string_view bytes) override { text.append(bytes); }
    std::size_t width() const override { return m_width; }
    std::string text;

  private:
    std::size_t m_width;
};

} // namespace

// One stream's bytes on their way to its device: prose through a
// util::ProseWrapper when `wrap`, data as given. Held until a line is complete,
// as a terminal's stdout is line buffered.
class WrappingBuf final : public PieceBuf {
  public:
    WrappingBuf(std::unique_ptr<OutputDevice> device, bool wrap)
        : m_device(std::move(device)), m_wrapper(m_device->width()), m_wrap(wrap) {}
    ~WrappingBuf() override { WrappingBuf::sync(); }
    WrappingBuf(const WrappingBuf&) = delete;
    WrappingBuf& operator=(const WrappingBuf&) = delete;

    void write_data(std::string_view s) {
        if (m_wrap && !m_after_data) {
            m_out += m_wrapper.flush(); // the prose before it ends where it is
            m_after_data = true;
        }
        m_out.append(s);
        emit_lines();
    }
    void at_new_line() {
        sync();
        m_wrapper.at_new_line();
    }

  protected:
    // A flush shows everything, the word in progress too (a prompt before input).
    int sync() override {
        if (m_wrap) {
            m_out += m_wrapper.flush();
            m_wrapper.set_width(m_device->width()); // the window may have been resized
        }
        m_device->write(m_out);
        m_out.clear();
        return 0;
    }

  private:
    void put(std::string_view s) override {
        if (!m_wrap) {
            m_out.append(s);
        } else {
            if (m_after_data) {
                m_wrapper.at_new_line(); // data ends its own lines
                m_after_data = false;
            }
            m_out += m_wrapper.feed(s);
        }
        emit_lines();
    }
    void emit_lines() {
        if (m_out.size() > 4096 || m_out.find('\n') != std::string::npos) {
            m_device->write(m_out);
            m_out.clear();
        }
    }

    std::unique_ptr<OutputDevice> m_device;
    util::ProseWrapper m_wrapper;
    bool m_wrap;
    bool m_after_data = false; // the last bytes were data, not prose
    std::string m_out;
};

namespace {

// Output::data() on a wrapped stream: the same WrappingBuf, as data.
class DataBuf final : public PieceBuf {
  public:
    explicit DataBuf(WrappingBuf& target) : m_target(target) {}

  protected:
    void put(std::string_view s) override { m_target.write_data(s); }
    int sync() override { return m_target.pubsync(); }

  private:
    WrappingBuf& m_target;
};

} // namespace

Output::~Output() = default;

void Output::attach(Stream out, Stream err) {
    m_out_terminal = out.terminal;
    m_err_terminal = err.terminal;
    m_out_buf = std::move(out.buf);
    m_err_buf = std::move(err.buf);
    if (m_out_buf) {
        m_out_stream = std::make_unique<std::ostream>(m_out_buf.get());
        m_data_buf = std::make_unique<DataBuf>(*m_out_buf);
        m_data_stream = std::make_unique<std::ostream>(m_data_buf.get());
        m_out = m_out_stream.get();
        m_data = m_data_stream.get();
    } else {
        m_out = out.plain;
        m_data = out.plain;
    }
    if (m_err_buf) {
        m_err_stream = std::make_unique<std::ostream>(m_err_buf.get());
        m_err = m_err_stream.get();
    } else {
        m_err = err.plain;
    }
}

void Output::say(std::string_view text) {
    out() << text;
    out().flush();
}

void Output::at_new_line() {
    for (WrappingBuf* b : {m_out_buf.get(), m_err_buf.get()}) {
        if (b != nullptr) {
            b->at_new_line();
        }
    }
}

void Output::flush() {
    out().flush();
    err().flush();
}

std::size_t prose_width(int fd) {
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return std::clamp<std::size_t>(ws.ws_col, 20, k_reading_width);
    }
    return k_reading_width;
}

ProcessOutput::ProcessOutput() {
    const auto wrapped = [](int fd) -> std::unique_ptr<WrappingBuf> {
        if (::isatty(fd) != 1) {
            return nullptr;
        }
        return std::make_unique<WrappingBuf>(std::make_unique<FdDevice>(fd), true);
    };
    std::cout.flush();
    std::cerr.flush();
    Stream out{::isatty(STDOUT_FILENO) == 1, wrapped(STDOUT_FILENO), &std::cout};
    Stream err{::isatty(STDERR_FILENO) == 1, wrapped(STDERR_FILENO), &std::cerr};
    attach(std::move(out), std::move(err));
    // Anything that writes std::cout or std::cerr directly (a library's own
    // message) shares the wrapping and the line it is on.
    if (out_buf() != nullptr) {
        m_cout_old = std::cout.rdbuf(out_buf());
    }
    if (err_buf() != nullptr) {
        m_cerr_old = std::cerr.rdbuf(err_buf());
    }
}

ProcessOutput::~ProcessOutput() {
    flush();
    if (m_cout_old != nullptr) {
        std::cout.rdbuf(m_cout_old);
    }
    if (m_cerr_old != nullptr) {
        std::cerr.rdbuf(m_cerr_old);
    }
}

std::size_t ProcessOutput::width() const {
    return prose_width(STDOUT_FILENO);
}

std::size_t ProcessOutput::rows() const {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        return ws.ws_row;
    }
    return 0;
}

CapturedOutput::CapturedOutput(Shape shape) : m_width(shape.width), m_rows(shape.rows) {
    // The strings live in the devices, so they outlive the buffers' last flush.
    const auto captured = [&](const std::string*& text, bool terminal) {
        auto device = std::make_unique<StringDevice>(shape.width);
        text = &device->text;
        return Stream{terminal, std::make_unique<WrappingBuf>(std::move(device), terminal),
                      nullptr};
    };
    attach(captured(m_out_text, shape.out_terminal), captured(m_err_text, shape.err_terminal));
}

CapturedOutput::~CapturedOutput() = default;

std::string CapturedOutput::out_text() {
    flush();
    return *m_out_text;
}

std::string CapturedOutput::err_text() {
    flush();
    return *m_err_text;
}

} // namespace duet::cli
