#include "duet/exchange/invitation.hpp"

#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace duet::exchange {

std::string_view joining_explained() {
    return "What joining would mean\n"
           "  duet is a private journal for each of us, with gentle prompts, if we want them.\n"
           "  Your journal is yours alone: it is encrypted with a passphrase only you know.\n"
           "  Every prompt can be skipped, always, with a single Enter.\n"
           "  Nothing you write is shared unless you choose to share that one entry,\n"
           "  and duet shows you exactly what would be shared before it goes.\n"
           "  You decide how much to take part: which prompts, how often, or not at all.\n"
           "\n"
           "It is completely fine to say no, or not now.\n";
}

std::string_view safety_note() {
    return "If there is fear, threats, violence or control in your relationship, duet and\n"
           "working on it together are not the right tools, and that is not your fault.\n"
           "You do not owe anyone your passphrase. A local domestic-abuse helpline (a\n"
           "doctor or a search for one near you will find it) can help you think it through.\n";
}

std::string clean_name(std::string_view name) {
    std::string one_line = util::trim(util::printable(name, false));
    if (one_line.size() > k_max_name) {
        one_line.resize(k_max_name);
        while (!one_line.empty() && !util::is_valid_utf8(one_line)) {
            one_line.pop_back(); // never cut a character in half
        }
    }
    return one_line;
}

namespace {

std::string quoted(const std::string& message) {
    std::string out;
    for (const std::string& line : util::split(message, '\n')) {
        out += "> " + line + "\n";
    }
    return out;
}

struct Fields {
    std::map<std::string, std::string> values;
    std::string message;
};

// The machine-readable top of both file kinds: "key: value" lines, then
// optionally "message:" followed by "> " lines; anything after a blank line is prose.
Fields parse_fields(std::string_view text, std::string_view first_line, const std::string& label) {
    if (text.size() > 64 * 1024) {
        throw DataError(fmt::format("{}:1: too large to be a duet {}", label, first_line));
    }
    if (!util::is_valid_utf8(text)) {
        throw DataError(fmt::format("{}:1: not UTF-8 text, so not a duet file", label));
    }
    const auto lines = util::split(text, '\n');
    if (lines.empty() || util::trim(lines[0]) != first_line) {
        throw DataError(fmt::format("{}:1: this is not a {} file (it should start with '{}')",
                                    label, first_line.substr(0, first_line.rfind(' ')),
                                    first_line));
    }
    Fields f;
    bool in_message = false;
    bool first_message_line = true;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string line = lines[i];
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (in_message && line.starts_with(">")) {
            f.message +=
                (first_message_line ? "" : "\n") + line.substr(line.starts_with("> ") ? 2 : 1);
            first_message_line = false;
            continue;
        }
        if (util::trim(line).empty()) {
            break;
        }
        in_message = false;
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            throw DataError(fmt::format("{}:{}: expected 'key: value'", label, i + 1));
        }
        const std::string key = util::trim(line.substr(0, colon));
        if (key == "message") {
            in_message = true;
            continue;
        }
        f.values[key] = util::trim(line.substr(colon + 1));
    }
    if (f.message.size() > k_max_note) {
        throw DataError(fmt::format("{}: the message is too long", label));
    }
    return f;
}

const std::string& require(const Fields& f, const char* key, const std::string& label) {
    const auto it = f.values.find(key);
    if (it == f.values.end() || it->second.empty()) {
        throw DataError(fmt::format("{}: the '{}' line is missing", label, key));
    }
    return it->second;
}

// An invitation id: 32 lowercase hex digits.
const std::string& require_id(const Fields& f, const char* key, const std::string& label) {
    const std::string& id = require(f, key, label);
    if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw DataError(fmt::format("{}: the invitation id is damaged", label));
    }
    return id;
}

} // namespace

namespace {

constexpr std::string_view k_invitation_mark = "-- duet invitation 1 --";
constexpr std::string_view k_decline_mark = "-- duet decline 1 --";
constexpr std::string_view k_note_heading = "Their note to you:";

std::string shown_name(const std::string& name) {
    const std::string clean = clean_name(name);
    return clean.empty() ? "your partner" : clean;
}

std::string capitalised(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') {
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    }
    return text;
}

// Files of the current layout end with a machine block: a mark line, then
// "key: value" lines. Returns the lines before the mark and the block's
// fields, or nullopt when there is no mark (an older layout).
struct Layout {
    std::vector<std::string> human;
    std::map<std::string, std::string> values;
};
std::optional<Layout> split_layout(std::string_view text, std::string_view mark,
                                   const std::string& label) {
    if (text.size() > 64 * 1024) {
        throw DataError(fmt::format("{}:1: too large to be a duet file", label));
    }
    if (!util::is_valid_utf8(text)) {
        throw DataError(fmt::format("{}:1: not UTF-8 text, so not a duet file", label));
    }
    std::vector<std::string> lines = util::split(text, '\n');
    for (std::string& line : lines) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
    }
    // The last mark counts: a note may quote anything, but the block comes last.
    std::size_t at = lines.size();
    for (std::size_t i = lines.size(); i-- > 0;) {
        if (lines[i] == mark) {
            at = i;
            break;
        }
    }
    if (at == lines.size()) {
        return std::nullopt;
    }
    Layout out;
    out.human.assign(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(at));
    for (std::size_t i = at + 1; i < lines.size(); ++i) {
        if (util::trim(lines[i]).empty()) {
            continue;
        }
        const auto colon = lines[i].find(':');
        if (colon == std::string::npos) {
            throw DataError(fmt::format("{}:{}: expected 'key: value'", label, i + 1));
        }
        out.values[util::trim(lines[i].substr(0, colon))] = util::trim(lines[i].substr(colon + 1));
    }
    return out;
}

