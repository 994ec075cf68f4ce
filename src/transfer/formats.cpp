// Checking one record of each export format and turning it into an entry.
#include "formats.hpp"

#include "duet/crypto/aead.hpp"
#include "duet/error.hpp"
#include "duet/transfer/dayone.hpp"
#include "duet/transfer/zones.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <optional>

namespace duet::transfer {

using nlohmann::json;

namespace {

constexpr std::string_view k_imported_pack = "imported";

// A value from the file, safe and short enough to quote in a message.
std::string shown(std::string_view s) {
    std::string visible = util::printable(s.substr(0, 40), false);
    return "\"" + visible + (s.size() > 40 ? "...\"" : "\"");
}

std::string hash_hex(std::string_view canonical) {
    return crypto::to_hex(crypto::keyed_hash({}, crypto::as_bytes(canonical), 32));
}

// FNV-1a over length-prefixed fields: cheap, and equal for equal identities.
class Fingerprint {
  public:
    Fingerprint& add(std::string_view s) {
        add(static_cast<std::int64_t>(s.size()));
        for (char c : s) {
            byte(static_cast<unsigned char>(c));
        }
        return *this;
    }
    Fingerprint& add(std::int64_t v) {
        for (int i = 0; i < 8; ++i) {
            byte(static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i)));
        }
        return *this;
    }
    std::uint64_t value() const { return m_h; }

  private:
    void byte(unsigned char b) {
        m_h ^= b;
        m_h *= 0x100000001b3ULL;
    }
    std::uint64_t m_h = 0xcbf29ce484222325ULL;
};

// One record of the entries array, with checked accessors that name the entry on failure.
class Record {
  public:
    Record(const json& j, std::string_view file, std::size_t number)
        : m_j(j), m_file(file), m_number(number) {}

    [[noreturn]] void fail(std::string_view why) const {
        throw DataError(fmt::format("{}: entry {}: {}", m_file, m_number, why));
    }

    const json* find(const char* key) const {
        const auto it = m_j.find(key);
        return it == m_j.end() ? nullptr : &*it;
    }

    const json& need(const char* key) const {
        const json* v = find(key);
        if (v == nullptr) {
            fail(fmt::format("\"{}\" is missing", key));
        }
        return *v;
    }

    std::string text(const char* key) const { return checked_text(key, need(key)); }

    std::string nonempty_text(const char* key) const {
        std::string s = text(key);
        if (util::trim(s).empty()) {
            fail(fmt::format("\"{}\" is empty", key));
        }
        return s;
    }

    // Absent or null: nullopt.
    std::optional<std::string> text_or_null(const char* key) const {
        const json* v = find(key);
        if (v == nullptr || v->is_null()) {
            return std::nullopt;
        }
        return checked_text(key, *v);
    }

    bool flag(const char* key, std::optional<bool> fallback = std::nullopt) const {
        const json* v = find(key);
        if (v == nullptr && fallback) {
            return *fallback;
        }
        const json& value = v != nullptr ? *v : need(key);
        if (!value.is_boolean()) {
            fail(fmt::format("\"{}\" should be true or false, not {}", key, value.type_name()));
        }
        return value.get<bool>();
    }

    int integer(const char* key, const json& v) const {
        if (!v.is_number_integer() || v.get<std::int64_t>() < INT_MIN ||
            v.get<std::int64_t>() > INT_MAX) {
            fail(fmt::format("\"{}\" should be a whole number, not {}", key,
                             v.is_number() ? "that number" : v.type_name()));
        }
        return static_cast<int>(v.get<std::int64_t>());
    }

    // Fields duet does not keep are still checked, so a damaged file is noticed.
    void optional_text(const char* key) const {
        if (const json* v = find(key); v != nullptr && !v->is_null()) {
            checked_text(key, *v);
        }
    }

