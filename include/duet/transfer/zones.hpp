#pragma once
// Time zones for imports: the writer's zone named in an export (Day One's
// "timeZone", an IANA name such as "Europe/Berlin"), read from the system's
// zoneinfo files, and wall-clock readings turned into instants.
//
// The C library knows only one zone at a time (TZ); an export can name many,
// so the zoneinfo files (RFC 8536, "TZif") are read here, with the POSIX TZ
// rule at their end for the years after their last listed change.
#include "duet/util/dates.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::transfer {

// A POSIX TZ rule, such as "CET-1CEST,M3.5.0,M10.5.0/3": a standard offset
// and, optionally, a daylight-saving offset with the yearly days it starts and ends.
class PosixRule {
  public:
    // nullopt when the text is not a rule this reader understands.
    static std::optional<PosixRule> parse(std::string_view text);
    std::int32_t offset_at(std::int64_t seconds) const;

  private:
    // A yearly day and the local time on it: "Mm.w.d", "Jn" or "n", then "/time".
    struct Change {
        enum class Kind { month_week_day, julian_no_leap, day_of_year } kind{};
        int month = 0;
        int week = 0;
        int weekday = 0;
        int day = 0;
        std::int32_t time = 7200; // seconds after local midnight, 02:00 unless told
        // Unix seconds of this change in `year`, reading its time with `offset`.
        std::int64_t at(int year, std::int32_t offset) const;
    };

    std::int32_t m_std = 0; // seconds east of UTC
    std::int32_t m_dst = 0;
    bool m_has_dst = false;
    Change m_start;
    Change m_end;
};

// One named zone: the changes of offset its zoneinfo file lists, then its rule.
class Zone {
  public:
    // The zone from the bytes of a TZif file; nullopt if they are not one.
    static std::optional<Zone> parse(std::string_view tzif);
    // A fixed offset east of UTC.
    static Zone fixed(std::int32_t offset);
    // The zone of that name, from $TZDIR or /usr/share/zoneinfo, cached for
    // the process; also "UTC", "GMT" and "GMT+0100"-style names. nullptr for a
    // name that is unsafe as a path, unknown here, or not a readable zone file.
    static std::shared_ptr<const Zone> named(std::string_view name);

    // Seconds east of UTC at that instant.
    std::int32_t offset_at(std::int64_t seconds) const;

  private:
    std::vector<std::int64_t> m_times;   // when each change happens, ascending
    std::vector<std::int32_t> m_offsets; // the offset from each change on
    std::int32_t m_before = 0;           // before the first change
    std::optional<PosixRule> m_rule;     // after the last change
};

// The instant a zone's clock showed `local` (seconds since 1970-01-01 00:00
// on the clock itself) and the offset to show it with, so the entry reads as
// the clock did. A reading the clock showed twice (when summer time ends) is
// the first one. A reading it skipped (the hour summer time begins) keeps its
// wall-clock time with the offset from before the change, as Python's datetime
// does: 02:30 on the morning clocks move from 02:00 to 03:00 stays 02:30.
util::Timestamp from_wall_clock(std::int64_t local,
                                const std::function<std::int32_t(std::int64_t)>& offset_at);

// This machine's offset at an instant (the C library's zone, as for entries written here).
std::int32_t machine_offset_at(std::int64_t seconds);

} // namespace duet::transfer
