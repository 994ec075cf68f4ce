#include "duet/error.hpp"
#include "duet/report/chart.hpp"
#include "duet/report/html.hpp"
#include "duet/report/summary.hpp"
#include "duet/report/writer.hpp"
#include "duet/store/sessions.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <sstream>

using namespace duet;

namespace {

util::DayNumber nov(unsigned day) {
    return util::days_from_civil(2026, 11, day);
}

store::Entry make(std::int64_t id, unsigned day, int hour, std::string prompt_id, std::string text,
                  std::string kind, std::optional<std::string> answer) {
    store::Entry e;
    e.id = id;
    e.day = nov(day);
    e.created_at = {e.day * 86400 + (hour - 1) * 3600, 3600}; // local time is UTC+1
    e.pack = "e2e";
    e.prompt_id = std::move(prompt_id);
    e.prompt_text = std::move(text);
    e.kind = std::move(kind);
    e.answer = std::move(answer);
    e.skipped = !e.answer;
    if (e.kind == "scale") {
        e.scale_min = 1;
        e.scale_max = 5;
        if (e.answer) {
            e.value = std::stoi(*e.answer);
        }
    }
    return e;
}

constexpr const char* k_pair = "What is one thing we did well together this week?";

// Six entries: a skipped one (also marked for the session), a together answer, a partner's.
// Entries 3, 5 and 6 have share records; only 5 is an answer of mine.
std::vector<store::Entry> fixture() {
    std::vector<store::Entry> v;
    v.push_back(make(1, 2, 9, "mood", "How light did today feel?", "scale", "2"));
    v.push_back(make(2, 3, 21, "note", "What would I like to remember about today?", "text",
                     "the walk by the river\nand the <script>rain</script>"));
    v.back().for_session = true;
    v.push_back(make(3, 4, 8, "quiet", "A prompt I let pass", "text", std::nullopt));
    v.back().for_session = true;
    v.push_back(make(4, 5, 9, "mood", "How light did today feel?", "scale", "5"));
    v.push_back(make(5, 5, 20, "pair", k_pair, "text", "we cooked"));
    v.back().together = true;
    v.push_back(make(6, 6, 19, "pair", k_pair, "text", "the long walk"));
    v.back().author = store::Author::partner;
    v.back().together = true;
    return v;
}

std::string render(report::Format format) {
    std::ostringstream out;
    auto writer = report::make_writer(format, out, {});
    writer->begin();
    for (const store::Entry& e : fixture()) {
        writer->write(e);
    }
    writer->end();
    return out.str();
}

report::Summary fixture_summary(const std::vector<store::Entry>& entries) {
    report::SummaryInput in;
    in.since = nov(2);
    in.since_last_session = true;
    in.entries = entries;
    in.shared_ids = {3, 5, 6};
    return report::build_summary(in);
}

std::string render_summary(report::Format format) {
    const auto entries = fixture();
    std::ostringstream out;
    report::write_summary(fixture_summary(entries), format, out, {});
    return out.str();
}

std::string between(const std::string& s, const std::string& from, const std::string& to) {
    const auto a = s.find(from);
    const auto b = s.find(to, a);
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    return s.substr(a, b + to.size() - a);
}

} // namespace

TEST_CASE("report::parse_format") {
    CHECK(report::parse_format("text") == report::Format::text);
    CHECK(report::parse_format("md") == report::Format::markdown);
    CHECK(report::parse_format("json") == report::Format::json);
    CHECK(report::parse_format("html") == report::Format::html);
    CHECK_THROWS_AS(report::parse_format("pdf"), UsageError);
}

