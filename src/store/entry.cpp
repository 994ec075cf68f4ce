// An entry's plaintext is one flat MessagePack map with short keys. It is read
// and written field by field (util::MsgpackReader and MsgpackWriter): no
// document tree per entry, which made long scans spend most of their time
// allocating. The bytes are the same
// kind nlohmann::json::to_msgpack produced for the first journals, and those
// still read.
#include "duet/store/entry.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/util/json_text.hpp"
#include "duet/util/msgpack.hpp"

#include <algorithm>
#include <string_view>

namespace duet::store {

namespace {
constexpr int k_entry_format = 1;

// Sealed entries are padded to a few sizes, so the journal file and shared
// messages show roughly how long an answer is, never exactly: "z" holds
// `pad` bytes of padding (older duets skip fields they do not know).
void pack_entry(const Entry& e, util::MsgpackWriter& p, std::size_t pad) {
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

void read_field(util::MsgpackReader& r, std::string_view key, Entry& e, unsigned& seen,
                int& version) {
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
    util::MsgpackWriter bare;
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
    util::MsgpackWriter count;
    pack_entry(entry, count, pad);
    if (out.capacity() < count.size()) {
        out = crypto::SecureBytes(std::max<std::size_t>(count.size(), 2 * out.capacity()));
    }
    out.resize(count.size());
    util::MsgpackWriter write(out.data());
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
        util::MsgpackReader r(bytes);
        const std::size_t n = r.map_size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::string_view key = r.str();
            read_field(r, key, e, seen, version);
        }
        if (!r.done()) {
            throw util::MsgpackDamaged{}; // one entry is exactly one map
        }
    } catch (const util::MsgpackDamaged&) {
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
