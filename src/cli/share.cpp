// duet share: one entry at a time, shown exactly, and only with a clear yes.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/report/writer.hpp"
#include "duet/store/query.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

namespace duet::cli {

void setup_share(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<ShareOptions>();
    CLI::App* cmd = app.add_subcommand("share", "share chosen entries with your linked partner");
    cmd->add_option("ENTRY", opts->entries, "entry numbers to share (as `duet review` shows)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("-y,--yes", opts->yes, "share without asking (for scripts)");
    cmd->add_flag("--list", opts->list, "show what you have shared");
    cmd->add_flag("--withdraw", opts->withdraw, "take the given shared entries back");
    cmd->final_callback([opts, &ctx, &exit_code] { exit_code = run_share(*opts, ctx); });
}

namespace {

bool is_together_prompt(const std::optional<prompts::Library>& lib, const store::Entry& e) {
    const prompts::Pack* pack = lib ? lib->find(e.pack) : nullptr;
    const prompts::Prompt* prompt = pack != nullptr ? pack->find(e.prompt_id) : nullptr;
    return prompt != nullptr && prompt->together;
}

int list_shared(store::Journal& journal, std::ostream& out) {
    const auto records = exchange::shared_records(journal);
    if (records.empty()) {
        out << "You have not shared any entries.\n";
        return 0;
    }
    // The shared entries, read by number; one that cannot be read is named so below.
    store::Filter filter;
    filter.ids.emplace();
    for (const exchange::SharedRecord& r : records) {
        filter.ids->insert(r.entry_id);
    }
    std::map<std::int64_t, store::Entry> entries;
    store::Query(std::move(filter))
        .run(
            journal, [&](const store::Entry& e) { entries.emplace(e.id, e); },
            [](std::int64_t, const std::string&) {});
    for (const exchange::SharedRecord& r : records) {
        std::string what = "(this entry can no longer be read)";
        if (const auto it = entries.find(r.entry_id); it != entries.end()) {
            const store::Entry& e = it->second;
            what = util::printable(fmt::format("{}/{}: {}", e.pack, e.prompt_id, e.prompt_text),
                                   false);
        }
        out << fmt::format("#{}  shared {}{}{}  {}\n", r.entry_id, r.shared_at.substr(0, 10),
                           r.revision > 1 ? fmt::format(" (again, copy {})", r.revision) : "",
                           r.together ? " for a mutual reveal" : "", what);
    }
    return 0;
}

// Entry numbers are one space: a number `review` shows may be an entry the
// partner shared, which is theirs to share or take back, not this journal's.
bool is_partners(const store::Journal& journal, std::int64_t id) {
    const auto entries =
        exchange::partner_entries(journal, [](std::int64_t, const std::string&) {}).visible;
    return std::any_of(entries.begin(), entries.end(),
                       [id](const store::Entry& e) { return e.id == id; });
}

UsageError partners_entry(std::int64_t id, const char* what) {
    return UsageError(fmt::format("entry {} is one your partner shared with you; only your own "
                                  "entries can be {}. Nothing was changed",
                                  id, what));
}

int withdraw(const ShareOptions& o, store::Journal& journal, std::ostream& out) {
    const auto partner = exchange::load_partner(journal);
    const auto dir = exchange::shared_folder(journal);
    if (!partner || !dir) {
        throw UsageError("no partner is linked, so nothing is shared to take back");
    }
    std::set<std::int64_t> shared;
    for (const exchange::SharedRecord& r : exchange::shared_records(journal)) {
        shared.insert(r.entry_id);
    }
    for (const std::int64_t id : o.entries) {
        if (shared.count(id) == 0) {
            if (is_partners(journal, id)) {
                throw partners_entry(id, "taken back");
            }
            throw UsageError(fmt::format("entry {} is not shared, so there is nothing to take "
                                         "back; `duet share --list` shows what is. Nothing was "
                                         "changed",
                                         id));
        }
    }
    const std::string name = partner_name(*partner);
    for (const std::int64_t id : exchange::withdraw_entries(journal, *partner, *dir, o.entries)) {
        out << fmt::format("Took back entry {}: {}'s duet removes it on its next run.\n", id, name);
    }
    out << fmt::format("duet cannot undo what {} may already have read; it only makes sure "
                       "the entry is not kept or shown from now on.\n",
                       name);
    return 0;
}

// The entries asked for, each one of this journal's own with an answer in it.
std::vector<store::Entry> chosen_entries(const ShareOptions& o, const store::Journal& journal) {
    std::vector<store::Entry> chosen;
    for (const std::int64_t id : o.entries) {
        const auto e = journal.find(id);
        if (!e) {
            if (is_partners(journal, id)) {
                throw partners_entry(id, "shared");
            }
            throw UsageError(
                fmt::format("there is no entry {}; `duet review` lists your entries", id));
        }
        if (e->skipped || !e->answer) {
            throw UsageError(fmt::format("entry {} is a skipped prompt; there is nothing in it to "
                                         "share",
                                         id));
        }
        chosen.push_back(*e);
    }
    return chosen;
}

// Shows exactly what the partner will read, then asks (unless --yes).
bool shown_and_agreed(const ShareOptions& o, Context& ctx, const std::vector<store::Entry>& chosen,
                      const std::string& name) {
    ctx.out() << fmt::format("This is exactly what {} will be able to read:\n\n", name);
    report::WriterOptions wo;
    wo.width = ctx.terminal().width();
    auto writer = report::make_writer(report::Format::text, ctx.out(), wo);
    for (const store::Entry& e : chosen) {
        writer->write(e);
    }
    ctx.out() << '\n';
    if (o.yes) {
        return true;
    }
    if (!ctx.terminal().interactive()) {
        throw UsageError("sharing needs your own yes: run this on a terminal, or add --yes. "
                         "Nothing was shared");
    }
    const std::string question =
        chosen.size() == 1 ? fmt::format("Share this entry with {}?", name)
                           : fmt::format("Share these {} entries with {}?", chosen.size(), name);
    return ask_yes_no(ctx.terminal(), question);
}

} // namespace

int run_share(const ShareOptions& o, Context& ctx) {
    if (!o.list && o.entries.empty()) {
        throw UsageError("which entries? `duet share 3 5` shares entries 3 and 5 (numbers as "
                         "`duet review` shows them); `duet share --list` shows what you shared");
    }
    if (o.list && (o.withdraw || !o.entries.empty())) {
        throw UsageError("--list shows what you shared; give it on its own");
    }
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    // What arrived is taken in, but only `invite status` and `review --partner` speak of it.
    pick_up_shared(ctx, journal, PartnerNews::quiet);
    if (o.list) {
        return list_shared(journal, ctx.out());
    }
    if (o.withdraw) {
        return withdraw(o, journal, ctx.out());
    }
    const auto partner = exchange::load_partner(journal);
    const auto dir = exchange::shared_folder(journal);
    if (!partner || !dir) {
        throw UsageError("no partner is linked, so there is no one to share with; "
                         "`duet invite` is where linking starts");
    }
    require_not_on_hold(*partner);
    std::vector<store::Entry> chosen = chosen_entries(o, journal);
    const std::string name = partner_name(*partner);
    if (!shown_and_agreed(o, ctx, chosen, name)) {
        ctx.out() << "Nothing was shared.\n";
        return 0;
    }
    // Loaded once for all chosen entries, only to know which prompts are `together`.
    std::optional<prompts::Library> lib;
    try {
        lib = ctx.load_library();
    } catch (const Error&) {
    }
    for (store::Entry& e : chosen) {
        // An answer to a `together` prompt is always a mutual reveal.
        e.together = e.together || is_together_prompt(lib, e);
        exchange::share_entry(journal, *partner, *dir, e);
        ctx.out() << fmt::format("Shared entry {} with {}{}.\n", e.id, name,
                                 e.together ? " (shown once they answer or skip the same prompt)"
                                            : "");
    }
    if (partner->verified_on.empty()) {
        ctx.out() << "(`duet invite status` shows the safety code to compare in person, when "
                     "you are together.)\n";
    }
    return 0;
}

} // namespace duet::cli
