#pragma once
// The only door to the person at the keyboard. Behind an interface so the
// same flows run on a real terminal, a pipe, or a test's scripted keystrokes.
#include "duet/cli/output.hpp"
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

// stdin of this process, and what it shows through the Output; colour only
// when stdout is a terminal and neither --no-color nor NO_COLOR says otherwise.
class ProcessTerminal : public Terminal {
  public:
    // no_color is read at each use: it may be set by option parsing after construction.
    ProcessTerminal(Output& output, const bool& no_color);
    bool interactive() const override;
    void say(std::string_view text) override;
    InputLine read_line(std::string_view prompt) override;
    std::optional<crypto::SecureBytes> read_secret(std::string_view prompt) override;
    bool color() const override;
    std::size_t width() const override;

  private:
    Output& m_output;
    const bool& m_no_color;
};

// Styling helpers that fall back to plain text.
std::string bold(const Terminal& t, std::string_view s);
std::string dim(const Terminal& t, std::string_view s);

} // namespace duet::cli
