#pragma once
// Running a shell command as a child process (the pager, the editor, a
// passphrase command), and setting signal dispositions for a while. The child
// is always reaped and its pipe closed, also when an exception unwinds.
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace duet::util {

// Changes signal dispositions until the end of the scope, then restores them.
class ScopedSignals {
  public:
    ScopedSignals() = default;
    ~ScopedSignals();
    ScopedSignals(const ScopedSignals&) = delete;
    ScopedSignals& operator=(const ScopedSignals&) = delete;
    void ignore(int sig);
    // Without SA_RESTART, so a blocking call such as waitpid returns with EINTR.
    void handle(int sig, void (*handler)(int));

  private:
    void set(int sig, const struct sigaction& action);
    std::vector<std::pair<int, struct sigaction>> m_saved;
};

enum class ChildPipe { none, to_stdin, from_stdout };

struct ChildOptions {
    ChildPipe pipe = ChildPipe::none;
    // A process group of its own, so kill() reaches whatever the command started.
    bool own_process_group = false;
    // Set back to their default action in the child (an ignored signal stays
    // ignored across exec otherwise).
    std::vector<int> default_signals;
    // Environment variables the child gets when it does not have them already.
    std::vector<std::pair<std::string, std::string>> env_defaults;
};

class ChildProcess {
  public:
    // Runs `/bin/sh -c script` with args as $0, $1, ...; the child inherits
    // duet's environment and descriptors (pipes are close-on-exec). nullopt,
    // with errno set, when no pipe or process could be made. A script that
    // cannot be run ends with status 127, as the shell's own failures do.
    static std::optional<ChildProcess> start_shell(const std::string& script,
                                                   const std::vector<std::string>& args,
                                                   const ChildOptions& options);
    // Closes the pipe; a child not yet waited for is killed (SIGKILL) and reaped.
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // duet's end of the pipe, -1 when there is none (or it was closed).
    int pipe_fd() const { return m_pipe; }
    void close_pipe();
    // Sends sig to the child (its whole group when it has one); nothing once reaped.
    void kill(int sig);
    // Waits for the child to end and returns its waitpid status. After each
    // signal that interrupts the wait, on_interrupt runs, then the wait goes on.
    int wait(const std::function<void()>& on_interrupt = {});
    // The status when the child has ended, nullopt while it runs.
    std::optional<int> try_wait();

  private:
    ChildProcess(pid_t pid, int pipe, bool group) : m_pid(pid), m_pipe(pipe), m_group(group) {}
    pid_t m_pid;
    int m_pipe;
    bool m_group;
    bool m_reaped = false;
};

} // namespace duet::util
