// The benchmark's report: a table on stdout and bench/RESULTS.md, with the targets checked.
#include "suite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>

namespace duet::bench {

namespace {

constexpr double k_kib_per_mib = 1024;
constexpr long k_flat_memory_kib = 32 * 1024;

std::string grouped(std::int64_t n) {
    std::string digits = std::to_string(n);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<std::size_t>(i), ",");
    }
    return digits;
}

std::string ms(double v) {
    return std::abs(v) < 100 ? fmt::format("{:.1f}", v) : fmt::format("{:.0f}", v);
}

std::string mib(long kib) {
    return fmt::format("{:.1f}", static_cast<double>(kib) / k_kib_per_mib);
}

struct Timing {
    double wall = 0;
    std::optional<double> cpu;
};

// What a target is checked against: the time after the unlock for commands that
// unlock the journal, else the whole process.
std::optional<Timing> target_time(const Figure& f, const SizeResult& r) {
    if (!f.available || !f.total.ok) {
        return std::nullopt;
    }
    if (!f.unlocks) {
        return Timing{f.total.median_ms, f.total.cpu_ms};
    }
    if (f.work && f.work->ok) {
        return Timing{f.work->median_ms, f.work->cpu_ms};
    }
    return Timing{f.total.median_ms - r.unlock_ms, f.total.cpu_ms - r.unlock_process.cpu_ms};
}

// CPU time after the unlock: measured on the minimal-KDF copy, or estimated as the
// command's CPU time minus the unlock helper's (both whole processes).
std::string after_cpu_text(const Figure& f, const SizeResult& r) {
    if (!f.unlocks || !f.available || !f.total.ok) {
        return "-";
    }
    if (f.work && f.work->ok) {
        return ms(f.work->cpu_ms);
    }
    return "≈" + ms(f.total.cpu_ms - r.unlock_process.cpu_ms);
}

std::string after_text(const Figure& f, const SizeResult& r) {
    const auto a = after_unlock_ms(f, r);
    if (!a) {
        return "-";
    }
    // Measured directly on the minimal-KDF copy, or estimated by subtraction.
    return f.work && f.work->ok ? ms(*a) : "≈" + ms(*a);
}

struct Verdict {
    std::string target;
    std::string measured;
    std::string result; // PASS, FAIL or n/a
};

// Wall time decides, as the targets say; when only the wall time misses, the CPU
// time shows whether other load on the machine is to blame.
std::string judge(double wall, std::optional<double> cpu, double limit) {
    if (wall < limit) {
        return "PASS";
    }
    return cpu && *cpu < limit ? "FAIL (CPU time passes)" : "FAIL";
}

std::string cpu_note(std::optional<double> cpu) {
    return cpu ? fmt::format(", CPU {} ms", ms(*cpu)) : "";
}

const SizeResult* at_size(const Suite& s, std::int64_t n) {
    for (const SizeResult& r : s.sizes) {
        if (r.size == n) {
            return &r;
        }
    }
    return nullptr;
}

// A time target checked at every size: the worst figure decides.
Verdict every_size(const Suite& s, const std::string& name, const std::string& target,
                   double limit_ms) {
    Verdict v{target, "", "n/a"};
    std::optional<Timing> worst;
    std::int64_t worst_size = 0;
    for (const SizeResult& r : s.sizes) {
        const Figure* f = r.find(name);
        if (f != nullptr && f->available && !f->total.ok) {
            return {target, "failed to run: " + f->total.error, "FAIL"};
        }
        const auto t = f != nullptr ? target_time(*f, r) : std::nullopt;
        if (t && (!worst || t->wall > worst->wall)) {
            worst = t;
            worst_size = r.size;
        }
    }
    if (worst) {
        v.measured = fmt::format("worst {} ms{} (at {} entries)", ms(worst->wall),
                                 cpu_note(worst->cpu), grouped(worst_size));
        v.result = judge(worst->wall, worst->cpu, limit_ms);
    }
    return v;
}

Verdict at_one_size(const Suite& s, const std::string& name, const std::string& target,
                    std::int64_t size, double limit_ms) {
    const SizeResult* r = at_size(s, size);
    const Figure* f = r != nullptr ? r->find(name) : nullptr;
    if (f == nullptr || !f->available) {
        return {target, fmt::format("not run at {} entries", grouped(size)), "n/a"};
    }
    if (!f->total.ok) {
        return {target, "failed to run: " + f->total.error, "FAIL"};
    }
    const Timing t = *target_time(*f, *r);
    return {target, fmt::format("{} ms{}", ms(t.wall), cpu_note(t.cpu)),
            judge(t.wall, t.cpu, limit_ms)};
}

