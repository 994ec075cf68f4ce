#include "duet/util/msgpack.hpp"

#include <string>
#include <utility>
#include <vector>

namespace duet::util {

using nlohmann::json;

void MsgpackReader::skip(std::size_t depth) {
    if (depth > k_max_msgpack_depth) {
        throw MsgpackDamaged{};
    }
    const unsigned b = take();
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        return; // fixints, nil, booleans
    }
    if ((b & 0xe0) == 0xa0 || (b >= 0xd9 && b <= 0xdb)) {
        need(str_size(b));
        return;
    }
    const bool fix_container = (b & 0xe0) == 0x80; // fixmap, fixarray
    if (fix_container || (b >= 0xdc && b <= 0xdf)) {
        const bool is_map = (b & 0xf0) == 0x80 || b >= 0xde;
        const std::uint64_t n = fix_container ? (b & 0x0f) : be(b == 0xdc || b == 0xde ? 2 : 4);
        for (std::uint64_t i = 0; i < (is_map ? 2 * n : n); ++i) {
            skip(depth + 1);
        }
        return;
    }
    if (b >= 0xc4 && b <= 0xc6) { // bin 8/16/32
        need(be(1 << (b - 0xc4)));
    } else if (b >= 0xc7 && b <= 0xc9) { // ext 8/16/32: a type byte and the data
        need(be(1 << (b - 0xc7)) + 1);
    } else if (b >= 0xd4 && b <= 0xd8) { // fixext 1/2/4/8/16: a type byte and the data
        need(1 + (1u << (b - 0xd4)));
    } else if (b == 0xca || b == 0xcb) { // float 32/64
        need(b == 0xca ? 4 : 8);
    } else if (b >= 0xcc && b <= 0xd3) { // uint and int 8/16/32/64
        need(1u << ((b - 0xcc) % 4));
    } else {
        throw MsgpackDamaged{}; // 0xc1 is never used
    }
}

namespace {

// Builds the document as nlohmann's own parser does, through its public SAX
// interface, but refuses a level past the depth limit: nlohmann's reader
// recurses once per level, so refusing the level bounds the stack it uses.
class DepthLimitedBuilder final : public nlohmann::json_sax<json> {
  public:
    explicit DepthLimitedBuilder(json& root) : m_root(root) {}

    bool null() override { return put(nullptr); }
    bool boolean(bool v) override { return put(v); }
    bool number_integer(number_integer_t v) override { return put(v); }
    bool number_unsigned(number_unsigned_t v) override { return put(v); }
    bool number_float(number_float_t v, const string_t&) override { return put(v); }
    bool string(string_t& v) override { return put(std::move(v)); }
    bool binary(binary_t& v) override { return put(json(std::move(v))); }
    bool start_object(std::size_t) override { return open(json::object()); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool key(string_t& k) override {
        m_member = &(*m_open.back())[k];
        return true;
    }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const json::exception&) override {
        return false;
    }

  private:
    // Where the next value goes: the root, the end of an array, or a member.
    json* place(json&& value) {
        if (m_open.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        json& parent = *m_open.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        *m_member = std::move(value);
        return m_member;
    }
    bool put(json value) {
        place(std::move(value));
        return true;
    }
    bool open(json container) {
        if (m_open.size() >= k_max_msgpack_depth) {
            return false;
        }
        m_open.push_back(place(std::move(container)));
        return true;
    }
    bool close() {
        m_open.pop_back();
        return true;
    }

    json& m_root;
    std::vector<json*> m_open; // the containers being filled, innermost last
    json* m_member = nullptr;  // the member the last key named
};

} // namespace

std::optional<json> parse_msgpack(std::span<const unsigned char> bytes) {
    json out;
    DepthLimitedBuilder builder(out);
    try {
        if (!json::sax_parse(bytes.data(), bytes.data() + bytes.size(), &builder,
                             json::input_format_t::msgpack, true)) {
            return std::nullopt;
        }
    } catch (const json::exception&) {
        return std::nullopt;
    }
    return out;
}

} // namespace duet::util