    void optional_text_list(const char* key) const {
        const json* v = find(key);
        if (v == nullptr || v->is_null()) {
            return;
        }
        if (!v->is_array()) {
            fail(fmt::format("\"{}\" should be a list of text, not {}", key, v->type_name()));
        }
        for (const json& item : *v) {
            checked_text(key, item);
        }
    }

  private:
    std::string checked_text(const char* key, const json& v) const {
        if (!v.is_string()) {
            fail(fmt::format("\"{}\" should be text, not {}", key, v.type_name()));
        }
        const auto& s = v.get_ref<const std::string&>();
        if (!util::is_valid_utf8(s)) {
            fail(fmt::format("\"{}\" is not valid UTF-8 text", key));
        }
        if (s.size() > k_max_text_size) {
            fail(fmt::format("\"{}\" is over 1 MiB, more than duet keeps in one entry", key));
        }
        return s;
    }

    const json& m_j;
    std::string_view m_file;
    std::size_t m_number;
};

store::Entry imported_entry(ImportFormat format, std::string prompt_text, std::string answer) {
    store::Entry e;
    e.pack = std::string(k_imported_pack);
    e.prompt_id = std::string(format_id(format));
    e.prompt_text = std::move(prompt_text);
    e.kind = "text";
    e.answer = std::move(answer);
    e.imported = true;
    e.source = std::string(format_id(format));
    return e;
}

// jrnl splits an entry into its first sentence (title) and the rest (body). The
// title stands where a prompt would, so review reads like jrnl; a lone title is the answer.
void add_jrnl(const Record& r, Identities identities, ImportBatch& batch) {
    const std::string title = r.text("title");
    const std::string body = r.text("body");
    const std::string date = r.text("date");
    const std::string time = r.text("time");
    r.flag("starred", false);
    r.optional_text_list("tags"); // jrnl's tags are words of the text itself
    const auto day = util::parse_day(date);
    if (!day) {
        r.fail(fmt::format("\"date\" should be a day like 2024-01-05, not {}", shown(date)));
    }
    // The wall-clock reading, as if it were UTC: jrnl writes no zone.
    const auto clock = time.size() == 5 || time.size() == 8
                           ? util::parse_iso8601(date + "T" + time + "Z")
                           : std::nullopt;
    if (!clock) {
        r.fail(fmt::format("\"time\" should be a time like 20:14, not {}", shown(time)));
    }
    const std::string head = util::trim(title);
    const std::string rest = util::trim(body);
    if (head.empty() && rest.empty()) {
        ++batch.empty_entries;
        return;
    }
    const std::string generic = "Imported from jrnl";
    store::Entry e = head.empty()   ? imported_entry(ImportFormat::jrnl, generic, rest)
                     : rest.empty() ? imported_entry(ImportFormat::jrnl, generic, head)
                                    : imported_entry(ImportFormat::jrnl, head, rest);
    // The writer's local time is this machine's: the entry shows the time jrnl
    // shows, even one the clocks skipped (see from_wall_clock).
    e.created_at = from_wall_clock(clock->seconds, machine_offset_at);
    e.day = *day;
    ImportedEntry item{std::move(e), {}};
    if (identities == Identities::compute) {
        item.identity = "jrnl:" + hash_hex(json::array({date, time, title, body}).dump());
    }
    item.fingerprint = Fingerprint().add(date).add(time).add(title).add(body).value();
    batch.entries.push_back(std::move(item));
}

bool is_dayone_uuid(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               c == '-';
    });
}

// The words of a Day One entry: its Markdown "text", or else its "richText".
DayOneText dayone_words(const Record& r) {
    DayOneText words;
    if (const auto text = r.text_or_null("text")) {
        words = dayone_markdown_text(*text);
    }
    if (words.has_words) {
        // Not needed, so only its kind is checked: rich text can be far longer than its words.
        if (const json* rich = r.find("richText");
            rich != nullptr && !rich->is_null() && !rich->is_string()) {
            r.fail(fmt::format("\"richText\" should be text, not {}", rich->type_name()));
        }
    } else if (const auto rich = r.text_or_null("richText")) {
        auto from_rich = dayone_rich_text(*rich);
        if (!from_rich) {
            r.fail("\"richText\" is not Day One's rich text (a JSON document with \"contents\")");
        }
        words = std::move(*from_rich);
    }
    words.text = util::trim(words.text);
    return words;
}