Verdict export_vs_sqlite(const Suite& s) {
    const std::string target = "`review --format json` of 100,000 entries within 2x a raw "
                               "sqlite3 scan (after unlock)";
    const SizeResult* r = at_size(s, 100000);
    const Figure* f = r != nullptr ? r->find("review --format json") : nullptr;
    if (f == nullptr || !f->total.ok || !r->sqlite_scan.ok) {
        return {target, "not run at 100,000 entries", "n/a"};
    }
    const Timing t = *target_time(*f, *r);
    const double scan = r->sqlite_scan.median_ms;
    std::string measured =
        fmt::format("{} ms vs {} ms: {:.1f}x", ms(t.wall), ms(scan), t.wall / scan);
    std::optional<double> cpu_ratio;
    if (t.cpu) {
        cpu_ratio = *t.cpu / std::max(0.001, r->sqlite_scan.cpu_ms);
        measured += fmt::format(" (CPU {:.1f}x)", *cpu_ratio);
    }
    return {target, measured, judge(t.wall / scan, cpu_ratio, 2.0000001)};
}

struct MemoryRow {
    std::string name;
    std::int64_t small_size = 0;
    long small_kib = 0;
    std::int64_t large_size = 0;
    long large_kib = 0;
    std::string result;
};

std::vector<MemoryRow> memory_rows(const Suite& s) {
    std::vector<MemoryRow> rows;
    if (s.sizes.empty()) {
        return rows;
    }
    for (const Figure& first : s.sizes.front().figures) {
        MemoryRow row;
        row.name = first.name;
        for (const SizeResult& r : s.sizes) {
            const Figure* f = r.find(first.name);
            if (f == nullptr || !f->available || !f->total.ok) {
                continue;
            }
            if (row.small_size == 0 || r.size < row.small_size) {
                row.small_size = r.size;
                row.small_kib = f->total.peak_rss_kib;
            }
            if (r.size > row.large_size) {
                row.large_size = r.size;
                row.large_kib = f->total.peak_rss_kib;
            }
        }
        const long growth = row.large_kib - row.small_kib;
        if (row.small_size == 0 || row.small_size == row.large_size) {
            row.result = "n/a";
        } else if (growth > k_flat_memory_kib) {
            row.result = "FAIL"; // it would only grow further on a larger journal
        } else {
            row.result =
                row.small_size == 1000 && row.large_size == 1000000 ? "PASS" : "n/a (not 1k→1M)";
        }
        rows.push_back(row);
    }
    return rows;
}

std::vector<Verdict> verdicts(const Suite& s) {
    std::vector<Verdict> v;
    v.push_back(every_size(s, "--version", "`duet --version` under 5 ms", 5));
    v.push_back(every_size(s, "reflect --remind", "`reflect --remind` under 5 ms", 5));
    v.push_back(every_size(s, "reflect --answer (one write)",
                           "one `reflect --answer` write under 10 ms after unlock", 10));
    v.push_back(at_one_size(s, "review --last 20",
                            "`review --last 20` under 20 ms after unlock at 1,000,000 entries",
                            1000000, 20));
    v.push_back(export_vs_sqlite(s));
    v.push_back(at_one_size(s, "reflect --import (fresh journal)",
                            "import of 100,000 entries under 5 s after unlock", 100000, 5000));
    const auto rows = memory_rows(s);
    std::string failing;
    bool any_na = false;
    for (const MemoryRow& row : rows) {
        if (row.result == "FAIL") {
            failing += (failing.empty() ? "" : ", ") + row.name;
        }
        any_na = any_na || row.result != "PASS";
    }
    v.push_back({"peak memory at 1,000,000 entries at most 32 MiB above 1,000 (every command)",
                 failing.empty() ? "see the memory table" : "over: " + failing,
                 !failing.empty() ? "FAIL"
                 : any_na         ? "n/a"
                                  : "PASS"});
    return v;
}

std::string md_cell(std::string s) {
    std::string out;
    for (char c : s) {
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    }
    return out;
}

} // namespace

std::optional<double> after_unlock_ms(const Figure& f, const SizeResult& r) {
    if (!f.unlocks || !f.available || !f.total.ok) {
        return std::nullopt;
    }
    if (f.work && f.work->ok) {
        return f.work->median_ms;
    }
    return f.total.median_ms - r.unlock_ms;
}

