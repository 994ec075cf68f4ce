#include "duet/cli/commands.hpp"
#include "duet/cli/pager.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/exchange/link.hpp"
#include "duet/report/summary.hpp"
#include "duet/report/writer.hpp"
#include "duet/store/query.hpp"
#include "duet/store/sessions.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"
#include "review_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>

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
        if (auto last = store::last_session(journal)) {
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
void warn_unknown_pack(Context& ctx, const std::string& name,
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
    ctx.err() << fmt::format("duet: no entry is from a pack named '{}', and no such pack is "
                             "installed; the packs here are: {}.\n",
                             util::printable(name, false), list.empty() ? "none yet" : list);
}

// What the options ask to read, and the summary's period.
struct Reading {
    store::Filter filter;
    bool since_last_session = false; // filter.since is the recorded session's day
};

Reading reading_of(const ReviewOptions& o, const store::Journal& journal) {
    Reading r;
    r.filter.since = resolve_day(o.since, "--since", journal);
    r.since_last_session = o.since == "last-session";
    if (o.summary && o.since.empty()) {
        // The summary starts at the last session by default: everything when there is none.
        r.filter.since = store::last_session(journal);
        r.since_last_session = r.filter.since.has_value();
    }
    r.filter.until = resolve_day(o.until, "--until", journal);
    if (o.with_answered && !o.summary) {
        throw UsageError("--with-answered goes with --summary");
    }
    r.filter.pack = o.pack;
    r.filter.text = o.grep;
    r.filter.whose = o.mine      ? store::Whose::mine
                     : o.partner ? store::Whose::partner
                                 : store::Whose::both;
    return r;
}

// Where the output goes: a file (created 0600, kept only once complete), the
// pager (fed as the entries stream past, once they fill the screen), or
// stdout; and the writers' options for it. Everything here is data: laid out
// already (text) or for programs (JSON, HTML), so never wrapped as prose.
class Destination {
  public:
    Destination(const ReviewOptions& o, report::Format format, Context& ctx)
        : m_ctx(ctx), m_to_file(!o.output.empty()) {
        m_options.width = m_to_file ? 80 : ctx.terminal().width();
        m_options.color = !m_to_file && format == report::Format::text && ctx.terminal().color();
        // People read text and Markdown; JSON and HTML go to programs and files unpaged.
        if (m_to_file) {
            m_file.emplace(o.output, o.force, 0600);
        } else if (ctx.output().out_is_terminal() &&
                   (format == report::Format::text || format == report::Format::markdown)) {
            m_paged.emplace(ctx.output().paged([&ctx] { return start_pager(ctx.output()); }));
        }
    }
    report::WriterOptions& options() { return m_options; }
    std::ostream& stream() {
        return m_file ? m_file->stream() : m_paged ? m_paged->stream() : m_ctx.output().data();
    }
    // While a pager may have the screen, a damaged entry is named after it ends.
    void damaged(const std::string& why) {
        if (m_paged) {
            m_held_damage += "duet: " + why + '\n';
        } else {
            m_ctx.err() << "duet: " << why << '\n';
        }
    }
    // Keeps the file (and says so), or waits for the pager.
    void finish(const std::string& wrote_file) {
        if (m_file) {
            m_file->commit();
            m_ctx.err() << wrote_file;
        } else if (m_paged) {
            m_paged->finish();
        } else {
            m_ctx.output().data().flush();
        }
        m_ctx.err() << std::exchange(m_held_damage, {});
    }

  private:
    Context& m_ctx;
    bool m_to_file;
    report::WriterOptions m_options;
    std::optional<util::AtomicFile> m_file;
    std::optional<PagedStream> m_paged;
    std::string m_held_damage;
};

// The summary is built as the entries stream past: only what it shows is kept.
void write_summary(const ReviewOptions& o, const Reading& r, report::Format format,
                   store::Query& query, const store::Journal& journal, Context& ctx,
                   Destination& dest, const store::Journal::DamagedFn& on_damaged) {
    // Only the JSON summary lists every answer's id.
    report::SummaryBuilder summary(r.filter.since, r.filter.until, r.since_last_session,
                                   format == report::Format::json);
    std::set<std::int64_t> shared_ids;
    for (const exchange::SharedRecord& record : exchange::shared_records(journal)) {
        shared_ids.insert(record.entry_id);
    }
    summary.set_shared_ids(std::move(shared_ids));
    FromPacks packs = from_packs(ctx);
    summary.set_safety_prompts(std::move(packs.safety));
    dest.options().scale_labels = std::move(packs.labels);
    summary.list_answered(o.with_answered);
    query.run(
        journal, [&](const store::Entry& e) { summary.add(e); }, on_damaged);
    report::write_summary(std::move(summary).finish(), format, dest.stream(), dest.options());
}

// Streams the entries through the format's writer; returns how many it wrote.
std::size_t write_entries(report::Format format, store::Query& query, const store::Journal& journal,
                          Destination& dest, const store::Journal::DamagedFn& on_damaged) {
    auto writer = report::make_writer(format, dest.stream(), dest.options());
    std::size_t written = 0;
    writer->begin();
    query.run(
        journal,
        [&](const store::Entry& e) {
            writer->write(e);
            ++written;
        },
        on_damaged);
    writer->end();
    return written;
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
    const Reading reading = reading_of(o, journal);
    // What arrived in the shared folder; a refused file still lets the rest be shown.
    // A damaged or stale message to this journal is worth the exit code; an
    // unrelated file in the folder is only named (once).
    const bool refused =
        pick_up_shared(ctx, journal, o.partner ? PartnerNews::say : PartnerNews::quiet)
            .refused_addressed_to_me;
    Destination dest(o, format, ctx);
    int damaged = 0;
    const auto on_damaged = [&damaged, &dest](std::int64_t, const std::string& why) {
        ++damaged;
        dest.damaged(why);
    };
    store::Query query(reading.filter, static_cast<std::size_t>(o.last));
    if (query.wants_partner()) {
        query.set_partner_entries(exchange::partner_entries(journal, on_damaged).visible);
    }
    if (o.summary) {
        write_summary(o, reading, format, query, journal, ctx, dest, on_damaged);
        dest.finish(fmt::format("Wrote the pre-session summary to {}.\n", o.output));
    } else {
        const std::size_t written = write_entries(format, query, journal, dest, on_damaged);
        dest.finish(
            fmt::format("Wrote {} entr{} to {}.\n", written, written == 1 ? "y" : "ies", o.output));
    }
    if (!o.pack.empty() && !query.pack_seen()) {
        warn_unknown_pack(ctx, o.pack, query.other_packs());
    }
    if (damaged > 0) {
        ctx.err() << fmt::format("duet: {} damaged entr{} could not be shown; everything else "
                                 "above is intact.\n",
                                 damaged, damaged == 1 ? "y" : "ies");
    }
    return damaged > 0 || refused ? static_cast<int>(ExitCode::invalid_data) : 0;
}

} // namespace duet::cli
