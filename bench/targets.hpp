#pragma once
// The targets checked against the figures, and the number formats both reports use.
#include "suite.hpp"

#include <optional>
#include <string>
#include <vector>

namespace duet::bench {

std::string format_ms(double ms); // "7.4" below 100 ms, "1234" above
std::string format_mib(long kib); // "70.5"

// What a target is checked against.
struct Timing {
    double wall = 0;
    std::optional<double> cpu;
};

// The time after the unlock for commands that unlock the journal, else the whole process;
// nullopt when the command was not measured.
std::optional<Timing> target_time(const Figure& f, const SizeResult& r);

struct Verdict {
    std::string target;
    std::string measured;
    std::string result; // PASS, FAIL or n/a
};

std::vector<Verdict> verdicts(const Suite& s);

// One command's peak memory on the smallest and the largest journal it ran on.
struct MemoryRow {
    std::string name;
    std::int64_t small_size = 0;
    long small_kib = 0;
    std::int64_t large_size = 0;
    long large_kib = 0;
    std::string result;
};

std::vector<MemoryRow> memory_rows(const Suite& s);

} // namespace duet::bench
