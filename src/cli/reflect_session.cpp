// The interactive reflect session: one prompt at a time, every one skippable.
#include "duet/cli/editor.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"
#include "reflect_common.hpp"

#include <fmt/format.h>

#include <set>

namespace duet::cli::reflect {

namespace {
// How often a longer session repeats that skipping is fine.
constexpr std::size_t k_reminder_every = 3;

// "1 (not at all) … 5 (very much)"
std::string scale_words(const prompts::Prompt& p) {
    std::string scale = fmt::format("{}", p.scale_min);
    if (!p.low.empty()) {
        scale += " (" + util::printable(p.low, false) + ")";
    }
    scale += fmt::format(" … {}", p.scale_max);
    if (!p.high.empty()) {
        scale += " (" + util::printable(p.high, false) + ")";
    }
    return scale;
}

std::string option_line(const prompts::Prompt& p, std::size_t i) {
    return fmt::format("{}  {}", i + 1, util::printable(p.options[i], false));
}

void show_prompt(Terminal& t, const prompts::Pack& pack, const prompts::Prompt& p,
                 std::size_t index, std::size_t total) {
    const std::size_t width = t.width();
    std::string head = pack.title;
    if (total > 1) {
        head += fmt::format(" · {} of {}", index + 1, total);
    }
    t.say("\n" + dim(t, "  " + util::printable(head, false)) + "\n");
    t.say(bold(t, util::wrap(util::printable(p.text), width, "  ")));
    if (p.kind == prompts::Kind::scale) {
        t.say("  " + scale_words(p) + "\n");
    } else if (p.kind == prompts::Kind::choice) {
        for (std::size_t i = 0; i < p.options.size(); ++i) {
            t.say("    " + option_line(p, i) + "\n");
        }
    }
}

// What the /edit draft says about the prompt, above its note on comments.
std::string about_for_editor(const prompts::Pack& pack, const prompts::Prompt& p) {
    constexpr std::size_t k_draft_width = 70;
    std::string about = util::printable(pack.title, false) + "\n\n";
    about += util::wrap(util::printable(p.text), k_draft_width);
    if (p.kind == prompts::Kind::scale) {
        about += scale_words(p) + "\n";
    } else if (p.kind == prompts::Kind::choice) {
        for (std::size_t i = 0; i < p.options.size(); ++i) {
            about += "  " + option_line(p, i) + "\n";
        }
    }
    about += "\n";
    about += util::wrap("Write your answer above. Lines starting with # are left out (a line of "
                        "yours that starts with # needs a space before it). Saved empty, you "
                        "are back at the question, where Enter skips it.",
                        k_draft_width);
    return about;
}

std::string answer_line(const prompts::Prompt& p) {
    switch (p.kind) {
    case prompts::Kind::scale:
        return fmt::format("  A number {} (Enter on an empty answer skips) › ",
                           prompts::answer_hint(p));
    case prompts::Kind::choice:
        return fmt::format("  An option, {} (Enter on an empty answer skips) › ",
                           prompts::answer_hint(p));
    case prompts::Kind::text:
        break;
    }
    return "  Your answer (Enter on an empty answer skips; /edit for a longer one) › ";
}

enum class Outcome { answered, skipped, stop };

// Some prompts are questions both partners can answer. Asked once a session,
// in plain words; the answer stays private unless the person says yes.
bool offer_reveal(Terminal& t, const std::string& partner) {
    std::string subject = partner;
    if (!subject.empty() && subject[0] >= 'a' && subject[0] <= 'z') {
        subject[0] = static_cast<char>(subject[0] - 'a' + 'A');
    }
    return ask_yes_no(t, fmt::format("  {} can answer this question too. Share your answers to "
                                     "questions like this with {} today? They would see each one "
                                     "only after answering or skipping the same question "
                                     "themselves.",
                                     subject, partner));
}

struct Reply {
    Outcome outcome = Outcome::skipped;
    std::optional<prompts::Answer> answer;
};

Reply ask(Terminal& t, const prompts::Pack& pack, const prompts::Prompt& p, bool first_prompt) {
    for (;;) {
        const InputLine line = t.read_line(answer_line(p));
        if (line.status == InputLine::Status::interrupted) {
            throw Interrupted();
        }
        if (line.status == InputLine::Status::end_of_input) {
            if (t.interactive()) {
                return {Outcome::skipped, std::nullopt}; // Ctrl-D is a skip too
            }
            if (first_prompt) {
                throw UsageError("reflect needs a terminal to ask its prompts; scripts can use "
                                 "--answer TEXT, --answer - or --skip");
            }
            return {Outcome::stop, std::nullopt}; // a pipe ran out: stop, record nothing more
        }
        std::string text = line.text;
        if (util::trim(text).empty()) {
            return {Outcome::skipped, std::nullopt};
        }
        if (p.kind == prompts::Kind::text && util::trim(text) == "/edit") {
            std::optional<std::string> edited;
            try {
                edited = edit_in_editor(about_for_editor(pack, p));
            } catch (const RuntimeError& e) {
                t.say(fmt::format("  {}\n", e.what()));
                continue;
            }
            if (!edited) {
                t.say("  The editor stopped with an error, so nothing from it was kept. You can "
                      "type an answer, try /edit again, or press Enter to skip.\n");
                continue;
            }
            if (util::trim(*edited).empty()) {
                t.say("  The editor came back empty. You can type an answer, try /edit again, "
                      "or press Enter to skip.\n");
                continue;
            }
            text = *edited;
        }
        auto checked = prompts::check_answer(p, text);
        if (auto* why = std::get_if<std::string>(&checked)) {
            t.say(fmt::format("  Hmm, {} (or press Enter to skip).\n", *why));
            continue;
        }
        return {Outcome::answered, std::get<prompts::Answer>(checked)};
    }
}

} // namespace

int run_session(Context& ctx, store::Journal& journal, const prompts::Pack& pack,
                const std::vector<const prompts::Prompt*>& todo, util::DayNumber day,
                bool for_session) {
    Terminal& t = ctx.terminal();
    std::optional<std::string> partner_name;
    if (const auto partner = exchange::load_partner(journal);
        partner && exchange::shared_folder(journal)) {
        partner_name = cli::partner_name(*partner);
    }
    t.say(dim(t, "Any prompt can be skipped: press Enter on an empty answer. Nothing leaves your "
                 "journal unless you choose to share it.") +
          "\n");
    std::size_t saved = 0;
    std::optional<bool> reveal_chosen; // asked at the first such question, kept for the session
    for (std::size_t i = 0; i < todo.size(); ++i) {
        if (i > 0 && i % k_reminder_every == 0) {
            t.say("\n" +
                  dim(t, "  (A gentle reminder: skipping is always fine, and you can stop "
                         "any time with Ctrl-C.)") +
                  "\n");
        }
        show_prompt(t, pack, *todo[i], i, todo.size());
        const Reply reply = ask(t, pack, *todo[i], i == 0);
        if (reply.outcome == Outcome::stop) {
            break;
        }
        store::Entry entry = prompts::make_entry(pack, *todo[i], day, reply.answer, for_session);
        bool reveal = false;
        if (reply.outcome == Outcome::answered && todo[i]->together && partner_name) {
            if (!reveal_chosen) {
                reveal_chosen = offer_reveal(t, *partner_name);
            }
            reveal = *reveal_chosen;
        }
        entry.together = reveal;
        const std::int64_t id = journal.add(entry);
        ++saved;
        t.say(reply.outcome == Outcome::answered ? fmt::format("  Saved as entry {}.\n", id)
                                                 : fmt::format("  Skipped (entry {}).\n", id));
        if (reveal) {
            share_together(ctx, journal, entry);
        }
    }
    if (saved > 0) {
        t.say("\nThank you for taking this time. `duet review` shows what you have written.\n");
    }
    return 0;
}

} // namespace duet::cli::reflect
