// The pre-session summary as JSON (see write_summary_json in summary.hpp).
#include "duet/report/summary.hpp"

#include "duet/util/dates.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace duet::report {

namespace {

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
        value(v.dump(2, ' ', false, nlohmann::json::error_handler_t::replace), indent);
    }
    // An item already written as dump(2) would at the top level.
    void value(const std::string& text, int indent) {
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

} // namespace

void write_summary_json(const Summary& s, std::ostream& out) {
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
        std::string item;
        append_entry_json(item, e, k_summary_entry);
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

} // namespace duet::report
