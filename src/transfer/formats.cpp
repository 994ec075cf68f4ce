// Checking one record of jrnl's and Day One's exports and turning it into an
// entry; duet's own export is read in duet_format.cpp.
#include "duet/transfer/dayone.hpp"
#include "duet/transfer/zones.hpp"
#include "duet/util/dates.hpp"
#include "record.hpp"

#include <algorithm>

namespace duet::transfer {

namespace {

constexpr std::string_view k_imported_pack = "imported";

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
