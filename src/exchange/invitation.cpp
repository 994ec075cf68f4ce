#include "duet/exchange/invitation.hpp"

#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <map>

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

std::string render_invitation(const Invitation& inv) {
    std::string out = "duet invitation 1\n";
    out += "id: " + inv.id + "\n";
    out += "from: " + clean_name(inv.from_name) + "\n";
    out += "date: " + inv.date + "\n";
    out += "key: " + to_base64(inv.public_key) + "\n";
    if (!inv.message.empty()) {
        out += "message:\n" + quoted(inv.message);
    }
    const std::string name = clean_name(inv.from_name);
    out += "\n";
    out += name + " would like to keep a duet journal alongside you.\n\n";
    if (!inv.message.empty()) {
        out += "Their note to you is above, after \"message:\".\n\n";
    }
    out += joining_explained();
    out += "\nHow to answer, if and when you want to\n";
    out += "  duet invite accept THIS-FILE    to join, on your own terms\n";
    out += "  duet invite decline THIS-FILE   to say no; " + name + " sees a short, kind note\n";
    out += "  Or do nothing at all. There is no deadline, and duet will not remind you.\n";
    out += "\nOnce you are linked, `duet invite status` shows a short safety code;\ncompare it "
           "with " +
           name + " in person to be sure your link is really with each other.\n";
    return out;
}

Invitation parse_invitation(std::string_view text, const std::string& label) {
    const Fields f = parse_fields(text, "duet invitation 1", label);
    Invitation inv;
    inv.id = require_id(f, "id", label);
    inv.from_name = clean_name(require(f, "from", label));
    inv.date = f.values.count("date") ? f.values.at("date") : "";
    const auto key = from_base64(require(f, "key", label));
    if (!key || key->size() != 32) {
        throw DataError(fmt::format("{}: the key in this invitation is damaged", label));
    }
    inv.public_key = to_public_key(*key);
    inv.message = f.message;
    return inv;
}

std::string render_decline(const Decline& d) {
    std::string out = "duet decline 1\n";
    out += "invitation: " + d.invitation_id + "\n";
    out += "date: " + d.date + "\n";
    if (!d.message.empty()) {
        out += "message:\n" + quoted(d.message);
    }
    out += "\nThank you for the invitation. The answer, for now, is no.\n"
           "That is a choice duet respects, and it need not be the last word between you.\n";
    return out;
}

Decline parse_decline(std::string_view text, const std::string& label) {
    const Fields f = parse_fields(text, "duet decline 1", label);
    Decline d;
    d.invitation_id = require_id(f, "invitation", label);
    d.date = f.values.count("date") ? f.values.at("date") : "";
    d.message = f.message;
    return d;
}

} // namespace duet::exchange
