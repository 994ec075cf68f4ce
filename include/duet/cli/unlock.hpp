#pragma once
// One unlock per sitting (`duet unlock`, `duet lock`): the journal's data key,
// kept for a while in the kernel keyring under a name tied to this journal and
// to its current passphrase wrapping, so a new passphrase leaves it unused.
#include "duet/store/journal.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace duet::cli {

inline constexpr std::chrono::seconds k_default_unlock{15 * 60};
inline constexpr std::chrono::seconds k_longest_unlock{8 * 3600};

// "90s", "15m", "2h", "1h30m": hours, minutes and seconds in that order, each
// at most once. UsageError for anything else, for zero, and beyond 8 hours.
std::chrono::seconds parse_unlock_duration(std::string_view text);
// 5400 s -> "1 hour 30 minutes"
std::string describe_duration(std::chrono::seconds d);

// The keyring name for the journal's data key under its current wrapping.
std::string held_key_name(const store::Journal::KeyTie& tie);

// The journal, opened with the key `duet unlock` keeps for it, when one is held
// and still opens it (a stale one is dropped); nullopt otherwise.
std::optional<store::Journal> open_held(const store::DataFolder& folder);

// Drops every key held for this journal, whatever passphrase it was kept
// under; how many there were.
int drop_held(const crypto::Bytes& journal_id);
// Drops every key duet keeps, for any journal (`duet lock`).
int drop_all_held();

} // namespace duet::cli