void print_table(std::ostream& out, const Suite& s) {
    out << fmt::format("duet benchmark: {} ({} cores), {}; any process (/bin/true) {} ms, {} "
                       "MiB; load average {} -> {}\n",
                       s.machine.cpu, s.machine.cores, s.machine.duet_version,
                       ms(s.process_floor.median_ms), mib(s.process_floor.peak_rss_kib),
                       s.machine.load_start, s.load_end);
    const auto row = [&](const std::string& name, const std::string& total, const std::string& cpu,
                         const std::string& after, const std::string& after_cpu,
                         const std::string& peak) {
        out << fmt::format("  {:<34} {:>9} {:>9} {:>12} {:>9} {:>9}\n", name, total, cpu, after,
                           after_cpu, peak);
    };
    for (const SizeResult& r : s.sizes) {
        out << fmt::format("\n{} entries (journal {} MiB; unlock {} ms, {} MiB peak)\n",
                           grouped(r.size), r.journal_bytes >> 20, ms(r.unlock_ms),
                           mib(r.unlock_process.peak_rss_kib));
        row("command", "total ms", "CPU ms", "after unlock", "its CPU", "peak MiB");
        for (const Figure& f : r.figures) {
            if (!f.available) {
                out << fmt::format("  {:<34} n/a: {}\n", f.name, f.note);
            } else if (!f.total.ok) {
                out << fmt::format("  {:<34} FAILED: {}\n", f.name, f.total.error);
            } else {
                row(f.name, ms(f.total.median_ms), ms(f.total.cpu_ms), after_text(f, r),
                    after_cpu_text(f, r), mib(f.total.peak_rss_kib));
            }
        }
        if (r.sqlite_scan.ok) {
            row("sqlite3 scan (id, sealed)", ms(r.sqlite_scan.median_ms), ms(r.sqlite_scan.cpu_ms),
                "-", "-", mib(r.sqlite_scan.peak_rss_kib));
        }
    }
    out << "\nTargets\n";
    for (const Verdict& v : verdicts(s)) {
        out << fmt::format("  {:<5} {}: {}\n", v.result, v.target, v.measured);
    }
    out << fmt::format("\nWhole run: {:.0f} s\n", s.elapsed_s);
}

namespace {

void write_machine(std::ostream& out, const Suite& s) {
    const Machine& m = s.machine;
    out << "## Machine\n\n| | |\n|---|---|\n"
        << fmt::format("| CPU | {} ({} cores online) |\n", m.cpu, m.cores)
        << fmt::format("| Memory | {} |\n| Kernel | {} |\n", m.memory, m.kernel)
        << fmt::format("| Load average (1, 5, 15 min) | {} at the start, {} at the end |\n",
                       m.load_start, s.load_end)
        << fmt::format("| duet | {} ({} build, {}; binary linked {}) |\n", m.duet_version,
                       m.build_type, m.compiler, m.duet_built)
        << fmt::format("| sqlite3 CLI | {} |\n", md_cell(m.sqlite_version))
        << fmt::format("| Any process | `/bin/true` through the same fork + exec: {} ms, {} "
                       "MiB peak |\n\n",
                       ms(s.process_floor.median_ms), mib(s.process_floor.peak_rss_kib));
}

void write_method(std::ostream& out, const Suite& s, const std::string& cache) {
    out << "## How it measures\n\n"
        << "- Every command runs as a whole process (fork + exec of the real `duet`, stdout to "
           "`/dev/null`), with `DUET_HOME`, `DUET_PASSPHRASE` and `DUET_KDF` set.\n"
        << fmt::format("- Time: the median wall time of {} runs after one warm-up run (a "
                       "command slower than 2 s: 3 runs, the first included). CPU is the "
                       "median user + system time from `wait4()`: when other work loads the "
                       "machine, it shows what duet itself spent.\n",
                       s.runs)
        << "- Peak memory: `ru_maxrss` from `wait4()`, the highest of all runs. It includes "
           "the Argon2id memory of the unlock (64 MiB for the `interactive` preset).\n"
        << fmt::format("- The journals are filled once by `duet_bench_fill` through the real "
                       "write path (`Journal::create` with the `{}` KDF preset, then "
                       "`Journal::add` in batches of 10,000) and kept in `{}`.\n",
                       s.kdf, cache)
        << "- Unlock: `store::Journal::open` timed inside a helper process "
           "(`duet_bench --unlock DIR`); nearly all of it is Argon2id, a deliberate security "
           "setting.\n"
        << "- After unlock: commands under 1 s run again on a copy of the journal whose data "
           "key is rewrapped with libsodium's minimal Argon2id cost (1 pass, 8 KiB), which "
           "measures the work after the unlock directly. Figures marked ≈ are total − unlock "
           "instead.\n"
        << "- The write goes to a scratch copy of the journal; the import goes into a fresh, "
           "empty journal each run, from duet's own JSON export of the journal of that "
           "size.\n\n";
}

void write_size(std::ostream& out, const SizeResult& r, const std::string& cache) {
    out << fmt::format("\n## {} entries\n\n", grouped(r.size))
        << fmt::format("Reproduce: `build-bench/bench/duet_bench --sizes {}`. One row by hand: "
                       "`DUET_HOME={}/journal-{} DUET_PASSPHRASE='{}' build-bench/COMMAND`.\n\n",
                       r.size, cache, r.size, "duet bench passphrase")
        << fmt::format("Unlock (`Journal::open`): **{} ms**; the helper process peaks at {} "
                       "MiB.\n\n",
                       ms(r.unlock_ms), mib(r.unlock_process.peak_rss_kib))
        << "| command | total (ms) | CPU (ms) | unlock (ms) | after unlock (ms) | its CPU (ms) "
           "| peak (MiB) | runs |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Figure& f : r.figures) {
        if (!f.available || !f.total.ok) {
            out << fmt::format(
                "| `{}` | {} | | | | | | |\n", md_cell(f.command),
                md_cell(f.available ? "FAILED: " + f.total.error : "n/a: " + f.note));
            continue;
        }
        out << fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} |\n", md_cell(f.command),
                           ms(f.total.median_ms), ms(f.total.cpu_ms),
                           f.unlocks ? ms(r.unlock_ms) : "-", after_text(f, r),
                           after_cpu_text(f, r), mib(f.total.peak_rss_kib), f.total.runs);
    }
    if (r.sqlite_scan.ok) {
        out << fmt::format("| `sqlite3 journal.db \"SELECT id, sealed FROM entries\"` | {} | {} "
                           "| - | - | - | {} | {} |\n",
                           ms(r.sqlite_scan.median_ms), ms(r.sqlite_scan.cpu_ms),
                           mib(r.sqlite_scan.peak_rss_kib), r.sqlite_scan.runs);
    }
    if (r.export_bytes > 0) {
        out << fmt::format("\nThe JSON export imported above is {:.1f} MiB.\n",
                           static_cast<double>(r.export_bytes) / (1024.0 * 1024.0));
    }
}

} // namespace

