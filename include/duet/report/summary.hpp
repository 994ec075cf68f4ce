#pragma once
// The pre-session summary: what to bring, how the check-ins went, what was
// shared both ways, and which prompts were answered. Skipped prompts never
// reach it: build_summary drops them before anything else looks.
#include "duet/report/chart.hpp"
#include "duet/report/writer.hpp"
#include "duet/store/entry.hpp"
#include "duet/util/dates.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace duet::report {

// A prompt someone answered, without the answer: for the "shared" lists.
struct PromptRef {
    std::int64_t entry_id = 0;
    util::DayNumber day = 0;
    std::string pack;
    std::string prompt_id;
    std::string prompt_text;
};

PromptRef prompt_ref(const store::Entry& entry);

// One prompt I answered in the period, with each answer's entry id and day.
// Only the JSON summary lists every answer; for the others the builder keeps
// no ids and each day once (see SummaryBuilder), so a long period stays small.
struct AnsweredPrompt {
    std::string pack;
    std::string prompt_id;
    std::string prompt_text;
    std::deque<std::int64_t> ids;
    std::deque<util::DayNumber> days; // one per id (or each day once), oldest first
};

struct SummaryInput {
    std::optional<util::DayNumber> since; // nullopt: from the first entry
    std::optional<util::DayNumber> until; // nullopt: up to now
    bool since_last_session = false;      // `since` is the recorded session's day
    // The period's entries (already filtered; mine and my partner's), oldest first.
    std::span<const store::Entry> entries;
    // The journal's share records: my answered entries among them are listed
    // as shared by me (see SummaryBuilder::set_shared_ids).
    std::set<std::int64_t> shared_ids;
};

struct Summary {
    std::optional<util::DayNumber> since;
    std::optional<util::DayNumber> until;
    bool since_last_session = false;
    std::deque<store::Entry> for_session;  // answered entries marked for the session
    std::vector<ScaleSeries> scales;       // my scale check-ins, one series per prompt
    std::vector<PromptRef> shared_with_me; // what my partner shared
    std::vector<PromptRef> shared_by_me;
    std::vector<AnsweredPrompt> answered; // in the order first answered
    bool empty() const;
};

Summary build_summary(const SummaryInput& input);

// The same, one entry at a time, so a review need not hold the period's
// entries: it keeps only what the summary shows.
class SummaryBuilder {
  public:
    // keep_answer_ids: every answer's id and day, which only the JSON summary
    // shows; without it each prompt keeps just the days it was answered on.
    SummaryBuilder(std::optional<util::DayNumber> since, std::optional<util::DayNumber> until,
                   bool since_last_session, bool keep_answer_ids = true);
    // The journal's share records: my answered entries among them are listed
    // as shared by me.
    void set_shared_ids(std::set<std::int64_t> ids) { m_shared_ids = std::move(ids); }
    // Prompts ("pack/id") tagged `safety`: their answers stay out of the summary
    // entirely unless the person marked that entry for the session.
    void set_safety_prompts(std::set<std::string> ids) { m_safety = std::move(ids); }
    // The list of answered prompts is shown only when asked for (--with-answered).
    void list_answered(bool yes) { m_list_answered = yes; }
    // Entries of the period (already filtered), oldest first.
    void add(const store::Entry& entry);
    Summary finish() &&;

  private:
    Summary m_summary;
    bool m_keep_answer_ids = true;
    std::set<std::int64_t> m_shared_ids;
    std::set<std::string> m_safety;
    bool m_list_answered = true;
    std::map<std::string, std::size_t> m_series_of;   // "pack/id min-max" -> in scales
    std::map<std::string, std::size_t> m_answered_of; // "pack/id" -> in answered
};

// "Since the session on Monday 2 November 2026", "Everything so far", ...
std::string summary_period(const Summary& summary);
inline constexpr std::string_view k_summary_title = "Before the next session";
inline constexpr std::string_view k_summary_nothing =
    "There is nothing from this period to gather here.";
inline constexpr std::string_view k_summary_closing =
    "Whatever you bring, or don't, is yours to choose.";

// The days of the answers, each once; and the same as "2026-11-02, 2026-11-05".
std::vector<util::DayNumber> distinct_days(const AnsweredPrompt& prompt);
std::string answered_days(const AnsweredPrompt& prompt);

void write_summary(const Summary& summary, Format format, std::ostream& out,
                   const WriterOptions& options);
// The JSON summary, pretty-printed as nlohmann's dump(2) prints the whole
// document (a contract), but written item by item (summary_json.cpp).
void write_summary_json(const Summary& summary, std::ostream& out);

} // namespace duet::report
