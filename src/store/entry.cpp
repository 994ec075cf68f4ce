// An entry's plaintext is one flat MessagePack map with short keys. It is read
// and written here by hand, field by field: no document tree per entry, which
// made long scans spend most of their time allocating. The bytes are the same
// kind nlohmann::json::to_msgpack produced for the first journals, and those
// still read.
#include "duet/store/entry.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/util/json_text.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

namespace duet::store {

namespace {
constexpr int k_entry_format = 1;

// ---- writing --------------------------------------------------------------

// Appends MessagePack to a byte range. Run once with no buffer to count the
// bytes, then again to write them, so plaintext lands only in guarded memory.
class Packer {
  public:
    explicit Packer(unsigned char* out = nullptr) : m_out(out) {}
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
        const std::size_t n = s.size();
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
        raw(s.data(), n);
    }
    void boolean(bool b) { byte(b ? 0xc3 : 0xc2); }
    // A string of n zero bytes (padding).
    void zeros(std::size_t n) {
        if (n <= 31) {
            byte(0xa0 | static_cast<unsigned>(n));
        } else if (n <= 0xff) {
            byte(0xd9);
            be(n, 1);
        } else {
            byte(0xda);
            be(std::min<std::size_t>(n, 0xffff), 2);
            n = std::min<std::size_t>(n, 0xffff);
        }
        if (m_out != nullptr) {
            std::memset(m_out + m_size, 0, n);
        }
        m_size += n;
    }
    // The smallest encoding, as MessagePack asks.
    void integer(std::int64_t v) {
        if (v >= 0) {
            const auto u = static_cast<std::uint64_t>(v);
            if (u <= 0x7f) {
                byte(static_cast<unsigned>(u));
            } else if (u <= 0xff) {
                byte(0xcc);
                be(u, 1);
            } else if (u <= 0xffff) {
                byte(0xcd);
                be(u, 2);
            } else if (u <= 0xffffffff) {
                byte(0xce);
                be(u, 4);
            } else {
                byte(0xcf);
                be(u, 8);
            }
        } else if (v >= -32) {
            byte(static_cast<unsigned>(v) & 0xff);
        } else if (v >= std::numeric_limits<std::int8_t>::min()) {
            byte(0xd0);
            be(static_cast<std::uint64_t>(v), 1);
        } else if (v >= std::numeric_limits<std::int16_t>::min()) {
            byte(0xd1);
            be(static_cast<std::uint64_t>(v), 2);
        } else if (v >= std::numeric_limits<std::int32_t>::min()) {
            byte(0xd2);
            be(static_cast<std::uint64_t>(v), 4);
        } else {
            byte(0xd3);
            be(static_cast<std::uint64_t>(v), 8);
        }
    }

  private:
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

// Sealed entries are padded to a few sizes, so the journal file and shared
// messages show roughly how long an answer is, never exactly: "z" holds
// `pad` bytes of padding (older duets skip fields they do not know).
void pack_entry(const Entry& e, Packer& p, std::size_t pad) {
    const bool scale = e.kind == "scale";
    const std::size_t fields =
        13 + (e.answer ? 1 : 0) + (e.value ? 1 : 0) + (scale ? 2 : 0) + (e.source.empty() ? 0 : 1);
    p.map(fields);
    p.str("z");
    p.zeros(pad);
    p.str("v");
    p.integer(k_entry_format);
    p.str("t");
    p.integer(e.created_at.seconds);
    p.str("o");
    p.integer(e.created_at.utc_offset);
    p.str("d");
    p.integer(e.day);
    p.str("pk");
    p.str(e.pack);
    p.str("pi");
    p.str(e.prompt_id);
    p.str("pt");
    p.str(e.prompt_text);
    p.str("k");
    p.str(e.kind);
    p.str("s");
    p.boolean(e.skipped);
    p.str("fs");
    p.boolean(e.for_session);
    p.str("tg");
    p.boolean(e.together);
    p.str("im");
    p.boolean(e.imported);
    if (e.answer) {
        p.str("a");
        p.str(*e.answer);
    }
    if (e.value) {
        p.str("n");
        p.integer(*e.value);
    }
    if (scale) {
        p.str("lo");
        p.integer(e.scale_min);
        p.str("hi");
        p.integer(e.scale_max);
    }
    if (!e.source.empty()) {
        p.str("src");
        p.str(e.source);
    }
}

// ---- reading --------------------------------------------------------------

struct Damaged {};

// Reads MessagePack values from a byte range; any surprise throws Damaged.
class Reader {
  public:
    explicit Reader(crypto::ByteView bytes) : m_p(bytes.data()), m_end(m_p + bytes.size()) {}
    bool done() const { return m_p == m_end; }

