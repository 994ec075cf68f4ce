#include "duet/cli/partner.hpp"

#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <iostream>
#include <pwd.h>
#include <unistd.h>

namespace duet::cli {

bool pick_up_shared(Context& /*ctx*/, store::Journal& journal) {
    const auto dir = exchange::shared_folder(journal);
    if (!dir) {
        return false;
    }
    const exchange::InboxReport report = exchange::process_inbox(journal, *dir);
    for (const std::string& n : report.notices) {
        std::cerr << "duet: " << n << '\n';
    }
    if (report.received > 0) {
        std::cerr << fmt::format("duet: {} entr{} from your partner arrived.\n", report.received,
                                 report.received == 1 ? "y" : "ies");
    }
    for (const std::string& r : report.refused) {
        std::cerr << "duet: refused " << util::printable(r, false) << '\n';
    }
    return !report.refused.empty();
}

bool ask_yes_no(Terminal& terminal, std::string_view question) {
    const InputLine line = terminal.read_line(std::string(question) + " [y/N] ");
    if (line.status == InputLine::Status::interrupted) {
        throw Interrupted();
    }
    const std::string answer = util::to_lower_ascii(util::trim(line.text));
    return line.status == InputLine::Status::text && (answer == "y" || answer == "yes");
}

std::string display_name(store::Journal* journal, const std::string& from_option) {
    if (!from_option.empty()) {
        const std::string name = exchange::clean_name(from_option);
        if (journal != nullptr) {
            journal->set_setting("my_name", name);
        }
        return name;
    }
    if (journal != nullptr) {
        if (auto n = journal->setting("my_name")) {
            return *n;
        }
    }
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
        return exchange::clean_name(pw->pw_name);
    }
    return "your partner";
}

std::string safety_line(const exchange::PublicKey& mine, const exchange::PublicKey& theirs) {
    return "safety code: " + exchange::safety_code(mine, theirs);
}

void share_together(Context& ctx, store::Journal& journal, const store::Entry& entry) {
    const auto partner = exchange::load_partner(journal);
    const auto dir = exchange::shared_folder(journal);
    if (!partner || !dir) {
        ctx.terminal().say("No partner is linked yet, so this answer stays private.\n");
        return;
    }
    exchange::share_entry(journal, *partner, *dir, entry);
    ctx.terminal().say(fmt::format(
        "Shared for a mutual reveal: {} will see this answer after answering or skipping the "
        "same prompt.\n",
        util::printable(partner->name, false)));
}

} // namespace duet::cli
