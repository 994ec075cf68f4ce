#pragma once
// Finding packs along the search path, and choosing today's prompt.
#include "duet/prompts/pack.hpp"
#include "duet/util/dates.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace duet::prompts {

struct SearchDir {
    std::filesystem::path dir;
    std::string origin; // "--prompts", "DUET_PROMPTS_PATH", "user", "bundled"
};

struct FoundPack {
    Pack pack;
    std::string origin;
};

// A pack file that could not be used, kept so commands can explain why.
struct BrokenPack {
    std::filesystem::path file;
    std::vector<Diagnostic> problems;
};

class Library {
  public:
    // Loads every *.prompts file along the dirs (earlier dirs win by pack name).
    static Library load(const std::vector<SearchDir>& dirs);

    const std::vector<FoundPack>& packs() const { return m_packs; }
    const std::vector<BrokenPack>& broken() const { return m_broken; }
    // Packs hidden by an earlier one of the same name.
    const std::vector<FoundPack>& hidden() const { return m_hidden; }

    // The pack by name; throws UsageError (unknown) or DataError (the pack's own
    // file is malformed, so a fallback would silently ignore the user's edit).
    const Pack& pack(const std::string& name) const;
    const Pack* find(const std::string& name) const;

    struct PromptRef {
        const Pack* pack;
        const Prompt* prompt;
    };
    // "pack/id", or "id" when exactly one pack has it.
    PromptRef prompt(const std::string& spec) const;

  private:
    std::vector<FoundPack> m_packs;
    std::vector<FoundPack> m_hidden;
    std::vector<BrokenPack> m_broken;
};

// Today's prompt of a daily pack: a fixed shuffle of the pack, walked one per day.
// Depends only on the pack and the day, so both partners get the same one.
const Prompt& daily_prompt(const Pack& pack, util::DayNumber day);
// The fixed shuffle itself (indices into pack.prompts), exposed for tests.
std::vector<std::size_t> daily_order(const Pack& pack);

} // namespace duet::prompts
