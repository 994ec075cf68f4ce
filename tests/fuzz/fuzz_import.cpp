// `reflect --import` reads files written by other programs (or by no program at
// all). Checking must turn any bytes into a CheckedImport or a DataError that
// names the file; the entries it checked must then all come back, oldest first.
// Anything else escaping, or a crash, is a bug.
#include "check.hpp"

#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/transfer/import.hpp"
#include "duet/transfer/zones.hpp"
#include "duet/util/text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

using duet::fuzz::require;
namespace transfer = duet::transfer;

namespace {

void check_batch(const transfer::ImportBatch& batch) {
    const std::string_view source = transfer::format_id(batch.format);
    for (std::size_t i = 0; i < batch.entries.size(); ++i) {
        const auto& item = batch.entries[i];
        const auto& entry = item.entry;
        require(!item.identity.empty(), "every imported entry has an identity");
        require(item.occurrence >= 1 && (item.occurrence == 1 || item.repeated),
                "only a repeated identity is counted past 1");
        require(entry.imported && entry.source == source, "imported entries are marked so");
        require(entry.author == duet::store::Author::me, "a partner's entries are never ours");
        require(entry.kind == "text" || entry.kind == "scale" || entry.kind == "choice",
                "the kind is one duet knows");
        require(entry.skipped ? !entry.answer : entry.answer.has_value(),
                "an answer exactly when not skipped");
        require(!entry.answer || duet::util::is_valid_utf8(*entry.answer),
                "answers are UTF-8 text");
        require(
            entry.kind != "scale" || entry.skipped ||
                (entry.value && *entry.value >= entry.scale_min && *entry.value <= entry.scale_max),
            "a scale answer is in its range");
        require(i == 0 || batch.entries[i - 1].entry.created_at.seconds <= entry.created_at.seconds,
                "entries come oldest first");
        // What goes into the journal must come back out of it.
        const auto encoded = duet::store::encode_entry(entry);
        (void)duet::store::decode_entry(encoded.view(), 1);
    }
}

// The zoneinfo files an import reads for Day One's "timeZone": any bytes are
// a zone or nothing, and a zone's offsets stay within a day of UTC.
void check_zone(std::string_view bytes) {
    if (const auto zone = transfer::Zone::parse(bytes)) {
        for (std::int64_t t : {std::int64_t{-5'000'000'000}, std::int64_t{0},
                               std::int64_t{1'700'000'000}, std::int64_t{9'000'000'000}}) {
            const std::int32_t offset = zone->offset_at(t);
            require(offset >= -26 * 3600 && offset <= 26 * 3600, "offsets within a day");
        }
    }
    if (bytes.size() <= 128) {
        if (const auto rule = transfer::PosixRule::parse(bytes)) {
            (void)rule->offset_at(1'700'000'000);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    duet::crypto::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view text = duet::fuzz::as_text(data, size);
    if (text.starts_with("TZif") || size <= 128) {
        check_zone(text);
    }
    std::optional<transfer::CheckedImport> checked;
    try {
        checked.emplace(transfer::CheckedImport::of_text(text, "fuzz.json"));
    } catch (const duet::Error& e) {
        require(e.code() == duet::ExitCode::invalid_data, "a bad file is a DataError (exit 4)");
        require(std::string_view(e.what()).starts_with("fuzz.json"), "errors name the file");
        return 0;
    }
    // Text in memory cannot change, so reading the checked records back must
    // not fail: any exception from here on escapes and is a crash.
    transfer::ImportBatch batch;
    batch.format = checked->format();
    checked->for_each(
        [&](transfer::ImportedEntry& item) { batch.entries.push_back(std::move(item)); });
    require(batch.entries.size() == checked->size(), "every checked entry is handed out");
    check_batch(batch);
    return 0;
}
