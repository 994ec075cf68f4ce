// duet_bench_fill DIR N: a journal of N entries for the benchmark, written through the
// real write path (Journal::create, then Journal::add in batches), spread over past days.
#include "common.hpp"
#include "duet/error.hpp"
#include "duet/prompts/answer.hpp"
#include "duet/prompts/library.hpp"
#include "duet/store/journal.hpp"
#include "duet/util/dates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace duet;
using Clock = std::chrono::steady_clock;

struct FillOptions {
    std::filesystem::path dir;
    std::int64_t count = 0;
    std::int64_t batch = 10000;
    std::string kdf = "interactive";
    std::uint64_t seed = 20261126;
};

// At most twenty years of past days; a few entries a day in a small journal.
constexpr std::int64_t k_max_days = 20 * 365;
constexpr std::int64_t k_entries_per_day = 3;

constexpr std::array<std::string_view, 48> k_words = {
    "we",        "talked",   "about", "the",        "weekend",  "and",    "it",     "felt",
    "calmer",    "than",     "usual", "I",          "noticed",  "how",    "tired",  "you",
    "were",      "after",    "work",  "a",          "small",    "thing",  "helped", "us",
    "dinner",    "together", "walk",  "quiet",      "morning",  "coffee", "laugh",  "again",
    "listening", "harder",   "today", "maybe",      "tomorrow", "kinder", "space",  "close",
    "café",      "naïve",    "—",     "\"really\"", "patience", "home",   "rain",   "slow"};

// A text answer of roughly the given length, with an occasional line break.
std::string make_text(std::mt19937_64& rng, std::size_t length) {
    std::uniform_int_distribution<std::size_t> word(0, k_words.size() - 1);
    std::uniform_int_distribution<int> percent(0, 99);
    std::string out;
    out.reserve(length + 16);
    while (out.size() < length) {
        if (!out.empty()) {
            out += percent(rng) < 2 ? '\n' : ' ';
        }
        out += k_words[word(rng)];
    }
    return out;
}

// Mostly a sentence or two; now and then a long reflection.
std::size_t text_length(std::mt19937_64& rng) {
    const int p = std::uniform_int_distribution<int>(0, 99)(rng);
    const auto between = [&](std::size_t lo, std::size_t hi) {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
    };
    if (p < 60) {
        return between(20, 120);
    }
    if (p < 90) {
        return between(120, 600);
    }
    if (p < 99) {
        return between(600, 2000);
    }
    return between(2000, 8000);
}

struct PromptRef {
    const prompts::Pack* pack;
    const prompts::Prompt* prompt;
};

std::optional<prompts::Answer> make_answer(std::mt19937_64& rng, const prompts::Prompt& p) {
    std::string raw;
    switch (p.kind) {
    case prompts::Kind::scale:
        raw = std::to_string(std::uniform_int_distribution<int>(p.scale_min, p.scale_max)(rng));
        break;
    case prompts::Kind::choice:
        raw = std::to_string(std::uniform_int_distribution<std::size_t>(1, p.options.size())(rng));
        break;
    case prompts::Kind::text:
        raw = make_text(rng, text_length(rng));
        break;
    }
    auto checked = prompts::check_answer(p, raw);
    if (auto* answer = std::get_if<prompts::Answer>(&checked)) {
        return *answer;
    }
    throw std::logic_error("the fill made an answer duet rejects: " +
                           std::get<std::string>(checked));
}

// The same fields reflect's make_entry fills in, at a chosen time.
store::Entry make_entry(std::mt19937_64& rng, const PromptRef& ref, const util::Timestamp& at) {
    std::uniform_int_distribution<int> percent(0, 99);
    store::Entry e;
    e.created_at = at;
    e.day = util::local_day(at);
    e.pack = ref.pack->name;
    e.prompt_id = ref.prompt->id;
    e.prompt_text = ref.prompt->text;
    e.kind = std::string(prompts::kind_name(ref.prompt->kind));
    if (ref.prompt->kind == prompts::Kind::scale) {
        e.scale_min = ref.prompt->scale_min;
        e.scale_max = ref.prompt->scale_max;
    }
    if (percent(rng) < 10) {
        e.skipped = true;
    } else {
        const auto answer = make_answer(rng, *ref.prompt);
        e.answer = answer->text;
        e.value = answer->value;
    }
    e.for_session = percent(rng) < 3;
    e.together = ref.prompt->together && percent(rng) < 20;
    return e;
}

