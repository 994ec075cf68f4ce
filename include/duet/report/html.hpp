#pragma once
// Self-contained HTML5 output: one file with its style sheet inline, no
// scripts and no external resources, readable on screen and on paper.
#include "duet/report/writer.hpp"

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace duet::report {

struct Summary;

// Printable text (control characters made visible) with & < > " ' escaped;
// safe both between tags and inside quoted attribute values.
std::string html_escape(std::string_view text);

// The document up to and including the opening <main>, and from </main> on.
void html_begin(std::ostream& out, std::string_view title);
void html_end(std::ostream& out);

// One <article> for the entry; session_tag false leaves out its "for session" tag.
// answer: the answer as shown (default: answer_for_display).
std::string html_entry(const store::Entry& entry, bool session_tag = true,
                       const std::string& answer = {});

std::unique_ptr<EntryWriter> make_html_writer(std::ostream& out);

// The pre-session summary as a whole document, charts as inline SVG.
void write_summary_html(const Summary& summary, std::ostream& out,
                        const WriterOptions& options = {});

} // namespace duet::report
