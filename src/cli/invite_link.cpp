// duet invite leave and verify: after linking, ending the link, and
// confirming in person that it is with the right journal.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace duet::cli {

int run_invite_leave(const InviteAnswerOptions& o, Context& ctx) {
    ctx.require_journal();
    if (!util::is_valid_utf8(o.message)) {
        throw DataError("--message is not UTF-8 text");
    }
    if (o.message.size() > exchange::k_max_note) {
        throw UsageError("--message is too long; a few lines are plenty");
    }
    store::Journal journal = ctx.unlock(false);
    pick_up_shared(ctx, journal, PartnerNews::quiet);
    const auto partner = exchange::load_partner(journal);
    if (!partner) {
        ctx.out() << "No partner is linked, so there is no link to end.\n";
        return 0;
    }
    const std::string name = partner_name(*partner);
    if (!o.yes) {
        if (!ctx.terminal().interactive()) {
            throw UsageError("ending the link needs your own yes: run this on a terminal, or add "
                             "--yes. Nothing was changed");
        }
        if (!ask_yes_no(ctx.terminal(), fmt::format("End the link with {}?", name))) {
            ctx.out() << "Nothing was changed.\n";
            return 0;
        }
    }
    bool remove_received = o.remove_received;
    if (!o.remove_received && !o.keep_received && ctx.terminal().interactive()) {
        remove_received = ask_yes_no(
            ctx.terminal(),
            fmt::format("Also remove the entries {} had shared with you? (Enter keeps them)",
                        name));
    }
    const auto dir = exchange::shared_folder(journal);
    const exchange::LeaveResult done =
        exchange::leave_link(journal, *partner, dir, util::trim(o.message), remove_received);
    ctx.out() << fmt::format("The link with {} has ended.\n", name);
    if (done.notice_written) {
        ctx.out() << fmt::format("{}'s duet will say so once, and nothing more{}.\n", name,
                                 o.message.empty() ? "" : ", with your words");
    } else {
        ctx.out() << "The shared folder was not there, so no notice could be left in it; " << name
                  << "'s duet will find nothing new from you.\n";
    }
    if (done.files_removed > 0) {
        ctx.out() << fmt::format("Removed {} file{} this journal had written in the shared "
                                 "folder.\n",
                                 done.files_removed, done.files_removed == 1 ? "" : "s");
    }
    ctx.out() << (remove_received
                      ? fmt::format("Removed the {} entr{} {} had shared with you.\n",
                                    done.received_removed, done.received_removed == 1 ? "y" : "ies",
                                    name)
                      : fmt::format("What {} had shared with you stays in your journal (`duet "
                                    "review --partner`).\n",
                                    name));
    ctx.out() << "Your own journal is unchanged. Either of you can invite again later, if you "
                 "both want to.\n";
    return 0;
}

namespace {

// The safety code the person reads from their partner's screen; empty when
// they pressed Enter to stop.
std::string ask_for_code(Context& ctx, const exchange::Partner& partner,
                         const exchange::PublicKey& mine) {
    if (!ctx.terminal().interactive()) {
        throw UsageError("which code does your partner's duet show? Give it as `duet invite "
                         "verify CODE`, or add --yes if you compared it in person and it "
                         "matched");
    }
    if (!partner.on_hold()) {
        ctx.out() << safety_line(mine, partner.key) << '\n';
    }
    const InputLine line =
        ctx.terminal().read_line("Type the code your partner's duet shows (Enter to stop): ");
    if (line.status == InputLine::Status::interrupted) {
        throw Interrupted();
    }
    return util::trim(line.text).empty() ? std::string() : line.text;
}

std::string digits(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            out += c;
        }
    }
    return out;
}

// The journal whose safety code was typed (or, for --yes with an empty code,
// the only one that answered).
exchange::Candidate matching_candidate(const exchange::Partner& partner,
                                       const exchange::PublicKey& mine, const std::string& typed) {
    std::vector<exchange::Candidate> candidates{{partner.name, partner.key}};
    candidates.insert(candidates.end(), partner.competing.begin(), partner.competing.end());
    const exchange::Candidate* chosen = nullptr;
    if (typed.empty()) { // --yes
        if (partner.on_hold()) {
            throw UsageError("more than one journal answered, so --yes cannot say which one is "
                             "your partner; give the code: `duet invite verify CODE`");
        }
        chosen = &candidates.front();
    } else {
        for (const exchange::Candidate& c : candidates) {
            if (digits(exchange::safety_code(mine, c.key)) == digits(typed)) {
                chosen = &c;
            }
        }
    }
    if (chosen == nullptr) {
        throw AuthError("that code does not match; nothing was changed. Read the codes to each "
                        "other again, digit by digit. If they differ, someone else may have "
                        "answered in your partner's place: share nothing, and `duet invite "
                        "leave` ends the link");
    }
    return *chosen;
}

} // namespace

int run_invite_verify(const InviteAnswerOptions& o, Context& ctx) {
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    pick_up_shared(ctx, journal, PartnerNews::quiet);
    auto partner = exchange::load_partner(journal);
    if (!partner) {
        throw UsageError("no partner is linked, so there is no safety code to compare");
    }
    const exchange::PublicKey mine = exchange::own_key(journal);
    std::string typed = o.code;
    if (typed.empty() && !o.yes) {
        typed = ask_for_code(ctx, *partner, mine);
        if (typed.empty()) {
            ctx.out() << "Nothing was changed.\n";
            return 0;
        }
    }
    const exchange::Candidate picked = matching_candidate(*partner, mine, typed);
    const bool was_on_hold = partner->on_hold();
    partner->name = picked.name;
    partner->key = picked.key;
    partner->competing.clear();
    partner->verified_on = util::format_day(util::today());
    exchange::save_partner(journal, *partner);
    // An answered invitation stays in the folder until now, so that a second
    // answer (the real partner's, after someone else's) could still arrive.
    for (const exchange::SentInvitation& s : exchange::sent_invitations(journal)) {
        if (s.reply == "accepted" && !s.file.empty()) {
            util::remove_file(s.file);
        }
    }
    ctx.out() << fmt::format("The safety code matches: your link is with {}. Noted on {}.\n",
                             partner_name(*partner), partner->verified_on);
    if (was_on_hold) {
        ctx.out() << "The other answer was set aside, and sharing is possible again.\n";
    }
    return 0;
}

} // namespace duet::cli
