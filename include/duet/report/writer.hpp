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

// The JSON object of one entry (the fields of SPEC §2), as a compact string.
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
