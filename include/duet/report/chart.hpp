#pragma once
// Small charts of scale check-ins: Unicode blocks for the terminal and
// Markdown, inline SVG for HTML. Pure functions of their input.
#include "duet/util/dates.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace duet::report {

struct ScalePoint {
    util::DayNumber day = 0;
    int value = 0;
};

// The check-ins of one scale prompt, oldest first.
struct ScaleSeries {
    std::string pack;
    std::string prompt_id;
    std::string prompt_text;
    int min = 0;
    int max = 0;
    // A deque: years of check-ins grow it without copying it all each time.
    std::deque<ScalePoint> points;
};

// One of ▁▂▃▄▅▆▇█ for the value's place between min and max (clamped).
std::string scale_block(int value, int min, int max);
// One block per point, oldest first.
std::string sparkline(const ScaleSeries& series);
// Two or more lines: the blocks (wrapped to width), the range, then the
// dates and values; every line begins with indent and ends with '\n'.
std::string chart_text(const ScaleSeries& series, std::size_t width, std::string_view indent);
// A self-contained <svg> element with value and date axes; text is escaped.
std::string chart_svg(const ScaleSeries& series);

} // namespace duet::report
