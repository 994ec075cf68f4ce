// Measuring duet on one journal size: filling (or reusing) the journal, the unlock, each
// command in turn, the raw sqlite3 scan and the import.
#include "common.hpp"
#include "duet/transfer/import.hpp"
#include "measure.hpp"
#include "suite.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace duet::bench {

namespace {

namespace fs = std::filesystem;

constexpr double k_fill_timeout_s = 4 * 3600;

std::string env_var(const char* name, const std::string& value) {
    return std::string(name) + "=" + value;
}

std::vector<std::string> duet_env(const BenchOptions& o, const fs::path& home) {
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

struct Filled {
    std::string report; // duet_bench_fill's summary line
    double wall_s = 0;  // how long the fill took as a whole process
    bool reused = false;
};

// The journal of `count` entries in dir, filled by duet_bench_fill unless already there.
// The marker file, written last, keeps the fill's report and wall time.
Filled ensure_journal(const BenchOptions& o, const fs::path& dir, std::int64_t count,
                      const std::string& kdf) {
    const fs::path marker = dir / ".bench-complete";
    if (fs::exists(marker) && fs::exists(dir / "journal.db")) {
        std::istringstream lines(read_text(marker));
        Filled f;
        std::string wall;
        std::getline(lines, f.report);
        std::getline(lines, wall);
        f.report = tidy_report(f.report);
        f.wall_s = wall.empty() ? 0 : std::stod(wall);
        f.reused = true;
        return f;
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
    Filled f{tidy_report(last_line(read_text(log))), s.wall_ms / 1000};
    write_text(marker, fmt::format("{}\n{:.1f}\n", f.report, f.wall_s));
    std::cout << "  " << f.report << '\n';
    return f;
}

// Journal::open inside the helper (the unlock, nearly all of it Argon2id):
// the median inside the helper, and the helper as a whole process.
double measure_unlock(const BenchOptions& o, const fs::path& home, int runs, Stats& process) {
    const fs::path out = o.cache / "unlock.out";
    std::vector<double> inner;
    Command c{{fs::read_symlink("/proc/self/exe").string(), "--unlock", home.string()},
              {env_var("DUET_PASSPHRASE", bench_passphrase())},
              out.string()};
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int i = 0; i <= runs; ++i) {
        const Sample s = run_once(c, o.timeout_s);
        if (s.exit_code != 0) {
            process.error = "the unlock helper failed: " + s.stderr_text;
            return 0;
        }
        process.peak_rss_kib = std::max(process.peak_rss_kib, s.peak_rss_kib);
        if (i > 0) { // the first run warms the caches
            inner.push_back(std::stod(read_text(out)) / 1000);
            wall.push_back(s.wall_ms);
            cpu.push_back(s.cpu_ms);
        }
    }
    fs::remove(out);
    process.ok = true;
    process.runs = runs;
    process.median_ms = median(wall);
    process.cpu_ms = median(cpu);
    process.min_ms = *std::min_element(wall.begin(), wall.end());
    return median(inner);
}

void rewrap(const BenchOptions& o, const fs::path& home, const std::string& kdf) {
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

Command duet_command(const BenchOptions& o, const fs::path& home,
                     const std::vector<std::string>& args) {
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

// bytes_per_entry: of the last export made, to size the ones not made.
void measure_import(const BenchOptions& o, SizeResult& r, bool available,
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

} // namespace

MeasureOptions measure_options(const BenchOptions& o) {
    MeasureOptions m;
    m.runs = o.runs;
    m.timeout_s = o.timeout_s;
    return m;
}

bool help_mentions(const BenchOptions& o, const std::string& command, const std::string& flag) {
    const auto help = capture(Command({o.duet.string(), command, "--help"}));
    return help && help->find(flag) != std::string::npos;
}

SizeResult run_size(const BenchOptions& o, std::int64_t size, bool has_summary, bool has_import,
                    std::optional<double>& export_bytes_per_entry) {
    SizeResult r;
    r.size = size;
    r.home = o.cache / fmt::format("journal-{}", size);
    const Filled filled = ensure_journal(o, r.home, size, o.kdf);
    r.fill_report = filled.report;
    r.fill_s = filled.wall_s;
    r.fill_reused = filled.reused;
    r.journal_bytes = fs::file_size(r.home / "journal.db");
    std::cout << fmt::format("Measuring {} entries ({} MiB journal)\n", size,
                             r.journal_bytes >> 20);
    r.unlock_ms = measure_unlock(o, r.home, o.runs, r.unlock_process);
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
        // Every entry decrypted and decoded, nothing written: the floor under an export.
        {"review --grep (no match)", {"review", "--grep", "no entry says this"}, true, false},
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

std::vector<PresetUnlock> run_presets(const BenchOptions& o) {
    std::vector<PresetUnlock> out;
    for (const std::string& preset : o.presets) {
        const fs::path home = o.cache / ("empty-" + preset);
        ensure_journal(o, home, 0, preset);
        PresetUnlock p;
        p.preset = preset;
        // The costly presets take seconds each; three runs show the spread.
        p.unlock_ms = measure_unlock(o, home, std::min(o.runs, 3), p.process);
        std::cout << fmt::format("  unlock with DUET_KDF={}: {:.0f} ms\n", preset, p.unlock_ms)
                  << std::flush;
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace duet::bench
