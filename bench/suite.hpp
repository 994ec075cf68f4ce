#pragma once
// The benchmark's figures, as run.cpp gathers them and results.cpp reports them.
#include "measure.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace duet::bench {

struct Machine {
    std::string cpu;
    int cores = 0;
    std::string memory;
    std::string kernel;
    std::string duet_version;
    std::string duet_built; // when the measured binary was linked
    std::string sqlite_version;
    std::string compiler;
    std::string build_type;
    std::string date;
    std::string load_start; // /proc/loadavg: other work on the machine skews wall times
};

// One command at one journal size.
struct Figure {
    Figure() = default;
    Figure(std::string name_, std::string command_, bool unlocks_)
        : name(std::move(name_)), command(std::move(command_)), unlocks(unlocks_) {}

    std::string name;    // "review --last 20"
    std::string command; // how to run it by hand, without the environment
    bool unlocks = false;
    bool available = true;
    std::string note; // why it was not measured, or what is special about it
    Stats total;      // on the journal as filled (interactive Argon2id)
    // The same command on a copy rewrapped with the minimal Argon2id cost.
    std::optional<Stats> work;
};

struct SizeResult {
    std::int64_t size = 0;
    std::string fill_report;  // duet_bench_fill's own line
    double fill_s = 0;        // the fill's wall time (0 when unknown)
    bool fill_reused = false; // taken from the cache rather than filled by this run
    std::uintmax_t journal_bytes = 0;
    std::filesystem::path home;
    double unlock_ms = 0; // Journal::open measured inside the helper: the KDF, mostly
    Stats unlock_process; // the helper as a whole process (its peak memory is the KDF's)
    Stats sqlite_scan;
    std::uintmax_t export_bytes = 0; // the JSON export used for the import, when made
    std::vector<Figure> figures;
    // Commands with an unlock held (`duet unlock`), no passphrase given: whole processes.
    std::vector<Figure> held;
    std::string held_note; // which keyring kept the key, or why none could

    const Figure* find(const std::string& name) const {
        for (const Figure& f : figures) {
            if (f.name == name) {
                return &f;
            }
        }
        return nullptr;
    }
};

// Unlocking an empty journal made with one Argon2id preset (DUET_KDF).
struct PresetUnlock {
    std::string preset;
    double unlock_ms = 0; // Journal::open inside the helper
    Stats process;        // the helper as a whole process; its peak is the KDF's memory
};

struct Suite {
    Machine machine;
    std::string invocation; // the command line that reproduces this run
    std::filesystem::path source_dir;
    std::filesystem::path duet;
    std::string kdf;
    int runs = 0;
    Stats process_floor; // /bin/true: what any process costs here
    std::vector<SizeResult> sizes;
    std::vector<PresetUnlock> presets;
    double elapsed_s = 0;
    std::string load_end;
};

// What a run measures and where; the defaults come from the build.
struct BenchOptions {
    std::vector<std::int64_t> sizes{1000, 100000, 1000000};
    int runs = 5;
    std::filesystem::path cache = DUET_BENCH_CACHE_DIR;
    std::filesystem::path results =
        std::filesystem::path(DUET_BENCH_SOURCE_DIR) / "bench" / "RESULTS.md";
    bool write_results = true;
    std::filesystem::path duet = DUET_BENCH_DUET_BIN;
    std::filesystem::path fill = DUET_BENCH_FILL_BIN;
    double timeout_s = 1800;
    std::int64_t import_max = 1000000;
    // Commands faster than this are run again on a minimal-KDF copy, where the
    // work after the unlock, and the memory it needs, are measured directly
    // instead of by subtraction. By default every command is.
    double direct_below_ms = 1e9;
    std::string kdf = "interactive";
    std::vector<std::string> presets{"interactive", "moderate", "sensitive"};
    std::string invocation;
};

MeasureOptions measure_options(const BenchOptions& o);
// Does `duet COMMAND --help` mention the flag? (Features other engineers may be adding.)
bool help_mentions(const BenchOptions& o, const std::string& command, const std::string& flag);
// Fills or reuses the journal of that size and measures every command on it.
// export_bytes_per_entry: of the last JSON export made, to size the ones not made.
SizeResult run_size(const BenchOptions& o, std::int64_t size, bool has_summary, bool has_import,
                    std::optional<double>& export_bytes_per_entry);

// `duet unlock` on that journal, then commands with no passphrase, then `duet lock`.
void run_held(const BenchOptions& o, SizeResult& r);

// The unlock time of each DUET_KDF preset, on empty journals made for it.
std::vector<PresetUnlock> run_presets(const BenchOptions& o);

Machine describe_machine(const BenchOptions& o);
std::string load_average(); // /proc/loadavg's first three fields

// The time after the unlock: measured on the minimal-KDF copy when there is one,
// else the total minus the unlock. nullopt for commands that do not unlock.
std::optional<double> after_unlock_ms(const Figure& f, const SizeResult& r);

// 1000000 -> "1,000,000"
std::string grouped(std::int64_t n);

void print_table(std::ostream& out, const Suite& suite);
void write_results(const std::filesystem::path& file, const Suite& suite);

} // namespace duet::bench
