// duet_bench: fills journals of several sizes once (kept in a cache folder), then runs
// duet's commands on them as whole processes: median wall time and peak memory of each,
// with the Argon2id unlock measured on its own. Prints a table; writes bench/RESULTS.md.
#include "common.hpp"
#include "duet/store/journal.hpp"
#include "measure.hpp"
#include "suite.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace duet;
using namespace duet::bench;
using Clock = std::chrono::steady_clock;

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
           "                  [--import-max N] [--presets LIST] [--duet PATH]\n"
           "Runs duet's commands on journals of each size; writes RESULTS.md on a default\n"
           "run or with --results. --quick: sizes 1000,10000, 3 runs and only the\n"
           "interactive preset's unlock, for a smoke test. --presets: the DUET_KDF presets\n"
           "whose unlock is timed (default interactive,moderate,sensitive; none: skip).\n"
           "Helpers: duet_bench --unlock DIR; duet_bench --rewrap DIR KDF.\n";
}

BenchOptions parse_args(int argc, char** argv) {
    BenchOptions o;
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
            o.presets = {"interactive"};
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
        } else if (arg == "--presets") {
            o.presets.clear();
            std::stringstream list(value());
            for (std::string item; std::getline(list, item, ',');) {
                if (item != "none") {
                    o.presets.push_back(item);
                }
            }
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

int run_suite(const BenchOptions& o) {
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
        run_held(o, suite.sizes.back());
    }
    suite.presets = run_presets(o);
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
