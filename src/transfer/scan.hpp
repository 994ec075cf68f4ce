#pragma once
// Internal to transfer/: the one streaming pass over an export that checks
// every record and keeps only where each entry is.
#include "duet/transfer/import.hpp"
#include "source.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <vector>

namespace duet::transfer {

inline constexpr std::string_view k_formats_read =
    "duet reads its own JSON export (`duet review --format json`), jrnl's (`jrnl --export "
    "json`) and Day One's JSON export";

// What one pass over the export found.
struct Pass {
    nlohmann::json header;
    // The format the records were converted in; none if it was not known in time.
    std::optional<ImportFormat> converted_as;
    std::vector<EntryPlace> places;
    // Each record's identity fingerprint, by its number (0 for a record left out).
    std::vector<std::uint64_t> fingerprints;
    std::size_t records = 0;
    std::size_t partner_entries = 0;
    std::size_t empty_entries = 0;
    // The first bad record: reported only once the whole file is known to be
    // JSON of the format it was converted in, as a syntax error anywhere comes first.
    std::exception_ptr first_error;
};

// Reads the whole export once, converting each record (in `known`, or else in
// the format the members before "entries" tell) to check it.
Pass scan(const Source& source, std::optional<ImportFormat> known);

} // namespace duet::transfer
