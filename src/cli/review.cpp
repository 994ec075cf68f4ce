#include "duet/cli/commands.hpp"
#include "duet/cli/pager.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/exchange/link.hpp"
#include "duet/report/summary.hpp"
#include "duet/report/writer.hpp"
#include "duet/store/order.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"
#include "review_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace duet::cli {

void setup_review(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<ReviewOptions>();
    CLI::App* cmd =
        app.add_subcommand("review", "read and export entries; the pre-session summary");
    std::vector<CLI::Option*> reading;
    reading.push_back(cmd->add_option("--since", opts->since,
                                      "from this day (YYYY-MM-DD, today, yesterday, "
                                      "last-session)"));
    reading.push_back(cmd->add_option("--until", opts->until, "up to and including this day"));
    reading.push_back(cmd->add_option("--last", opts->last, "only the last N entries")
                          ->check(CLI::PositiveNumber));
    reading.push_back(cmd->add_option("--pack", opts->pack, "only entries from this pack"));
    reading.push_back(cmd->add_option("--grep", opts->grep,
                                      "only entries whose prompt or answer contains TEXT "
                                      "(any case)"));
    auto* mine = cmd->add_flag("--mine", opts->mine, "only your own entries");
    auto* partner = cmd->add_flag("--partner", opts->partner, "only entries your partner shared");
    mine->excludes(partner);
    reading.push_back(mine);
    reading.push_back(partner);
    reading.push_back(
        cmd->add_option("--format", opts->format, "text (default), markdown, json or html")
            ->check(CLI::IsMember({"text", "markdown", "md", "json", "html"})));
    reading.push_back(cmd->add_option("-o,--output", opts->output,
                                      "write to FILE (created 0600) instead of stdout"));
    reading.push_back(cmd->add_flag("--force", opts->force, "with -o: replace an existing file"));
    reading.push_back(cmd->add_flag("--summary", opts->summary,
                                    "the pre-session summary since the last session "
                                    "(or --since); skipped prompts are left out"));
    reading.push_back(cmd->add_flag("--with-answered", opts->with_answered,
                                    "with --summary: also list the prompts you answered"));
    auto* done = cmd->add_option("--session-done", opts->session_done,
                                 "record a therapy session on DATE: YYYY-MM-DD, today (the "
                                 "default) or yesterday")
                     ->expected(0, 1)
                     ->default_str("today");
    // Checked here rather than with excludes(), which would crowd every line of --help.
    cmd->final_callback([opts, reading, done, &ctx, &exit_code] {
        if (!opts->session_done) {
            exit_code = run_review(*opts, ctx);
            return;
        }
        for (const CLI::Option* option : reading) {
            if (option->count() > 0) {
                throw UsageError(fmt::format("{} cannot be combined with {}; record the session "
                                             "first, then review",
                                             option->get_name(), done->get_name()));
            }
        }
        exit_code = run_session_done(*opts->session_done, ctx);
    });
}

namespace {

std::optional<util::DayNumber> resolve_day(const std::string& text, const char* flag,
                                           const store::Journal& journal) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (text == "last-session") {
        if (auto last = review::last_session(journal)) {
            return last;
        }
        throw UsageError(fmt::format("{} last-session: no session up to today is recorded yet; "
                                     "`duet review --session-done` records one",
                                     flag));
    }
    if (auto d = review::parse_day_word(text)) {
        return d;
    }
    throw UsageError(fmt::format("{} '{}': please use YYYY-MM-DD, today, yesterday or "
                                 "last-session",
                                 flag, util::printable(text, false)));
}

// What the summary takes from the packs duet can find: prompts tagged `safety`,
// and scale labels. A pack that cannot be loaded hides nothing and names nothing.
struct FromPacks {
    std::set<std::string> safety;
    std::map<std::string, report::ScaleLabels> labels;
};
FromPacks from_packs(const Context& ctx) {
    FromPacks out;
    try {
        const prompts::Library lib = ctx.load_library();
        for (const prompts::FoundPack& found : lib.packs()) {
            for (const prompts::Prompt& p : found.pack.prompts) {
                const std::string id = found.pack.name + "/" + p.id;
                if (std::find(p.tags.begin(), p.tags.end(), "safety") != p.tags.end()) {
                    out.safety.insert(id);
                }
                if (p.kind == prompts::Kind::scale && (!p.low.empty() || !p.high.empty())) {
                    out.labels[id] = {util::printable(p.low, false),
                                      util::printable(p.high, false)};
                }
            }
        }
    } catch (const Error&) {
    }
    return out;
}

