// duet invite status: the link, invitations and replies, and the safety code.
// The one place (with `review --partner`) that speaks of what the partner sent.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

namespace duet::cli {

namespace {

void show_link(std::ostream& out, const exchange::Partner& partner,
               const exchange::PublicKey& mine) {
    const std::string name = partner_name(partner);
    if (partner.on_hold()) {
        out << "The link is on hold: more than one journal answered your invitation, and "
               "only one of them can be your partner. Nothing is shared until you have "
               "compared safety codes in person.\n";
        std::vector<exchange::Candidate> all{{partner.name, partner.key}};
        all.insert(all.end(), partner.competing.begin(), partner.competing.end());
        for (const exchange::Candidate& c : all) {
            out << fmt::format(
                "  {} with the journal that answered as {}\n", safety_line(mine, c.key),
                c.name.empty() ? std::string("(no name)") : util::printable(c.name, false));
        }
        out << "Ask your partner, in person, which code their `duet invite status` shows, "
               "and confirm it with `duet invite verify CODE`. If none matches, `duet "
               "invite leave` ends the link.\n";
        return;
    }
    out << fmt::format("Linked with {} since {}.\n", name, partner.linked_on);
    out << safety_line(mine, partner.key) << '\n';
    if (partner.verified_on.empty()) {
        out << fmt::format("Not yet compared in person. When you are together, check that "
                           "{} sees the same digits, then run `duet invite verify`.\n",
                           name);
    } else {
        out << fmt::format("Compared in person on {}: the link is really with each other.\n",
                           partner.verified_on);
    }
}

} // namespace

int run_invite_status(const InviteAnswerOptions& o, Context& ctx) {
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    if (!o.shared.empty()) {
        exchange::remember_shared_folder(journal, o.shared);
    }
    const exchange::InboxReport picked = pick_up_shared(ctx, journal, PartnerNews::say);
    const exchange::PublicKey mine = exchange::own_key(journal);
    const auto partner = exchange::load_partner(journal);
    if (partner) {
        show_link(ctx.out(), *partner, mine);
    } else {
        ctx.out() << "No partner is linked.\n";
    }
    const auto dir = exchange::shared_folder(journal);
    ctx.out() << fmt::format("Shared folder: {}\n", dir ? dir->string() : "not set (--shared DIR)");

    for (const exchange::SentInvitation& s : exchange::sent_invitations(journal)) {
        if (s.reply == "accepted") {
            continue; // the link above says it
        }
        if (s.reply == "declined" && !partner) {
            ctx.out() << fmt::format("Your invitation of {} was answered:\n", s.date);
            show_note(ctx.out(), s.reply_message.empty() ? "No, thank you." : s.reply_message);
        } else if (!partner) {
            ctx.out() << fmt::format("Your invitation of {} is in {}; it has no answer, and needs "
                                     "none.\n",
                                     s.date, s.file);
        }
    }
    if (partner && !partner->on_hold()) {
        ctx.out() << "`duet review --partner` shows what has been shared with you; `duet share "
                     "--list` what you have shared.\n";
    }
    return picked.refused.empty() ? 0 : static_cast<int>(ExitCode::invalid_data);
}

} // namespace duet::cli
