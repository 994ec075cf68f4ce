#pragma once
// Partner helpers shared by invite, share, reflect and review.
#include "duet/cli/context.hpp"
#include "duet/exchange/link.hpp"

#include <string>
#include <string_view>

namespace duet::cli {

// Picks up what arrived in the shared folder (if one is set), telling the
// person calmly what changed and naming any file that was refused.
// Returns true when a file was refused (the command should end with exit 4).
bool pick_up_shared(Context& ctx, store::Journal& journal);

// Shares a freshly written `together` answer for a mutual reveal, if a partner
// is linked; says what happened either way.
void share_together(Context& ctx, store::Journal& journal, const store::Entry& entry);

// A yes/no question whose answer is no unless the person types y or yes.
bool ask_yes_no(Terminal& terminal, std::string_view question);

// The person's display name: --name, the remembered one, or the login name.
std::string display_name(store::Journal* journal, const std::string& from_option);

std::string safety_line(const exchange::PublicKey& mine, const exchange::PublicKey& theirs);

} // namespace duet::cli