FillOptions parse_args(int argc, char** argv) {
    FillOptions o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&] {
            if (i + 1 >= argc) {
                throw UsageError(arg + " needs a value");
            }
            return std::string(argv[++i]);
        };
        if (arg == "--batch") {
            o.batch = std::max<std::int64_t>(1, std::stoll(value()));
        } else if (arg == "--kdf") {
            o.kdf = value();
        } else if (arg == "--seed") {
            o.seed = std::stoull(value());
        } else if (arg == "--help" || arg == "-h") {
            throw UsageError("");
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 2) {
        throw UsageError("expected a data folder and an entry count");
    }
    o.dir = positional[0];
    o.count = std::stoll(positional[1]);
    if (o.count < 0) {
        throw UsageError("the entry count must not be negative");
    }
    return o;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int fill(const FillOptions& o) {
    crypto::init();
    const prompts::Library lib = prompts::Library::load({{DUET_BENCH_PROMPTS_DIR, "bundled"}});
    std::vector<PromptRef> all;
    for (const prompts::FoundPack& found : lib.packs()) {
        for (const prompts::Prompt& p : found.pack.prompts) {
            all.push_back({&found.pack, &p});
        }
    }
    if (all.empty()) {
        throw RuntimeError(fmt::format("no prompt packs in {}", DUET_BENCH_PROMPTS_DIR));
    }

    const store::DataFolder folder{o.dir};
    const auto create_start = Clock::now();
    store::Journal journal =
        store::Journal::create(folder, bench::bench_passphrase_bytes(), bench::bench_kdf(o.kdf));
    const double create_s = seconds_since(create_start);

    // Evenly from `days` days ago up to the end of yesterday, so today is still unwritten.
    const util::Timestamp now = util::now();
    const std::int64_t days = std::clamp<std::int64_t>(o.count / k_entries_per_day, 1, k_max_days);
    const std::int64_t end = (util::local_day(now) * 86400 - now.utc_offset) - 1;
    const std::int64_t begin = end - days * 86400;

    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<std::size_t> pick(0, all.size() - 1);
    const auto fill_start = Clock::now();
    std::int64_t done = 0;
    while (done < o.count) {
        const std::int64_t upto = std::min(o.count, done + o.batch);
        journal.batch([&] {
            for (; done < upto; ++done) {
                const util::Timestamp at{begin + (end - begin) * done /
                                                     std::max<std::int64_t>(1, o.count),
                                         now.utc_offset};
                store::Entry e = make_entry(rng, all[pick(rng)], at);
                journal.add(e);
            }
        });
        if (o.count >= 100000 && done % 100000 == 0) {
            std::cout << fmt::format("  {} of {} entries ({:.1f} s)\n", done, o.count,
                                     seconds_since(fill_start))
                      << std::flush;
        }
    }
    const double fill_s = seconds_since(fill_start);
    std::cout << fmt::format("filled {} with {} entries over {} days: create (KDF {}) {:.3f} s, "
                             "adds {:.3f} s ({:.1f} us/entry)\n",
                             folder.journal().string(), o.count, days, o.kdf, create_s, fill_s,
                             o.count > 0 ? fill_s * 1e6 / static_cast<double>(o.count) : 0.0);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return fill(parse_args(argc, argv));
    } catch (const duet::UsageError& e) {
        if (*e.what() != '\0') {
            std::cerr << "duet_bench_fill: " << e.what() << '\n';
        }
        std::cerr << "usage: duet_bench_fill DIR N [--batch B] [--kdf interactive|moderate|"
                     "sensitive|minimal] [--seed S]\n"
                     "DUET_PASSPHRASE sets the passphrase (default: \""
                  << duet::bench::k_default_passphrase << "\").\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "duet_bench_fill: " << e.what() << '\n';
        return 1;
    }
}