    std::size_t map_size() {
        const unsigned b = take();
        if ((b & 0xf0) == 0x80) {
            return b & 0x0f;
        }
        if (b == 0xde) {
            return static_cast<std::size_t>(be(2));
        }
        if (b == 0xdf) {
            return static_cast<std::size_t>(be(4));
        }
        throw Damaged{};
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
        throw Damaged{}; // numbers and nil are not booleans
    }

    // Integers only, in the target type's range: a float or an out-of-range
    // number is damage, never a conversion.
    template <typename Int> Int integer() {
        const unsigned b = take();
        if (b <= 0x7f) {
            return checked<Int>(static_cast<std::int64_t>(b));
        }
        if (b >= 0xe0) {
            return checked<Int>(static_cast<std::int64_t>(b) - 256);
        }
        switch (b) {
        case 0xcc:
            return checked<Int>(static_cast<std::int64_t>(be(1)));
        case 0xcd:
            return checked<Int>(static_cast<std::int64_t>(be(2)));
        case 0xce:
            return checked<Int>(static_cast<std::int64_t>(be(4)));
        case 0xcf: {
            const std::uint64_t u = be(8);
            if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw Damaged{};
            }
            return checked<Int>(static_cast<std::int64_t>(u));
        }
        case 0xd0:
            return checked<Int>(static_cast<std::int8_t>(be(1)));
        case 0xd1:
            return checked<Int>(static_cast<std::int16_t>(be(2)));
        case 0xd2:
            return checked<Int>(static_cast<std::int32_t>(be(4)));
        case 0xd3:
            return checked<Int>(static_cast<std::int64_t>(be(8)));
        default:
            throw Damaged{};
        }
    }

    // Passes over one value of a key this duet does not know (a later duet may
    // add fields), containers included, to a bounded depth.
    void skip(int depth = 0) {
        if (depth > 32) {
            throw Damaged{};
        }
        const unsigned b = take();
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            return;
        }
        if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb) {
            need(str_size(b));
            return;
        }
        if ((b & 0xf0) == 0x80 || (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd || b == 0xde ||
            b == 0xdf) {
            const bool is_map = (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf;
            std::uint64_t n = (b & 0xf0) == 0x80 || (b & 0xf0) == 0x90 ? (b & 0x0f)
                              : (b == 0xdc || b == 0xde)               ? be(2)
                                                                       : be(4);
            for (std::uint64_t i = 0; i < (is_map ? 2 * n : n); ++i) {
                skip(depth + 1);
            }
            return;
        }
        switch (b) {
        case 0xc4: // bin 8/16/32
            need(be(1));
            return;
        case 0xc5:
            need(be(2));
            return;
        case 0xc6:
            need(be(4));
            return;
        case 0xca: // float 32/64
            need(4);
            return;
        case 0xcb:
            need(8);
            return;
        case 0xcc:
        case 0xd0:
            need(1);
            return;
        case 0xcd:
        case 0xd1:
            need(2);
            return;
        case 0xce:
        case 0xd2:
            need(4);
            return;
        case 0xcf:
        case 0xd3:
            need(8);
            return;
        case 0xd4: // fixext 1/2/4/8/16: a type byte and the data
            need(2);
            return;
        case 0xd5:
            need(3);
            return;
        case 0xd6:
            need(5);
            return;
        case 0xd7:
            need(9);
            return;
        case 0xd8:
            need(17);
            return;
        case 0xc7: // ext 8/16/32
            need(be(1) + 1);
            return;
        case 0xc8:
            need(be(2) + 1);
            return;
        case 0xc9:
            need(be(4) + 1);
            return;
        default:
            throw Damaged{}; // 0xc1 is never used
        }
    }

  private:
    unsigned take() { return *need(1); }
    const unsigned char* need(std::uint64_t n) {
        if (n > static_cast<std::uint64_t>(m_end - m_p)) {
            throw Damaged{};
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
        switch (b) {
        case 0xd9:
            return static_cast<std::size_t>(be(1));
        case 0xda:
            return static_cast<std::size_t>(be(2));
        case 0xdb:
            return static_cast<std::size_t>(be(4));
        default:
            throw Damaged{};
        }
    }
    template <typename Int> static Int checked(std::int64_t v) {
        if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max()) {
            throw Damaged{};
        }
        return static_cast<Int>(v);
    }

    const unsigned char* m_p;
    const unsigned char* m_end;
};

// Which of the known fields a map held; the required ones must all be there.
enum Field : unsigned {
    f_version = 1u << 0,
    f_time = 1u << 1,
    f_offset = 1u << 2,
    f_day = 1u << 3,
    f_pack = 1u << 4,
    f_prompt_id = 1u << 5,
    f_prompt_text = 1u << 6,
    f_kind = 1u << 7,
    f_skipped = 1u << 8,
    f_for_session = 1u << 9,
};
constexpr unsigned k_required = f_version | f_time | f_offset | f_day | f_pack | f_prompt_id |
                                f_prompt_text | f_kind | f_skipped | f_for_session;

void read_field(Reader& r, std::string_view key, Entry& e, unsigned& seen, int& version) {
    const auto text = [&](std::string& to) {
        to.assign(r.str());
    };
    if (key == "v") {
        version = r.integer<int>();
        seen |= f_version;
    } else if (key == "t") {
        e.created_at.seconds = r.integer<std::int64_t>();
        seen |= f_time;
    } else if (key == "o") {
        e.created_at.utc_offset = r.integer<std::int32_t>();
        seen |= f_offset;
    } else if (key == "d") {
        e.day = r.integer<std::int64_t>();
        seen |= f_day;
    } else if (key == "pk") {
        text(e.pack);
        seen |= f_pack;
    } else if (key == "pi") {
        text(e.prompt_id);
        seen |= f_prompt_id;
    } else if (key == "pt") {
        text(e.prompt_text);
        seen |= f_prompt_text;
    } else if (key == "k") {
        text(e.kind);
        seen |= f_kind;
    } else if (key == "s") {
        e.skipped = r.boolean();
        seen |= f_skipped;
    } else if (key == "fs") {
        e.for_session = r.boolean();
        seen |= f_for_session;
    } else if (key == "tg") {
        e.together = r.boolean();
    } else if (key == "im") {
        e.imported = r.boolean();
    } else if (key == "a") {
        e.answer.emplace(r.str());
    } else if (key == "n") {
        e.value = r.integer<int>();
    } else if (key == "lo") {
        e.scale_min = r.integer<int>();
    } else if (key == "hi") {
        e.scale_max = r.integer<int>();
    } else if (key == "src") {
        text(e.source);
    } else {
        r.skip();
    }
}

} // namespace

