// Reading an export: bounded JSON parsing, telling the formats apart, converting it all.
#include "duet/transfer/import.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "formats.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace duet::transfer {

using nlohmann::json;

std::string_view format_id(ImportFormat format) {
    switch (format) {
    case ImportFormat::jrnl:
        return "jrnl";
    case ImportFormat::dayone:
        return "dayone";
    case ImportFormat::duet:
        break;
    }
    return "duet";
}

std::string_view format_title(ImportFormat format) {
    return format == ImportFormat::dayone ? "Day One" : format_id(format);
}

namespace {

constexpr std::string_view k_formats_read =
    "duet reads its own JSON export (`duet review --format json`), jrnl's (`jrnl --export "
    "json`) and Day One's JSON export";
constexpr int k_duet_export_version = 1;

void check_duet_version(const json& doc, std::string_view name) {
    const auto v = doc.find("version");
    if (v == doc.end() || !v->is_number_integer() || v->get<std::int64_t>() < 1) {
        throw DataError(fmt::format("{}: this duet export has no valid \"version\"", name));
    }
    if (v->get<std::int64_t>() > k_duet_export_version) {
        throw DataError(fmt::format("{} was exported by a newer duet (export version {}); please "
                                    "update duet to import it",
                                    name, v->get<std::int64_t>()));
    }
}

// nlohmann's message without its prefix and without the bytes it last read.
std::string describe(const json::exception& e) {
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) {
        what.erase(0, p + 2);
    }
    if (const auto p = what.find("; last read"); p != std::string::npos) {
        what.erase(p);
    }
    return what;
}

} // namespace

json parse_json(std::string_view text, std::string_view name) {
    // Where the parser is, so a syntax error can name its entry.
    struct Position {
        bool at_entries_key = false;
        bool in_entries = false;
        std::size_t done = 0;
    } pos;
    const auto where = [&] {
        return pos.in_entries ? fmt::format("{}: entry {}: ", name, pos.done + 1)
                              : fmt::format("{}: ", name);
    };
    // Depths: 0 outside everything, 1 inside the top object, 2 inside "entries".
    const json::parser_callback_t track = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth >= k_max_import_depth) {
            throw DataError(where() + fmt::format("nested more than {} levels deep, which no "
                                                  "journal export is",
                                                  k_max_import_depth));
        }
        using Event = json::parse_event_t;
        if (event == Event::key && depth == 1) {
            pos.at_entries_key = parsed == "entries";
        } else if (event == Event::array_start && depth == 1 && pos.at_entries_key) {
            pos.in_entries = true;
            pos.done = 0;
        } else if (event == Event::array_end && depth == 1) {
            pos.in_entries = false;
        } else if (depth == 2 && pos.in_entries &&
                   (event == Event::object_end || event == Event::array_end ||
                    event == Event::value)) {
            ++pos.done;
        }
        return true;
    };
    try {
        return json::parse(text.begin(), text.end(), track);
    } catch (const json::exception& e) {
        // Inside the entries the format is plain; elsewhere, say what duet reads.
        const std::string hint = pos.in_entries ? "" : "; " + std::string(k_formats_read);
        throw DataError(where() + "not valid JSON (" + describe(e) + ")" + hint);
    }
}

ImportFormat detect_format(const json& doc, std::string_view name) {
    if (doc.is_object()) {
        const auto entries = doc.find("entries");
        const bool has_entries = entries != doc.end() && entries->is_array();
        const auto format = doc.find("format");
        if (format != doc.end() && format->is_string() && *format == "duet-export") {
            if (!has_entries) {
                throw DataError(fmt::format("{}: this duet export has no \"entries\" list; it "
                                            "may have been cut short",
                                            name));
            }
            return ImportFormat::duet;
        }
        if (has_entries && format == doc.end()) {
            const auto metadata = doc.find("metadata");
            if (metadata != doc.end() && metadata->is_object() && metadata->contains("version")) {
                return ImportFormat::dayone;
            }
            const auto tags = doc.find("tags");
            if (tags != doc.end() && tags->is_object()) {
                return ImportFormat::jrnl;
            }
        }
    }
    throw DataError(fmt::format("{} is not an export duet can import: {}", name, k_formats_read));
}

ImportBatch convert(const json& doc, std::string_view name) {
    ImportBatch batch;
    batch.format = detect_format(doc, name);
    if (batch.format == ImportFormat::duet) {
        check_duet_version(doc, name);
    }
    const json& entries = doc["entries"];
    batch.entries.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        add_record(batch.format, entries[i], name, i + 1, batch);
    }
    // Oldest first, so entry numbers follow the dates as they do for entries written here.
    std::stable_sort(batch.entries.begin(), batch.entries.end(),
                     [](const ImportedEntry& a, const ImportedEntry& b) {
                         return a.entry.created_at.seconds < b.entry.created_at.seconds;
                     });
    return batch;
}

ImportBatch parse_import(std::string_view text, std::string_view name) {
    return convert(parse_json(text, name), name);
}

ImportBatch read_import(const std::filesystem::path& file) {
    const std::string name = file.string();
    return parse_import(util::read_file(file, k_max_import_size), name);
}

} // namespace duet::transfer
