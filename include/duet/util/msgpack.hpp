#pragma once
// MessagePack, the one place duet reads and writes it by hand:
// - parse_msgpack: a whole document from someone else (a partner's file, a
//   damaged journal) into a json value, refusing nesting past a depth limit;
// - MsgpackWriter and MsgpackReader: field by field, with no document tree,
//   for the entry codec on the hot path of every scan (store/entry.cpp).
// The small methods stay in this header so that they inline into that loop.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace duet::util {

inline constexpr std::size_t k_max_msgpack_depth = 32;

// nullopt when the bytes are not one complete MessagePack value of sane depth.
std::optional<nlohmann::json> parse_msgpack(std::span<const unsigned char> bytes);
// The same, for contiguous bytes of any one-byte type (a std::string, a vector).
template <typename It> std::optional<nlohmann::json> parse_msgpack(It first, It last) {
    static_assert(sizeof(*first) == 1);
    const auto* data = reinterpret_cast<const unsigned char*>(std::to_address(first));
    return parse_msgpack(
        std::span<const unsigned char>(data, static_cast<std::size_t>(last - first)));
}

// Appends MessagePack to a byte range, each value in its smallest encoding.
// Run once with no buffer to count the bytes, then again to write them, so
// the caller can put them straight into guarded memory.
class MsgpackWriter {
  public:
    explicit MsgpackWriter(unsigned char* out = nullptr) : m_out(out) {}
    std::size_t size() const { return m_size; }

    void map(std::size_t n) {
        if (n <= 15) {
            byte(0x80 | static_cast<unsigned>(n));
        } else {
            byte(0xde);
            be(n, 2);
        }
    }
    void str(std::string_view s) {
        str_header(s.size());
        raw(s.data(), s.size());
    }
    // A string of n zero bytes (padding), at most 65535.
    void zeros(std::size_t n) {
        n = std::min<std::size_t>(n, 0xffff);
        str_header(n);
        if (m_out != nullptr) {
            std::memset(m_out + m_size, 0, n);
        }
        m_size += n;
    }
    void boolean(bool b) { byte(b ? 0xc3 : 0xc2); }
    void integer(std::int64_t v) {
        if (v >= 0) {
            const auto u = static_cast<std::uint64_t>(v);
            if (u <= 0x7f) {
                byte(static_cast<unsigned>(u));
            } else {
                const int width = u <= 0xff ? 1 : u <= 0xffff ? 2 : u <= 0xffffffff ? 4 : 8;
                typed(0xcc, width, u); // uint 8/16/32/64
            }
        } else if (v >= -32) {
            byte(static_cast<unsigned>(v) & 0xff);
        } else {
            const int width = v >= std::numeric_limits<std::int8_t>::min()    ? 1
                              : v >= std::numeric_limits<std::int16_t>::min() ? 2
                              : v >= std::numeric_limits<std::int32_t>::min() ? 4
                                                                              : 8;
            typed(0xd0, width, static_cast<std::uint64_t>(v)); // int 8/16/32/64
        }
    }

  private:
    // A type byte of a family whose widths 1, 2, 4, 8 follow each other.
    void typed(unsigned first, int width, std::uint64_t v) {
        byte(first + (width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3));
        be(v, width);
    }
    void str_header(std::size_t n) {
        if (n <= 31) {
            byte(0xa0 | static_cast<unsigned>(n));
        } else if (n <= 0xff) {
            byte(0xd9);
            be(n, 1);
        } else if (n <= 0xffff) {
            byte(0xda);
            be(n, 2);
        } else {
            byte(0xdb);
            be(n, 4);
        }
    }
    void byte(unsigned b) {
        if (m_out != nullptr) {
            m_out[m_size] = static_cast<unsigned char>(b);
        }
        ++m_size;
    }
    void be(std::uint64_t v, int width) {
        for (int i = width - 1; i >= 0; --i) {
            byte(static_cast<unsigned>((v >> (8 * i)) & 0xff));
        }
    }
    void raw(const char* p, std::size_t n) {
        if (m_out != nullptr && n > 0) {
            std::memcpy(m_out + m_size, p, n);
        }
        m_size += n;
    }
    unsigned char* m_out;
    std::size_t m_size = 0;
};

