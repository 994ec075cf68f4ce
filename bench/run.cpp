// duet_bench: fills journals of several sizes once (kept in a cache folder), then runs
// duet's commands on them as whole processes: median wall time and peak memory of each,
// with the Argon2id unlock measured on its own. Prints a table; writes bench/RESULTS.md.
#include "common.hpp"
#include "duet/store/journal.hpp"
#include "duet/transfer/import.hpp"
#include "measure.hpp"
#include "suite.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace duet;
using namespace duet::bench;
using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::int64_t> sizes{1000, 100000, 1000000};
    int runs = 5;
    fs::path cache = DUET_BENCH_CACHE_DIR;
    fs::path results = fs::path(DUET_BENCH_SOURCE_DIR) / "bench" / "RESULTS.md";
    bool write_results = true;
    fs::path duet = DUET_BENCH_DUET_BIN;
    fs::path fill = DUET_BENCH_FILL_BIN;
    double timeout_s = 1800;
    std::int64_t import_max = 100000;
    // Commands faster than this are run again on a minimal-KDF copy, where the
    // work after the unlock is measured directly instead of by subtraction.
    double direct_below_ms = 1000;
    std::string kdf = "interactive";
    std::string invocation;
};

constexpr double k_fill_timeout_s = 4 * 3600;

std::string grouped(std::int64_t n) {
    std::string digits = std::to_string(n);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<std::size_t>(i), ",");
    }
    return digits;
}

std::string env_var(const char* name, const std::string& value) {
    return std::string(name) + "=" + value;
}

std::vector<std::string> duet_env(const Options& o, const fs::path& home) {
    return {env_var("DUET_HOME", home.string()), env_var("DUET_PASSPHRASE", bench_passphrase()),
            env_var("DUET_KDF", o.kdf), "NO_COLOR=1"};
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw std::runtime_error("could not write " + file.string());
    }
}

std::string last_line(const std::string& text) {
    std::string t = text;
    while (!t.empty() && t.back() == '\n') {
        t.pop_back();
    }
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

// duet_bench_fill's summary without the folder, which the report names already.
std::string tidy_report(const std::string& line) {
    const auto with = line.find(" with ");
    return line.starts_with("filled ") && with != std::string::npos ? line.substr(with + 6) : line;
}

// A fresh data folder holding a copy of another one's journal.
void copy_journal(const fs::path& from, const fs::path& to) {
    fs::remove_all(to);
    fs::create_directories(to);
    fs::permissions(to, fs::perms::owner_all, fs::perm_options::replace);
    for (const char* name : {"journal.db", "reminder.key"}) {
        fs::copy_file(from / name, to / name, fs::copy_options::overwrite_existing);
    }
}

// The journal of `count` entries in dir, filled by duet_bench_fill unless already there.
// Returns the fill's report line and its wall time (0 when reused).
std::pair<std::string, double> ensure_journal(const Options& o, const fs::path& dir,
                                              std::int64_t count, const std::string& kdf) {
    const fs::path marker = dir / ".bench-complete";
    if (fs::exists(marker) && fs::exists(dir / "journal.db")) {
        return {tidy_report(last_line(read_text(marker))), 0.0};
    }
    fs::remove_all(dir);
    fs::create_directories(o.cache);
    const fs::path log = o.cache / fmt::format("fill-{}-{}.log", count, kdf);
    std::cout << fmt::format("Filling a journal of {} entries in {} (log: {}) ...\n", count,
                             dir.string(), log.string())
              << std::flush;
    Command c{{o.fill.string(), dir.string(), std::to_string(count), "--kdf", kdf},
              {env_var("DUET_PASSPHRASE", bench_passphrase())},
              log.string()};
    const Sample s = run_once(c, k_fill_timeout_s);
    if (s.exit_code != 0) {
        throw std::runtime_error(
            fmt::format("duet_bench_fill {} failed: {}", count, s.stderr_text));
    }
    const std::string report = tidy_report(last_line(read_text(log)));
    write_text(marker, report + "\n");
    std::cout << "  " << report << '\n';
    return {report, s.wall_ms / 1000};
}

// Journal::open inside the helper (the unlock, nearly all of it Argon2id).
void measure_unlock(const Options& o, SizeResult& r) {
    const fs::path out = o.cache / "unlock.out";
    std::vector<double> inner;
    Command c{{fs::read_symlink("/proc/self/exe").string(), "--unlock", r.home.string()},
              {env_var("DUET_PASSPHRASE", bench_passphrase())},
              out.string()};
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int i = 0; i <= o.runs; ++i) {
        const Sample s = run_once(c, o.timeout_s);
        if (s.exit_code != 0) {
            r.unlock_process.error = "the unlock helper failed: " + s.stderr_text;
            return;
        }
        r.unlock_process.peak_rss_kib = std::max(r.unlock_process.peak_rss_kib, s.peak_rss_kib);
        if (i > 0) { // the first run warms the caches
            inner.push_back(std::stod(read_text(out)) / 1000);
            wall.push_back(s.wall_ms);
            cpu.push_back(s.cpu_ms);
        }
    }
    fs::remove(out);
    r.unlock_ms = median(inner);
    r.unlock_process.ok = true;
    r.unlock_process.runs = o.runs;
    r.unlock_process.median_ms = median(wall);
    r.unlock_process.cpu_ms = median(cpu);
    r.unlock_process.min_ms = *std::min_element(wall.begin(), wall.end());
}

