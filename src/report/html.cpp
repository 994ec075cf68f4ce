#include "duet/report/html.hpp"

#include "duet/report/summary.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

namespace duet::report {

namespace {

// Calm on screen, plain on paper: no dark backgrounds, entries kept whole.
constexpr std::string_view k_style = R"css(
:root { --ink: #2d2a32; --muted: #6b6577; --faint: #e7e2ea; --accent: #7a5c8e;
  --paper: #fbfaf7; --card: #ffffff; --tint: #f3eef6; }
* { box-sizing: border-box; }
html { background: var(--paper); font-size: 17px; }
body { margin: 0; color: var(--ink);
  font: 1rem/1.6 "Iowan Old Style", "Palatino Linotype", Palatino, Georgia, serif; }
time { white-space: nowrap; }
main { max-width: 42rem; margin: 0 auto; padding: 3rem 1.5rem 4rem; }
header { margin-bottom: 2.25rem; }
h1 { font-size: 2rem; font-weight: normal; line-height: 1.2; margin: 0 0 .4rem; }
.subtitle { margin: 0; color: var(--muted); }
h2 { font: 600 .78rem/1.4 system-ui, "Segoe UI", Helvetica, Arial, sans-serif;
  text-transform: uppercase; letter-spacing: .12em; color: var(--accent);
  margin: 2.75rem 0 1rem; padding-bottom: .45rem; border-bottom: 1px solid var(--faint); }
h3 { font-size: 1.05rem; font-weight: normal; font-style: italic; margin: 0 0 .35rem; }
.meta, .day, .days, .ref, .chart-note, svg.chart text {
  font-family: system-ui, "Segoe UI", Helvetica, Arial, sans-serif; }
.meta { font-size: .8rem; color: var(--muted); margin: 0 0 .4rem; }
.tag { display: inline-block; margin-left: .4rem; padding: 0 .55rem; border-radius: 1rem;
  background: var(--tint); color: var(--accent); }
.entry { background: var(--card); border: 1px solid var(--faint); border-radius: 10px;
  padding: 1rem 1.25rem; margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.prompt { margin: 0 0 .5rem; color: var(--muted); font-style: italic; }
.answer { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
ul.prompts { list-style: none; padding: 0; margin: 0; }
ul.prompts li { display: flex; gap: 1rem; padding: .45rem 0;
  border-bottom: 1px dotted var(--faint); break-inside: avoid; page-break-inside: avoid; }
.day { flex: 0 0 6.5rem; font-size: .85rem; color: var(--muted); padding-top: .2rem;
  font-variant-numeric: tabular-nums; }
.ref { font-size: .8rem; color: var(--muted); white-space: nowrap; }
ul.answered { list-style: none; padding: 0; margin: 0; }
ul.answered li { padding: .45rem 0; border-bottom: 1px dotted var(--faint);
  break-inside: avoid; page-break-inside: avoid; }
.days { font-size: .85rem; color: var(--muted); font-variant-numeric: tabular-nums; }
figure.chart-block { margin: 0 0 2rem; break-inside: avoid; page-break-inside: avoid; }
svg.chart { display: block; width: 100%; height: auto; margin: .5rem 0 0; }
.chart-note { font-size: .8rem; color: var(--muted); margin: .25rem 0 0; }
.empty { color: var(--muted); font-style: italic; }
.closing { margin: 3.5rem 0 0; padding-top: 1.5rem; border-top: 1px solid var(--faint);
  text-align: center; font-style: italic; color: var(--muted); }
@page { margin: 18mm 16mm; }
@media print {
  html, body { background: #fff; }
  html { font-size: 11pt; }
  body { color: #000; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .entry { border-color: #cfcfcf; }
  .tag { background: none; border: 1px solid #bbb; }
}
)css";

void write_refs(std::ostream& out, std::string_view title, const std::vector<PromptRef>& refs) {
    if (refs.empty()) {
        return;
    }
    out << "<section>\n<h2>" << html_escape(title) << "</h2>\n<ul class=\"prompts\">\n";
    for (const PromptRef& r : refs) {
        out << fmt::format("<li><span class=\"day\"><time>{}</time></span><span>{} <span "
                           "class=\"ref\">{}/{}</span></span></li>\n",
                           util::format_day(r.day), html_escape(r.prompt_text), html_escape(r.pack),
                           html_escape(r.prompt_id));
    }
    out << "</ul>\n</section>\n";
}

class HtmlWriter : public EntryWriter {
  public:
    explicit HtmlWriter(std::ostream& out) : m_out(out) {}
    void begin() override {
        html_begin(m_out, "duet journal");
        m_out << "<header><h1>duet journal</h1></header>\n";
    }
    void write(const store::Entry& e) override {
        ++m_count;
        m_out << html_entry(e);
    }
    void end() override {
        if (m_count == 0) {
            m_out << "<p class=\"empty\">No entries to show.</p>\n";
        }
        html_end(m_out);
    }

  private:
    std::ostream& m_out;
    std::size_t m_count = 0;
};

} // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : util::printable(text)) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

void html_begin(std::ostream& out, std::string_view title) {
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"color-scheme\" content=\"light\">\n<title>"
        << html_escape(title) << "</title>\n<style>" << k_style << "</style>\n</head>\n<body>\n"
        << "<main>\n";
}

void html_end(std::ostream& out) {
    out << "</main>\n</body>\n</html>\n";
    out.flush();
}

std::string html_entry(const store::Entry& e, bool session_tag, const std::string& answer) {
    std::string tags;
    if (e.author == store::Author::partner) {
        tags += "<span class=\"tag\">from my partner</span>";
    }
    if (e.for_session && session_tag) {
        tags += "<span class=\"tag\">for session</span>";
    }
    if (e.imported) {
        tags += "<span class=\"tag\">imported</span>";
    }
    const bool skipped = e.skipped || !e.answer;
    return fmt::format(
        "<article class=\"entry\" id=\"entry-{0}\">\n"
        "<p class=\"meta\">#{0} · <time datetime=\"{1}\">{2}</time> · {3}/{4}{5}</p>\n"
        "<p class=\"prompt\">{6}</p>\n"
        "<p class=\"answer{7}\">{8}</p>\n"
        "</article>\n",
        e.id, util::format_iso8601(e.created_at), entry_when(e), html_escape(e.pack),
        html_escape(e.prompt_id), tags, html_escape(e.prompt_text), skipped ? " muted" : "",
        html_escape(answer.empty() ? answer_for_display(e) : answer));
}

std::unique_ptr<EntryWriter> make_html_writer(std::ostream& out) {
    return std::make_unique<HtmlWriter>(out);
}

void write_summary_html(const Summary& s, std::ostream& out, const WriterOptions& options) {
    html_begin(out, k_summary_title);
    out << "<header>\n<h1>" << html_escape(k_summary_title) << "</h1>\n<p class=\"subtitle\">"
        << html_escape(summary_period(s)) << "</p>\n</header>\n";
    if (!s.for_session.empty()) {
        out << "<section>\n<h2>Marked for the session</h2>\n";
        for (const store::Entry& e : s.for_session) {
            out << html_entry(e, false, answer_in_words(e, options));
        }
        out << "</section>\n";
    }
    if (!s.scales.empty()) {
        out << "<section>\n<h2>Check-ins over time</h2>\n";
        for (const ScaleSeries& series : s.scales) {
            const util::DayNumber first = series.points.front().day;
            const util::DayNumber last = series.points.back().day;
            const std::string range =
                first == last
                    ? util::format_day(first)
                    : fmt::format("{} to {}", util::format_day(first), util::format_day(last));
            out << "<figure class=\"chart-block\">\n<h3>" << html_escape(series.prompt_text)
                << "</h3>\n"
                << chart_svg(series)
                << fmt::format("<figcaption class=\"chart-note\">{}/{} · scale {} to {} · "
                               "{}</figcaption>\n</figure>\n",
                               html_escape(series.pack), html_escape(series.prompt_id), series.min,
                               series.max, range);
        }
        out << "</section>\n";
    }
    write_refs(out, "Shared with me", s.shared_with_me);
    write_refs(out, "What I shared", s.shared_by_me);
    if (!s.answered.empty()) {
        out << "<section>\n<h2>Prompts I answered</h2>\n<ul class=\"answered\">\n";
        for (const AnsweredPrompt& a : s.answered) {
            std::string days;
            for (util::DayNumber day : distinct_days(a)) {
                const std::string d = util::format_day(day);
                days += fmt::format("{}<time datetime=\"{}\">{}</time>", days.empty() ? "" : ", ",
                                    d, d);
            }
            out << fmt::format("<li>{} <span class=\"ref\">{}/{}</span><br>"
                               "<span class=\"days\">{}</span></li>\n",
                               html_escape(a.prompt_text), html_escape(a.pack),
                               html_escape(a.prompt_id), days);
        }
        out << "</ul>\n</section>\n";
    }
    if (s.empty()) {
        out << "<p class=\"empty\">" << k_summary_nothing << "</p>\n";
    }
    out << "<p class=\"closing\">" << html_escape(k_summary_closing) << "</p>\n";
    html_end(out);
}

} // namespace duet::report
