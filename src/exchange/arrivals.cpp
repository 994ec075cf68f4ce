// Reading the shared folder safely: only plain files of bounded size, each read
// whole before the journal is locked, and what is refused remembered.
#include "arrivals.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace duet::exchange {

namespace {

// Git, and some cloud drives, write a file in place, so duet can meet one half
// written. A file that fails its check while it is this new is read again on
// the next run instead of being refused; once it has stopped changing for this
// long, it is refused as damaged, once.
constexpr auto k_settle_time = std::chrono::seconds(60);

bool is_fresh(std::int64_t mtime_ns) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::int64_t window = std::chrono::nanoseconds(k_settle_time).count();
    return mtime_ns > now - window && mtime_ns < now + window;
}

// The first bytes of a sealed message, or fewer: what a half-written one shows.
bool could_be_unfinished_message(const std::string& content) {
    constexpr std::string_view magic = "DUETMS";
    return content.size() < k_header_size &&
           std::string_view(content).substr(0, magic.size()) ==
               magic.substr(0, std::min(content.size(), magic.size()));
}

// Gone between the listing and the reading: the other side deleted it.
bool vanished(const fs::path& path) {
    std::error_code ec;
    return !fs::exists(fs::symlink_status(path, ec));
}

// The order in which kinds are taken in: who we are linked with first, then
// what they sent, then the end of a link, so a leave that arrives with the
// last entries still finds them in place.
int order_of(const Arrival& a) {
    if (!a.header) {
        return 3; // declines
    }
    switch (a.header->type) {
    case MessageType::acceptance:
        return 0;
    case MessageType::entry:
        return 1;
    case MessageType::withdrawal:
        return 2;
    default:
        return 4;
    }
}

// The names worth reading: messages and declines, not hidden files or the
// copies sync tools leave beside a conflict.
std::vector<fs::path> candidate_files(const fs::path& dir) {
    std::vector<fs::path> names;
    std::error_code ec;
    for (const auto& de : fs::directory_iterator(dir, ec)) {
        const std::string name = de.path().filename().string();
        if (name.empty() || name[0] == '.' || is_conflict_copy(name)) {
            continue;
        }
        if (name.ends_with(".duet") ||
            (name.starts_with("duet-decline-") && name.ends_with(".txt"))) {
            names.push_back(de.path());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Is this message worth keeping in memory for phase two?
bool admit_message(Arrival& a, const store::Journal& journal, const PublicKey& me,
                   Refusals& refusals) {
    a.header = peek_header(crypto::as_bytes(a.content));
    if (!a.header) {
        if (!(a.fresh && could_be_unfinished_message(a.content))) {
            refusals.refuse(a, "not a duet message (damaged, or some other file); it was ignored");
        }
        return false;
    }
    if (crypto::equal_constant_time(a.header->sender, me)) {
        return false; // one of ours, waiting for the partner
    }
    if (!crypto::equal_constant_time(a.header->recipient, me)) {
        refusals.refuse(a, "addressed to a different journal; it was ignored");
        return false;
    }
    if (a.header->version != 1) {
        refusals.refuse_mine(a,
                             "written by a newer version of duet; please update duet to read it");
        return false;
    }
    if (journal.seen("msg:" + crypto::to_hex(a.header->id))) {
        return false; // already taken in: a copy or a replay adds nothing
    }
    return true;
}

// One file read, or nullopt when it is refused, gone, or not to be read.
std::optional<Arrival> read_arrival(const fs::path& path, const store::Journal& journal,
                                    const PublicKey& me, Refusals& refusals) {
    Arrival a;
    a.path = path;
    const auto stamp = util::regular_file_stamp(path);
    a.refusal_key = stamp ? fmt::format("refused:{}:{}:{}", path.filename().string(), stamp->size,
                                        stamp->mtime_ns)
                          : fmt::format("refused:{}:not-a-file", path.filename().string());
    if (journal.seen(a.refusal_key)) {
        return std::nullopt; // refused before, unchanged: said once is enough
    }
    if (!stamp) {
        if (!vanished(path)) {
            refusals.refuse(a,
                            "is not a plain file (a link, a folder or a device); it was not read");
        }
        return std::nullopt;
    }
    a.fresh = is_fresh(stamp->mtime_ns);
    const bool is_message = path.filename().string().ends_with(".duet");
    try {
        a.content =
            util::read_foreign_file(path, is_message ? k_max_message_size : 64 * 1024).content;
    } catch (const Error& e) {
        if (!vanished(path)) {
            refusals.refuse(a, e.what(), false);
        }
        return std::nullopt;
    }
    if (is_message && !admit_message(a, journal, me, refusals)) {
        return std::nullopt;
    }
    return a;
}

} // namespace

void Refusals::refuse(const Arrival& a, std::string_view why, bool with_name) {
    m_report.refused.push_back(with_name ? fmt::format("{}: {}", a.path.string(), why)
                                         : std::string(why));
    m_keys.push_back(a.refusal_key);
}

void Refusals::refuse_mine(const Arrival& a, std::string_view why) {
    refuse(a, why);
    m_report.refused_addressed_to_me = true;
}

void Refusals::refuse_damaged(const Arrival& a) {
    refuse_mine(a, "fails its integrity check (damaged or tampered with); it was ignored");
}

void Refusals::remember(store::Journal& journal) const {
    for (const std::string& key : m_keys) {
        journal.mark_seen(key);
    }
}

std::vector<Arrival> read_arrivals(const fs::path& dir, const store::Journal& journal,
                                   const PublicKey& me, Refusals& refusals) {
    std::vector<Arrival> out;
    for (const fs::path& path : candidate_files(dir)) {
        if (auto a = read_arrival(path, journal, me, refusals)) {
            out.push_back(std::move(*a));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Arrival& x, const Arrival& y) { return order_of(x) < order_of(y); });
    return out;
}

} // namespace duet::exchange
