#include "duet/report/summary.hpp"

#include "duet/report/html.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace duet::report {

PromptRef prompt_ref(const store::Entry& e) {
    return {e.id, e.day, e.pack, e.prompt_id, e.prompt_text};
}

bool Summary::empty() const {
    return for_session.empty() && scales.empty() && shared_with_me.empty() &&
           shared_by_me.empty() && answered.empty();
}

SummaryBuilder::SummaryBuilder(std::optional<util::DayNumber> since,
                               std::optional<util::DayNumber> until, bool since_last_session,
                               bool keep_answer_ids)
    : m_keep_answer_ids(keep_answer_ids) {
    m_summary.since = since;
    m_summary.until = until;
    m_summary.since_last_session = since_last_session && since;
}

void SummaryBuilder::add(const store::Entry& e) {
    Summary& s = m_summary;
    // A skipped prompt is the person's choice; the summary neither lists nor counts it.
    if (e.skipped || !e.answer) {
        return;
    }
    // A safety-tagged answer is the person's own to bring, or not: only a mark
    // for the session lets it into a summary someone else may read.
    if (!e.for_session && m_safety.count(e.pack + "/" + e.prompt_id) > 0) {
        return;
    }
    if (e.for_session) {
        s.for_session.push_back(e);
    }
    if (e.author == store::Author::partner) {
        s.shared_with_me.push_back(prompt_ref(e));
        return;
    }
    if (m_shared_ids.count(e.id) > 0) { // an answer of mine with a share record
        s.shared_by_me.push_back(prompt_ref(e));
    }
    if (m_list_answered) {
        auto [at, first] = m_answered_of.try_emplace(e.pack + "/" + e.prompt_id, s.answered.size());
        if (first) {
            s.answered.push_back({e.pack, e.prompt_id, e.prompt_text, {}, {}});
        }
        AnsweredPrompt& answered = s.answered[at->second];
        if (m_keep_answer_ids) {
            answered.ids.push_back(e.id);
            answered.days.push_back(e.day);
        } else if (answered.days.empty() || answered.days.back() != e.day) {
            answered.days.push_back(e.day);
        }
    }
    if (e.kind == "scale" && e.value) {
        // A pack may change a scale's range; mixing ranges in one chart would mislead.
        const std::string key =
            fmt::format("{}/{} {}-{}", e.pack, e.prompt_id, e.scale_min, e.scale_max);
        auto [it, added] = m_series_of.try_emplace(key, s.scales.size());
        if (added) {
            s.scales.push_back({e.pack, e.prompt_id, e.prompt_text, e.scale_min, e.scale_max, {}});
        }
        s.scales[it->second].points.push_back({e.day, *e.value});
    }
}

Summary SummaryBuilder::finish() && {
    for (ScaleSeries& series : m_summary.scales) {
        std::stable_sort(series.points.begin(), series.points.end(),
                         [](const ScalePoint& a, const ScalePoint& b) { return a.day < b.day; });
    }
    return std::move(m_summary);
}

Summary build_summary(const SummaryInput& in) {
    SummaryBuilder builder(in.since, in.until, in.since_last_session);
    builder.set_shared_ids(in.shared_ids);
    for (const store::Entry& e : in.entries) {
        builder.add(e);
    }
    return std::move(builder).finish();
}

std::vector<util::DayNumber> distinct_days(const AnsweredPrompt& prompt) {
    std::vector<util::DayNumber> days;
    for (util::DayNumber day : prompt.days) {
        if (days.empty() || days.back() != day) {
            days.push_back(day);
        }
    }
    return days;
}

std::string answered_days(const AnsweredPrompt& prompt) {
    std::string out;
    for (util::DayNumber day : distinct_days(prompt)) {
        out += (out.empty() ? "" : ", ") + util::format_day(day);
    }
    return out;
}

std::string summary_period(const Summary& s) {
    std::string out;
    if (s.since && s.since_last_session) {
        out = "Since the session on " + util::format_day_long(*s.since);
    } else if (s.since) {
        out = "Since " + util::format_day_long(*s.since);
    } else {
        out = "Everything so far";
    }
    if (s.until) {
        out += (s.since ? ", up to " : ", up to and including ") + util::format_day_long(*s.until);
    }
    return out;
}

namespace {

struct Section {
    std::string_view title;
    const std::vector<PromptRef>* items;
};

class TextSummary {
  public:
    TextSummary(std::ostream& out, const WriterOptions& o) : m_out(out), m_opt(o) {}

