#include "duet/report/summary.hpp"

#include "duet/report/html.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

nlohmann::ordered_json ref_json(const PromptRef& r) {
    return {{"id", r.entry_id},
            {"day", util::format_day(r.day)},
            {"pack", r.pack},
            {"prompt_id", r.prompt_id},
            {"prompt", r.prompt_text}};
}

nlohmann::ordered_json day_json(const std::optional<util::DayNumber>& day) {
    return day ? nlohmann::ordered_json(util::format_day(*day)) : nlohmann::ordered_json(nullptr);
}

// The summary's JSON, pretty-printed as nlohmann's dump(2) would print the
// whole document, but written item by item: a long period never becomes one
// tree in memory. JSON strings hold no raw newlines, so indenting a dumped
// item means indenting after each of its newlines.
class JsonOut {
  public:
    explicit JsonOut(std::ostream& out) : m_out(out) {}

    void value(const nlohmann::ordered_json& v, int indent) {
        const std::string text = v.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        const std::string pad(static_cast<std::size_t>(indent), ' ');
        std::size_t from = 0;
        for (std::size_t nl = text.find('\n'); nl != std::string::npos;
             nl = text.find('\n', from)) {
            m_out.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
            m_out << pad;
            from = nl + 1;
        }
        m_out.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
    }
    // "key": at the indent; the value follows.
    void key(std::string_view name, int indent, bool first) {
        m_out << (first ? "" : ",\n") << std::string(static_cast<std::size_t>(indent), ' ');
        value(nlohmann::ordered_json(name), indent);
        m_out << ": ";
    }
    void member(std::string_view name, const nlohmann::ordered_json& v, int indent,
                bool first = false) {
        key(name, indent, first);
        value(v, indent);
    }
    // An array member whose items are made one at a time.
    template <typename Items, typename ToJson>
    void array(std::string_view name, const Items& items, int indent, ToJson to_json) {
        key(name, indent, false);
        if (items.empty()) {
            m_out << "[]";
            return;
        }
        const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
        bool first = true;
        m_out << "[\n";
        for (const auto& item : items) {
            m_out << (first ? "" : ",\n") << pad;
            value(to_json(item), indent + 2);
            first = false;
        }
        m_out << '\n' << std::string(static_cast<std::size_t>(indent), ' ') << ']';
    }

  private:
    std::ostream& m_out;
};

void write_json(const Summary& s, std::ostream& out) {
    JsonOut j(out);
    out << "{\n";
    j.member("format", "duet-summary", 2, true);
    j.member("version", 1, 2);
    j.key("summary", 2, false);
    out << "{\n";
    constexpr int in = 4;
    j.member("title", k_summary_title, in, true);
    j.member("period", summary_period(s), in);
    j.member("since", day_json(s.since), in);
    j.member("until", day_json(s.until), in);
    j.member("since_last_session", s.since_last_session, in);
    j.array("for_session", s.for_session, in, [](const store::Entry& e) {
        nlohmann::ordered_json item{{"id", e.id},
                                    {"created_at", util::format_iso8601(e.created_at)},
                                    {"day", util::format_day(e.day)},
                                    {"pack", e.pack},
                                    {"prompt_id", e.prompt_id},
                                    {"prompt", e.prompt_text},
                                    {"kind", e.kind},
                                    {"answer", e.answer.value_or("")}};
        if (e.value) {
            item["value"] = *e.value;
        }
        item["author"] = e.author == store::Author::me ? "me" : "partner";
        return item;
    });
    j.array("scales", s.scales, in, [](const ScaleSeries& series) {
        nlohmann::ordered_json points = nlohmann::ordered_json::array();
        for (const ScalePoint& p : series.points) {
            points.push_back({{"day", util::format_day(p.day)}, {"value", p.value}});
        }
        return nlohmann::ordered_json{{"pack", series.pack},
                                      {"prompt_id", series.prompt_id},
                                      {"prompt", series.prompt_text},
                                      {"min", series.min},
                                      {"max", series.max},
                                      {"points", std::move(points)}};
    });
    j.array("shared_with_me", s.shared_with_me, in, ref_json);
    j.array("shared_by_me", s.shared_by_me, in, ref_json);
    j.array("answered", s.answered, in, [](const AnsweredPrompt& a) {
        nlohmann::ordered_json answers = nlohmann::ordered_json::array();
        // Built with keep_answer_ids, there is a day for every id.
        for (std::size_t i = 0; i < std::min(a.ids.size(), a.days.size()); ++i) {
            answers.push_back({{"id", a.ids[i]}, {"day", util::format_day(a.days[i])}});
        }
        return nlohmann::ordered_json{{"pack", a.pack},
                                      {"prompt_id", a.prompt_id},
                                      {"prompt", a.prompt_text},
                                      {"answers", std::move(answers)}};
    });
    j.member("closing", k_summary_closing, in);
    out << "\n  }\n}\n";
    out.flush();
}

} // namespace

void write_summary(const Summary& s, Format format, std::ostream& out,
                   const WriterOptions& options) {
    switch (format) {
    case Format::markdown:
        return write_markdown(s, out, options);
    case Format::json:
        return write_json(s, out);
    case Format::html:
        return write_summary_html(s, out, options);
    case Format::text:
        break;
    }
    TextSummary(out, options).write(s);
}

} // namespace duet::report
