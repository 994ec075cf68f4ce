#pragma once
// Reading other journals' exports into duet entries: duet's own JSON export,
// jrnl's `--export json` and Day One's JSON export. Pure parsing: no terminal,
// no journal; the caller adds the entries (see src/cli/import.cpp).
//
// Every record is checked before anything is returned, so a bad record means
// nothing is imported. Errors are DataErrors that read "FILE: entry N: what",
// with N counted from 1 in the file's "entries" array.
#include "duet/store/entry.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace duet::transfer {

enum class ImportFormat { duet, jrnl, dayone };

// "duet", "jrnl", "dayone": the value of Entry::source.
std::string_view format_id(ImportFormat format);
// "duet", "jrnl", "Day One": for people.
std::string_view format_title(ImportFormat format);

inline constexpr std::size_t k_max_import_size = 256 * 1024 * 1024;
inline constexpr int k_max_import_depth = 64;
inline constexpr std::size_t k_max_text_size = 1024 * 1024; // per field, as for --answer

struct ImportedEntry {
    store::Entry entry;
    // Stable across runs: the journal remembers it so a second import adds nothing.
    std::string identity;
};

struct ImportBatch {
    ImportFormat format = ImportFormat::duet;
    std::vector<ImportedEntry> entries;
    // Entries a partner shared (in a duet export): theirs, never imported as ours.
    std::size_t partner_entries = 0;
    // jrnl or Day One records without any text: nothing to keep.
    std::size_t empty_entries = 0;
};

// Parses JSON with the depth limit; a syntax error (invalid UTF-8 included)
// names the entry it is in when it is inside the "entries" array.
nlohmann::json parse_json(std::string_view text, std::string_view name);

// Which export this is; DataError naming the file and the formats duet reads otherwise.
ImportFormat detect_format(const nlohmann::json& doc, std::string_view name);

// Detects the format and converts every record; `name` is used in messages.
ImportBatch convert(const nlohmann::json& doc, std::string_view name);

// parse_json + convert.
ImportBatch parse_import(std::string_view text, std::string_view name);

// Reads the file (at most k_max_import_size bytes) and parses it.
ImportBatch read_import(const std::filesystem::path& file);

// The identity of an entry from a duet export, computed the same way for the
// entries already in a journal, so importing a journal's own export into it
// adds nothing: created_at, pack, prompt id and answer (or the skip).
std::string duet_identity(const store::Entry& entry);

} // namespace duet::transfer
