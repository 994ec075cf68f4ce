// Zoneinfo (TZif, RFC 8536) files read by zone name, without the C library's
// single global zone; the POSIX rule at their end is in posix_rule.cpp.
#include "duet/transfer/zones.hpp"
#include "duet/util/io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace duet::transfer {

namespace {

constexpr std::int64_t k_day = 86400;
constexpr std::size_t k_max_zone_file = 512 * 1024; // the largest real ones are under 4 KiB
constexpr std::size_t k_max_zones_cached = 256;

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::int64_t be64(const unsigned char* p) {
    return static_cast<std::int64_t>((std::uint64_t{be32(p)} << 32) | be32(p + 4));
}

// The six counts of a TZif header.
struct Counts {
    std::uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;

    std::uint64_t data_size(std::uint64_t time_size) const {
        return time * time_size + time + type * std::uint64_t{6} + chars + leap * (time_size + 4) +
               isstd + isut;
    }
};

constexpr std::size_t k_header_size = 44;

std::optional<Counts> read_header(std::string_view bytes, std::size_t at) {
    if (bytes.size() < at + k_header_size || bytes.substr(at, 4) != "TZif") {
        return std::nullopt;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at + 20);
    Counts c{be32(p), be32(p + 4), be32(p + 8), be32(p + 12), be32(p + 16), be32(p + 20)};
    // RFC 8536 3.1: at least one type; the indicator counts are zero or typecnt.
    if (c.type == 0 || c.type > 256 || c.chars == 0 || (c.isut != 0 && c.isut != c.type) ||
        (c.isstd != 0 && c.isstd != c.type) || c.time > 1'000'000 || c.leap > 1'000'000 ||
        c.chars > 1'000'000) {
        return std::nullopt;
    }
    return c;
}

std::optional<std::string> read_zone_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        return std::nullopt;
    }
    struct stat st {};
    std::optional<std::string> out;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) <= k_max_zone_file) {
        std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
        if (util::read_full(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) {
            out = std::move(bytes);
        }
    }
    ::close(fd);
    return out;
}

// A name that can only mean a file below the zoneinfo folder.
bool is_safe_zone_name(std::string_view name) {
    if (name.empty() || name.size() > 128 || name.front() == '/' || name.back() == '/') {
        return false;
    }
    std::size_t part_start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '/') {
            const std::string_view part = name.substr(part_start, i - part_start);
            if (part.empty() || part.front() == '.') {
                return false;
            }
            part_start = i + 1;
            continue;
        }
        const char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '.')) {
            return false;
        }
    }
    return true;
}

// "UTC", "GMT", and the names of fixed offsets Apple's time zones use: "GMT+0100", "GMT-05:30".
std::optional<std::int32_t> fixed_offset_name(std::string_view name) {
    if (name == "UTC" || name == "GMT" || name == "Z") {
        return 0;
    }
    for (std::string_view prefix : {"GMT", "UTC"}) {
        if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) {
            std::string_view rest = name.substr(prefix.size());
            if (rest[0] != '+' && rest[0] != '-') {
                return std::nullopt;
            }
            const int sign = rest[0] == '-' ? -1 : 1;
            rest.remove_prefix(1);
            std::string digits;
            for (char c : rest) {
                if (c >= '0' && c <= '9') {
                    digits += c;
                } else if (c != ':') {
                    return std::nullopt;
                }
            }
            int h = 0;
            int m = 0;
            if (digits.size() == 1 || digits.size() == 2) {
                h = std::atoi(digits.c_str());
            } else if (digits.size() == 4) {
                h = std::atoi(digits.substr(0, 2).c_str());
                m = std::atoi(digits.substr(2).c_str());
            } else {
                return std::nullopt;
            }
            if (h > 14 || m > 59) {
                return std::nullopt;
            }
            return sign * (h * 3600 + m * 60);
        }
    }
    return std::nullopt;
}

// The data block duet reads: where it starts, its counts, and the size of its times.
struct DataBlock {
    std::size_t at = k_header_size;
    Counts counts;
    std::uint64_t time_size = 4;
};

std::optional<DataBlock> locate_data(std::string_view tzif) {
    const auto first = read_header(tzif, 0);
    if (!first) {
        return std::nullopt;
    }
    const char version = tzif[4];
    DataBlock block;
    block.counts = *first;
    if (version >= '2') {
        // Skip the 32-bit block: the 64-bit one after it says the same and more.
        const std::uint64_t skip = block.counts.data_size(4);
        if (skip > tzif.size() - block.at) {
            return std::nullopt;
        }
        block.at += static_cast<std::size_t>(skip);
        const auto second = read_header(tzif, block.at);
        if (!second) {
            return std::nullopt;
        }
        block.counts = *second;
        block.at += k_header_size;
        block.time_size = 8;
    } else if (version != '\0') {
        return std::nullopt;
    }
    if (block.counts.data_size(block.time_size) > tzif.size() - block.at) {
        return std::nullopt;
    }
    return block;
}

} // namespace

