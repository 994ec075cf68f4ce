#pragma once
// Internal to transfer/: one record of an export's "entries", read through
// accessors that check each field and name the entry when one is wrong, and
// what the formats share in turning records into entries.
#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"
#include "formats.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace duet::transfer {

using nlohmann::json;

// A value from the file, safe and short enough to quote in a message.
inline std::string shown(std::string_view s) {
    std::string visible = util::printable(s.substr(0, 40), false);
    return "\"" + visible + (s.size() > 40 ? "...\"" : "\"");
}

inline std::string hash_hex(std::string_view canonical) {
    return crypto::to_hex(crypto::keyed_hash({}, crypto::as_bytes(canonical), 32));
}

// FNV-1a over length-prefixed fields: cheap, and equal for equal identities.
class Fingerprint {
  public:
    Fingerprint& add(std::string_view s) {
        add(static_cast<std::int64_t>(s.size()));
        for (char c : s) {
            byte(static_cast<unsigned char>(c));
        }
        return *this;
    }
    Fingerprint& add(std::int64_t v) {
        for (int i = 0; i < 8; ++i) {
            byte(static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i)));
        }
        return *this;
    }
    std::uint64_t value() const { return m_h; }

  private:
    void byte(unsigned char b) {
        m_h ^= b;
        m_h *= 0x100000001b3ULL;
    }
    std::uint64_t m_h = 0xcbf29ce484222325ULL;
};

// One record of the entries array, with checked accessors that name the entry on failure.
class Record {
  public:
    Record(const json& j, std::string_view file, std::size_t number)
        : m_j(j), m_file(file), m_number(number) {}

    [[noreturn]] void fail(std::string_view why) const {
        throw DataError(fmt::format("{}: entry {}: {}", m_file, m_number, why));
    }

    const json* find(const char* key) const {
        const auto it = m_j.find(key);
        return it == m_j.end() ? nullptr : &*it;
    }

    const json& need(const char* key) const {
        const json* v = find(key);
        if (v == nullptr) {
            fail(fmt::format("\"{}\" is missing", key));
        }
        return *v;
    }

    std::string text(const char* key) const { return checked_text(key, need(key)); }

    std::string nonempty_text(const char* key) const {
        std::string s = text(key);
        if (util::trim(s).empty()) {
            fail(fmt::format("\"{}\" is empty", key));
        }
        return s;
    }

    // Absent or null: nullopt.
    std::optional<std::string> text_or_null(const char* key) const {
        const json* v = find(key);
        if (v == nullptr || v->is_null()) {
            return std::nullopt;
        }
        return checked_text(key, *v);
    }

    bool flag(const char* key, std::optional<bool> fallback = std::nullopt) const {
        const json* v = find(key);
        if (v == nullptr && fallback) {
            return *fallback;
        }
        const json& value = v != nullptr ? *v : need(key);
        if (!value.is_boolean()) {
            fail(fmt::format("\"{}\" should be true or false, not {}", key, value.type_name()));
        }
        return value.get<bool>();
    }

    int integer(const char* key, const json& v) const {
        if (!v.is_number_integer() || v.get<std::int64_t>() < INT_MIN ||
            v.get<std::int64_t>() > INT_MAX) {
            fail(fmt::format("\"{}\" should be a whole number, not {}", key,
                             v.is_number() ? "that number" : v.type_name()));
        }
        return static_cast<int>(v.get<std::int64_t>());
    }

    // Fields duet does not keep are still checked, so a damaged file is noticed.
    void optional_text(const char* key) const {
        if (const json* v = find(key); v != nullptr && !v->is_null()) {
            checked_text(key, *v);
        }
    }

    void optional_text_list(const char* key) const {
        const json* v = find(key);
        if (v == nullptr || v->is_null()) {
            return;
        }
        if (!v->is_array()) {
            fail(fmt::format("\"{}\" should be a list of text, not {}", key, v->type_name()));
        }
        for (const json& item : *v) {
            checked_text(key, item);
        }
    }

  private:
    std::string checked_text(const char* key, const json& v) const {
        if (!v.is_string()) {
            fail(fmt::format("\"{}\" should be text, not {}", key, v.type_name()));
        }
        const auto& s = v.get_ref<const std::string&>();
        if (!util::is_valid_utf8(s)) {
            fail(fmt::format("\"{}\" is not valid UTF-8 text", key));
        }
        if (s.size() > k_max_text_size) {
            fail(fmt::format("\"{}\" is over 1 MiB, more than duet keeps in one entry", key));
        }
        return s;
    }

    const json& m_j;
    std::string_view m_file;
    std::size_t m_number;
};

// Checks one record of duet's own export and adds it to the batch (see formats.hpp).
void add_duet(const Record& r, Identities identities, ImportBatch& batch);

} // namespace duet::transfer
