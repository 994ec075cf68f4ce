// What the benchmark ran on, for RESULTS.md.
#include "measure.hpp"
#include "suite.hpp"

#include <ctime>
#include <fstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace duet::bench {

namespace {

namespace fs = std::filesystem;

std::string first_match(const fs::path& file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key)) {
            const auto colon = line.find(':');
            std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    }
    return "unknown";
}

std::string formatted_time(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M %Z", &tm);
    return text;
}

} // namespace

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

Machine describe_machine(const BenchOptions& o) {
    Machine m;
    m.cpu = first_match("/proc/cpuinfo", "model name");
    m.cores = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    m.memory = first_match("/proc/meminfo", "MemTotal");
    utsname u{};
    ::uname(&u);
    m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    m.duet_version =
        last_line(capture(Command({o.duet.string(), "--version"})).value_or("unknown"));
    m.sqlite_version =
        last_line(capture(Command({"sqlite3", "--version"})).value_or("sqlite3 not found"));
    m.compiler = __VERSION__;
    m.build_type = DUET_BENCH_BUILD_TYPE;
    m.date = formatted_time(std::time(nullptr));
    m.load_start = load_average();
    struct stat st {};
    if (::stat(o.duet.c_str(), &st) == 0) {
        m.duet_built = formatted_time(st.st_mtime);
    }
    return m;
}

} // namespace duet::bench
