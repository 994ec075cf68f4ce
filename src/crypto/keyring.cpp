#include "duet/crypto/keyring.hpp"

#include <keyutils.h>
#include <sodium.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>

namespace duet::crypto::keyring {

namespace {

constexpr const char* k_type = "user";
// Everything for whoever possesses the key; others of this user may only see
// that it is there (`keyctl show`), never read it.
constexpr key_perm_t k_perm = KEY_POS_ALL | KEY_USR_VIEW;

std::string kernel_said() {
    return std::strerror(errno);
}

// This process's session keyring, if it has one of its own. Without one the
// kernel answers with the user's default session keyring, shared by every
// session-less process of this user; and a key added "to the session" would
// go into a new keyring of this process alone, gone (and unreadable to the
// next command) as soon as it ends. So that case counts as none.
std::optional<key_serial_t> own_session() {
    const key_serial_t session = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
    if (session < 0) {
        return std::nullopt;
    }
    const key_serial_t user_default = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
    if (user_default >= 0 && user_default == session) {
        return std::nullopt;
    }
    return session;
}

bool read_back(key_serial_t ring, const std::string& name, const SecureBytes& key) {
    const long id = keyctl_search(ring, k_type, name.c_str(), 0);
    if (id < 0) {
        return false;
    }
    SecureBytes back(key.size() + 1);
    const long n = keyctl_read(static_cast<key_serial_t>(id), reinterpret_cast<char*>(back.data()),
                               back.capacity());
    if (n != static_cast<long>(key.size())) {
        return false;
    }
    back.resize(key.size());
    return equal_constant_time(back.view(), key.view());
}

void discard(key_serial_t id) {
    if (keyctl_invalidate(id) != 0) {
        keyctl_revoke(id);
    }
}

// Keeps the key in `ring`; false (with why) when the kernel refuses or what was
// put there cannot be read back.
bool put(key_serial_t ring, const std::string& name, const SecureBytes& key,
         std::chrono::seconds ttl, std::string& why) {
    // Made in this process's own keyring first, its permissions and time limit
    // set, and only then linked where it is kept: a duet stopped half-way
    // leaves no key without a time limit behind.
    const key_serial_t id =
        add_key(k_type, name.c_str(), key.data(), key.size(), KEY_SPEC_PROCESS_KEYRING);
    if (id < 0) {
        why = kernel_said();
        return false;
    }
    const bool kept = keyctl_setperm(id, k_perm) == 0 &&
                      keyctl_set_timeout(id, static_cast<unsigned>(ttl.count())) == 0 &&
                      keyctl_link(id, ring) == 0;
    if (!kept) {
        why = kernel_said();
    }
    keyctl_unlink(id, KEY_SPEC_PROCESS_KEYRING);
    if (kept && read_back(ring, name, key)) {
        return true;
    }
    if (kept) {
        why = "what was kept there could not be read back";
    }
    discard(id);
    return false;
}

// "type;uid;gid;perm;description" -> type and description.
bool describe(key_serial_t id, std::string& type, std::string& description) {
    char* text = nullptr;
    if (keyctl_describe_alloc(id, &text) < 0 || text == nullptr) {
        return false;
    }
    const std::string d(text);
    std::free(text);
    std::size_t at = 0;
    for (int field = 0; field < 4; ++field) {
        at = d.find(';', at);
        if (at == std::string::npos) {
            return false;
        }
        ++at;
    }
    type = d.substr(0, d.find(';'));
    description = d.substr(at);
    return true;
}

int drop_if(const std::function<bool(std::string_view)>& match) {
    std::set<key_serial_t> rings;
    if (const auto session = own_session()) {
        rings.insert(*session);
    }
    if (const key_serial_t user = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 0); user >= 0) {
        rings.insert(user);
    }
    std::set<key_serial_t> seen;
    int dropped = 0;
    for (const key_serial_t ring : rings) {
        void* list = nullptr;
        const long bytes = keyctl_read_alloc(ring, &list);
        if (bytes < 0 || list == nullptr) {
            continue;
        }
        const auto* ids = static_cast<const key_serial_t*>(list);
        const std::size_t count = static_cast<std::size_t>(bytes) / sizeof(key_serial_t);
        for (std::size_t i = 0; i < count; ++i) {
            std::string type;
            std::string description;
            if (!seen.insert(ids[i]).second || !describe(ids[i], type, description) ||
                type != k_type || !match(description)) {
                continue;
            }
            // Invalidating fails for a key whose time is already up: not held, not counted.
            if (keyctl_invalidate(ids[i]) == 0 || keyctl_revoke(ids[i]) == 0) {
                ++dropped;
            }
            keyctl_unlink(ids[i], ring);
        }
        std::free(list);
    }
    return dropped;
}

} // namespace

HoldResult hold(std::string_view name, const SecureBytes& key, std::chrono::seconds ttl) {
    const std::string n(name);
    drop_if([&](std::string_view d) { return d == name; });
    std::string why;
    if (const auto session = own_session()) {
        if (put(*session, n, key, ttl, why)) {
            return {Place::session, ""};
        }
        why = "the session keyring: " + why;
    } else {
        why = "this login has no session keyring of its own";
    }
    const key_serial_t user = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);
    std::string user_why;
    if (user < 0) {
        user_why = kernel_said();
    } else if (put(user, n, key, ttl, user_why)) {
        return {Place::user, ""};
    }
    return {std::nullopt, why + "; the user keyring: " + user_why};
}

std::optional<SecureBytes> fetch(std::string_view name, std::size_t size) {
    const std::string n(name);
    for (const key_serial_t ring : {KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING}) {
        const long id = keyctl_search(ring, k_type, n.c_str(), 0);
        if (id < 0) {
            continue;
        }
        SecureBytes key(size + 1);
        const long got = keyctl_read(static_cast<key_serial_t>(id),
                                     reinterpret_cast<char*>(key.data()), key.capacity());
        if (got == static_cast<long>(size)) {
            key.resize(size);
            return key;
        }
    }
    return std::nullopt;
}

int drop(std::string_view prefix) {
    return drop_if([&](std::string_view d) { return d.starts_with(prefix); });
}

} // namespace duet::crypto::keyring
