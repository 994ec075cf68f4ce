// An entry's plaintext is only ever read after authentication, but a partner's
// duet (or a damaged journal) can still hand decode_entry any bytes. It must
// throw DataError or return an entry that survives encode and decode unchanged.
#include "check.hpp"

#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/store/entry.hpp"

#include <string_view>

using duet::fuzz::require;
using duet::store::Entry;

namespace {

constexpr std::int64_t k_id = 42;

// Everything encode_entry promises to keep. The scale bounds are kept only for
// scale entries ("only for scale entries, so charts need no pack").
bool same_content(const Entry& a, const Entry& b) {
    const bool scale_same =
        a.kind != "scale" || (a.scale_min == b.scale_min && a.scale_max == b.scale_max);
    return a.id == b.id && a.created_at.seconds == b.created_at.seconds &&
           a.created_at.utc_offset == b.created_at.utc_offset && a.day == b.day &&
           a.pack == b.pack && a.prompt_id == b.prompt_id && a.prompt_text == b.prompt_text &&
           a.kind == b.kind && a.answer == b.answer && a.value == b.value && scale_same &&
           a.skipped == b.skipped && a.for_session == b.for_session && a.together == b.together &&
           a.imported == b.imported && a.source == b.source;
}

bool same_bytes(const duet::crypto::SecureBytes& a, const duet::crypto::SecureBytes& b) {
    return a.str() == b.str();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    duet::crypto::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    Entry first;
    try {
        first = duet::store::decode_entry(duet::crypto::ByteView(data, size), k_id);
    } catch (const duet::DataError& e) {
        require(std::string_view(e.what()).find("entry 42") != std::string_view::npos,
                "a refusal names the entry");
        return 0;
    }
    require(first.id == k_id, "the id given is the id returned");

    const auto encoded = duet::store::encode_entry(first);
    const Entry second = duet::store::decode_entry(encoded.view(), k_id);
    require(same_content(first, second), "decode(encode(entry)) == entry");
    // Once encoded by duet, the bytes are a fixed point.
    require(same_bytes(duet::store::encode_entry(second), encoded),
            "encode(decode(bytes)) == bytes for duet's own bytes");
    return 0;
}
