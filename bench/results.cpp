// The benchmark's report: a table on stdout and bench/RESULTS.md, with the targets checked.
#include "targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>

namespace duet::bench {

namespace {

// CPU time after the unlock: measured on the minimal-KDF copy, or estimated as the
// command's CPU time minus the unlock helper's (both whole processes).
std::string after_cpu_text(const Figure& f, const SizeResult& r) {
    if (!f.unlocks || !f.available || !f.total.ok) {
        return "-";
    }
    if (f.work && f.work->ok) {
        return format_ms(f.work->cpu_ms);
    }
    return "≈" + format_ms(f.total.cpu_ms - r.unlock_process.cpu_ms);
}

std::string after_text(const Figure& f, const SizeResult& r) {
    const auto a = after_unlock_ms(f, r);
    if (!a) {
        return "-";
    }
    // Measured directly on the minimal-KDF copy, or estimated by subtraction.
    return f.work && f.work->ok ? format_ms(*a) : "≈" + format_ms(*a);
}

std::string md_cell(std::string s) {
    std::string out;
    for (char c : s) {
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    }
    return out;
}

} // namespace

void print_table(std::ostream& out, const Suite& s) {
    out << fmt::format("duet benchmark: {} ({} cores), {}; any process (/bin/true) {} ms, {} "
                       "MiB; load average {} -> {}\n",
                       s.machine.cpu, s.machine.cores, s.machine.duet_version,
                       format_ms(s.process_floor.median_ms),
                       format_mib(s.process_floor.peak_rss_kib), s.machine.load_start, s.load_end);
    const auto row = [&](const std::string& name, const std::string& total, const std::string& cpu,
                         const std::string& after, const std::string& after_cpu,
                         const std::string& peak) {
        out << fmt::format("  {:<34} {:>9} {:>9} {:>12} {:>9} {:>9}\n", name, total, cpu, after,
                           after_cpu, peak);
    };
    for (const SizeResult& r : s.sizes) {
        out << fmt::format("\n{} entries (journal {} MiB; unlock {} ms, {} MiB peak)\n",
                           grouped(r.size), r.journal_bytes >> 20, format_ms(r.unlock_ms),
                           format_mib(r.unlock_process.peak_rss_kib));
        row("command", "total ms", "CPU ms", "after unlock", "its CPU", "peak MiB");
        for (const Figure& f : r.figures) {
            if (!f.available) {
                out << fmt::format("  {:<34} n/a: {}\n", f.name, f.note);
            } else if (!f.total.ok) {
                out << fmt::format("  {:<34} FAILED: {}\n", f.name, f.total.error);
            } else {
                row(f.name, format_ms(f.total.median_ms), format_ms(f.total.cpu_ms),
                    after_text(f, r), after_cpu_text(f, r), format_mib(f.total.peak_rss_kib));
            }
        }
        if (r.sqlite_scan.ok) {
            row("sqlite3 scan (id, sealed)", format_ms(r.sqlite_scan.median_ms),
                format_ms(r.sqlite_scan.cpu_ms), "-", "-", format_mib(r.sqlite_scan.peak_rss_kib));
        }
        for (const Figure& f : r.held) {
            if (f.total.ok) {
                row("held: " + f.name, format_ms(f.total.median_ms), format_ms(f.total.cpu_ms), "-",
                    "-", format_mib(f.total.peak_rss_kib));
            } else {
                out << fmt::format("  held: {:<28} FAILED: {}\n", f.name, f.total.error);
            }
        }
        if (r.held.empty() && !r.held_note.empty()) {
            out << "  with an unlock held: not measured, " << r.held_note << '\n';
        }
    }
    for (const PresetUnlock& p : s.presets) {
        out << fmt::format("\nUnlock with DUET_KDF={}: {} ms, {} MiB peak", p.preset,
                           format_ms(p.unlock_ms), format_mib(p.process.peak_rss_kib));
    }
    out << "\n\nTargets\n";
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
                       format_ms(s.process_floor.median_ms),
                       format_mib(s.process_floor.peak_rss_kib));
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
        << "- After unlock: every command that unlocks runs again on a copy of the journal whose "
           "data "
           "key is rewrapped with libsodium's minimal Argon2id cost (1 pass, 8 KiB), which "
           "measures the work after the unlock directly. Figures marked ≈ are total − unlock "
           "instead.\n"
        << "- The write goes to a scratch copy of the journal; the import goes into a fresh, "
           "empty journal each run, from duet's own JSON export of the journal of that "
           "size.\n"
        << "- With an unlock held: the bench joins a session keyring of its own, runs "
           "`duet unlock` once, then each command with no `DUET_PASSPHRASE` at all (one that "
           "asked for a passphrase would fail and be reported), then `duet lock`. `share --list` "
           "stands for `share`: the bench journals have no partner to share with, and it "
           "unlocks, takes in the shared folder and reads the shared records as a share "
           "does.\n\n";
}

void write_presets(std::ostream& out, const Suite& s) {
    if (s.presets.empty()) {
        return;
    }
    out << "\n## Unlock by KDF preset\n\n"
           "What opening a journal costs for each `DUET_KDF` preset chosen when it was "
           "created (`Journal::open` in the helper, on an empty journal; the peak is "
           "the helper process, nearly all of it Argon2id's memory). Reproduce: "
           "`build-bench/bench/duet_bench --unlock build-bench/bench-cache/empty-PRESET`.\n\n"
           "| preset | unlock (ms) | peak (MiB) | runs |\n|---|---:|---:|---:|\n";
    for (const PresetUnlock& p : s.presets) {
        if (!p.process.ok) {
            out << fmt::format("| `{}` | failed: {} | | |\n", p.preset, md_cell(p.process.error));
            continue;
        }
        out << fmt::format("| `{}`{} | {} | {} | {} |\n", p.preset,
                           p.preset == "moderate" ? " (the default)" : "", format_ms(p.unlock_ms),
                           format_mib(p.process.peak_rss_kib), p.process.runs);
    }
}

