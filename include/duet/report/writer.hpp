#pragma once
// Turning entries into text, markdown, JSON or HTML, one entry at a time so that
// memory stays flat however long the journal is.
#include "duet/store/entry.hpp"

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace duet::report {

enum class Format { text, markdown, json, html };

// Throws UsageError for an unknown name.
Format parse_format(std::string_view name);

// A scale prompt's end labels ("far apart" ... "very close"), by "pack/id".
struct ScaleLabels {
    std::string low;
    std::string high;
};

struct WriterOptions {
    std::size_t width = 80; // wrap width for text
    bool color = false;     // ANSI styling for text on a terminal
    // For the summary: scale answers in the prompt's own words, where its pack is known.
    std::map<std::string, ScaleLabels> scale_labels;
};

class EntryWriter {
  public:
    virtual ~EntryWriter() = default;
    virtual void begin() {}
    virtual void write(const store::Entry& entry) = 0;
    virtual void end() {}
};

std::unique_ptr<EntryWriter> make_writer(Format format, std::ostream& out,
                                         const WriterOptions& options);

// The one writer of an entry as a JSON object. An entry appears in JSON in two
// shapes, each a contract its readers rely on, so the differences are kept as
// these options rather than as two writers.
struct EntryJsonShape {
    // The export (SPEC §2): a skipped entry's answer is null and its value left
    // out. Otherwise (the summary's for_session list) the answer is its text,
    // "" when there is none, and the value is written whenever there is one;
    // the summary holds no skipped entries, so both agree on what it shows.
    bool skipped_answer_null = true;
    // The export also has the scale's range and the flags skipped,
    // for_session, together and imported; the summary has neither.
    bool scale_and_flags = true;
    // Compact on one line (the export), or pretty as nlohmann's dump(2) prints
    // an object at the top level (the summary indents it further itself).
    bool pretty = false;
};
inline constexpr EntryJsonShape k_export_entry{};
inline constexpr EntryJsonShape k_summary_entry{false, false, true};

// Appends the entry's object; keys are fixed ASCII, and values are escaped
// byte for byte as nlohmann's dump() with error_handler_t::replace would.
void append_entry_json(std::string& out, const store::Entry& entry,
                       const EntryJsonShape& shape = k_export_entry);
// The export's object of one entry (the fields of SPEC §2), as a compact string.
std::string entry_json(const store::Entry& entry);
// "4 (1-5)", "talk a little", the text, or "(skipped)".
std::string answer_for_display(const store::Entry& entry);
// The same, with a scale answer in its prompt's words when the labels are known:
// "5 (very close)", or "4 on a scale from 1 (far apart) to 5 (very close)".
std::string answer_in_words(const store::Entry& entry, const WriterOptions& options);
// "2026-11-26 09:12" in the time zone the entry was written in.
std::string entry_when(const store::Entry& entry);
// Printable text with Markdown's special characters backslash-escaped.
std::string markdown_escape(std::string_view text);

} // namespace duet::report