TEST_CASE("report::writers") {
    SUBCASE("text") {
        CHECK(render(report::Format::text) == R"(#1  2026-11-02 09:00  e2e/mood
    How light did today feel?
    2 (on a scale of 1 to 5)

#2  2026-11-03 21:00  e2e/note  · for session
    What would I like to remember about today?
    the walk by the river
    and the <script>rain</script>

#3  2026-11-04 08:00  e2e/quiet  · for session
    A prompt I let pass
    (skipped)

#4  2026-11-05 09:00  e2e/mood
    How light did today feel?
    5 (on a scale of 1 to 5)

#5  2026-11-05 20:00  e2e/pair
    What is one thing we did well together this week?
    we cooked

#6  2026-11-06 19:00  e2e/pair  · from your partner
    What is one thing we did well together this week?
    the long walk
)");
    }
    SUBCASE("markdown") {
        const std::string md = render(report::Format::markdown);
        CHECK(md.rfind("# duet journal\n", 0) == 0);
        CHECK(between(md, "## #2", "</script\\>\n") ==
              R"(## #2 · 2026-11-03 21:00 · e2e/note · for session

> What would I like to remember about today?

the walk by the river  
and the \<script\>rain\</script\>
)");
        CHECK(md.find("## #6 · 2026-11-06 19:00 · e2e/pair · from my partner\n") !=
              std::string::npos);
    }
    SUBCASE("json") {
        const std::string json = render(report::Format::json);
        CHECK(between(json, "{\"id\":2,", "}") ==
              R"({"id":2,"created_at":"2026-11-03T21:00:00+01:00","day":"2026-11-03","pack":"e2e",)"
              R"("prompt_id":"note","prompt":"What would I like to remember about today?",)"
              R"("kind":"text","answer":"the walk by the river\nand the <script>rain</script>",)"
              R"("skipped":false,"for_session":true,"together":false,"imported":false,)"
              R"("author":"me"})");
        const auto doc = nlohmann::json::parse(json);
        REQUIRE(doc["entries"].size() == 6);
        CHECK(doc["entries"][2]["answer"].is_null());
        CHECK(doc["entries"][5]["author"] == "partner");
    }
    SUBCASE("html") {
        const std::string html = render(report::Format::html);
        CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n", 0) == 0);
        CHECK(html.find("<style>") != std::string::npos);
        CHECK(html.find("@media print") != std::string::npos);
        CHECK(between(html, "<article class=\"entry\" id=\"entry-2\">", "</article>") ==
              R"(<article class="entry" id="entry-2">
<p class="meta">#2 · <time datetime="2026-11-03T21:00:00+01:00">2026-11-03 21:00</time> · e2e/note<span class="tag">for session</span></p>
<p class="prompt">What would I like to remember about today?</p>
<p class="answer">the walk by the river
and the &lt;script&gt;rain&lt;/script&gt;</p>
</article>)");
        CHECK(html.find("<p class=\"answer muted\">(skipped)</p>") != std::string::npos);
        CHECK(html.find("<span class=\"tag\">from my partner</span>") != std::string::npos);
        // Self-contained: nothing fetched, nothing run.
        for (const char* outside : {"<script", "src=", "href=", "url(", "@import", "http"}) {
            CHECK_MESSAGE(html.find(outside) == std::string::npos, outside);
        }
        CHECK(html.size() - html.rfind("</html>\n") == 8);
    }
    SUBCASE("empty") {
        std::ostringstream out;
        auto writer = report::make_writer(report::Format::html, out, {});
        writer->begin();
        writer->end();
        CHECK(out.str().find("No entries to show.") != std::string::npos);
    }
}

