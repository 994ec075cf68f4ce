#pragma once
// The only door to the person at the keyboard. Behind an interface so the
// same flows run on a real terminal, a pipe, or a test's scripted keystrokes.
#include "duet/crypto/secure.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace duet::cli {

struct InputLine {
    enum class Status { text, end_of_input, interrupted };
    Status status = Status::text;
    std::string text;
};

class Terminal {
  public:
    virtual ~Terminal() = default;
    // Is a person typing (stdin is a terminal)?
    virtual bool interactive() const = 0;
    // Conversation with the person: prompts, confirmations, progress.
    virtual void say(std::string_view text) = 0;
    // One line of input; Ctrl-D on an empty line is end_of_input, Ctrl-C interrupted.
    virtual InputLine read_line(std::string_view prompt) = 0;
    // A line read without echo; nullopt when there is no terminal to ask.
    virtual std::optional<crypto::SecureBytes> read_secret(std::string_view prompt) = 0;
    virtual bool color() const = 0;
    virtual std::size_t width() const = 0;
};

// stdin/stdout of this process; colour only when stdout is a terminal and
// neither --no-color nor NO_COLOR says otherwise.
class ProcessTerminal : public Terminal {
  public:
    // no_color is read at each use: it may be set by option parsing after construction.
    explicit ProcessTerminal(const bool& no_color);
    bool interactive() const override;
    void say(std::string_view text) override;
    InputLine read_line(std::string_view prompt) override;
    std::optional<crypto::SecureBytes> read_secret(std::string_view prompt) override;
    bool color() const override;
    std::size_t width() const override;

  private:
    const bool& m_no_color;
};

// The columns prose gets on the terminal behind fd: its width, but at most
// 80 (longer lines are hard to read); 80 when fd is not a terminal.
std::size_t prose_width(int fd);

// While alive, what duet writes to std::cout and std::cerr (and Terminal::say)
// is wrapped at spaces to prose_width(), when that stream is a terminal; a
// word is never cut. Off a terminal (a pipe, a file, a script reading it)
// every byte is left exactly as written. main() holds one.
class ProseOutput {
  public:
    ProseOutput();
    ~ProseOutput();
    ProseOutput(const ProseOutput&) = delete;
    ProseOutput& operator=(const ProseOutput&) = delete;
};

// While alive, std::cout is written exactly as given, wrapped or not: for
// machine formats (JSON, HTML) and text that is laid out already.
class VerbatimStdout {
  public:
    VerbatimStdout();
    ~VerbatimStdout();
    VerbatimStdout(const VerbatimStdout&) = delete;
    VerbatimStdout& operator=(const VerbatimStdout&) = delete;
};

// Styling helpers that fall back to plain text.
std::string bold(const Terminal& t, std::string_view s);
std::string dim(const Terminal& t, std::string_view s);

} // namespace duet::cli