// Day One keeps tags beside the text; duet has no tags, so they end the text.
void add_tags_line(const Record& r, std::string& answer) {
    const json* tags = r.find("tags");
    if (tags == nullptr || !tags->is_array()) {
        return;
    }
    std::string line;
    for (const json& tag : *tags) {
        const std::string name = util::trim(tag.get_ref<const std::string&>());
        if (!name.empty()) {
            line += (line.empty() ? "Tags: " : ", ") + name;
        }
    }
    if (!line.empty()) {
        answer += "\n\n" + line;
    }
}

// Day One stores the instant in UTC and the writer's zone by name. duet keeps
// the instant and shows it on the writer's clock, so the entry belongs to the
// writer's day; without a zone this machine knows, on this machine's clock.
void add_dayone(const Record& r, Identities identities, ImportBatch& batch) {
    const std::string uuid = r.text("uuid");
    const std::string created = r.text("creationDate");
    const auto zone_name = r.text_or_null("timeZone");
    r.flag("starred", false);
    r.optional_text_list("tags");
    if (!is_dayone_uuid(uuid)) {
        r.fail(fmt::format("\"uuid\" is not a Day One entry id: {}", shown(uuid)));
    }
    const auto at = created.size() > 10 ? util::parse_iso8601(created) : std::nullopt;
    if (!at) {
        r.fail(fmt::format("\"creationDate\" should be a date and time like "
                           "2024-01-05T20:14:03Z, not {}",
                           shown(created)));
    }
    DayOneText words = dayone_words(r);
    if (!words.has_words) {
        ++batch.empty_entries;
        return;
    }
    add_tags_line(r, words.text);
    if (words.text.size() > k_max_text_size) {
        r.fail("its text is over 1 MiB, more than duet keeps in one entry");
    }
    store::Entry e =
        imported_entry(ImportFormat::dayone, "Imported from Day One", std::move(words.text));
    const auto zone = zone_name ? Zone::named(*zone_name) : nullptr;
    const std::int32_t offset =
        zone ? zone->offset_at(at->seconds) : machine_offset_at(at->seconds);
    e.created_at = {at->seconds, offset};
    e.day = util::local_day(e.created_at);
    ImportedEntry item{std::move(e), {}};
    if (identities == Identities::compute) {
        item.identity = "dayone:" + uuid;
    }
    item.fingerprint = Fingerprint().add(uuid).value();
    batch.entries.push_back(std::move(item));
}