TEST_CASE("report::html_escape") {
    CHECK(report::html_escape(R"(<script>alert("x")</script> & 'y')") ==
          "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
    CHECK(report::html_escape("tab\tand\nline") == "tab\tand\nline");
    CHECK(report::html_escape("\x1b[31mred") == "^[[31mred");
    CHECK(report::html_escape("caf\xc3\xa9") == "caf\xc3\xa9");
    store::Entry e = make(9, 2, 9, "note", "<b>prompt</b>", "text", "<img src=x onerror=y>");
    e.pack = "p\"ack";
    const std::string article = report::html_entry(e);
    CHECK(article.find("<b>") == std::string::npos);
    CHECK(article.find("<img") == std::string::npos);
    CHECK(article.find("&lt;img src=x onerror=y&gt;") != std::string::npos);
    CHECK(article.find("p&quot;ack/note") != std::string::npos);
}

TEST_CASE("report::chart") {
    SUBCASE("blocks") {
        CHECK(report::scale_block(1, 1, 5) == "▁");
        CHECK(report::scale_block(2, 1, 5) == "▃");
        CHECK(report::scale_block(3, 1, 5) == "▅");
        CHECK(report::scale_block(4, 1, 5) == "▆");
        CHECK(report::scale_block(5, 1, 5) == "█");
        CHECK(report::scale_block(0, 0, 7) == "▁");
        CHECK(report::scale_block(3, 0, 7) == "▄");
        CHECK(report::scale_block(7, 0, 7) == "█");
        CHECK(report::scale_block(99, 1, 5) == "█"); // clamped
        CHECK(report::scale_block(-3, 1, 5) == "▁");
        CHECK(report::scale_block(3, 3, 3) == "▄"); // no range: the middle
    }
    const report::ScaleSeries series{
        "e2e", "mood", "How <light> did today feel?",
        1,     5,      {{nov(2), 2}, {nov(3), 4}, {nov(5), 5}, {nov(6), 4}, {nov(9), 1}}};
    SUBCASE("sparkline and text") {
        CHECK(report::sparkline(series) == "▃▆█▆▁");
        CHECK(report::chart_text(series, 80, "  ") == "  ▃▆█▆▁  (1 to 5)\n"
                                                      "  2026-11-02 to 2026-11-09\n"
                                                      "  11-02: 2  11-03: 4  11-05: 5  11-06: 4  "
                                                      "11-09: 1\n");
        // Narrow: the dates wrap, each line under the same indent.
        CHECK(report::chart_text(series, 24, "  ") == "  ▃▆█▆▁  (1 to 5)\n"
                                                      "  2026-11-02 to 2026-11-09\n"
                                                      "  11-02: 2  11-03: 4\n"
                                                      "  11-05: 5  11-06: 4\n"
                                                      "  11-09: 1\n");
        const report::ScaleSeries one{"e2e", "mood", "x", 1, 5, {{nov(2), 3}}};
        CHECK(report::chart_text(one, 80, "") == "▅  (1 to 5)\n2026-11-02\n11-02: 3\n");
    }
    SUBCASE("svg") {
        const std::string svg = report::chart_svg(series);
        CHECK(svg.rfind("<svg ", 0) == 0);
        CHECK(svg.find("</svg>\n") == svg.size() - 7);
        CHECK(svg.find("How &lt;light&gt; did today feel?") != std::string::npos);
        CHECK(svg.find("<light>") == std::string::npos);
        std::size_t dots = 0;
        for (auto at = svg.find("<circle"); at != std::string::npos;
             at = svg.find("<circle", at + 1)) {
            ++dots;
        }
        CHECK(dots == 5);
        for (const char* label : {">1</text>", ">5</text>", ">2 Nov</text>", ">9 Nov</text>",
                                  "<title>2026-11-05: 5</title>"}) {
            CHECK_MESSAGE(svg.find(label) != std::string::npos, label);
        }
        // Lowest value at the bottom of the plot, highest at the top.
        CHECK(svg.find("cx=\"44.0\" cy=\"116.0\"") != std::string::npos);
        CHECK(svg.find("cy=\"14.0\"") != std::string::npos);
    }
}

TEST_CASE("report::summary") {
    const auto entries = fixture();
    const report::Summary s = fixture_summary(entries);
    SUBCASE("content") {
        REQUIRE(s.for_session.size() == 1);
        CHECK(s.for_session[0].id == 2);
        REQUIRE(s.scales.size() == 1);
        CHECK(s.scales[0].points.size() == 2);
        REQUIRE(s.shared_with_me.size() == 1);
        CHECK(s.shared_with_me[0].entry_id == 6);
        REQUIRE(s.shared_by_me.size() == 1);
        CHECK(s.shared_by_me[0].entry_id == 5);
        REQUIRE(s.answered.size() == 3);
        CHECK(std::vector<std::int64_t>(s.answered[0].ids.begin(), s.answered[0].ids.end()) ==
              std::vector<std::int64_t>{1, 4});
        CHECK(std::vector<util::DayNumber>(s.answered[0].days.begin(), s.answered[0].days.end()) ==
              std::vector<util::DayNumber>{nov(2), nov(5)});
        CHECK(report::answered_days(s.answered[0]) == "2026-11-02, 2026-11-05");
        report::AnsweredPrompt twice{"e2e", "x", "x", {1, 2, 3}, {nov(2), nov(2), nov(4)}};
        CHECK(report::answered_days(twice) == "2026-11-02, 2026-11-04");
    }
    SUBCASE("text") {
        CHECK(render_summary(report::Format::text) == R"(Before the next session
Since the session on Monday 2 November 2026

Marked for the session
  #2  2026-11-03 21:00  e2e/note
      What would I like to remember about today?
      the walk by the river
      and the <script>rain</script>

Check-ins over time
  How light did today feel? (e2e/mood)
    ▃█  (1 to 5)
    2026-11-02 to 2026-11-05
    11-02: 2  11-05: 5

Shared with me
  2026-11-06  What is one thing we did well together this week? (e2e/pair)

What I shared
  2026-11-05  What is one thing we did well together this week? (e2e/pair)

Prompts I answered
  How light did today feel? (e2e/mood)
      2026-11-02, 2026-11-05
  What would I like to remember about today? (e2e/note)
      2026-11-03
  What is one thing we did well together this week? (e2e/pair)
      2026-11-05

Whatever you bring, or don't, is yours to choose.
)");
    }
    SUBCASE("markdown") {
        const std::string md = render_summary(report::Format::markdown);
        CHECK(md.rfind("# Before the next session\n\n*Since the session on Monday 2 November "
                       "2026*\n",
                       0) == 0);
        CHECK(between(md, "## Check-ins", "11-05: 5\n") == R"(## Check-ins over time

**How light did today feel?** (e2e/mood)

    ▃█  (1 to 5)
    2026-11-02 to 2026-11-05
    11-02: 2  11-05: 5
)");
        CHECK(md.find("- 2026-11-06 · What is one thing we did well together this week? "
                      "(e2e/pair)\n") != std::string::npos);
        CHECK(md.find("- How light did today feel? (e2e/mood): 2026-11-02, 2026-11-05\n") !=
              std::string::npos);
        CHECK(md.find("*Whatever you bring, or don't, is yours to choose.*\n") !=
              std::string::npos);
    }
    SUBCASE("json") {
        const auto doc = nlohmann::json::parse(render_summary(report::Format::json));
        CHECK(doc["format"] == "duet-summary");
        const auto& j = doc["summary"];
        CHECK(j["since"] == "2026-11-02");
        CHECK(j["until"].is_null());
        CHECK(j["since_last_session"] == true);
        CHECK(j["for_session"][0]["answer"] ==
              "the walk by the river\nand the <script>rain</script>");
        CHECK(j["scales"][0]["points"][1] == nlohmann::json{{"day", "2026-11-05"}, {"value", 5}});
        CHECK(j["shared_with_me"][0]["id"] == 6);
        CHECK(j["shared_by_me"][0]["id"] == 5);
        REQUIRE(j["answered"].size() == 3);
        CHECK(j["answered"][0]["prompt_id"] == "mood");
        CHECK(j["answered"][0]["answers"][1] == nlohmann::json{{"id", 4}, {"day", "2026-11-05"}});
    }
    SUBCASE("html") {
        const std::string html = render_summary(report::Format::html);
        CHECK(html.find("<svg class=\"chart\"") != std::string::npos);
        CHECK(html.find("<h2>Marked for the session</h2>") != std::string::npos);
        CHECK(html.find("and the &lt;script&gt;rain&lt;/script&gt;") != std::string::npos);
        CHECK(html.find("<script") == std::string::npos);
        CHECK(html.find(
                  "<li>How light did today feel? <span class=\"ref\">e2e/mood</span><br>"
                  "<span class=\"days\"><time datetime=\"2026-11-02\">2026-11-02</time>, <time "
                  "datetime=\"2026-11-05\">2026-11-05</time></span></li>") != std::string::npos);
        CHECK(html.find("Whatever you bring, or don&#39;t, is yours to choose.") !=
              std::string::npos);
    }
    SUBCASE("skipped prompts are neither listed nor counted") {
        for (auto format : {report::Format::text, report::Format::markdown, report::Format::json,
                            report::Format::html}) {
            const std::string out = render_summary(format);
            CHECK(out.find("A prompt I let pass") == std::string::npos);
            CHECK(out.find("quiet") == std::string::npos);
            CHECK(out.find("skip") == std::string::npos);
            CHECK(out.find("Skip") == std::string::npos);
        }
    }
    SUBCASE("periods") {
        report::Summary p;
        CHECK(report::summary_period(p) == "Everything so far");
        p.until = nov(9);
        CHECK(report::summary_period(p) ==
              "Everything so far, up to and including Monday 9 November 2026");
        p.since = nov(2);
        CHECK(report::summary_period(p) ==
              "Since Monday 2 November 2026, up to Monday 9 November 2026");
    }
    SUBCASE("nothing to gather") {
        std::ostringstream out;
        report::write_summary(report::build_summary({}), report::Format::text, out, {});
        CHECK(out.str() == "Before the next session\nEverything so far\n\n"
                           "There is nothing from this period to gather here.\n\n"
                           "Whatever you bring, or don't, is yours to choose.\n");
    }
}

TEST_CASE("store::session days") {
    using store::last_session_day;
    const auto days = store::parse_session_days("2026-11-09\n2026-11-02\nnonsense\n2026-11-09\n");
    CHECK(days == std::vector<util::DayNumber>{nov(2), nov(9)});
    CHECK(store::format_session_days(days) == "2026-11-02\n2026-11-09\n");
    CHECK(store::add_session_day(days, nov(5)) ==
          std::vector<util::DayNumber>{nov(2), nov(5), nov(9)});
    CHECK(store::add_session_day(days, nov(2)) == days);
    CHECK(last_session_day(days, nov(12)) == nov(9));
    CHECK(last_session_day(days, nov(9)) == nov(9));
    CHECK(last_session_day(days, nov(8)) == nov(2)); // a later day is still ahead
    CHECK_FALSE(last_session_day(days, nov(1)));
    CHECK_FALSE(last_session_day({}, nov(1)));
}

TEST_CASE("report::SummaryBuilder streams to the same summary") {
    const auto entries = fixture();
    const report::Summary whole = fixture_summary(entries);
    report::SummaryBuilder builder(nov(2), std::nullopt, true);
    builder.set_shared_ids({3, 5, 6});
    for (const store::Entry& e : entries) {
        builder.add(e);
    }
    const report::Summary streamed = std::move(builder).finish();
    // The same sections, item for item: rendered alike in every format.
    for (const auto format : {report::Format::text, report::Format::markdown, report::Format::json,
                              report::Format::html}) {
        std::ostringstream a;
        std::ostringstream b;
        report::write_summary(whole, format, a, {});
        report::write_summary(streamed, format, b, {});
        CHECK(a.str() == b.str());
    }
    REQUIRE(streamed.shared_by_me.size() == 1);
    CHECK(streamed.shared_by_me[0].entry_id == 5);
    CHECK(streamed.since_last_session);
}

TEST_CASE("report::SummaryBuilder without answer ids keeps each day once") {
    // Two answers to one prompt on one day, a third on another day.
    std::vector<store::Entry> entries;
    entries.push_back(make(1, 2, 9, "note", "What would I like to remember?", "text", "a"));
    entries.push_back(make(2, 2, 20, "note", "What would I like to remember?", "text", "b"));
    entries.push_back(make(3, 4, 9, "note", "What would I like to remember?", "text", "c"));
    report::SummaryBuilder lean(std::nullopt, std::nullopt, false, false);
    report::SummaryBuilder full(std::nullopt, std::nullopt, false, true);
    for (const store::Entry& e : entries) {
        lean.add(e);
        full.add(e);
    }
    const report::Summary a = std::move(lean).finish();
    const report::Summary b = std::move(full).finish();
    REQUIRE(a.answered.size() == 1);
    CHECK(a.answered[0].ids.empty());
    CHECK(a.answered[0].days.size() == 2);
    CHECK(b.answered[0].ids.size() == 3);
    // What people read is the same either way.
    for (const auto format :
         {report::Format::text, report::Format::markdown, report::Format::html}) {
        std::ostringstream x;
        std::ostringstream y;
        report::write_summary(a, format, x, {});
        report::write_summary(b, format, y, {});
        CHECK(x.str() == y.str());
    }
}

namespace {

// One entry of the summary's for_session list, as the first JSON summary built it.
nlohmann::ordered_json first_summary_item(const store::Entry& e) {
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
}

// The JSON summary as it was first written: one nlohmann tree for the whole
// document, dumped at once. Kept as the oracle for the streamed writer.
std::string first_json_summary(const report::Summary& s) {
    using oj = nlohmann::ordered_json;
    const auto day = [](const std::optional<util::DayNumber>& d) {
        return d ? oj(util::format_day(*d)) : oj(nullptr);
    };
    const auto ref = [](const report::PromptRef& r) {
        return oj{{"id", r.entry_id},
                  {"day", util::format_day(r.day)},
                  {"pack", r.pack},
                  {"prompt_id", r.prompt_id},
                  {"prompt", r.prompt_text}};
    };
    oj j;
    j["title"] = report::k_summary_title;
    j["period"] = report::summary_period(s);
    j["since"] = day(s.since);
    j["until"] = day(s.until);
    j["since_last_session"] = s.since_last_session;
    j["for_session"] = oj::array();
    for (const store::Entry& e : s.for_session) {
        j["for_session"].push_back(first_summary_item(e));
    }
    j["scales"] = oj::array();
    for (const report::ScaleSeries& series : s.scales) {
        oj points = oj::array();
        for (const report::ScalePoint& p : series.points) {
            points.push_back({{"day", util::format_day(p.day)}, {"value", p.value}});
        }
        j["scales"].push_back({{"pack", series.pack},
                               {"prompt_id", series.prompt_id},
                               {"prompt", series.prompt_text},
                               {"min", series.min},
                               {"max", series.max},
                               {"points", std::move(points)}});
    }
    j["shared_with_me"] = oj::array();
    for (const report::PromptRef& r : s.shared_with_me) {
        j["shared_with_me"].push_back(ref(r));
    }
    j["shared_by_me"] = oj::array();
    for (const report::PromptRef& r : s.shared_by_me) {
        j["shared_by_me"].push_back(ref(r));
    }
    j["answered"] = oj::array();
    for (const report::AnsweredPrompt& a : s.answered) {
        oj answers = oj::array();
        for (std::size_t i = 0; i < a.ids.size(); ++i) {
            answers.push_back({{"id", a.ids[i]}, {"day", util::format_day(a.days[i])}});
        }
        j["answered"].push_back({{"pack", a.pack},
                                 {"prompt_id", a.prompt_id},
                                 {"prompt", a.prompt_text},
                                 {"answers", std::move(answers)}});
    }
    j["closing"] = report::k_summary_closing;
    oj doc{{"format", "duet-summary"}, {"version", 1}, {"summary", j}};
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string json_summary(const report::Summary& s) {
    std::ostringstream out;
    report::write_summary(s, report::Format::json, out, {});
    return out.str();
}

} // namespace

TEST_CASE("report: the JSON summary is written item by item, as the whole tree was") {
    auto entries = fixture();
    // Text that must be escaped, and invalid UTF-8, in every kind of item.
    entries[1].answer = "line one\nline \"two\"\t\x01 caf\xc3\xa9 \xff";
    entries[4].prompt_text = "A \\ backslash and {braces} and [brackets]";
    const report::Summary s = fixture_summary(entries);
    CHECK(json_summary(s) == first_json_summary(s));
    // Every section empty.
    CHECK(json_summary(report::build_summary({})) == first_json_summary(report::build_summary({})));
    // Only some sections filled.
    report::Summary partial;
    partial.since = nov(3);
    partial.shared_with_me.push_back({6, nov(6), "e2e", "pair", "A question"});
    CHECK(json_summary(partial) == first_json_summary(partial));
}

TEST_CASE("report charts survive the widest range an old journal can hold") {
    // Audit finding 6: min -2147483648 and max 2147483647 overflowed the arithmetic.
    constexpr int lo = std::numeric_limits<int>::min();
    constexpr int hi = std::numeric_limits<int>::max();
    CHECK(report::scale_block(lo, lo, hi) == "▁");
    CHECK(report::scale_block(hi, lo, hi) == "█");
    CHECK(report::scale_block(0, lo, hi) == report::scale_block(0, -1, 1));
    report::ScaleSeries s{"p", "wide", "How wide?", lo, hi, {}};
    s.points.push_back({100, lo});
    s.points.push_back({101, 0});
    s.points.push_back({102, hi});
    const std::string svg = report::chart_svg(s);
    CHECK(svg.size() < 20000);
    CHECK(svg.find("</svg>") != std::string::npos);
    CHECK(report::chart_text(s, 80, "  ").find("to 2147483647") != std::string::npos);
}

TEST_CASE("report::append_entry_json: one writer, the two shapes as options") {
    using oj = nlohmann::ordered_json;
    const auto pretty = [](const std::string& compact) {
        return oj::parse(compact).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    const auto written = [](const store::Entry& e, const report::EntryJsonShape& shape) {
        std::string out = "kept:";
        report::append_entry_json(out, e, shape);
        return out.substr(5); // appends, never replaces
    };
    for (const store::Entry& e : fixture()) {
        CAPTURE(e.id);
        CHECK(written(e, report::k_export_entry) == report::entry_json(e));
        // The export's fields laid out as dump(2) lays them out, scale object included.
        report::EntryJsonShape laid_out = report::k_export_entry;
        laid_out.pretty = true;
        CHECK(written(e, laid_out) == pretty(report::entry_json(e)));
        // The summary's shape: the answer as text, no scale, no flags.
        CHECK(written(e, report::k_summary_entry) ==
              first_summary_item(e).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    // A skipped answer is null in the export and its value left out; the summary never sees one.
    store::Entry skipped = fixture()[0];
    skipped.skipped = true;
    const oj exported = oj::parse(report::entry_json(skipped));
    CHECK(exported["answer"].is_null());
    CHECK_FALSE(exported.contains("value"));
    CHECK(exported["scale"] == oj{{"min", 1}, {"max", 5}});
}