std::string value_or_empty(const std::map<std::string, std::string>& values, const char* key) {
    const auto it = values.find(key);
    return it == values.end() ? "" : it->second;
}

std::string checked_id(const std::string& id, const std::string& label) {
    if (id.empty()) {
        throw DataError(fmt::format("{}: the invitation id is missing", label));
    }
    if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw DataError(fmt::format("{}: the invitation id is damaged", label));
    }
    return id;
}

PublicKey checked_key(const std::string& text, const std::string& label) {
    const auto key = from_base64(text);
    if (text.empty() || !key || key->size() != 32) {
        throw DataError(fmt::format("{}: the key in this invitation is {}", label,
                                    text.empty() ? "missing" : "damaged"));
    }
    return to_public_key(*key);
}

} // namespace

std::string render_invitation(const Invitation& inv) {
    const std::string name = shown_name(inv.from_name);
    std::string out = capitalised(name) + " would like to keep a duet journal alongside you.\n\n";
    if (!inv.message.empty()) {
        out += std::string(k_note_heading) + "\n" + quoted(inv.message) + "\n";
    }
    out += joining_explained();
    out += "\n";
    out += safety_note();
    out += "\nHow to answer, if and when you want to\n";
    out += "  duet invite accept THIS-FILE    to join, on your own terms\n";
    out += "  duet invite decline THIS-FILE   to say no; " + name +
           " sees only the words you choose\n";
    out += "  Or do nothing at all. There is no deadline, and duet will not remind you.\n";
    out += "\nOnce you are linked, `duet invite status` shows a safety code; compare it\n"
           "with " +
           name + " in person, so you both know the link is really with each other.\n";
    out += "\n" + std::string(k_invitation_mark) + "\n";
    out += "id: " + inv.id + "\n";
    out += "from: " + clean_name(inv.from_name) + "\n";
    if (!inv.date.empty()) {
        out += "date: " + inv.date + "\n";
    }
    out += "key: " + to_base64(inv.public_key) + "\n";
    return out;
}

Invitation parse_invitation(std::string_view text, const std::string& label) {
    const auto layout = split_layout(text, k_invitation_mark, label);
    if (!layout) {
        // The first layout: machine fields first, starting "duet invitation 1".
        const Fields f = parse_fields(text, "duet invitation 1", label);
        Invitation inv;
        inv.id = require_id(f, "id", label);
        inv.from_name = clean_name(require(f, "from", label));
        inv.date = f.values.count("date") ? f.values.at("date") : "";
        inv.public_key = checked_key(require(f, "key", label), label);
        inv.message = f.message;
        return inv;
    }
    Invitation inv;
    inv.id = checked_id(value_or_empty(layout->values, "id"), label);
    inv.from_name = clean_name(value_or_empty(layout->values, "from"));
    inv.date = value_or_empty(layout->values, "date");
    inv.public_key = checked_key(value_or_empty(layout->values, "key"), label);
    // The note: the "> " lines right after the heading.
    const auto& human = layout->human;
    const auto heading = std::find(human.begin(), human.end(), k_note_heading);
    if (heading != human.end()) {
        bool first = true;
        for (auto it = heading + 1; it != human.end() && it->starts_with(">"); ++it) {
            inv.message += (first ? "" : "\n") + it->substr(it->starts_with("> ") ? 2 : 1);
            first = false;
        }
    }
    if (inv.message.size() > k_max_note) {
        throw DataError(fmt::format("{}: the message is too long", label));
    }
    return inv;
}

std::string decline_text(DeclineKind kind, const std::string& own_words) {
    std::string out = kind == DeclineKind::not_now ? "Not now." : "No, thank you.";
    const std::string words = util::trim(own_words);
    if (!words.empty()) {
        out += "\n" + words;
    }
    return out;
}

std::string render_decline(const Decline& d) {
    std::string out = util::trim(d.message) + "\n\n";
    out += std::string(k_decline_mark) + "\n";
    out += "invitation: " + d.invitation_id + "\n";
    if (!d.date.empty()) {
        out += "date: " + d.date + "\n";
    }
    return out;
}

Decline parse_decline(std::string_view text, const std::string& label) {
    const auto layout = split_layout(text, k_decline_mark, label);
    Decline d;
    if (!layout) {
        // The first layout: fields first; the person's note, if any, was all they wrote.
        const Fields f = parse_fields(text, "duet decline 1", label);
        d.invitation_id = require_id(f, "invitation", label);
        d.date = f.values.count("date") ? f.values.at("date") : "";
        d.message = util::trim(f.message);
        if (d.message.empty()) {
            d.message = "No, thank you.";
        }
        return d;
    }
    d.invitation_id = checked_id(value_or_empty(layout->values, "invitation"), label);
    d.date = value_or_empty(layout->values, "date");
    std::string words;
    for (const std::string& line : layout->human) {
        words += line + "\n";
    }
    d.message = util::trim(words);
    if (d.message.size() > k_max_note) {
        throw DataError(fmt::format("{}: the answer is too long", label));
    }
    if (d.message.empty()) {
        throw DataError(fmt::format("{}: the answer is missing", label));
    }
    return d;
}

} // namespace duet::exchange
