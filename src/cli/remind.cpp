// reflect --remind: for cron. No passphrase, no terminal; exit 0 unless the
// pack named does not exist (exit 2) or duet itself is broken.
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <optional>

namespace duet::cli {

int run_remind(const ReflectOptions& o, Context& ctx) {
    const util::DayNumber day = util::today();
    // The pack is looked up first, so a mistyped --pack (or configured pack) is
    // an error on every day, not only on days without an entry.
    std::optional<prompts::Library> lib;
    try {
        lib.emplace(ctx.load_library());
    } catch (const Error&) {
        // No packs to quote from: the reminder still stands on its own.
    }
    std::string quote;
    if (lib) {
        // An unknown name is a usage error listing the packs there are (exit 2).
        const prompts::Pack& pack = lib->pack(o.pack.empty() ? ctx.default_pack() : o.pack);
        const prompts::Prompt& p = pack.order == prompts::Order::daily
                                       ? prompts::daily_prompt(pack, day)
                                       : pack.prompts.front();
        quote = util::printable(p.text, false);
    }
    std::optional<bool> written;
    try {
        written = store::Journal::has_entry_on(ctx.data_folder(), day);
    } catch (const Error& e) {
        // A damaged journal is worth a word in cron's mail, but not a failed job.
        ctx.err() << "duet: " << e.what() << '\n';
    }
    if (written.value_or(false)) {
        return 0;
    }
    ctx.out() << "A quiet moment for duet, if you would like one.\n";
    // A reminder can land in cron mail or a notification others may see:
    // --no-quote keeps the question itself out of it.
    if (!quote.empty() && !o.no_quote) {
        ctx.out() << "Today's prompt: \"" << quote << "\"\n";
    }
    ctx.out() << "Answer it with `duet reflect`, or skip it; either is fine.\n";
    return 0;
}

} // namespace duet::cli
