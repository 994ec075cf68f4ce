#include "duet/store/entry.hpp"

#include "duet/error.hpp"
#include "duet/util/msgpack.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <limits>

namespace duet::store {

namespace {
constexpr int k_entry_format = 1;

void wipe(std::vector<std::uint8_t>& v) {
    if (!v.empty()) {
        sodium_memzero(v.data(), v.size());
    }
}
// Numbers must really be integers in range: converting a float or an
// out-of-range value would be undefined behaviour, and such bytes are damage.
template <typename Int> Int integer(const nlohmann::json& j, const char* key) {
    const nlohmann::json& v = j.at(key);
    if (!v.is_number_integer()) {
        throw nlohmann::json::type_error::create(302, "not an integer", &v);
    }
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
            throw nlohmann::json::type_error::create(302, "out of range", &v);
        }
        return static_cast<Int>(u);
    }
    const auto n = v.get<std::int64_t>();
    if (n < std::numeric_limits<Int>::min() || n > std::numeric_limits<Int>::max()) {
        throw nlohmann::json::type_error::create(302, "out of range", &v);
    }
    return static_cast<Int>(n);
}

template <typename Int> Int integer_or(const nlohmann::json& j, const char* key, Int fallback) {
    return j.contains(key) ? integer<Int>(j, key) : fallback;
}
} // namespace

crypto::SecureBytes encode_entry(const Entry& e) {
    nlohmann::json j = {
        {"v", k_entry_format},
        {"t", e.created_at.seconds},
        {"o", e.created_at.utc_offset},
        {"d", e.day},
        {"pk", e.pack},
        {"pi", e.prompt_id},
        {"pt", e.prompt_text},
        {"k", e.kind},
        {"s", e.skipped},
        {"fs", e.for_session},
        {"tg", e.together},
        {"im", e.imported},
    };
    if (e.answer) {
        j["a"] = *e.answer;
    }
    if (e.value) {
        j["n"] = *e.value;
    }
    if (e.kind == "scale") {
        j["lo"] = e.scale_min;
        j["hi"] = e.scale_max;
    }
    if (!e.source.empty()) {
        j["src"] = e.source;
    }
    std::vector<std::uint8_t> packed = nlohmann::json::to_msgpack(j);
    crypto::SecureBytes out(crypto::ByteView(packed.data(), packed.size()));
    wipe(packed);
    return out;
}

Entry decode_entry(crypto::ByteView bytes, std::int64_t id) {
    Entry e;
    e.id = id;
    try {
        const auto parsed = util::parse_msgpack(bytes.begin(), bytes.end());
        if (!parsed || !parsed->is_object()) {
            throw DataError("entry " + std::to_string(id) + " is damaged and cannot be read");
        }
        const nlohmann::json& j = *parsed;
        const int version = integer<int>(j, "v");
        if (version > k_entry_format) {
            throw DataError("entry " + std::to_string(id) +
                            " was written by a newer duet; please update duet to read it");
        }
        e.created_at.seconds = integer<std::int64_t>(j, "t");
        e.created_at.utc_offset = integer<std::int32_t>(j, "o");
        e.day = integer<std::int64_t>(j, "d");
        e.pack = j.at("pk").get<std::string>();
        e.prompt_id = j.at("pi").get<std::string>();
        e.prompt_text = j.at("pt").get<std::string>();
        e.kind = j.at("k").get<std::string>();
        e.skipped = j.at("s").get<bool>();
        e.for_session = j.at("fs").get<bool>();
        e.together = j.value("tg", false);
        e.imported = j.value("im", false);
        if (j.contains("a")) {
            e.answer = j["a"].get<std::string>();
        }
        if (j.contains("n")) {
            e.value = integer<int>(j, "n");
        }
        e.scale_min = integer_or<int>(j, "lo", 0);
        e.scale_max = integer_or<int>(j, "hi", 0);
        e.source = j.value("src", std::string());
    } catch (const nlohmann::json::exception&) {
        throw DataError("entry " + std::to_string(id) + " is damaged and cannot be read");
    }
    return e;
}

} // namespace duet::store
