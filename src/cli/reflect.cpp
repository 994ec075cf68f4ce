#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/io.hpp"
#include "duet/util/text.hpp"
#include "reflect_common.hpp"

#include <fmt/format.h>

#include <iterator>
#include <unistd.h>

namespace duet::cli {

void setup_reflect(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<ReflectOptions>();
    CLI::App* cmd = app.add_subcommand("reflect", "answer today's prompts (or one named prompt), "
                                                  "each skippable");
    cmd->add_option("--pack", opts->pack,
                    "the prompt pack to use (default: daily, or the "
                    "configured one)");
    cmd->add_option("--prompt", opts->prompt, "answer one prompt: PACK/ID, or ID when unique");
    auto* answer = cmd->add_option("--answer", opts->answer,
                                   "answer without interaction; '-' reads the answer from stdin");
    auto* skip = cmd->add_flag("--skip", opts->skip, "record a skip without interaction");
    cmd->add_flag("--for-session", opts->for_session,
                  "mark the entry to bring to the next session");
    cmd->add_flag("--together", opts->together,
                  "with --answer on a 'together' prompt: share it for a mutual reveal");
    auto* list = cmd->add_flag("--list", opts->list, "list packs (with --pack, its prompts)");
    auto* remind = cmd->add_flag("--remind", opts->remind,
                                 "for cron: a gentle reminder if nothing was written today");
    cmd->add_flag("--no-quote", opts->no_quote,
                  "with --remind: leave today's prompt out of the reminder");
    auto* check = cmd->add_option("--check", opts->check_files, "validate prompt pack files")
                      ->type_name("FILE...");
    auto* import_from =
        cmd->add_option("--import", opts->import_file,
                        "import entries from a duet, jrnl or Day One JSON export; '-' "
                        "reads it from stdin")
            ->type_name("FILE");
    answer->excludes(skip);
    for (CLI::Option* o : {list, remind, check, import_from}) {
        for (CLI::Option* other : {answer, skip, list, remind, check, import_from}) {
            if (o != other) {
                o->excludes(other);
            }
        }
    }
    cmd->final_callback([opts, &ctx, &exit_code] { exit_code = run_reflect(*opts, ctx); });
}

namespace {

std::string read_stdin_answer() {
    std::string text;
    switch (util::read_to_end(STDIN_FILENO, text, 1024 * 1024)) {
    case util::ReadEnd::complete:
        return text;
    case util::ReadEnd::failed:
        throw RuntimeError("could not read the answer from standard input");
    case util::ReadEnd::too_large:
        break;
    }
    throw DataError("the answer on standard input is over 1 MiB; please shorten it");
}

struct Target {
    const prompts::Pack* pack = nullptr;
    const prompts::Prompt* prompt = nullptr; // null: today's prompts of the pack
};

Target choose_target(const ReflectOptions& o, Context& ctx, const prompts::Library& lib) {
    if (!o.prompt.empty()) {
        // --pack with a bare id narrows the search to that pack.
        const std::string spec = !o.pack.empty() && o.prompt.find('/') == std::string::npos
                                     ? o.pack + "/" + o.prompt
                                     : o.prompt;
        const auto ref = lib.prompt(spec);
        return {ref.pack, ref.prompt};
    }
    return {&lib.pack(o.pack.empty() ? ctx.default_pack() : o.pack), nullptr};
}

prompts::Answer checked_answer(const prompts::Pack& pack, const prompts::Prompt& prompt,
                               const std::string& raw) {
    auto checked = prompts::check_answer(prompt, raw);
    if (auto* why = std::get_if<std::string>(&checked)) {
        throw UsageError(fmt::format("{}/{}: {}", pack.name, prompt.id, *why));
    }
    return std::get<prompts::Answer>(checked);
}

void check_together(const ReflectOptions& o, const prompts::Pack& pack,
                    const prompts::Prompt& prompt) {
    if (o.together && !prompt.together) {
        throw UsageError(fmt::format("{}/{} is not a 'together' prompt, so there is no mutual "
                                     "reveal for it",
                                     pack.name, prompt.id));
    }
}

int answer_once(const ReflectOptions& o, Context& ctx, const Target& target) {
    const util::DayNumber day = util::today();
    std::optional<std::string> raw;
    if (o.answer) {
        raw = *o.answer == "-" ? read_stdin_answer() : *o.answer;
        if (!util::is_valid_utf8(*raw)) {
            throw DataError("the answer is not valid UTF-8 text");
        }
        if (util::trim(*raw).empty()) {
            throw UsageError("the answer is empty; use --skip to record a skip instead");
        }
    }
    // Check what can be checked before asking for the passphrase.
    if (target.prompt != nullptr) {
        check_together(o, *target.pack, *target.prompt);
        if (raw) {
            checked_answer(*target.pack, *target.prompt, *raw);
        }
    }

    store::Journal journal = ctx.unlock(true);
    const prompts::Prompt* prompt = target.prompt;
    if (prompt == nullptr) {
        const auto pending = prompts::todays_prompts(*target.pack, day, journal.entries_on(day));
        // Done already today: a daily pack answers its prompt again, a sequence starts over.
        prompt = !pending.empty() ? pending.front()
                 : target.pack->order == prompts::Order::daily
                     ? &prompts::daily_prompt(*target.pack, day)
                     : &target.pack->prompts.front();
        check_together(o, *target.pack, *prompt);
    }
    std::optional<prompts::Answer> answer;
    if (raw) {
        answer = checked_answer(*target.pack, *prompt, *raw);
    }
    store::Entry entry = prompts::make_entry(*target.pack, *prompt, day, answer, o.for_session);
    entry.together = o.together;
    const std::int64_t id = journal.add(entry);
    if (entry.skipped) {
        ctx.out() << fmt::format("Skipped {}/{}; noted as entry {}.\n", target.pack->name,
                                 prompt->id, id);
    } else {
        ctx.out() << fmt::format("Saved {}/{} as entry {}.\n", target.pack->name, prompt->id, id);
    }
    if (o.together) {
        share_together(ctx, journal, entry);
    }
    return 0;
}

// What to say when today's prompts of a pack are all answered or skipped. A
// daily pack names the entry that holds today's prompt: the latest of them
// when it was answered more than once; other entries of the day are no answer.
std::string already_done(const prompts::Pack& pack, util::DayNumber day,
                         const std::vector<store::Entry>& done) {
    const std::string title = util::printable(pack.title, false);
    const std::string more = "For another one: duet reflect --pack NAME, or --prompt PACK/ID; "
                             "`duet reflect --list` shows them.\n";
    if (pack.order != prompts::Order::daily) {
        return fmt::format("Today you have been through every prompt of {}.\n{}", title, more);
    }
    const prompts::Prompt& today = prompts::daily_prompt(pack, day);
    std::string which;
    for (const store::Entry& e : done) {
        if (e.author == store::Author::me && e.pack == pack.name && e.prompt_id == today.id &&
            e.day == day) {
            which = fmt::format(" (entry {})", e.id);
        }
    }
    return fmt::format("Today's prompt from {} is already in your journal{}.\n{}", title, which,
                       more);
}

} // namespace

int run_reflect(const ReflectOptions& o, Context& ctx) {
    if (!o.check_files.empty()) {
        return run_pack_check(o.check_files, ctx);
    }
    if (o.list) {
        return run_pack_list(o, ctx);
    }
    if (o.no_quote && !o.remind) {
        throw UsageError("--no-quote goes with --remind");
    }
    if (o.remind) {
        return run_remind(o, ctx);
    }
    if (!o.import_file.empty()) {
        return run_import(o, ctx);
    }
    if (o.together && !o.answer) {
        throw UsageError("--together goes with --answer; in an interactive session duet asks "
                         "once, at the first question you and your partner can both answer");
    }
    const prompts::Library lib = ctx.load_library();
    const Target target = choose_target(o, ctx, lib);
    if (o.answer || o.skip) {
        return answer_once(o, ctx, target);
    }
    const util::DayNumber day = util::today();
    store::Journal journal = ctx.unlock(true);
    std::vector<const prompts::Prompt*> todo;
    if (target.prompt != nullptr) {
        todo.push_back(target.prompt);
    } else {
        const auto done = journal.entries_on(day);
        todo = prompts::todays_prompts(*target.pack, day, done);
        if (todo.empty()) {
            ctx.terminal().say(already_done(*target.pack, day, done));
            return 0;
        }
    }
    return reflect::run_session(ctx, journal, *target.pack, todo, day, o.for_session);
}

} // namespace duet::cli
