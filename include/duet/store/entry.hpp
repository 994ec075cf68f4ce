#pragma once
// One journal entry as the writer sees it, and its sealed byte encoding.
#include "duet/crypto/secure.hpp"
#include "duet/util/dates.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace duet::store {

enum class Author { me, partner };

struct Entry {
    std::int64_t id = 0;
    util::Timestamp created_at;
    util::DayNumber day = 0; // the calendar day the prompt belonged to
    std::string pack;
    std::string prompt_id;
    std::string prompt_text;
    std::string kind; // "text", "scale", "choice"
    std::optional<std::string> answer;
    std::optional<int> value; // a scale's number, or a choice's option number
    int scale_min = 0;        // only for scale entries, so charts need no pack
    int scale_max = 0;
    bool skipped = false;
    bool for_session = false;
    bool together = false;
    bool imported = false;
    std::string source; // where an imported entry came from: "duet", "jrnl", "dayone"
    Author author = Author::me;
};

// The plaintext that gets sealed; versioned so later duets can read it.
crypto::SecureBytes encode_entry(const Entry& entry);
// Same, into a reused buffer (replaced by a larger one when too small), so a
// long import does not allocate guarded memory for every entry.
void encode_entry_into(const Entry& entry, crypto::SecureBytes& out);
// Throws DataError when the bytes are not an entry this duet understands.
Entry decode_entry(crypto::ByteView bytes, std::int64_t id);

// What makes two entries the same writing, wherever they were numbered: when
// it was written, the prompt and the answer (or the skip). The journal keeps
// it (hashed) for every entry, so importing a journal's own export adds nothing.
std::string content_identity(const Entry& entry);

} // namespace duet::store