// What MsgpackReader throws at any surprise: a wrong type, a number out of
// range, bytes missing. Cheap, since damaged input is caught close by.
struct MsgpackDamaged {};

// Reads MessagePack values one by one from a byte range.
class MsgpackReader {
  public:
    explicit MsgpackReader(std::span<const unsigned char> bytes)
        : m_p(bytes.data()), m_end(m_p + bytes.size()) {}
    bool done() const { return m_p == m_end; }

    std::size_t map_size() {
        const unsigned b = take();
        if ((b & 0xf0) == 0x80) {
            return b & 0x0f;
        }
        if (b == 0xde || b == 0xdf) {
            return static_cast<std::size_t>(be(b == 0xde ? 2 : 4));
        }
        throw MsgpackDamaged{};
    }
    // A string's bytes, pointing into the input.
    std::string_view str() {
        const std::size_t n = str_size(take());
        const char* s = reinterpret_cast<const char*>(need(n));
        return {s, n};
    }
    bool boolean() {
        const unsigned b = take();
        if (b == 0xc2 || b == 0xc3) {
            return b == 0xc3;
        }
        throw MsgpackDamaged{}; // numbers and nil are not booleans
    }
    // Integers only, in the target type's range: a float or an out-of-range
    // number is damage, never a conversion.
    template <typename Int> Int integer() {
        const std::int64_t v = any_integer();
        if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max()) {
            throw MsgpackDamaged{};
        }
        return static_cast<Int>(v);
    }
    // Passes over one value (a later duet may add fields), containers
    // included, to a depth of k_max_msgpack_depth.
    void skip(std::size_t depth = 0);

  private:
    std::int64_t any_integer() {
        const unsigned b = take();
        if (b <= 0x7f) {
            return static_cast<std::int64_t>(b);
        }
        if (b >= 0xe0) {
            return static_cast<std::int64_t>(b) - 256;
        }
        switch (b) {
        case 0xcc:
            return static_cast<std::int64_t>(be(1));
        case 0xcd:
            return static_cast<std::int64_t>(be(2));
        case 0xce:
            return static_cast<std::int64_t>(be(4));
        case 0xcf: {
            const std::uint64_t u = be(8);
            if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw MsgpackDamaged{};
            }
            return static_cast<std::int64_t>(u);
        }
        case 0xd0:
            return static_cast<std::int8_t>(be(1));
        case 0xd1:
            return static_cast<std::int16_t>(be(2));
        case 0xd2:
            return static_cast<std::int32_t>(be(4));
        case 0xd3:
            return static_cast<std::int64_t>(be(8));
        default:
            throw MsgpackDamaged{};
        }
    }
    unsigned take() { return *need(1); }
    const unsigned char* need(std::uint64_t n) {
        if (n > static_cast<std::uint64_t>(m_end - m_p)) {
            throw MsgpackDamaged{};
        }
        const unsigned char* at = m_p;
        m_p += n;
        return at;
    }
    std::uint64_t be(int width) {
        const unsigned char* p = need(static_cast<std::uint64_t>(width));
        std::uint64_t v = 0;
        for (int i = 0; i < width; ++i) {
            v = (v << 8) | p[i];
        }
        return v;
    }
    std::size_t str_size(unsigned b) {
        if ((b & 0xe0) == 0xa0) {
            return b & 0x1f;
        }
        if (b >= 0xd9 && b <= 0xdb) {
            return static_cast<std::size_t>(be(1 << (b - 0xd9)));
        }
        throw MsgpackDamaged{};
    }

    const unsigned char* m_p;
    const unsigned char* m_end;
};

} // namespace duet::util