// --pack NAME that no entry has and no pack folder holds is most likely a
// typo: a warning names the packs there are (the output itself stays as asked).
void warn_unknown_pack(const Context& ctx, const std::string& name,
                       std::set<std::string> known /* packs of the entries */) {
    try {
        const prompts::Library lib = ctx.load_library();
        for (const prompts::FoundPack& found : lib.packs()) {
            if (found.pack.name == name) {
                return;
            }
            known.insert(found.pack.name);
        }
    } catch (const Error&) {
    }
    std::string list;
    for (const std::string& k : known) {
        list += (list.empty() ? "" : ", ") + util::printable(k, false);
    }
    std::cerr << fmt::format("duet: no entry is from a pack named '{}', and no such pack is "
                             "installed; the packs here are: {}.\n",
                             util::printable(name, false), list.empty() ? "none yet" : list);
}

bool contains_ci(const std::string& hay, const std::string& needle_lower) {
    return util::to_lower_ascii(hay).find(needle_lower) != std::string::npos;
}

} // namespace

int run_review(const ReviewOptions& o, Context& ctx) {
    const report::Format format = report::parse_format(o.format);
    if (!o.output.empty() && !o.force) {
        std::error_code ec;
        if (std::filesystem::exists(o.output, ec)) {
            throw UsageError(fmt::format("{} already exists; add --force to replace it", o.output));
        }
    }
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    auto since = resolve_day(o.since, "--since", journal);
    bool since_last_session = o.since == "last-session";
    if (o.summary && o.since.empty()) {
        // The summary starts at the last session by default: everything when there is none.
        since = review::last_session(journal);
        since_last_session = since.has_value();
    }
    const auto until = resolve_day(o.until, "--until", journal);
    if (o.with_answered && !o.summary) {
        throw UsageError("--with-answered goes with --summary");
    }
    const std::string needle = util::to_lower_ascii(o.grep);
    // What arrived in the shared folder; a refused file still lets the rest be shown.
    // A damaged or stale message to this journal is worth the exit code; an
    // unrelated file in the folder is only named (once).
    const bool refused =
        pick_up_shared(ctx, journal, o.partner ? PartnerNews::say : PartnerNews::quiet)
            .refused_addressed_to_me;

    int damaged = 0;
    bool pack_seen = false;            // --pack: an entry of that pack exists
    std::set<std::string> other_packs; // --pack: the entries' other packs, for a typo
    const auto wanted = [&](const store::Entry& e) {
        if (!o.pack.empty() && !pack_seen) {
            pack_seen = e.pack == o.pack;
            if (!pack_seen) {
                other_packs.insert(e.pack);
            }
        }
        if ((since && e.day < *since) || (until && e.day > *until) ||
            (!o.pack.empty() && e.pack != o.pack) || (o.mine && e.author != store::Author::me) ||
            (o.partner && e.author != store::Author::partner)) {
            return false;
        }
        return needle.empty() || contains_ci(e.prompt_text, needle) ||
               (e.answer && contains_ci(*e.answer, needle));
    };
    const auto on_damaged = [&](std::int64_t, const std::string& why) {
        ++damaged;
        std::cerr << "duet: " << why << '\n';
    };
    // The partner's entries are few; they are merged into the journal's own
    // time-ordered stream, so memory stays flat however long the journal is.
    std::vector<store::Entry> theirs;
    if (!o.mine) {
        for (store::Entry& e : exchange::partner_entries(journal, on_damaged).visible) {
            if (wanted(e)) {
                theirs.push_back(std::move(e));
            }
        }
        std::stable_sort(theirs.begin(), theirs.end(), store::earlier);
    }
    const auto each_in_order = [&](bool newest_first,
                                   const std::function<bool(const store::Entry&)>& visit) {
        std::size_t next = 0; // into theirs, from the matching end
        const auto partner_at = [&](std::size_t i) -> const store::Entry& {
            return newest_first ? theirs[theirs.size() - 1 - i] : theirs[i];
        };
        const auto comes_first = [&](const store::Entry& a, const store::Entry& b) {
            return newest_first ? store::earlier(b, a) : store::earlier(a, b);
        };
        bool go_on = true;
        if (!o.partner) {
            store::for_each_in_time_order(
                journal, newest_first,
                [&](const store::Entry& own) {
                    while (go_on && next < theirs.size() && comes_first(partner_at(next), own)) {
                        go_on = visit(partner_at(next++));
                    }
                    if (go_on && wanted(own)) {
                        go_on = visit(own);
                    }
                    return go_on;
                },
                on_damaged);
        }
        while (go_on && next < theirs.size()) {
            go_on = visit(partner_at(next++));
        }
    };

    const bool to_file = !o.output.empty();
    // People read text and Markdown; JSON and HTML go to programs and files unpaged.
    const bool paged = !to_file && stdout_is_terminal() &&
                       (format == report::Format::text || format == report::Format::markdown);
    report::WriterOptions wo;
    wo.width = to_file ? 80 : ctx.terminal().width();
    wo.color = !to_file && format == report::Format::text && ctx.terminal().color();
    std::optional<util::AtomicFile> file;
    if (to_file) {
        file.emplace(o.output, o.force, 0600);
    }
    // Laid out already (text), or for programs (JSON, HTML): no prose wrapping.
    const VerbatimStdout verbatim;
    std::ostringstream buffer;
    std::ostream& out = to_file ? file->stream()
                        : paged ? static_cast<std::ostream&>(buffer)
                                : std::cout;
    std::size_t written = 0;
    // --last N: read newest first, stop at N, and hand them on oldest first.
    const auto newest = [&] {
        std::vector<store::Entry> picked;
        each_in_order(true, [&](const store::Entry& e) {
            picked.push_back(e);
            return picked.size() < static_cast<std::size_t>(o.last);
        });
        std::reverse(picked.begin(), picked.end());
        return picked;
    };
    if (o.summary) {
        // Built as the entries stream past: only what the summary shows is kept.
        // Only the JSON summary lists every answer's id.
        report::SummaryBuilder summary(since, until, since_last_session,
                                       format == report::Format::json);
        std::set<std::int64_t> shared_ids;
        for (const exchange::SharedRecord& r : exchange::shared_records(journal)) {
            shared_ids.insert(r.entry_id);
        }
        summary.set_shared_ids(std::move(shared_ids));
        FromPacks packs = from_packs(ctx);
        summary.set_safety_prompts(std::move(packs.safety));
        wo.scale_labels = std::move(packs.labels);
        summary.list_answered(o.with_answered);
        if (o.last > 0) {
            for (const store::Entry& e : newest()) {
                summary.add(e);
            }
        } else {
            each_in_order(false, [&](const store::Entry& e) {
                summary.add(e);
                return true;
            });
        }
        report::write_summary(std::move(summary).finish(), format, out, wo);
    } else {
        auto writer = report::make_writer(format, out, wo);
        writer->begin();
        if (o.last > 0) {
            for (const store::Entry& e : newest()) {
                writer->write(e);
                ++written;
            }
        } else {
            each_in_order(false, [&](const store::Entry& e) {
                writer->write(e);
                ++written;
                return true;
            });
        }
        writer->end();
    }
    if (to_file) {
        file->commit();
        std::cerr << (o.summary ? fmt::format("Wrote the pre-session summary to {}.\n", o.output)
                                : fmt::format("Wrote {} entr{} to {}.\n", written,
                                              written == 1 ? "y" : "ies", o.output));
    } else if (paged) {
        show_paged(buffer.str());
    }
    if (!o.pack.empty() && !pack_seen) {
        warn_unknown_pack(ctx, o.pack, std::move(other_packs));
    }
    if (damaged > 0) {
        std::cerr << fmt::format("duet: {} damaged entr{} could not be shown; everything else "
                                 "above is intact.\n",
                                 damaged, damaged == 1 ? "y" : "ies");
    }
    return damaged > 0 || refused ? static_cast<int>(ExitCode::invalid_data) : 0;
}

} // namespace duet::cli
