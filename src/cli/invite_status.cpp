// duet invite status: the link, invitations and replies, and the safety code.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <iostream>
#include <set>

namespace duet::cli {

int run_invite_status(const InviteAnswerOptions& o, Context& ctx) {
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    if (!o.shared.empty()) {
        exchange::remember_shared_folder(journal, o.shared);
    }
    const bool refused = pick_up_shared(ctx, journal);
    const exchange::PublicKey mine = exchange::own_key(journal);
    const auto partner = exchange::load_partner(journal);
    if (partner) {
        const std::string name = util::printable(partner->name, false);
        std::cout << fmt::format("Linked with {} since {}.\n", name, partner->linked_on);
        std::cout << safety_line(mine, partner->key) << '\n';
        std::cout << fmt::format("Compare this code with {} in person: if you both see the same "
                                 "digits, your link is really with each other.\n",
                                 name);
    } else {
        std::cout << "No partner is linked. `duet invite` writes an invitation, whenever you "
                     "would like to.\n";
    }
    const auto dir = exchange::shared_folder(journal);
    std::cout << fmt::format("Shared folder: {}\n", dir ? dir->string() : "not set (--shared DIR)");

    for (const exchange::SentInvitation& s : exchange::sent_invitations(journal)) {
        if (s.reply == "accepted") {
            std::cout << fmt::format("Invitation of {}: accepted by {}.\n", s.date,
                                     util::printable(s.reply_name, false));
        } else if (s.reply == "declined") {
            std::cout << fmt::format("Invitation of {}: the answer for now is no, and that is "
                                     "theirs to give.\n",
                                     s.date);
            for (const std::string& line : util::split(s.reply_message, '\n')) {
                if (!s.reply_message.empty()) {
                    std::cout << "  │ " << util::printable(line, false) << '\n';
                }
            }
        } else if (!partner) {
            std::cout << fmt::format("Invitation of {} ({}): no reply, and no need for one.\n",
                                     s.date, s.file);
        }
    }
    if (partner) {
        const auto received =
            exchange::partner_entries(journal, [](std::int64_t, const std::string&) {});
        std::set<std::int64_t> shared;
        for (const exchange::SharedRecord& r : exchange::shared_records(journal)) {
            shared.insert(r.entry_id);
        }
        std::cout << fmt::format("You have shared {} entr{}; {} entr{} shared with you.\n",
                                 shared.size(), shared.size() == 1 ? "y" : "ies",
                                 received.visible.size(),
                                 received.visible.size() == 1 ? "y is" : "ies are");
        if (received.waiting > 0) {
            std::cout << fmt::format("{} together answer{} will show once you have answered or "
                                     "skipped the same prompt.\n",
                                     received.waiting, received.waiting == 1 ? "" : "s");
        }
    }
    return refused ? static_cast<int>(ExitCode::invalid_data) : 0;
}

} // namespace duet::cli
