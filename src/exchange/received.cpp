// The partner's entries as this journal keeps them: reading them back, giving
// them this journal's numbers, and removing them.
#include "received.hpp"

#include "duet/exchange/link.hpp"
#include "duet/util/msgpack.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace duet::exchange {

using json = nlohmann::json;

std::vector<Received> received(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged) {
    std::vector<Received> out;
    journal.for_each_record(
        "received",
        [&](std::int64_t id, const std::string& payload) {
            try {
                const auto parsed = util::parse_msgpack(payload.begin(), payload.end());
                if (!parsed || !parsed->is_object()) {
                    throw std::invalid_argument("not a record");
                }
                const json& j = *parsed;
                const auto& bin = j.at("entry").get_binary();
                Received r;
                r.record = id;
                if (!j.at("source_id").is_number_integer() ||
                    !j.at("revision").is_number_integer()) {
                    throw std::invalid_argument("not an integer");
                }
                r.source_id = j.at("source_id").get<std::int64_t>();
                r.revision = static_cast<int>(j.at("revision").get<std::int64_t>());
                if (const auto n = j.find("number"); n != j.end()) {
                    if (!n->is_number_integer() || n->get<std::int64_t>() <= 0) {
                        throw std::invalid_argument("not a number");
                    }
                    r.number = n->get<std::int64_t>();
                }
                r.entry = store::decode_entry(crypto::ByteView(bin.data(), bin.size()),
                                              r.number > 0 ? r.number : r.source_id);
                r.entry.author = store::Author::partner;
                out.push_back(std::move(r));
            } catch (const std::exception&) {
                on_damaged(id, fmt::format("an entry your partner shared (record {}) is damaged "
                                           "and cannot be shown",
                                           id));
            }
        },
        on_damaged);
    return out;
}

void number_partner_entries(store::Journal& journal) {
    constexpr const char* k_done = "partner_numbers";
    if (journal.setting(k_done)) {
        return;
    }
    journal.batch([&] {
        // One pass over the records: the numbers already given, and the
        // records still without one (their entries need not be decoded).
        std::map<std::int64_t, std::int64_t> numbers;       // source id -> number here
        std::vector<std::pair<std::int64_t, json>> updates; // oldest record first
        journal.for_each_record(
            "received",
            [&](std::int64_t id, const std::string& payload) {
                auto j = util::parse_msgpack(payload.begin(), payload.end());
                if (!j || !j->is_object() || !(*j)["source_id"].is_number_integer()) {
                    return; // damaged ones are named when read
                }
                const auto number = j->find("number");
                if (number == j->end()) {
                    updates.emplace_back(id, std::move(*j));
                } else if (number->is_number_integer() && number->get<std::int64_t>() > 0) {
                    numbers[(*j)["source_id"].get<std::int64_t>()] = number->get<std::int64_t>();
                }
            },
            [](std::int64_t, const std::string&) {});
        for (auto& [id, j] : updates) {
            auto [at, added] = numbers.try_emplace(j["source_id"].get<std::int64_t>(), 0);
            if (added) {
                at->second = journal.reserve_number();
            }
            j["number"] = at->second;
            const std::vector<std::uint8_t> packed = json::to_msgpack(j);
            journal.update_record(id, "received", std::string(packed.begin(), packed.end()));
        }
        journal.set_setting(k_done, "1");
    });
}

int remove_received_entries(store::Journal& journal) {
    std::vector<std::int64_t> ids; // damaged ones go too
    journal.for_each_record(
        "received", [&](std::int64_t id, const std::string&) { ids.push_back(id); },
        [&](std::int64_t id, const std::string&) { ids.push_back(id); });
    journal.batch([&] {
        for (const std::int64_t id : ids) {
            journal.delete_record(id, "received");
        }
    });
    return static_cast<int>(ids.size());
}

PartnerEntries partner_entries(const store::Journal& journal,
                               const store::Journal::DamagedFn& on_damaged) {
    std::map<std::int64_t, Received> latest;
    for (Received& r : received(journal, on_damaged)) {
        auto it = latest.find(r.source_id);
        if (it == latest.end() || it->second.revision < r.revision) {
            latest[r.source_id] = std::move(r);
        }
    }
    PartnerEntries out;
    std::map<util::DayNumber, std::vector<store::Entry>> own_by_day;
    for (auto& [source, r] : latest) {
        if (r.entry.together) {
            auto day_it = own_by_day.find(r.entry.day);
            if (day_it == own_by_day.end()) {
                day_it = own_by_day.emplace(r.entry.day, journal.entries_on(r.entry.day)).first;
            }
            const bool answered_too =
                std::any_of(day_it->second.begin(), day_it->second.end(),
                            [&shared = r.entry](const store::Entry& e) {
                                return e.pack == shared.pack && e.prompt_id == shared.prompt_id;
                            });
            if (!answered_too) {
                ++out.waiting;
                continue;
            }
        }
        out.visible.push_back(std::move(r.entry));
    }
    return out;
}

} // namespace duet::exchange
