#pragma once
// duet's error types. Lower layers throw these; only main() prints them.
#include <stdexcept>
#include <string>

namespace duet {

// Exit codes of SPEC.md §5.
enum class ExitCode : int {
    ok = 0,
    runtime = 1,
    usage = 2,
    auth = 3,
    invalid_data = 4,
    interrupted = 130,
};

class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ExitCode code() const noexcept { return m_code; }

  private:
    ExitCode m_code;
};

// I/O, database, environment: something outside the user's input went wrong.
struct RuntimeError : Error {
    explicit RuntimeError(const std::string& m) : Error(ExitCode::runtime, m) {}
};
// The command line was wrong, or duet refuses to act without explicit consent.
struct UsageError : Error {
    explicit UsageError(const std::string& m) : Error(ExitCode::usage, m) {}
};
// Wrong or missing passphrase, or data that failed authentication.
struct AuthError : Error {
    explicit AuthError(const std::string& m) : Error(ExitCode::auth, m) {}
};
// Malformed prompt packs, damaged or foreign files.
struct DataError : Error {
    explicit DataError(const std::string& m) : Error(ExitCode::invalid_data, m) {}
};
// Ctrl-C: stop without saving the prompt in progress.
struct Interrupted : Error {
    Interrupted() : Error(ExitCode::interrupted, "stopped; nothing in progress was saved") {}
};

} // namespace duet
