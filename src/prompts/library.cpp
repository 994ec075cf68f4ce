#include "duet/prompts/library.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <system_error>

namespace duet::prompts {

namespace fs = std::filesystem;

Library Library::load(const std::vector<SearchDir>& dirs) {
    Library lib;
    for (const SearchDir& sd : dirs) {
        std::error_code ec;
        if (!fs::is_directory(sd.dir, ec)) {
            continue;
        }
        std::vector<fs::path> files;
        for (const auto& de : fs::directory_iterator(sd.dir, ec)) {
            if (de.path().extension() == ".prompts" && de.path().filename().string()[0] != '.') {
                files.push_back(de.path());
            }
        }
        std::sort(files.begin(), files.end()); // the same result on every machine
        for (const fs::path& file : files) {
            ParseResult r = load_pack_file(file);
            if (!r.pack) {
                lib.m_broken.push_back({file, std::move(r.problems)});
                continue;
            }
            const bool taken = lib.find(r.pack->name) != nullptr;
            (taken ? lib.m_hidden : lib.m_packs).push_back({std::move(*r.pack), sd.origin});
        }
    }
    return lib;
}

const Pack* Library::find(const std::string& name) const {
    for (const FoundPack& fp : m_packs) {
        if (fp.pack.name == name) {
            return &fp.pack;
        }
    }
    return nullptr;
}

const Pack& Library::pack(const std::string& name) const {
    // A broken file named after the pack, earlier on the path than the good one,
    // was meant to be used: say what is wrong with it rather than skip it.
    for (const BrokenPack& bp : m_broken) {
        if (bp.file.stem() == name) {
            std::string msg =
                fmt::format("prompt pack '{}' in {} cannot be used:", name, bp.file.string());
            for (const Diagnostic& d : bp.problems) {
                msg += "\n  " + d.to_string();
            }
            throw DataError(msg);
        }
    }
    if (const Pack* p = find(name)) {
        return *p;
    }
    std::string known;
    for (const FoundPack& fp : m_packs) {
        known += (known.empty() ? "" : ", ") + fp.pack.name;
    }
    throw UsageError(fmt::format("there is no prompt pack named '{}' (packs here: {}); "
                                 "`duet reflect --list` shows them all",
                                 name, known.empty() ? "none" : known));
}

Library::PromptRef Library::prompt(const std::string& spec) const {
    const auto slash = spec.find('/');
    if (slash != std::string::npos) {
        const Pack& p = pack(spec.substr(0, slash));
        const std::string id = spec.substr(slash + 1);
        if (const Prompt* pr = p.find(id)) {
            return {&p, pr};
        }
        throw UsageError(fmt::format("pack '{}' has no prompt '{}'; `duet reflect --list --pack "
                                     "{}` lists its prompts",
                                     p.name, id, p.name));
    }
    std::vector<PromptRef> matches;
    for (const FoundPack& fp : m_packs) {
        if (const Prompt* pr = fp.pack.find(spec)) {
            matches.push_back({&fp.pack, pr});
        }
    }
    if (matches.size() == 1) {
        return matches.front();
    }
    if (matches.empty()) {
        throw UsageError(fmt::format("no pack has a prompt '{}'; `duet reflect --list` shows the "
                                     "packs, `--list --pack NAME` their prompts",
                                     spec));
    }
    std::string names;
    for (const PromptRef& m : matches) {
        names += (names.empty() ? "" : ", ") + m.pack->name + "/" + spec;
    }
    throw UsageError(
        fmt::format("prompt '{}' is in more than one pack; please choose one of: {}", spec, names));
}

namespace {
// splitmix64: tiny, well-studied, and identical on every platform (std::shuffle is not).
std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t below(std::uint64_t& state, std::uint64_t n) {
    // Rejection sampling keeps every position equally likely.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t r = 0;
    do {
        r = next_random(state);
    } while (r >= limit);
    return r % n;
}
} // namespace

std::vector<std::size_t> daily_order(const Pack& pack) {
    std::vector<std::size_t> order(pack.prompts.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const std::string label = "duet-daily-order-v1:" + pack.name;
    const crypto::Bytes h = crypto::keyed_hash({}, crypto::as_bytes(label), 8);
    std::uint64_t state = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        state = (state << 8) | h[i];
    }
    for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[below(state, i)]);
    }
    return order;
}

const Prompt& daily_prompt(const Pack& pack, util::DayNumber day) {
    if (pack.prompts.empty()) {
        throw DataError(fmt::format("prompt pack '{}' has no prompts", pack.name));
    }
    const auto n = static_cast<util::DayNumber>(pack.prompts.size());
    const auto slot = static_cast<std::size_t>(((day % n) + n) % n);
    return pack.prompts[daily_order(pack)[slot]];
}

} // namespace duet::prompts
