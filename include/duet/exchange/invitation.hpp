#pragma once
// Invitations and declines: plain UTF-8 text files, readable with any viewer,
// because the person reading one may not have duet (or want it) yet. The human
// words come first; a few machine fields close the file, after a mark line.
// Files of the first layout (fields first) are still read.
#include "duet/exchange/envelope.hpp"

#include <string>
#include <string_view>

namespace duet::exchange {

struct Invitation {
    std::string id; // 32 hex digits
    std::string from_name;
    std::string message; // may be empty; may have several lines
    PublicKey public_key{};
    std::string date; // YYYY-MM-DD
};

struct Decline {
    std::string invitation_id;
    std::string message; // the whole answer, exactly as the person chose it
    std::string date;
};

// What a decline says: "No, thank you." (or "Not now.") and the person's own
// words, if any; nothing that hopes, softens or invites a second try.
enum class DeclineKind { no_thank_you, not_now };
std::string decline_text(DeclineKind kind, const std::string& own_words);

inline constexpr std::size_t k_max_name = 80;
inline constexpr std::size_t k_max_note = 16 * 1024;

std::string render_invitation(const Invitation& inv);
// Throws DataError "FILE:LINE: what is wrong" for anything that is not an invitation.
Invitation parse_invitation(std::string_view text, const std::string& file_label);

std::string render_decline(const Decline& d);
Decline parse_decline(std::string_view text, const std::string& file_label);

// duet's own words about what joining means: the first thing the reluctant partner reads.
std::string_view joining_explained();
// A few calm lines for people who are not safe in their relationship.
std::string_view safety_note();

// Names come from the other person's file: one line, printable, not too long.
std::string clean_name(std::string_view name);

} // namespace duet::exchange
