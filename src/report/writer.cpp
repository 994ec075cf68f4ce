#include "duet/report/writer.hpp"

#include "duet/error.hpp"
#include "duet/report/html.hpp"
#include "duet/util/json_text.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace duet::report {

Format parse_format(std::string_view name) {
    if (name == "text") {
        return Format::text;
    }
    if (name == "markdown" || name == "md") {
        return Format::markdown;
    }
    if (name == "json") {
        return Format::json;
    }
    if (name == "html") {
        return Format::html;
    }
    throw UsageError(fmt::format("unknown format '{}' (use text, markdown, json or html)", name));
}

std::string answer_for_display(const store::Entry& e) {
    if (e.skipped || !e.answer) {
        return "(skipped)";
    }
    if (e.kind == "scale" && e.value) {
        return fmt::format("{} (on a scale of {} to {})", *e.value, e.scale_min, e.scale_max);
    }
    return *e.answer;
}

std::string answer_in_words(const store::Entry& e, const WriterOptions& o) {
    if (e.skipped || !e.answer || e.kind != "scale" || !e.value) {
        return answer_for_display(e);
    }
    const auto it = o.scale_labels.find(e.pack + "/" + e.prompt_id);
    if (it == o.scale_labels.end() || (it->second.low.empty() && it->second.high.empty())) {
        return answer_for_display(e);
    }
    const ScaleLabels& l = it->second;
    if (*e.value == e.scale_min && !l.low.empty()) {
        return fmt::format("{} ({})", *e.value, l.low);
    }
    if (*e.value == e.scale_max && !l.high.empty()) {
        return fmt::format("{} ({})", *e.value, l.high);
    }
    const auto end = [](int v, const std::string& label) {
        return label.empty() ? std::to_string(v) : fmt::format("{} ({})", v, label);
    };
    return fmt::format("{} on a scale from {} to {}", *e.value, end(e.scale_min, l.low),
                       end(e.scale_max, l.high));
}

namespace {

// The members of one JSON object, each "key": value, compact or laid out as
// nlohmann's dump(2) does (two spaces a level; an empty object stays "{}").
class JsonObject {
  public:
    JsonObject(std::string& out, bool pretty, int depth = 0)
        : m_out(out), m_pretty(pretty), m_depth(depth) {
        m_out += '{';
    }
    // Opens the member; its value is appended next. Keys are fixed ASCII.
    // Composed on the stack and appended at once: exports call this about
    // fifteen times per entry. Keys are short fixed ASCII.
    std::string& key(std::string_view name) {
        std::array<char, 96> buf{};
        const std::size_t indent =
            m_pretty ? std::min<std::size_t>(2 * static_cast<std::size_t>(m_depth + 1), 32) : 0;
        const std::string_view shown = name.substr(0, 48);
        char* p = buf.data();
        if (!m_first) {
            *p++ = ',';
        }
        if (m_pretty) {
            *p++ = '\n';
            p = std::fill_n(p, indent, ' ');
        }
        *p++ = '"';
        p = std::copy(shown.begin(), shown.end(), p);
        *p++ = '"';
        *p++ = ':';
        if (m_pretty) {
            *p++ = ' ';
        }
        m_out.append(buf.data(), static_cast<std::size_t>(p - buf.data()));
        m_first = false;
        return m_out;
    }
    void text(std::string_view name, std::string_view value) {
        util::append_json_string(key(name), value);
    }
    void integer(std::string_view name, std::int64_t value) {
        util::append_json_int(key(name), value);
    }
    void boolean(std::string_view name, bool value) { util::append_json_bool(key(name), value); }
    // A member whose value is an object one level deeper.
    JsonObject object(std::string_view name) {
        key(name);
        return JsonObject(m_out, m_pretty, m_depth + 1);
    }
    void close() {
        if (m_pretty && !m_first) {
            m_out += '\n';
            m_out.append(static_cast<std::size_t>(2 * m_depth), ' ');
        }
        m_out += '}';
    }

  private:
    std::string& m_out;
    bool m_pretty;
    int m_depth;
    bool m_first = true;
};

} // namespace

// Invalid UTF-8 cannot come from duet itself; it is replaced rather than failing an export.
void append_entry_json(std::string& out, const store::Entry& e, const EntryJsonShape& shape) {
    JsonObject o(out, shape.pretty);
    o.integer("id", e.id);
    o.text("created_at", util::format_iso8601(e.created_at));
    o.text("day", util::format_day(e.day));
    o.text("pack", e.pack);
    o.text("prompt_id", e.prompt_id);
    o.text("prompt", e.prompt_text);
    o.text("kind", e.kind);
    const bool hide_answer = shape.skipped_answer_null && e.skipped;
    if (!shape.skipped_answer_null) {
        o.text("answer", e.answer ? std::string_view(*e.answer) : std::string_view());
    } else if (e.answer && !hide_answer) {
        o.text("answer", *e.answer);
    } else {
        o.key("answer") += "null";
    }
    if (e.value && !hide_answer) {
        o.integer("value", *e.value);
    }
    if (shape.scale_and_flags) {
        if (e.kind == "scale") {
            JsonObject scale = o.object("scale");
            scale.integer("min", e.scale_min);
            scale.integer("max", e.scale_max);
            scale.close();
        }
        o.boolean("skipped", e.skipped);
        o.boolean("for_session", e.for_session);
        o.boolean("together", e.together);
        o.boolean("imported", e.imported);
    }
    o.text("author", e.author == store::Author::me ? "me" : "partner");
    o.close();
}