    void write(const Summary& s) {
        m_out << style("\x1b[1m", k_summary_title) << '\n' << summary_period(s) << '\n';
        if (!s.for_session.empty()) {
            heading("Marked for the session");
            for (const store::Entry& e : s.for_session) {
                std::string head = fmt::format("  #{}  {}  {}/{}", e.id, entry_when(e),
                                               util::printable(e.pack, false),
                                               util::printable(e.prompt_id, false));
                if (e.author == store::Author::partner) {
                    head += "  · from your partner";
                }
                m_out << head << '\n'
                      << style("\x1b[2m",
                               util::wrap(util::printable(e.prompt_text), m_opt.width, "      "))
                      << util::wrap(util::printable(answer_in_words(e, m_opt)), m_opt.width,
                                    "      ");
            }
        }
        if (!s.scales.empty()) {
            heading("Check-ins over time");
            for (const ScaleSeries& series : s.scales) {
                m_out << util::wrap(prompt_title(series.prompt_text, series.pack, series.prompt_id),
                                    m_opt.width, "  ")
                      << chart_text(series, m_opt.width, "    ");
            }
        }
        for (const Section& section : {Section{"Shared with me", &s.shared_with_me},
                                       Section{"What I shared", &s.shared_by_me}}) {
            if (!section.items->empty()) {
                heading(section.title);
                for (const PromptRef& r : *section.items) {
                    prompt_line(r);
                }
            }
        }
        if (!s.answered.empty()) {
            heading("Prompts I answered");
            for (const AnsweredPrompt& a : s.answered) {
                m_out << util::wrap(prompt_title(a.prompt_text, a.pack, a.prompt_id), m_opt.width,
                                    "  ")
                      << util::wrap(answered_days(a), m_opt.width, "      ");
            }
        }
        if (s.empty()) {
            m_out << '\n' << k_summary_nothing << '\n';
        }
        m_out << '\n' << k_summary_closing << '\n';
        m_out.flush();
    }

  private:
    std::string style(std::string_view code, std::string_view text) const {
        return m_opt.color ? fmt::format("{}{}\x1b[0m", code, text) : std::string(text);
    }
    // "How light did today feel? (e2e/mood)"
    static std::string prompt_title(std::string_view text, std::string_view pack,
                                    std::string_view prompt_id) {
        return fmt::format("{} ({}/{})", util::printable(text), util::printable(pack, false),
                           util::printable(prompt_id, false));
    }
    void heading(std::string_view title) { m_out << '\n' << style("\x1b[1m", title) << '\n'; }
    // "  2026-11-02  How light did today feel? (e2e/mood)", wrapped under the text.
    void prompt_line(const PromptRef& r) {
        const std::string day = fmt::format("  {}  ", util::format_day(r.day));
        std::string body = util::wrap(prompt_title(r.prompt_text, r.pack, r.prompt_id), m_opt.width,
                                      std::string(day.size(), ' '));
        m_out << day << std::string_view(body).substr(day.size());
    }

    std::ostream& m_out;
    WriterOptions m_opt;
};

void write_markdown(const Summary& s, std::ostream& out, const WriterOptions& opt) {
    out << "# " << k_summary_title << "\n\n*" << markdown_escape(summary_period(s)) << "*\n";
    if (!s.for_session.empty()) {
        out << "\n## Marked for the session\n";
        for (const store::Entry& e : s.for_session) {
            out << fmt::format("\n### #{} · {} · {}/{}{}\n\n", e.id, entry_when(e),
                               markdown_escape(e.pack), markdown_escape(e.prompt_id),
                               e.author == store::Author::partner ? " · from my partner" : "");
            out << "> " << markdown_escape(e.prompt_text) << "\n\n";
            std::string answer;
            for (char c : markdown_escape(answer_in_words(e, opt))) {
                answer += c == '\n' ? std::string("  \n") : std::string(1, c);
            }
            out << answer << '\n';
        }
    }
    if (!s.scales.empty()) {
        out << "\n## Check-ins over time\n";
        for (const ScaleSeries& series : s.scales) {
            // An indented code block keeps the blocks aligned and needs no escaping.
            out << fmt::format("\n**{}** ({}/{})\n\n", markdown_escape(series.prompt_text),
                               markdown_escape(series.pack), markdown_escape(series.prompt_id))
                << chart_text(series, 80, "    ");
        }
    }
    for (const Section& section : {Section{"Shared with me", &s.shared_with_me},
                                   Section{"What I shared", &s.shared_by_me}}) {
        if (section.items->empty()) {
            continue;
        }
        out << "\n## " << section.title << "\n\n";
        for (const PromptRef& r : *section.items) {
            out << fmt::format("- {} · {} ({}/{})\n", util::format_day(r.day),
                               markdown_escape(r.prompt_text), markdown_escape(r.pack),
                               markdown_escape(r.prompt_id));
        }
    }
    if (!s.answered.empty()) {
        out << "\n## Prompts I answered\n\n";
        for (const AnsweredPrompt& a : s.answered) {
            out << fmt::format("- {} ({}/{}): {}\n", markdown_escape(a.prompt_text),
                               markdown_escape(a.pack), markdown_escape(a.prompt_id),
                               answered_days(a));
        }
    }
    if (s.empty()) {
        out << '\n' << k_summary_nothing << '\n';
    }
    out << "\n---\n\n*" << markdown_escape(k_summary_closing) << "*\n";
    out.flush();
}

} // namespace

void write_summary(const Summary& s, Format format, std::ostream& out,
                   const WriterOptions& options) {
    switch (format) {
    case Format::markdown:
        return write_markdown(s, out, options);
    case Format::json:
        return write_summary_json(s, out);
    case Format::html:
        return write_summary_html(s, out, options);
    case Format::text:
        break;
    }
    TextSummary(out, options).write(s);
}

} // namespace duet::report
