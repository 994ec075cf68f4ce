#pragma once
// Running a command as a whole process: wall time, peak memory, exit status.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace duet::bench {

struct Command {
    Command() = default;
    explicit Command(std::vector<std::string> args, std::vector<std::string> extra_env = {},
                     std::string stdout_to = "/dev/null")
        : argv(std::move(args)), env(std::move(extra_env)), stdout_path(std::move(stdout_to)) {}

    std::vector<std::string> argv;
    // NAME=VALUE pairs set on top of the bench's own environment.
    std::vector<std::string> env;
    std::string stdout_path = "/dev/null";
    std::string stdin_path = "/dev/null";
};

struct Sample {
    double wall_ms = 0;
    double cpu_ms = 0;     // user + system time: less disturbed by other load than wall time
    long peak_rss_kib = 0; // ru_maxrss from wait4
    int exit_code = -1;    // -1 when killed by a signal or the timeout
    bool timed_out = false;
    std::string stderr_text; // the start of what it wrote to stderr
};

// Runs the command once (fork + exec), waiting at most timeout_s.
Sample run_once(const Command& cmd, double timeout_s);

struct Stats {
    bool ok = false;
    std::string error;    // why not ok
    double median_ms = 0; // of the timed runs
    double min_ms = 0;
    double cpu_ms = 0;     // median user + system time
    long peak_rss_kib = 0; // the highest of all runs
    int runs = 0;          // timed runs
};

struct MeasureOptions {
    int runs = 5;
    double timeout_s = 1800;
    // A first run slower than this counts as a timed run, and only few follow.
    double slow_ms = 2000;
    int slow_runs = 3;
    // Called before every run (the warm-up too), outside the timing.
    std::function<void()> before_each;
};

// One warm-up run, then `runs` timed runs; median wall time, highest peak memory.
Stats measure(const Command& cmd, const MeasureOptions& options);

// The command's whole stdout, or nullopt when it fails.
std::optional<std::string> capture(const Command& cmd, double timeout_s = 60);

double median(std::vector<double> values);

// The last non-empty line of a command's output.
std::string last_line(const std::string& text);

} // namespace duet::bench
