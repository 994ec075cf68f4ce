// Telling which imported entries a journal already holds, when a file may
// hold the same entry more than once.
#include "duet/transfer/import.hpp"
#include "source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace duet::transfer {

namespace {

std::string counted(std::string_view identity, std::uint32_t occurrence) {
    return fmt::format("{}#{}", identity, occurrence);
}

} // namespace

std::vector<Repeat> find_repeats(const std::vector<EntryPlace>& places,
                                 const std::vector<std::uint64_t>& fingerprints) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_print;
    by_print.reserve(places.size());
    for (std::size_t i = 0; i < places.size(); ++i) {
        by_print.emplace_back(fingerprints[places[i].number - 1], static_cast<std::uint32_t>(i));
    }
    std::sort(by_print.begin(), by_print.end());
    std::vector<Repeat> repeats;
    for (std::size_t i = 0; i < by_print.size();) {
        std::size_t j = i + 1;
        while (j < by_print.size() && by_print[j].first == by_print[i].first) {
            ++j;
        }
        if (j - i > 1) {
            for (std::size_t k = i; k < j; ++k) {
                repeats.push_back({by_print[k].second, static_cast<std::uint32_t>(k - i + 1)});
            }
        }
        i = j;
    }
    std::sort(repeats.begin(), repeats.end(),
              [](const Repeat& a, const Repeat& b) { return a.index < b.index; });
    return repeats;
}

bool already_there(const ImportedEntry& item, const SeenIdentities& seen) {
    if (item.occurrence <= 1) {
        return seen.seen(item.identity);
    }
    if (seen.seen(counted(item.identity, item.occurrence))) {
        return true;
    }
    // Recorded once but never counted: an earlier duet took every occurrence as one.
    return seen.seen(item.identity) && !seen.seen(counted(item.identity, 1));
}

void record_added(const ImportedEntry& item, std::string_view content, bool content_seen,
                  SeenIdentities& seen) {
    if (content_seen) {
        // Another entry with the same content: count them, so the journal's own
        // export (whose identities are the contents) finds this one too.
        seen.mark(counted(content, 1));
        std::uint32_t k = 2;
        while (seen.seen(counted(content, k))) {
            ++k;
        }
        seen.mark(counted(content, k));
    }
    if (item.identity != content) {
        seen.mark(item.identity);
    }
    if (item.repeated || item.occurrence > 1) {
        seen.mark(counted(item.identity, 1));
    }
    if (item.occurrence > 1) {
        seen.mark(counted(item.identity, item.occurrence));
    }
}

} // namespace duet::transfer