void rewrap(const Options& o, const fs::path& home, const std::string& kdf) {
    Command c{{fs::read_symlink("/proc/self/exe").string(), "--rewrap", home.string(), kdf},
              {env_var("DUET_PASSPHRASE", bench_passphrase())}};
    const Sample s = run_once(c, o.timeout_s);
    if (s.exit_code != 0) {
        throw std::runtime_error("rewrapping " + home.string() + " failed: " + s.stderr_text);
    }
}

struct Spec {
    std::string name;
    std::vector<std::string> args;
    bool unlocks;
    bool writes;
};

MeasureOptions measure_options(const Options& o) {
    MeasureOptions m;
    m.runs = o.runs;
    m.timeout_s = o.timeout_s;
    return m;
}

Command duet_command(const Options& o, const fs::path& home, const std::vector<std::string>& args) {
    Command c{{o.duet.string()}, duet_env(o, home)};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    return c;
}

std::string shown(const std::vector<std::string>& args) {
    std::string s = "duet";
    for (const std::string& a : args) {
        s += " " + (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
    }
    return s;
}

void progress(const SizeResult& r, const Figure& f) {
    if (!f.available) {
        std::cout << fmt::format("  [{}] {}: n/a ({})\n", r.size, f.name, f.note);
    } else if (!f.total.ok) {
        std::cout << fmt::format("  [{}] {}: FAILED ({})\n", r.size, f.name, f.total.error);
    } else {
        std::cout << fmt::format(
            "  [{}] {}: {:.1f} ms, {:.1f} MiB{}\n", r.size, f.name, f.total.median_ms,
            static_cast<double>(f.total.peak_rss_kib) / 1024,
            f.work && f.work->ok ? fmt::format("; min-KDF {:.1f} ms", f.work->median_ms) : "");
    }
    std::cout << std::flush;
}

bool help_mentions(const Options& o, const std::string& command, const std::string& flag) {
    const auto help = capture(Command({o.duet.string(), command, "--help"}));
    return help && help->find(flag) != std::string::npos;
}

// bytes_per_entry: of the last export made, to size the ones not made.
void measure_import(const Options& o, SizeResult& r, bool available,
                    std::optional<double>& bytes_per_entry) {
    Figure f{"reflect --import (fresh journal)", "duet reflect --import EXPORT.json", true};
    if (!available) {
        f.available = false;
        f.note = "this duet has no `reflect --import`";
    } else if (r.size > o.import_max) {
        f.available = false;
        f.note = fmt::format("not run above {} entries (--import-max)", grouped(o.import_max));
        if (bytes_per_entry) {
            const double mib = *bytes_per_entry * static_cast<double>(r.size) / (1 << 20);
            f.note += fmt::format(
                "; its export would be about {:.0f} MiB, {} duet's {} MiB import limit", mib,
                mib > static_cast<double>(transfer::k_max_import_size >> 20) ? "over" : "under",
                transfer::k_max_import_size >> 20);
        }
    }
    if (!f.available) {
        r.figures.push_back(f);
        progress(r, f);
        return;
    }
    // duet's own JSON export of this journal, made once.
    const fs::path file = o.cache / fmt::format("export-{}.json", r.size);
    if (!fs::exists(file)) {
        Command c = duet_command(o, r.home, {"review", "--format", "json"});
        c.stdout_path = (o.cache / "export.tmp").string();
        const Sample s = run_once(c, o.timeout_s);
        if (s.exit_code != 0) {
            throw std::runtime_error("exporting the journal failed: " + s.stderr_text);
        }
        fs::rename(c.stdout_path, file);
    }
    r.export_bytes = fs::file_size(file);
    bytes_per_entry = static_cast<double>(r.export_bytes) / static_cast<double>(r.size);
    f.command = "duet reflect --import " + fs::relative(file, o.cache).string();
    if (r.export_bytes > transfer::k_max_import_size) {
        f.available = false;
        f.note = fmt::format("the export is {} MiB, over duet's import limit of {} MiB",
                             r.export_bytes >> 20, transfer::k_max_import_size >> 20);
        r.figures.push_back(f);
        progress(r, f);
        return;
    }
    const fs::path target = o.cache / "import-target";
    const std::vector<std::string> args = {"reflect", "--import", file.string()};
    for (const std::string& kdf : {o.kdf, std::string("minimal")}) {
        const fs::path empty = o.cache / ("empty-" + kdf);
        ensure_journal(o, empty, 0, kdf);
        MeasureOptions m = measure_options(o);
        m.before_each = [&] {
            copy_journal(empty, target);
        };
        const Stats st = measure(duet_command(o, target, args), m);
        if (kdf == o.kdf) {
            f.total = st;
            if (!st.ok || st.median_ms >= o.direct_below_ms) {
                break;
            }
        } else {
            f.work = st;
        }
    }
    fs::remove_all(target);
    r.figures.push_back(f);
    progress(r, f);
}

SizeResult run_size(const Options& o, std::int64_t size, bool has_summary, bool has_import,
                    std::optional<double>& export_bytes_per_entry) {
    SizeResult r;
    r.size = size;
    r.home = o.cache / fmt::format("journal-{}", size);
    std::tie(r.fill_report, r.fill_s) = ensure_journal(o, r.home, size, o.kdf);
    r.journal_bytes = fs::file_size(r.home / "journal.db");
    std::cout << fmt::format("Measuring {} entries ({} MiB journal)\n", size,
                             r.journal_bytes >> 20);
    measure_unlock(o, r);
    std::cout << fmt::format("  [{}] unlock (Journal::open): {:.1f} ms\n", size, r.unlock_ms);

    const std::vector<Spec> specs = {
        {"--version", {"--version"}, false, false},
        {"reflect --remind", {"reflect", "--remind"}, false, false},
        {"reflect --answer (one write)",
         {"reflect", "--prompt", "daily/closeness", "--answer", "3"},
         true,
         true},
        {"review --last 20", {"review", "--last", "20"}, true, false},
        {"review --format json", {"review", "--format", "json"}, true, false},
        {"review --summary", {"review", "--summary"}, true, false},
    };
    // Writes go to a scratch copy, so the cached journal stays as filled.
    const fs::path scratch = o.cache / fmt::format("scratch-{}", size);
    copy_journal(r.home, scratch);
    for (const Spec& spec : specs) {
        Figure f{spec.name, shown(spec.args), spec.unlocks};
        if (spec.name == "review --summary" && !has_summary) {
            f.available = false;
            f.note = "this duet has no `review --summary`";
        } else {
            f.total = measure(duet_command(o, spec.writes ? scratch : r.home, spec.args),
                              measure_options(o));
        }
        r.figures.push_back(f);
    }
    // The same commands once more with the unlock made nearly free.
    rewrap(o, scratch, "minimal");
    for (std::size_t i = 0; i < specs.size(); ++i) {
        Figure& f = r.figures[i];
        if (f.unlocks && f.available && f.total.ok && f.total.median_ms < o.direct_below_ms) {
            f.work = measure(duet_command(o, scratch, specs[i].args), measure_options(o));
        }
        progress(r, f);
    }
    fs::remove_all(scratch);
    measure_import(o, r, has_import, export_bytes_per_entry);

    MeasureOptions m = measure_options(o);
    r.sqlite_scan = measure(Command({"sqlite3", "-readonly", (r.home / "journal.db").string(),
                                     "SELECT id, sealed FROM entries"}),
                            m);
    std::cout << fmt::format("  [{}] sqlite3 scan: {}\n", size,
                             r.sqlite_scan.ok ? fmt::format("{:.1f} ms", r.sqlite_scan.median_ms)
                                              : r.sqlite_scan.error);
    return r;
}

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

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

Machine describe_machine(const Options& o) {
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
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", &tm);
    m.date = date;
    m.load_start = load_average();
    struct stat st {};
    if (::stat(o.duet.c_str(), &st) == 0) {
        std::tm built{};
        ::localtime_r(&st.st_mtime, &built);
        char when[64];
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &built);
        m.duet_built = when;
    }
    return m;
}