std::string entry_json(const store::Entry& e) {
    std::string out;
    append_entry_json(out, e);
    return out;
}

std::string entry_when(const store::Entry& e) {
    const std::string iso = util::format_iso8601(e.created_at);
    return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string markdown_escape(std::string_view s) {
    std::string out;
    for (char c : util::printable(s)) {
        if (std::string_view("\\`*_{}[]<>#|").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

namespace {

constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr std::string_view k_reset = "\x1b[0m";

class TextWriter : public EntryWriter {
  public:
    TextWriter(std::ostream& out, const WriterOptions& o) : m_out(out), m_opt(o) {}

    void write(const store::Entry& e) override {
        if (m_count++ > 0) {
            m_out << '\n';
        }
        const std::string style = m_opt.color ? std::string(k_bold) : "";
        const std::string reset = m_opt.color ? std::string(k_reset) : "";
        const std::string dim = m_opt.color ? std::string(k_dim) : "";
        std::string head =
            fmt::format("#{}  {}  {}/{}", e.id, entry_when(e), util::printable(e.pack, false),
                        util::printable(e.prompt_id, false));
        if (e.author == store::Author::partner) {
            head += "  · from your partner";
        }
        if (e.for_session) {
            head += "  · for session";
        }
        if (e.imported) {
            head += "  · imported";
        }
        m_out << style << head << reset << '\n';
        m_out << dim << util::wrap(util::printable(e.prompt_text), m_opt.width, "    ") << reset;
        m_out << util::wrap(util::printable(answer_for_display(e)), m_opt.width, "    ");
    }

    void end() override {
        if (m_count == 0) {
            m_out << "No entries to show.\n";
        }
        m_out.flush();
    }

  private:
    std::ostream& m_out;
    WriterOptions m_opt;
    std::size_t m_count = 0;
};

class MarkdownWriter : public EntryWriter {
  public:
    explicit MarkdownWriter(std::ostream& out) : m_out(out) {}
    void begin() override { m_out << "# duet journal\n"; }
    void write(const store::Entry& e) override {
        ++m_count;
        m_out << fmt::format("\n## #{} · {} · {}/{}{}{}\n\n", e.id, entry_when(e),
                             markdown_escape(e.pack), markdown_escape(e.prompt_id),
                             e.author == store::Author::partner ? " · from my partner" : "",
                             e.for_session ? " · for session" : "");
        m_out << "> " << markdown_escape(e.prompt_text) << "\n\n";
        std::string answer = markdown_escape(answer_for_display(e));
        // Keep paragraphs apart and single line breaks visible.
        std::string rendered;
        for (char c : answer) {
            rendered += c == '\n' ? std::string("  \n") : std::string(1, c);
        }
        m_out << rendered << "\n";
    }
    void end() override {
        if (m_count == 0) {
            m_out << "\nNo entries to show.\n";
        }
        m_out.flush();
    }

  private:
    std::ostream& m_out;
    std::size_t m_count = 0;
};

class JsonWriter : public EntryWriter {
  public:
    explicit JsonWriter(std::ostream& out) : m_out(out) {}
    void begin() override { m_out << "{\"format\":\"duet-export\",\"version\":1,\"entries\":["; }
    void write(const store::Entry& e) override {
        // One buffer for all entries: clear() keeps its capacity, so long exports allocate
        // only while it grows to the largest entry.
        m_buffer.clear();
        m_buffer += m_count++ == 0 ? "\n" : ",\n";
        append_entry_json(m_buffer, e);
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
    }
    void end() override {
        m_out << (m_count == 0 ? "]}\n" : "\n]}\n");
        m_out.flush();
    }

  private:
    std::ostream& m_out;
    std::size_t m_count = 0;
    std::string m_buffer;
};

} // namespace

std::unique_ptr<EntryWriter> make_writer(Format format, std::ostream& out,
                                         const WriterOptions& options) {
    switch (format) {
    case Format::markdown:
        return std::make_unique<MarkdownWriter>(out);
    case Format::json:
        return std::make_unique<JsonWriter>(out);
    case Format::html:
        return make_html_writer(out);
    case Format::text:
        break;
    }
    return std::make_unique<TextWriter>(out, options);
}

} // namespace duet::report