void add_duet(const Record& r, Identities identities, ImportBatch& batch) {
    if (const json* id = r.find("id"); id != nullptr && !id->is_number_integer()) {
        r.fail(fmt::format("\"id\" should be a whole number, not {}", id->type_name()));
    }
    const std::string created = r.text("created_at");
    const auto at = util::parse_iso8601(created);
    if (!at) {
        r.fail(fmt::format("\"created_at\" should be a date and time like "
                           "2024-01-05T20:14:03+01:00, not {}",
                           shown(created)));
    }
    store::Entry e;
    e.created_at = *at;
    e.day = util::local_day(*at);
    if (const auto day_text = r.text_or_null("day")) {
        const auto day = util::parse_day(*day_text);
        if (!day) {
            r.fail(
                fmt::format("\"day\" should be a day like 2024-01-05, not {}", shown(*day_text)));
        }
        e.day = *day;
    }
    e.pack = r.nonempty_text("pack");
    e.prompt_id = r.nonempty_text("prompt_id");
    e.prompt_text = r.text("prompt");
    e.kind = r.text("kind");
    if (e.kind != "text" && e.kind != "scale" && e.kind != "choice") {
        r.fail(fmt::format("\"kind\" should be text, scale or choice, not {}", shown(e.kind)));
    }
    e.skipped = r.flag("skipped");
    e.for_session = r.flag("for_session");
    // Importing never shares: a mutual reveal is offered again only by `reflect --together`.
    r.flag("together", false);
    r.flag("imported", false);
    const std::string author = r.text("author");
    if (author != "me" && author != "partner") {
        r.fail(fmt::format("\"author\" should be \"me\" or \"partner\", not {}", shown(author)));
    }
    const auto answer = r.text_or_null("answer");
    if (e.skipped && answer) {
        r.fail("the entry is marked skipped but has an answer");
    }
    if (!e.skipped && (!answer || util::trim(*answer).empty())) {
        r.fail("\"answer\" is missing or empty, but the entry is not marked skipped");
    }
    e.answer = answer;
    const json* value = r.find("value");
    if (value != nullptr && !value->is_null()) {
        e.value = r.integer("value", *value);
    }
    if (e.kind == "scale") {
        const json& scale = r.need("scale");
        if (!scale.is_object() || !scale.contains("min") || !scale.contains("max")) {
            r.fail("\"scale\" should be an object with \"min\" and \"max\"");
        }
        e.scale_min = r.integer("scale.min", scale["min"]);
        e.scale_max = r.integer("scale.max", scale["max"]);
        if (e.scale_min >= e.scale_max) {
            r.fail("\"scale\" should have \"min\" below \"max\"");
        }
        // As in prompt packs: at most 101 steps, so charts stay meaningful and small.
        if (static_cast<std::int64_t>(e.scale_max) - e.scale_min > 100) {
            r.fail(fmt::format("\"scale\" from {} to {} has more than 101 steps", e.scale_min,
                               e.scale_max));
        }
        if (!e.skipped && (!e.value || *e.value < e.scale_min || *e.value > e.scale_max)) {
            r.fail(fmt::format("\"value\" should be a whole number from {} to {}", e.scale_min,
                               e.scale_max));
        }
    } else if (e.kind == "choice" && e.value && *e.value < 1) {
        r.fail("\"value\" should be an option number from 1");
    } else if (e.kind == "text") {
        e.value.reset();
    }
    if (e.skipped) {
        e.value.reset();
    }
    if (author == "partner") {
        ++batch.partner_entries;
        return;
    }
    e.imported = true;
    e.source = "duet";
    // The same identity the journal records for its own entries (see
    // store::content_identity), so importing a journal's own export adds nothing.
    ImportedEntry item{std::move(e), {}};
    if (identities == Identities::compute) {
        item.identity = store::content_identity(item.entry);
    }
    const store::Entry& kept = item.entry;
    item.fingerprint =
        Fingerprint()
            .add(kept.created_at.seconds)
            .add(kept.pack)
            .add(kept.prompt_id)
            .add(std::int64_t{kept.skipped || !kept.answer})
            .add(kept.skipped || !kept.answer ? std::string_view() : std::string_view(*kept.answer))
            .value();
    batch.entries.push_back(std::move(item));
}

} // namespace

void add_record(ImportFormat format, const json& record, std::string_view name, std::size_t number,
                Identities identities, ImportBatch& batch) {
    const Record r(record, name, number);
    if (!record.is_object()) {
        r.fail(fmt::format("should be an object, not {}", record.type_name()));
    }
    switch (format) {
    case ImportFormat::duet:
        add_duet(r, identities, batch);
        break;
    case ImportFormat::jrnl:
        add_jrnl(r, identities, batch);
        break;
    case ImportFormat::dayone:
        add_dayone(r, identities, batch);
        break;
    }
}

} // namespace duet::transfer