void write_results(const std::filesystem::path& file, const Suite& s) {
    std::ofstream out(file, std::ios::trunc);
    const std::string cache = "build-bench/bench-cache";
    out << "# duet benchmark results\n\n"
        << fmt::format("Generated by `{}` on {}; the whole run took {:.0f} min {:.0f} s.\n",
                       s.invocation, s.machine.date, std::floor(s.elapsed_s / 60),
                       std::fmod(s.elapsed_s, 60))
        << "Build it with `cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && "
           "cmake --build build-bench`. This file is written by the benchmark: edit the code "
           "in `bench/`, not this file.\n\n";
    write_machine(out, s);
    write_method(out, s, cache);
    out << "## Journals\n\n| entries | journal file | filled by the real write path |\n"
           "|---:|---:|---|\n";
    for (const SizeResult& r : s.sizes) {
        out << fmt::format("| {} | {:.1f} MiB | {} |\n", grouped(r.size),
                           static_cast<double>(r.journal_bytes) / (1024.0 * 1024.0),
                           md_cell(r.fill_report));
    }
    for (const SizeResult& r : s.sizes) {
        write_size(out, r, cache);
    }
    out << "\n## Targets (on this machine, after unlock)\n\n| target | measured | result |\n"
           "|---|---|---|\n";
    for (const Verdict& v : verdicts(s)) {
        out << fmt::format("| {} | {} | **{}** |\n", v.target, md_cell(v.measured), v.result);
    }
    out << "\n## Memory: is the peak flat in the journal's size?\n\n"
           "| command | smallest journal | peak (MiB) | largest journal | peak (MiB) | growth "
           "(MiB) | at most 32 MiB |\n|---|---:|---:|---:|---:|---:|---|\n";
    for (const MemoryRow& row : memory_rows(s)) {
        if (row.small_size == 0) {
            out << fmt::format("| {} | | | | | | n/a |\n", row.name);
            continue;
        }
        out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", row.name,
                           grouped(row.small_size), mib(row.small_kib), grouped(row.large_size),
                           mib(row.large_kib), mib(row.large_kib - row.small_kib), row.result);
    }
    if (!out.flush()) {
        throw std::runtime_error("could not write " + file.string());
    }
}

} // namespace duet::bench
