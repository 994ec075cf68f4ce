#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/report/writer.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace duet::cli {

void setup_review(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<ReviewOptions>();
    CLI::App* cmd = app.add_subcommand("review", "read and export entries");
    cmd->add_option("--since", opts->since,
                    "from this day (YYYY-MM-DD, today, yesterday, "
                    "last-session)");
    cmd->add_option("--until", opts->until, "up to and including this day");
    cmd->add_option("--last", opts->last, "only the last N entries")->check(CLI::PositiveNumber);
    cmd->add_option("--pack", opts->pack, "only entries from this pack");
    cmd->add_option("--grep", opts->grep,
                    "only entries whose prompt or answer contains TEXT "
                    "(any case)");
    auto* mine = cmd->add_flag("--mine", opts->mine, "only your own entries");
    auto* partner = cmd->add_flag("--partner", opts->partner, "only entries your partner shared");
    mine->excludes(partner);
    cmd->add_option("--format", opts->format, "text (default), markdown or json")
        ->check(CLI::IsMember({"text", "markdown", "md", "json"}));
    cmd->add_option("-o,--output", opts->output, "write to FILE (created 0600) instead of stdout");
    cmd->add_flag("--force", opts->force, "with -o: replace an existing file");
    cmd->final_callback([opts, &ctx, &exit_code] { exit_code = run_review(*opts, ctx); });
}

namespace {

std::optional<util::DayNumber> resolve_day(const std::string& text, const char* flag,
                                           const store::Journal& journal) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (text == "today") {
        return util::today();
    }
    if (text == "yesterday") {
        return util::today() - 1;
    }
    if (text == "last-session") {
        const auto last = journal.setting("last_session");
        if (!last) {
            throw UsageError(fmt::format("{} last-session: no session is recorded yet; "
                                         "`duet review --session-done` records one",
                                         flag));
        }
        if (auto d = util::parse_day(*last)) {
            return d;
        }
        throw DataError("the recorded session date is damaged");
    }
    if (auto d = util::parse_day(text)) {
        return d;
    }
    throw UsageError(fmt::format("{} '{}': please use YYYY-MM-DD, today, yesterday or "
                                 "last-session",
                                 flag, util::printable(text, false)));
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
    const store::Journal journal = ctx.unlock(false);
    const auto since = resolve_day(o.since, "--since", journal);
    const auto until = resolve_day(o.until, "--until", journal);
    const std::string needle = util::to_lower_ascii(o.grep);

    std::vector<store::Entry> picked;
    int damaged = 0;
    journal.for_each(
        [&](const store::Entry& e) {
            if ((since && e.day < *since) || (until && e.day > *until) ||
                (!o.pack.empty() && e.pack != o.pack) ||
                (o.mine && e.author != store::Author::me) ||
                (o.partner && e.author != store::Author::partner)) {
                return;
            }
            if (!needle.empty() && !contains_ci(e.prompt_text, needle) &&
                !(e.answer && contains_ci(*e.answer, needle))) {
                return;
            }
            picked.push_back(e);
        },
        [&](std::int64_t, const std::string& why) {
            ++damaged;
            std::cerr << "duet: " << why << '\n';
        });
    std::stable_sort(picked.begin(), picked.end(),
                     [](const store::Entry& a, const store::Entry& b) {
                         return a.created_at.seconds < b.created_at.seconds;
                     });
    if (o.last > 0 && picked.size() > static_cast<std::size_t>(o.last)) {
        picked.erase(picked.begin(), picked.end() - o.last);
    }

    const bool to_file = !o.output.empty();
    report::WriterOptions wo;
    wo.width = to_file ? 80 : ctx.terminal().width();
    wo.color = !to_file && ctx.terminal().color();
    std::ostringstream buffer;
    std::ostream& out = to_file ? static_cast<std::ostream&>(buffer) : std::cout;
    auto writer = report::make_writer(format, out, wo);
    writer->begin();
    for (const store::Entry& e : picked) {
        writer->write(e);
    }
    writer->end();
    if (to_file) {
        util::write_file_atomic(o.output, buffer.str(), o.force, 0600);
        std::cerr << fmt::format("Wrote {} entries to {}.\n", picked.size(), o.output);
    }
    if (damaged > 0) {
        std::cerr << fmt::format("duet: {} damaged entr{} could not be shown; everything else "
                                 "above is intact.\n",
                                 damaged, damaged == 1 ? "y" : "ies");
        return static_cast<int>(ExitCode::invalid_data);
    }
    return 0;
}

} // namespace duet::cli
