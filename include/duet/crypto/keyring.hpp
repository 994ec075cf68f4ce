#pragma once
// Keeping a key for a while in the kernel's keyring (keyutils), so that one
// sitting of several commands needs the passphrase once. The kernel keeps it
// in its own memory, never on disk; only a process that possesses it (one of
// this login session, or of this user for the user keyring) can read it, and
// the kernel drops it by itself when its time is up. Knows nothing of journals.
#include "duet/crypto/secure.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace duet::crypto::keyring {

enum class Place {
    session, // this login session's keyring: only its processes, gone at logout
    user,    // the user keyring: every session of this user, kept past logout
};

struct HoldResult {
    std::optional<Place> place; // where the key is kept; nullopt when nowhere works
    std::string why_not;        // when nowhere works: what the kernel said
};

// Keeps a copy of the key under `name` for `ttl`, replacing one held under that
// name. The session keyring when this process has one of its own and can read
// back what it puts there; otherwise the user keyring, under the same rules.
HoldResult hold(std::string_view name, const SecureBytes& key, std::chrono::seconds ttl);

// The key held under `name` if one of exactly `size` bytes is held and its time
// is not up; nullopt otherwise, also where the kernel has no keyrings.
std::optional<SecureBytes> fetch(std::string_view name, std::size_t size);

// Drops at once every key held under a name starting with `prefix`, in the
// session and the user keyring; how many that were.
int drop(std::string_view prefix);

} // namespace duet::crypto::keyring
