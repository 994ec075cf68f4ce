#pragma once
// Internal to transfer/: checking one record of an export and turning it into entries.
#include "duet/transfer/import.hpp"

#include <cstddef>
#include <string_view>

namespace duet::transfer {

// Only adding an entry needs its identity; checking a file goes faster without.
enum class Identities { skip, compute };

// Checks every field of the record (entry `number`, counted from 1) and adds what it
// holds to the batch; DataError "NAME: entry N: what is wrong" otherwise.
void add_record(ImportFormat format, const nlohmann::json& record, std::string_view name,
                std::size_t number, Identities identities, ImportBatch& batch);

} // namespace duet::transfer
