#pragma once
// Internal to exchange/: the entries the partner shared, as this journal keeps
// them (one "received" record per revision).
#include "duet/store/journal.hpp"

#include <cstdint>
#include <vector>

namespace duet::exchange {

struct Received {
    std::int64_t record = 0;
    std::int64_t source_id = 0; // the entry's number in the partner's journal
    std::int64_t number = 0;    // its number in this one; 0 in journals from before numbering
    int revision = 0;
    store::Entry entry;
};

// Every received entry's record, decoded; damaged ones reported.
std::vector<Received> received(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged);

} // namespace duet::exchange
