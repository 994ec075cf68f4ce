// What the journal keeps about its entries besides the entries: where their
// time order restarts (for store/order.cpp) and a tally of how many duet wrote.
#include "duet/error.hpp"
#include "duet/util/text.hpp"
#include "journal_impl.hpp"

#include <fmt/format.h>

#include <charconv>

namespace duet::store {

std::string format_numbers(const std::vector<std::int64_t>& numbers) {
    std::string text;
    for (const std::int64_t n : numbers) {
        text += (text.empty() ? "" : " ") + std::to_string(n);
    }
    return text;
}

std::optional<std::vector<std::int64_t>> parse_numbers(std::string_view text) {
    std::vector<std::int64_t> numbers;
    for (const std::string& part : util::split(text, ' ')) {
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (ec != std::errc() || end != part.data() + part.size()) {
            return std::nullopt;
        }
        numbers.push_back(n);
    }
    return numbers;
}

namespace {
// The "entry_order" setting: the newest entry's time, then the ids at which
// time order restarts. nullopt when it cannot be read.
std::optional<EntryOrder> parse_order(const std::string& text) {
    auto numbers = parse_numbers(text);
    if (!numbers || numbers->empty()) {
        return std::nullopt;
    }
    EntryOrder order;
    order.last_time = numbers->front();
    order.starts.assign(numbers->begin() + 1, numbers->end());
    return order;
}

// The "entry_tally" setting: how many entries the journal holds and the
// highest number among them, kept with every write. Rows removed from the file
// outside duet (which never removes an entry) leave it behind; check says so.
struct Tally {
    std::int64_t held = 0;
    std::int64_t highest = 0;
};
std::optional<Tally> parse_tally(const std::string& text) {
    const auto numbers = parse_numbers(text);
    if (!numbers || numbers->size() != 2) {
        return std::nullopt;
    }
    return Tally{(*numbers)[0], (*numbers)[1]};
}
} // namespace

void Journal::note_order(const Entry& entry) {
    Impl& im = *m_impl;
    if (!im.order) {
        const auto text = setting(k_order_setting);
        im.order = text ? parse_order(*text) : std::nullopt;
        if (!im.order) {
            im.order.emplace();
            // Unreadable, or entries without bookkeeping: their order must be sorted.
            im.order->known = !text && entry.id <= 1;
        }
    }
    if (entry.created_at.seconds < im.order->last_time) {
        im.order->starts.push_back(entry.id);
    }
    im.order->last_time = entry.created_at.seconds;
}

void Journal::save_order() {
    const Impl& im = *m_impl;
    if (!im.order || !im.order->known) {
        return;
    }
    std::vector<std::int64_t> numbers{im.order->last_time};
    numbers.insert(numbers.end(), im.order->starts.begin(), im.order->starts.end());
    set_setting(k_order_setting, format_numbers(numbers));
}

std::optional<std::vector<std::int64_t>> Journal::order_segments() const {
    const auto text = setting(k_order_setting);
    std::vector<std::int64_t> starts{1};
    if (!text) {
        if (count() == 0) {
            return starts;
        }
        return std::nullopt;
    }
    const auto parsed = parse_order(*text);
    if (!parsed) {
        return std::nullopt;
    }
    starts.insert(starts.end(), parsed->starts.begin(), parsed->starts.end());
    return starts;
}

void Journal::save_tally() {
    Impl& im = *m_impl;
    if (im.added == 0) {
        return;
    }
    Tally tally;
    const auto text = setting(k_tally_setting);
    if (const auto known = text ? parse_tally(*text) : std::nullopt) {
        tally = {known->held + im.added, std::max(known->highest, im.added_max)};
    } else { // a journal from before the tally: counted once, as it is now
        tally = {count(), max_id()};
    }
    im.added = 0;
    im.added_max = 0;
    set_setting(k_tally_setting, format_numbers({tally.held, tally.highest}));
}

std::optional<std::string> Journal::check_tally() const {
    const auto text = setting(k_tally_setting);
    if (!text) {
        return std::nullopt; // not kept yet: nothing to compare
    }
    const auto tally = parse_tally(*text);
    if (!tally) {
        return std::string("its record of how many entries it holds is unreadable");
    }
    Tally now;
    try {
        now = {count(), max_id()};
    } catch (const DataError&) {
        return std::nullopt; // a damaged page: the entries themselves say what is lost
    }
    if (now.held == tally->held && now.highest == tally->highest) {
        return std::nullopt;
    }
    return fmt::format("duet wrote {} entries up to number {}, but the file holds {} up to "
                       "number {}: entries were removed or the file was changed outside duet",
                       tally->held, tally->highest, now.held, now.highest);
}

} // namespace duet::store