void write_held(std::ostream& out, const SizeResult& r) {
    if (r.held.empty()) {
        if (!r.held_note.empty()) {
            out << "\nWith an unlock held: not measured, " << r.held_note << ".\n";
        }
        return;
    }
    out << fmt::format("\nWith an unlock held (`duet unlock` once, the key in {}), each command "
                       "runs with no passphrase given, so without Argon2id: whole processes, "
                       "against the unlock above (or the default preset's, below) on every "
                       "command without it.\n\n",
                       r.held_note)
        << "| command, unlock held | total (ms) | CPU (ms) | peak (MiB) | runs |\n"
           "|---|---:|---:|---:|---:|\n";
    for (const Figure& f : r.held) {
        if (!f.total.ok) {
            out << fmt::format("| `{}` | FAILED: {} | | | |\n", md_cell(f.command),
                               md_cell(f.total.error));
            continue;
        }
        out << fmt::format("| `{}` | {} | {} | {} | {} |\n", md_cell(f.command),
                           format_ms(f.total.median_ms), format_ms(f.total.cpu_ms),
                           format_mib(f.total.peak_rss_kib), f.total.runs);
    }
}

void write_size(std::ostream& out, const SizeResult& r, const std::string& cache) {
    out << fmt::format("\n## {} entries\n\n", grouped(r.size))
        << fmt::format("Reproduce: `build-bench/bench/duet_bench --sizes {}`. One row by hand: "
                       "`DUET_HOME={}/journal-{} DUET_PASSPHRASE='{}' build-bench/COMMAND`.\n\n",
                       r.size, cache, r.size, "duet bench passphrase")
        << fmt::format("Unlock (`Journal::open`): **{} ms**; the helper process peaks at {} "
                       "MiB.\n\n",
                       format_ms(r.unlock_ms), format_mib(r.unlock_process.peak_rss_kib))
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
                           format_ms(f.total.median_ms), format_ms(f.total.cpu_ms),
                           f.unlocks ? format_ms(r.unlock_ms) : "-", after_text(f, r),
                           after_cpu_text(f, r), format_mib(f.total.peak_rss_kib), f.total.runs);
    }
    if (r.sqlite_scan.ok) {
        out << fmt::format("| `sqlite3 journal.db \"SELECT id, sealed FROM entries\"` | {} | {} "
                           "| - | - | - | {} | {} |\n",
                           format_ms(r.sqlite_scan.median_ms), format_ms(r.sqlite_scan.cpu_ms),
                           format_mib(r.sqlite_scan.peak_rss_kib), r.sqlite_scan.runs);
    }
    if (r.export_bytes > 0) {
        out << fmt::format("\nThe JSON export imported above is {:.1f} MiB.\n",
                           static_cast<double>(r.export_bytes) / (1024.0 * 1024.0));
    }
    write_held(out, r);
}

std::string duration(double seconds) {
    return fmt::format("{:.0f} min {:02.0f} s", std::floor(seconds / 60), std::fmod(seconds, 60));
}

// A run on cached journals is shorter than one from scratch: say by how much.
std::string reused_note(const Suite& s) {
    double fills = 0;
    bool any = false;
    for (const SizeResult& r : s.sizes) {
        if (r.fill_reused) {
            any = true;
            fills += r.fill_s;
        }
    }
    return any ? fmt::format(", on journals kept from an earlier run (filling them from scratch "
                             "takes another {})",
                             duration(fills))
               : "";
}

} // namespace

void write_results(const std::filesystem::path& file, const Suite& s) {
    std::ofstream out(file, std::ios::trunc);
    const std::string cache = "build-bench/bench-cache";
    out << "# duet benchmark results\n\n"
        << fmt::format("Generated by `{}` on {}; the whole run took {}{}.\n", s.invocation,
                       s.machine.date, duration(s.elapsed_s), reused_note(s))
        << "Build it with `cmake -S . -B build-bench -G Ninja -DDUET_BENCH=ON && "
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
    write_presets(out, s);
    out << "\n## Targets (on this machine, after unlock)\n\n| target | measured | result |\n"
           "|---|---|---|\n";
    for (const Verdict& v : verdicts(s)) {
        out << fmt::format("| {} | {} | **{}** |\n", v.target, md_cell(v.measured), v.result);
    }
    out << "\n## Memory: is the peak flat in the journal's size?\n\n"
           "Peaks of the runs on the minimal-Argon2id copy where a command unlocks: the "
           "unlock's own memory (64 MiB with `interactive`) is freed before the work starts "
           "and would otherwise hide what the work needs.\n\n"
           "| command | smallest journal | peak (MiB) | largest journal | peak (MiB) | growth "
           "(MiB) | at most 32 MiB |\n|---|---:|---:|---:|---:|---:|---|\n";
    for (const MemoryRow& row : memory_rows(s)) {
        if (row.small_size == 0) {
            out << fmt::format("| {} | | | | | | n/a |\n", row.name);
            continue;
        }
        out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", row.name,
                           grouped(row.small_size), format_mib(row.small_kib),
                           grouped(row.large_size), format_mib(row.large_kib),
                           format_mib(row.large_kib - row.small_kib), row.result);
    }
    if (!out.flush()) {
        throw std::runtime_error("could not write " + file.string());
    }
}

} // namespace duet::bench