namespace {
// The sizes an encoded entry is padded to: 256 bytes, doubling to 16 KiB,
// then whole 16 KiB steps.
std::size_t padded_size(std::size_t n) {
    constexpr std::size_t k_step = 16 * 1024;
    std::size_t bucket = 256;
    while (bucket < n && bucket < k_step) {
        bucket *= 2;
    }
    return n <= bucket ? bucket : (n + k_step - 1) / k_step * k_step;
}

// How many padding bytes bring the entry to its bucket.
std::size_t padding_for(const Entry& entry) {
    Packer bare;
    pack_entry(entry, bare, 0);
    const std::size_t extra = padded_size(bare.size()) - bare.size();
    // A longer padding string needs a longer length prefix (1, 2 or 3 bytes).
    if (extra <= 31) {
        return extra;
    }
    if (extra - 1 <= 0xff) {
        return extra - 1;
    }
    return extra - 2;
}
} // namespace

void encode_entry_into(const Entry& entry, crypto::SecureBytes& out) {
    const std::size_t pad = padding_for(entry);
    Packer count;
    pack_entry(entry, count, pad);
    if (out.capacity() < count.size()) {
        out = crypto::SecureBytes(std::max<std::size_t>(count.size(), 2 * out.capacity()));
    }
    out.resize(count.size());
    Packer write(out.data());
    pack_entry(entry, write, pad);
}

crypto::SecureBytes encode_entry(const Entry& entry) {
    crypto::SecureBytes out;
    encode_entry_into(entry, out);
    return out;
}

Entry decode_entry(crypto::ByteView bytes, std::int64_t id) {
    const auto damaged = [&] {
        return DataError("entry " + std::to_string(id) + " is damaged and cannot be read");
    };
    Entry e;
    e.id = id;
    unsigned seen = 0;
    int version = 0;
    try {
        Reader r(bytes);
        const std::size_t n = r.map_size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::string_view key = r.str();
            read_field(r, key, e, seen, version);
        }
        if (!r.done()) {
            throw Damaged{}; // one entry is exactly one map
        }
    } catch (const Damaged&) {
        throw damaged();
    }
    // Refuse a newer format before complaining about fields it may have renamed.
    if ((seen & f_version) != 0 && version > k_entry_format) {
        throw DataError("entry " + std::to_string(id) +
                        " was written by a newer duet; please update duet to read it");
    }
    if ((seen & k_required) != k_required) {
        throw damaged();
    }
    return e;
}

std::string content_identity(const Entry& e) {
    // The canonical form duet's first imports recorded, the compact JSON array
    // [created_at, pack, prompt_id, answer or null]: changing it would let a
    // second import of the same export add everything again.
    std::string text = "[";
    util::append_json_int(text, e.created_at.seconds);
    text += ',';
    util::append_json_string(text, e.pack);
    text += ',';
    util::append_json_string(text, e.prompt_id);
    text += ',';
    if (e.skipped || !e.answer) {
        text += "null";
    } else {
        util::append_json_string(text, *e.answer);
    }
    text += ']';
    return "duet:" + crypto::to_hex(crypto::keyed_hash({}, crypto::as_bytes(text), 32));
}

} // namespace duet::store