std::optional<Zone> Zone::parse(std::string_view tzif) {
    const auto block = locate_data(tzif);
    if (!block) {
        return std::nullopt;
    }
    const std::size_t at = block->at;
    const Counts& c = block->counts;
    const std::uint64_t time_size = block->time_size;
    const auto* p = reinterpret_cast<const unsigned char*>(tzif.data() + at);
    const unsigned char* indices = p + c.time * time_size;
    const unsigned char* types = indices + c.time;
    std::vector<std::int32_t> type_offsets(c.type);
    for (std::uint32_t i = 0; i < c.type; ++i) {
        const auto offset = static_cast<std::int32_t>(be32(types + 6 * i));
        if (offset < -25 * 3600 || offset > 26 * 3600 || types[6 * i + 5] >= c.chars) {
            return std::nullopt;
        }
        type_offsets[i] = offset;
    }
    Zone z;
    z.m_before = type_offsets[0];
    z.m_times.reserve(c.time);
    z.m_offsets.reserve(c.time);
    for (std::uint32_t i = 0; i < c.time; ++i) {
        const std::int64_t when = time_size == 8
                                      ? be64(p + 8 * i)
                                      : static_cast<std::int32_t>(be32(p + 4 * std::size_t{i}));
        if ((!z.m_times.empty() && when <= z.m_times.back()) || indices[i] >= c.type) {
            return std::nullopt;
        }
        z.m_times.push_back(when);
        z.m_offsets.push_back(type_offsets[indices[i]]);
    }
    if (time_size == 8) {
        // The footer: "\n" rule "\n"; an empty rule means none.
        const std::size_t footer = at + static_cast<std::size_t>(c.data_size(8));
        if (footer >= tzif.size() || tzif[footer] != '\n') {
            return std::nullopt;
        }
        const std::size_t close = tzif.find('\n', footer + 1);
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view rule = tzif.substr(footer + 1, close - footer - 1);
        if (!rule.empty()) {
            z.m_rule = PosixRule::parse(rule);
            if (!z.m_rule) {
                return std::nullopt;
            }
        }
    }
    return z;
}

Zone Zone::fixed(std::int32_t offset) {
    Zone z;
    z.m_before = offset;
    return z;
}

std::int32_t Zone::offset_at(std::int64_t seconds) const {
    if (m_times.empty() || seconds >= m_times.back()) {
        // RFC 8536 3.2: the rule covers what the listed changes do not.
        if (m_rule) {
            return m_rule->offset_at(seconds);
        }
        return m_times.empty() ? m_before : m_offsets.back();
    }
    const auto next = std::upper_bound(m_times.begin(), m_times.end(), seconds);
    return next == m_times.begin()
               ? m_before
               : m_offsets[static_cast<std::size_t>(next - m_times.begin() - 1)];
}

std::shared_ptr<const Zone> Zone::named(std::string_view name) {
    const auto offset = fixed_offset_name(name);
    if (!offset && !is_safe_zone_name(name)) {
        return nullptr;
    }
    const char* dir = std::getenv("TZDIR");
    const std::string path =
        (dir != nullptr && dir[0] == '/' ? std::string(dir) : "/usr/share/zoneinfo") + "/" +
        std::string(name);
    static std::mutex lock;
    // By path, so a changed $TZDIR is read afresh.
    static std::map<std::string, std::shared_ptr<const Zone>, std::less<>> cache;
    const std::lock_guard<std::mutex> guard(lock);
    if (const auto hit = cache.find(path); hit != cache.end()) {
        return hit->second;
    }
    std::shared_ptr<const Zone> zone;
    if (offset) {
        zone = std::make_shared<const Zone>(fixed(*offset));
    } else if (const auto bytes = read_zone_file(path)) {
        if (auto parsed = parse(*bytes)) {
            zone = std::make_shared<const Zone>(std::move(*parsed));
        }
    }
    if (cache.size() < k_max_zones_cached) {
        cache.emplace(path, zone);
    }
    return zone;
}

util::Timestamp from_wall_clock(std::int64_t local,
                                const std::function<std::int32_t(std::int64_t)>& offset_at) {
    // Offsets around the reading: a change of clocks lies between them, if any.
    const std::int32_t before = offset_at(local - k_day);
    const std::int32_t after = offset_at(local + k_day);
    for (std::int32_t offset : {before, after, offset_at(local - before)}) {
        if (offset_at(local - offset) == offset) {
            return {local - offset, offset};
        }
    }
    return {local - before, before}; // skipped when the clocks moved on
}

std::int32_t machine_offset_at(std::int64_t seconds) {
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (localtime_r(&t, &tm) == nullptr) {
        return 0;
    }
    return static_cast<std::int32_t>(tm.tm_gmtoff);
}

} // namespace duet::transfer
