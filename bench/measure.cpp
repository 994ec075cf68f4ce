#include "measure.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace duet::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t k_stderr_kept = 2000;

// The bench's environment without duet's own variables, then the command's.
std::vector<std::string> child_environment(const Command& cmd) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        if (!entry.starts_with("DUET_") && !entry.starts_with("XDG_DATA_HOME=")) {
            env.emplace_back(entry);
        }
    }
    env.insert(env.end(), cmd.env.begin(), cmd.env.end());
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

// A private temporary file for the child's stderr (or captured stdout).
class TempFile {
  public:
    TempFile() {
        m_fd = ::mkostemp(m_path.data(), O_CLOEXEC);
        if (m_fd < 0) {
            throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
        }
    }
    ~TempFile() {
        ::close(m_fd);
        ::unlink(m_path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return m_path; }
    // At most `limit` bytes; sized by the file, so the bench itself stays small (a
    // child's peak memory counts the pages it inherits from us at fork).
    std::string read(std::size_t limit) const {
        struct stat st {};
        if (::fstat(m_fd, &st) != 0) {
            return {};
        }
        std::string text(std::min(limit, static_cast<std::size_t>(st.st_size)), '\0');
        std::ifstream in(m_path, std::ios::binary);
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        return text;
    }

  private:
    std::string m_path = "/tmp/duet-bench-XXXXXX";
    int m_fd = -1;
};

// SIGCHLD stays blocked while a child runs so sigtimedwait can wait for it with a timeout.
class BlockChildSignal {
  public:
    BlockChildSignal() {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGCHLD);
        ::sigprocmask(SIG_BLOCK, &m_set, &m_old);
        // A leftover notification from an earlier child must not end this wait early.
        const timespec zero{0, 0};
        while (::sigtimedwait(&m_set, nullptr, &zero) == SIGCHLD) {
        }
    }
    ~BlockChildSignal() { ::sigprocmask(SIG_SETMASK, &m_old, nullptr); }
    BlockChildSignal(const BlockChildSignal&) = delete;
    BlockChildSignal& operator=(const BlockChildSignal&) = delete;

    const sigset_t& set() const { return m_set; }
    const sigset_t& old() const { return m_old; }

  private:
    sigset_t m_set{};
    sigset_t m_old{};
};

[[noreturn]] void exec_child(const Command& cmd, const std::string& stderr_path, char** argv,
                             char** envp, const sigset_t& mask) {
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    const int in = ::open(cmd.stdin_path.c_str(), O_RDONLY);
    const int out = ::open(cmd.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_TRUNC);
    if (in < 0 || out < 0 || err < 0) {
        ::_exit(126);
    }
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execvpe(argv[0], argv, envp);
    ::_exit(127);
}

} // namespace

Sample run_once(const Command& cmd, double timeout_s) {
    std::vector<std::string> args = cmd.argv;
    std::vector<std::string> env = child_environment(cmd);
    std::vector<char*> argv = pointers(args);
    std::vector<char*> envp = pointers(env);
    TempFile err;
    BlockChildSignal block;

    Sample s;
    const auto start = Clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        exec_child(cmd, err.path(), argv.data(), envp.data(), block.old());
    }
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(timeout_s));
    int status = 0;
    rusage usage{};
    for (;;) {
        const auto left = std::max(Clock::duration::zero(), deadline - Clock::now());
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        const timespec wait_for{static_cast<time_t>(ns / 1000000000),
                                static_cast<long>(ns % 1000000000)};
        const int sig = ::sigtimedwait(&block.set(), nullptr, &wait_for);
        if (sig == SIGCHLD) {
            if (::wait4(pid, &status, WNOHANG, &usage) == pid) {
                break;
            }
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        s.timed_out = true;
        ::kill(pid, SIGKILL);
        ::wait4(pid, &status, 0, &usage);
        break;
    }
    s.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    s.peak_rss_kib = usage.ru_maxrss;
    const auto to_ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000 + static_cast<double>(t.tv_usec) / 1000;
    };
    s.cpu_ms = to_ms(usage.ru_utime) + to_ms(usage.ru_stime);
    s.exit_code = !s.timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    s.stderr_text = err.read(k_stderr_kept);
    return s;
}

std::string last_line(const std::string& text) {
    std::string t = text;
    while (!t.empty() && t.back() == '\n') {
        t.pop_back();
    }
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

namespace {
std::string describe_failure(const Command& cmd, const Sample& s) {
    std::ostringstream why;
    why << cmd.argv.front();
    if (s.timed_out) {
        why << " did not finish in time";
    } else if (s.exit_code < 0) {
        why << " was killed by a signal";
    } else {
        why << " exited with " << s.exit_code;
    }
    if (!s.stderr_text.empty()) {
        why << ": " << s.stderr_text.substr(0, s.stderr_text.find('\n'));
    }
    return why.str();
}
} // namespace

Stats measure(const Command& cmd, const MeasureOptions& o) {
    Stats st;
    std::vector<double> times;
    std::vector<double> cpu;
    const auto once = [&]() -> std::optional<Sample> {
        if (o.before_each) {
            o.before_each();
        }
        Sample s = run_once(cmd, o.timeout_s);
        if (s.exit_code != 0) {
            st.error = describe_failure(cmd, s);
            return std::nullopt;
        }
        st.peak_rss_kib = std::max(st.peak_rss_kib, s.peak_rss_kib);
        return s;
    };
    const auto warm = once();
    if (!warm) {
        return st;
    }
    int runs = o.runs;
    if (warm->wall_ms > o.slow_ms) {
        times.push_back(warm->wall_ms);
        cpu.push_back(warm->cpu_ms);
        runs = std::max(0, std::min(o.runs, o.slow_runs) - 1);
    }
    for (int i = 0; i < runs; ++i) {
        const auto s = once();
        if (!s) {
            return st;
        }
        times.push_back(s->wall_ms);
        cpu.push_back(s->cpu_ms);
    }
    if (times.empty()) {
        times.push_back(warm->wall_ms);
        cpu.push_back(warm->cpu_ms);
    }
    st.ok = true;
    st.runs = static_cast<int>(times.size());
    st.median_ms = median(times);
    st.cpu_ms = median(cpu);
    st.min_ms = *std::min_element(times.begin(), times.end());
    return st;
}

std::optional<std::string> capture(const Command& cmd, double timeout_s) {
    TempFile out;
    Command c = cmd;
    c.stdout_path = out.path();
    const Sample s = run_once(c, timeout_s);
    if (s.exit_code != 0) {
        return std::nullopt;
    }
    return out.read(16 * 1024 * 1024);
}

} // namespace duet::bench
