// Checking one record of duet's own JSON export and turning it into an entry.
#include "duet/store/entry.hpp"
#include "duet/util/dates.hpp"
#include "record.hpp"

namespace duet::transfer {

namespace {

// When the entry was written, and the day it belongs to.
void read_when(const Record& r, store::Entry& e) {
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
}

// A scale's range, and a value inside it.
void read_scale(const Record& r, store::Entry& e) {
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
}

// The answer, and the value a scale or a choice holds.
void read_answer(const Record& r, store::Entry& e) {
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
        read_scale(r, e);
    } else if (e.kind == "choice" && e.value && *e.value < 1) {
        r.fail("\"value\" should be an option number from 1");
    } else if (e.kind == "text") {
        e.value.reset();
    }
    if (e.skipped) {
        e.value.reset();
    }
}

// Equal for entries that store::content_identity finds equal, and cheaper.
std::uint64_t fingerprint(const store::Entry& kept) {
    return Fingerprint()
        .add(kept.created_at.seconds)
        .add(kept.pack)
        .add(kept.prompt_id)
        .add(std::int64_t{kept.skipped || !kept.answer})
        .add(kept.skipped || !kept.answer ? std::string_view() : std::string_view(*kept.answer))
        .value();
}

} // namespace

void add_duet(const Record& r, Identities identities, ImportBatch& batch) {
    store::Entry e;
    read_when(r, e);
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
    read_answer(r, e);
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
    item.fingerprint = fingerprint(item.entry);
    batch.entries.push_back(std::move(item));
}

} // namespace duet::transfer