std::int64_t parse_size(const std::string& text) {
    std::size_t used = 0;
    std::int64_t n = std::stoll(text, &used);
    const std::string suffix = text.substr(used);
    if (suffix == "k" || suffix == "K") {
        n *= 1000;
    } else if (suffix == "M" || suffix == "m") {
        n *= 1000000;
    } else if (!suffix.empty() || n < 1) {
        throw std::invalid_argument("not a journal size: " + text);
    }
    return n;
}

void usage(std::ostream& out) {
    out << "usage: duet_bench [--quick] [--sizes 1000,100k,1M] [--runs N] [--cache DIR]\n"
           "                  [--results FILE | --no-results] [--timeout SECONDS]\n"
           "                  [--import-max N] [--duet PATH]\n"
           "Runs duet's commands on journals of each size; writes RESULTS.md on a default\n"
           "run or with --results. --quick: sizes 1000,10000 and 3 runs, for a smoke test.\n"
           "Helpers: duet_bench --unlock DIR; duet_bench --rewrap DIR KDF.\n";
}

Options parse_args(int argc, char** argv) {
    Options o;
    bool explicit_results = false;
    bool partial = false;
    std::string invocation = "duet_bench";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        invocation += " " + arg;
        const auto value = [&] {
            if (i + 1 >= argc) {
                throw std::invalid_argument(arg + " needs a value");
            }
            invocation += std::string(" ") + argv[i + 1];
            return std::string(argv[++i]);
        };
        if (arg == "--quick") {
            o.sizes = {1000, 10000};
            o.runs = 3;
            partial = true;
        } else if (arg == "--sizes") {
            o.sizes.clear();
            std::stringstream list(value());
            for (std::string item; std::getline(list, item, ',');) {
                o.sizes.push_back(parse_size(item));
            }
            partial = true;
        } else if (arg == "--runs") {
            o.runs = std::max(1, std::stoi(value()));
        } else if (arg == "--cache") {
            o.cache = fs::absolute(value());
        } else if (arg == "--results") {
            o.results = fs::absolute(value());
            explicit_results = true;
        } else if (arg == "--no-results") {
            o.write_results = false;
        } else if (arg == "--timeout") {
            o.timeout_s = std::stod(value());
        } else if (arg == "--import-max") {
            o.import_max = parse_size(value());
        } else if (arg == "--duet") {
            o.duet = fs::absolute(value());
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    // A smoke run or a partial one does not replace the full results by accident.
    if (partial && !explicit_results) {
        o.write_results = false;
    }
    o.invocation = invocation;
    return o;
}

int run_helper(int argc, char** argv) {
    const std::string mode = argv[1];
    crypto::init();
    const store::DataFolder folder{argv[2]};
    if (mode == "--unlock" && argc == 3) {
        const auto start = Clock::now();
        const store::Journal journal = store::Journal::open(folder, bench_passphrase_bytes());
        const auto us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        std::cout << fmt::format("{:.1f}\n", us);
        return 0;
    }
    if (mode == "--rewrap" && argc == 4) {
        const crypto::SecureBytes pass = bench_passphrase_bytes();
        store::Journal journal = store::Journal::open(folder, pass);
        journal.change_passphrase(pass, bench_kdf(argv[3]));
        return 0;
    }
    usage(std::cerr);
    return 2;
}

int run_suite(const Options& o) {
    const auto start = Clock::now();
    if (!fs::exists(o.duet)) {
        throw std::runtime_error("no duet binary at " + o.duet.string());
    }
    fs::create_directories(o.cache);
    Suite suite;
    suite.machine = describe_machine(o);
    suite.source_dir = DUET_BENCH_SOURCE_DIR;
    suite.duet = o.duet;
    suite.kdf = o.kdf;
    suite.runs = o.runs;
    const fs::path self = fs::read_symlink("/proc/self/exe");
    suite.invocation = fs::relative(self, suite.source_dir).string() +
                       o.invocation.substr(std::string("duet_bench").size());
    suite.process_floor = measure(Command({"/bin/true"}), measure_options(o));

    const bool has_summary = help_mentions(o, "review", "--summary");
    const bool has_import = help_mentions(o, "reflect", "--import");
    std::optional<double> export_bytes_per_entry;
    for (const std::int64_t size : o.sizes) {
        suite.sizes.push_back(run_size(o, size, has_summary, has_import, export_bytes_per_entry));
    }
    suite.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    suite.load_end = load_average();
    std::cout << '\n';
    print_table(std::cout, suite);
    if (o.write_results) {
        write_results(o.results, suite);
        std::cout << "\nWrote " << o.results.string() << '\n';
    } else {
        std::cout << "\n(RESULTS.md not written: a partial run; add --results FILE to keep it)\n";
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        if (argc >= 3 &&
            (std::string(argv[1]) == "--unlock" || std::string(argv[1]) == "--rewrap")) {
            return run_helper(argc, argv);
        }
        return run_suite(parse_args(argc, argv));
    } catch (const std::invalid_argument& e) {
        std::cerr << "duet_bench: " << e.what() << '\n';
        usage(std::cerr);
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "duet_bench: " << e.what() << '\n';
        return 1;
    }
}
