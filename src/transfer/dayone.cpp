// Day One's Markdown and rich text, read as plain words.
#include "duet/transfer/dayone.hpp"

#include "duet/transfer/import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace duet::transfer {

namespace {

constexpr std::string_view k_moment = "dayone-moment:";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_ascii_punctuation(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

// What stands in the text for a piece of media Day One keeps beside it.
std::string_view media_label(std::string_view kind) {
    if (kind == "photo") {
        return "[photo]";
    }
    if (kind == "video") {
        return "[video]";
    }
    if (kind == "audio") {
        return "[audio]";
    }
    if (kind == "pdfAttachment" || kind == "pdf") {
        return "[PDF]";
    }
    return "[attachment]";
}

// "dayone-moment://ID" is a photo; "dayone-moment:/video/ID" and the like say their kind.
std::string_view moment_label(std::string_view target) {
    std::string_view rest = target.substr(k_moment.size());
    if (rest.substr(0, 2) == "//") {
        return media_label("photo");
    }
    rest.remove_prefix(std::min<std::size_t>(1, rest.size()));
    const std::size_t slash = rest.find('/');
    return media_label(slash == std::string_view::npos ? "" : rest.substr(0, slash));
}

// At `i`, "![alt](dayone-moment:...)": its length and label, or 0.
std::size_t placeholder_at(std::string_view s, std::size_t i, std::string_view& label) {
    if (s.substr(i, 2) != "![") {
        return 0;
    }
    const std::size_t close = s.find_first_of("]\n", i + 2);
    if (close == std::string_view::npos || s[close] != ']' || s.substr(close + 1, 1) != "(" ||
        s.substr(close + 2, k_moment.size()) != k_moment) {
        return 0;
    }
    const std::size_t target = close + 2;
    const std::size_t end = s.find_first_of(") \t\n", target);
    if (end == std::string_view::npos || s[end] != ')') {
        return 0;
    }
    label = moment_label(s.substr(target, end - target));
    return end + 1 - i;
}

// A fence line of a code block: up to three spaces, then ``` or ~~~.
std::string_view fence_of(std::string_view line) {
    std::size_t i = 0;
    while (i < 3 && i < line.size() && line[i] == ' ') {
        ++i;
    }
    for (std::string_view fence : {"```", "~~~"}) {
        if (line.substr(i, 3) == fence) {
            return fence;
        }
    }
    return {};
}

bool words_in(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return !is_blank(c); });
}

// One line outside code blocks: placeholders, code spans and escapes.
void read_line(std::string_view line, DayOneText& out) {
    std::size_t i = 0;
    while (i < line.size()) {
        const char c = line[i];
        std::string_view label;
        if (const std::size_t n = placeholder_at(line, i, label); n > 0) {
            out.text += label;
            i += n;
        } else if (c == '`') {
            // A code span keeps its backslashes; it ends at a run of as many backticks.
            std::size_t run = 1;
            while (i + run < line.size() && line[i + run] == '`') {
                ++run;
            }
            const std::string ticks(run, '`');
            std::size_t close = line.find(ticks, i + run);
            while (close != std::string_view::npos && close + run < line.size() &&
                   line[close + run] == '`') {
                close = line.find(ticks, close + run + 1);
            }
            const std::size_t end = close == std::string_view::npos ? i + run : close + run;
            out.text += line.substr(i, end - i);
            out.has_words = out.has_words || words_in(line.substr(i, end - i));
            i = end;
        } else if (c == '\\' && i + 1 < line.size() && is_ascii_punctuation(line[i + 1])) {
            out.text += line[i + 1];
            out.has_words = true;
            i += 2;
        } else {
            out.text += c;
            out.has_words = out.has_words || !is_blank(c);
            ++i;
        }
    }
}

void trim_end(std::string& s) {
    while (!s.empty() && is_blank(s.back())) {
        s.pop_back();
    }
}

} // namespace

DayOneText dayone_markdown_text(std::string_view markdown) {
    DayOneText out;
    out.text.reserve(markdown.size());
    std::string_view fence; // the open code block's fence, if any
    std::size_t start = 0;
    while (start <= markdown.size()) {
        const std::size_t nl = markdown.find('\n', start);
        const std::size_t end = nl == std::string_view::npos ? markdown.size() : nl;
        std::string_view line = markdown.substr(start, end - start);
        const std::string_view this_fence = fence_of(line);
        if (!fence.empty() || !this_fence.empty()) {
            // Inside a code block, or its fence: as written.
            out.text += line;
            out.has_words = out.has_words || words_in(line);
            if (fence.empty()) {
                fence = this_fence;
            } else if (this_fence == fence) {
                fence = {};
            }
        } else if (!line.empty() && line.back() == '\\' && nl != std::string_view::npos) {
            // A backslash ending a line is Markdown's line break: the newline is enough.
            line.remove_suffix(1);
            read_line(line, out);
        } else {
            read_line(line, out);
        }
        if (nl == std::string_view::npos) {
            break;
        }
        out.text += '\n';
        start = nl + 1;
    }
    return out;
}

std::optional<DayOneText> dayone_rich_text(std::string_view rich) {
    using nlohmann::json;
    // Nested no deeper than an export may be.
    const json::parser_callback_t depth = [](int level, json::parse_event_t, json&) {
        return level <= k_max_import_depth;
    };
    const json doc = json::parse(rich.begin(), rich.end(), depth, false);
    if (!doc.is_object()) {
        return std::nullopt;
    }
    const auto contents = doc.find("contents");
    if (contents == doc.end() || !contents->is_array()) {
        return std::nullopt;
    }
    DayOneText out;
    const auto own_line = [&out](std::string_view label) {
        if (!out.text.empty() && out.text.back() != '\n') {
            out.text += '\n';
        }
        out.text += label;
        out.text += '\n';
    };
    for (const json& part : *contents) {
        if (!part.is_object()) {
            continue;
        }
        if (const auto text = part.find("text"); text != part.end() && text->is_string()) {
            const auto& words = text->get_ref<const std::string&>();
            out.text += words;
            out.has_words = out.has_words || words_in(words);
        }
        if (const auto objects = part.find("embeddedObjects");
            objects != part.end() && objects->is_array()) {
            for (const json& object : *objects) {
                const auto type = object.is_object() ? object.find("type") : object.end();
                if (object.is_object() && type != object.end() && type->is_string()) {
                    own_line(media_label(type->get_ref<const std::string&>()));
                } else {
                    own_line(media_label(""));
                }
            }
        }
    }
    trim_end(out.text);
    return out;
}

} // namespace duet::transfer
