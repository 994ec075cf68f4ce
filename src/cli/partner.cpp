#include "duet/cli/partner.hpp"

#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

namespace duet::cli {

exchange::InboxReport pick_up_shared(Context& ctx, store::Journal& journal, PartnerNews news) {
    exchange::number_partner_entries(journal); // journals from before one number per entry
    const auto dir = exchange::shared_folder(journal);
    if (!dir) {
        return {};
    }
    exchange::InboxReport report = exchange::process_inbox(journal, *dir);
    for (const std::string& n : report.notices) {
        ctx.err() << "duet: " << n << '\n';
    }
    if (news == PartnerNews::say && report.received > 0) {
        ctx.err() << fmt::format("duet: {} shared entr{} arrived.\n", report.received,
                                 report.received == 1 ? "y" : "ies");
    }
    // A hostile or careless folder can hold thousands: name a few, count the rest.
    constexpr std::size_t k_named = 20;
    for (std::size_t i = 0; i < report.refused.size() && i < k_named; ++i) {
        ctx.err() << "duet: refused " << util::printable(report.refused[i], false) << '\n';
    }
    if (report.refused.size() > k_named) {
        ctx.err() << fmt::format("duet: ... and {} more files in the shared folder were refused.\n",
                                 report.refused.size() - k_named);
    }
    if (!report.refused.empty()) {
        ctx.err() << "duet: a refused file is named once; duet leaves it where it is and does "
                     "not read it again unless it changes.\n";
    }
    return report;
}

void require_not_on_hold(const exchange::Partner& partner) {
    if (partner.on_hold()) {
        throw UsageError("the link is on hold: more than one journal answered your invitation, "
                         "so nothing is shared until you have compared safety codes in person. "
                         "`duet invite status` shows the codes; `duet invite verify CODE` "
                         "confirms the right one. Nothing was shared");
    }
}

std::string shown_name(const std::string& name) {
    return name.empty() ? std::string("your partner") : util::printable(name, false);
}

void show_note(std::ostream& out, const std::string& message) {
    for (const std::string& line : util::split(message, '\n')) {
        out << "  │ " << util::printable(line, false) << '\n';
    }
}

std::string partner_name(const exchange::Partner& partner) {
    return shown_name(partner.name);
}

bool ask_yes_no(Terminal& terminal, std::string_view question) {
    const InputLine line = terminal.read_line(std::string(question) + " [y/N] ");
    if (line.status == InputLine::Status::interrupted) {
        throw Interrupted();
    }
    const std::string answer = util::to_lower_ascii(util::trim(line.text));
    return line.status == InputLine::Status::text && (answer == "y" || answer == "yes");
}

std::string display_name(Context& ctx, store::Journal* journal, const std::string& from_option) {
    std::string name;
    if (!from_option.empty()) {
        name = exchange::clean_name(from_option);
    } else if (journal != nullptr) {
        if (auto n = journal->setting("my_name")) {
            return *n;
        }
    }
    if (name.empty() && ctx.terminal().interactive()) {
        const InputLine line = ctx.terminal().read_line(
            "The name your partner will see (Enter for none, shown as \"your partner\"): ");
        if (line.status == InputLine::Status::interrupted) {
            throw Interrupted();
        }
        name = exchange::clean_name(line.text);
    }
    if (journal != nullptr && !name.empty()) {
        journal->set_setting("my_name", name);
    }
    return name;
}

std::string safety_line(const exchange::PublicKey& mine, const exchange::PublicKey& theirs) {
    return "safety code: " + exchange::safety_code(mine, theirs);
}

void share_together(Context& ctx, store::Journal& journal, const store::Entry& entry) {
    const auto partner = exchange::load_partner(journal);
    const auto dir = exchange::shared_folder(journal);
    if (!partner || !dir) {
        ctx.terminal().say("No partner is linked, so this answer stays private.\n");
        return;
    }
    if (partner->on_hold()) {
        ctx.terminal().say("The link is on hold (see `duet invite status`), so this answer "
                           "stays private.\n");
        return;
    }
    exchange::share_entry(journal, *partner, *dir, entry);
    ctx.terminal().say(fmt::format("Shared with {}, who will see it after answering or "
                                   "skipping the same question.\n",
                                   partner_name(*partner)));
}

} // namespace duet::cli
