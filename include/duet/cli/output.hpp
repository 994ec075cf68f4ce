#pragma once
// Everything duet shows goes through one Output: prose for the person,
// wrapped at spaces to the terminal's width (never cutting a word), and data
// (exports, JSON, reports laid out already) passed through byte for byte. Off
// a terminal (a pipe, a file, a script reading it) prose is left exactly as
// written too. main() holds a ProcessOutput; tests use a CapturedOutput.
#include "duet/util/text.hpp"

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace duet::cli {

// Where one stream's bytes end up: a file descriptor, or a test's string.
class OutputDevice {
  public:
    virtual ~OutputDevice() = default;
    virtual void write(std::string_view bytes) = 0;
    // The columns prose may use now (a terminal may have been resized).
    virtual std::size_t width() const = 0;
};

class WrappingBuf;
class PagedStream;

// A pager as PagedStream sees it; cli/pager.cpp starts the real one.
class Pager {
  public:
    virtual ~Pager() = default;
    // Hands text to the pager; false once it has gone (quit, or never started).
    virtual bool write(std::string_view text) = 0;
    // Ends the pager's input and waits for it to exit. False when it could not
    // be started at all, so it showed nothing (having said why on stderr).
    virtual bool finish() = 0;
};
// Starts a pager; nullptr when none could be started (no pipe, no process).
using StartPager = std::function<std::unique_ptr<Pager>()>;

class Output {
  public:
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    virtual ~Output();

    // Prose on stdout and stderr: wrapped when that stream is a terminal.
    std::ostream& out() { return *m_out; }
    std::ostream& err() { return *m_err; }
    // stdout byte for byte, also on a terminal: machine formats, laid-out text.
    std::ostream& data() { return *m_data; }
    // Prose on stdout, shown at once (a prompt before input is read).
    void say(std::string_view text);

    bool out_is_terminal() const { return m_out_terminal; }
    bool err_is_terminal() const { return m_err_terminal; }
    // The columns prose gets on stdout (80 when it is not a terminal).
    virtual std::size_t width() const = 0;
    // The rows of stdout's terminal; 0 when unknown.
    virtual std::size_t rows() const = 0;

    // The person pressed Enter: the cursor is at the start of a line again.
    void at_new_line();
    // Shows everything written so far, the word in progress too.
    void flush();

    // Data for a pager, as PagedStream describes.
    PagedStream paged(StartPager start);

  protected:
    Output() = default;
    // One of the two streams, as a subclass's constructor sets it up (once,
    // through attach). Without a buf, the stream is left to `plain` (a
    // process's std::cout off a terminal keeps its own buffering).
    struct Stream {
        bool terminal = false;
        std::unique_ptr<WrappingBuf> buf;
        std::ostream* plain = nullptr;
    };
    void attach(Stream out, Stream err);
    WrappingBuf* out_buf() { return m_out_buf.get(); }
    WrappingBuf* err_buf() { return m_err_buf.get(); }

  private:
    std::unique_ptr<WrappingBuf> m_out_buf;
    std::unique_ptr<WrappingBuf> m_err_buf;
    std::unique_ptr<std::streambuf> m_data_buf;
    std::unique_ptr<std::ostream> m_out_stream;
    std::unique_ptr<std::ostream> m_err_stream;
    std::unique_ptr<std::ostream> m_data_stream;
    std::ostream* m_out = nullptr;
    std::ostream* m_err = nullptr;
    std::ostream* m_data = nullptr;
    bool m_out_terminal = false;
    bool m_err_terminal = false;
};

// This process's stdout and stderr. While it lives, std::cout and std::cerr
// write through it too, so anything writing them directly (a library's own
// message) wraps the same way and shares the line it is on. One at a time.
class ProcessOutput final : public Output {
  public:
    ProcessOutput();
    ~ProcessOutput() override;
    std::size_t width() const override;
    std::size_t rows() const override;

  private:
    std::streambuf* m_cout_old = nullptr;
    std::streambuf* m_cerr_old = nullptr;
};

// The test double: captures stdout and stderr in strings, as a terminal of
// the given width and rows would show them, or as a pipe would.
class CapturedOutput final : public Output {
  public:
    struct Shape {
        bool out_terminal = false;
        bool err_terminal = false;
        std::size_t width = 80;
        std::size_t rows = 24;
    };
    explicit CapturedOutput(Shape shape);
    ~CapturedOutput() override;
    std::size_t width() const override { return m_width; }
    std::size_t rows() const override { return m_rows; }
    // What reached each stream so far (after a flush).
    std::string out_text();
    std::string err_text();

  private:
    const std::string* m_out_text = nullptr;
    const std::string* m_err_text = nullptr;
    std::size_t m_width;
    std::size_t m_rows;
};

// Text that is paged when it is taller than the terminal, as git does, while
// the command is still writing it: the first screenful is held; once it is
// full, the pager starts and gets it and then the rest as it comes. Shorter
// text, and everything off a terminal, goes to Output::data() unchanged. If
// the pager cannot be started, the text is shown directly after all.
class PagedStream {
  public:
    PagedStream(Output& output, StartPager start);
    PagedStream(PagedStream&&) noexcept;
    PagedStream& operator=(PagedStream&&) = delete;
    // Calls finish() if it was not called (quietly, as a destructor must).
    ~PagedStream();

    std::ostream& stream();
    // Shows what is held and waits for the pager, if one started.
    void finish();

    class Buf;

  private:
    std::unique_ptr<Buf> m_buf;
    std::unique_ptr<std::ostream> m_stream;
};

// The columns prose gets on the terminal behind fd: its width, but at most
// 80 (longer lines are hard to read); 80 when fd is not a terminal.
std::size_t prose_width(int fd);

} // namespace duet::cli
