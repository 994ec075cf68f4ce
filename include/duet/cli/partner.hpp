#pragma once
// Partner helpers shared by invite, share, reflect and review.
#include "duet/cli/context.hpp"
#include "duet/exchange/link.hpp"

#include <ostream>
#include <string>
#include <string_view>

namespace duet::cli {

// Picks up what arrived in the shared folder (if one is set), telling the
// person calmly what changed in the link and naming, once, any file that was
// refused. Only `invite status` and `review --partner` mention what the
// partner sent (PartnerNews::say); other commands keep quiet about it.
enum class PartnerNews { quiet, say };
exchange::InboxReport pick_up_shared(Context& ctx, store::Journal& journal, PartnerNews news);

// Refuses (exit 2) to send anything while a link is on hold.
void require_not_on_hold(const exchange::Partner& partner);

// A name as duet shows it: printable, or "your partner" when none was given.
std::string shown_name(const std::string& name);
std::string partner_name(const exchange::Partner& partner);

// Shares a freshly written `together` answer for a mutual reveal, if a partner
// is linked; says what happened either way.
void share_together(Context& ctx, store::Journal& journal, const store::Entry& entry);

// A yes/no question whose answer is no unless the person types y or yes.
bool ask_yes_no(Terminal& terminal, std::string_view question);

// The name the other person will see: --name (remembered), the remembered one,
// or, on a terminal, what the person types when asked; otherwise none. Never
// the login name: nothing goes out in a person's name that they did not choose.
std::string display_name(Context& ctx, store::Journal* journal, const std::string& from_option);

std::string safety_line(const exchange::PublicKey& mine, const exchange::PublicKey& theirs);

// A note from the other person (an invitation's, an answer's), quoted line by
// line behind a bar so it cannot pass for duet's own words.
void show_note(std::ostream& out, const std::string& message);

} // namespace duet::cli
