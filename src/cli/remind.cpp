// reflect --remind: for cron. No passphrase, no terminal, exit 0 unless duet is broken.
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <iostream>

namespace duet::cli {

int run_remind(const ReflectOptions& o, Context& ctx) {
    const util::DayNumber day = util::today();
    std::optional<bool> written;
    try {
        written = store::Journal::has_entry_on(ctx.data_folder(), day);
    } catch (const Error& e) {
        // A damaged journal is worth a word in cron's mail, but not a failed job.
        std::cerr << "duet: " << e.what() << '\n';
    }
    if (written.value_or(false)) {
        return 0;
    }
    std::string quote;
    try {
        const prompts::Library lib = ctx.load_library();
        const prompts::Pack& pack = lib.pack(o.pack.empty() ? ctx.default_pack() : o.pack);
        const prompts::Prompt& p = pack.order == prompts::Order::daily
                                       ? prompts::daily_prompt(pack, day)
                                       : pack.prompts.front();
        quote = util::printable(p.text, false);
    } catch (const Error&) {
        // No pack to quote: the reminder still stands on its own.
    }
    std::cout << "A quiet moment for duet, if you would like one.\n";
    // A reminder can land in cron mail or a notification others may see:
    // --no-quote keeps the question itself out of it.
    if (!quote.empty() && !o.no_quote) {
        std::cout << util::wrap("Today's prompt: \"" + quote + "\"", 78);
    }
    std::cout << "Answer it with `duet reflect`, or skip it; either is fine.\n";
    return 0;
}

} // namespace duet::cli
