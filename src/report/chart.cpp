#include "duet/report/chart.hpp"

#include "duet/report/html.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace duet::report {

namespace {

constexpr std::array<std::string_view, 8> k_blocks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// SVG geometry: the plot area sits inside these margins.
constexpr double k_width = 600;
constexpr double k_height = 190;
constexpr double k_left = 44;
constexpr double k_right = 32;
constexpr double k_top = 14;
constexpr double k_bottom = 40;
constexpr double k_min_label_gap = 64;

// "11-02", the day without its year (the range line above carries the year).
std::string month_day(util::DayNumber day) {
    return util::format_day(day).substr(5);
}

// "2 Nov": short enough for an axis label.
std::string axis_day(util::DayNumber day) {
    int y = 0;
    unsigned m = 1;
    unsigned d = 1;
    util::civil_from_days(day, y, m, d);
    return fmt::format("{} {}", d, k_months[(m - 1) % 12]);
}

void append_wrapped(std::string& out, const std::vector<std::string>& items, std::string_view sep,
                    std::size_t width, std::string_view indent) {
    std::string line;
    std::size_t len = 0; // in code points
    const std::size_t avail = width > indent.size() + 10 ? width - indent.size() : 10;
    for (const std::string& item : items) {
        std::size_t item_len = 0;
        for (char c : item) {
            item_len += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
        }
        if (len > 0 && len + sep.size() + item_len > avail) {
            out += fmt::format("{}{}\n", indent, line);
            line.clear();
            len = 0;
        }
        if (len > 0) {
            line += sep;
            len += sep.size();
        }
        line += item;
        len += item_len;
    }
    out += fmt::format("{}{}\n", indent, line);
}

} // namespace

std::string scale_block(int value, int min, int max) {
    if (max <= min) {
        return std::string(k_blocks[3]);
    }
    // In 64 bits: a journal's (or an old import's) range may be as wide as int allows.
    const std::int64_t v = std::clamp(value, min, max);
    const std::int64_t span = static_cast<std::int64_t>(max) - min;
    const std::int64_t index = ((v - min) * 7 + span / 2) / span;
    return std::string(k_blocks[static_cast<std::size_t>(index)]);
}

std::string sparkline(const ScaleSeries& s) {
    std::string out;
    for (const ScalePoint& p : s.points) {
        out += scale_block(p.value, s.min, s.max);
    }
    return out;
}

std::string chart_text(const ScaleSeries& s, std::size_t width, std::string_view indent) {
    std::string out;
    if (s.points.empty()) {
        return out;
    }
    std::vector<std::string> blocks;
    for (const ScalePoint& p : s.points) {
        blocks.push_back(scale_block(p.value, s.min, s.max));
    }
    blocks.back() += fmt::format("  ({} to {})", s.min, s.max);
    // The blocks stay together; only the trailing range note may move to the next line.
    std::string joined;
    for (const std::string& b : blocks) {
        joined += b;
    }
    append_wrapped(out, {joined}, "", width, indent);
    const util::DayNumber first = s.points.front().day;
    const util::DayNumber last = s.points.back().day;
    out += first == last ? fmt::format("{}{}\n", indent, util::format_day(first))
                         : fmt::format("{}{} to {}\n", indent, util::format_day(first),
                                       util::format_day(last));
    std::vector<std::string> values;
    for (const ScalePoint& p : s.points) {
        values.push_back(fmt::format("{}: {}", month_day(p.day), p.value));
    }
    append_wrapped(out, values, "  ", width, indent);
    return out;
}

// Long on purpose (about 80 lines): the SVG is written top to bottom in the
// order it is drawn (frame, axes, labels, line, points), which reads best whole.
std::string chart_svg(const ScaleSeries& s) {
    const double plot_w = k_width - k_left - k_right;
    const double plot_h = k_height - k_top - k_bottom;
    const std::int64_t span = std::max<std::int64_t>(1, static_cast<std::int64_t>(s.max) - s.min);
    const util::DayNumber first = s.points.empty() ? 0 : s.points.front().day;
    const util::DayNumber last = s.points.empty() ? 0 : s.points.back().day;
    const auto x_of = [&](util::DayNumber day) {
        if (last == first) {
            return k_left + plot_w / 2;
        }
        return k_left +
               plot_w * static_cast<double>(day - first) / static_cast<double>(last - first);
    };
    const auto y_of = [&](int v) {
        return k_top + plot_h *
                           static_cast<double>(static_cast<std::int64_t>(s.max) -
                                               std::clamp(v, s.min, s.max)) /
                           static_cast<double>(span);
    };

    const std::string label = html_escape(
        fmt::format("{} ({}/{}): check-ins on a scale of {} to {}",
                    util::printable(s.prompt_text, false), s.pack, s.prompt_id, s.min, s.max));
    std::string out = fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" "
                                  "role=\"img\" aria-label=\"{}\">\n",
                                  k_width, k_height, label);
    // Value axis: a faint line and a label for every step (or a few, for long scales).
    const std::int64_t step = span <= 10 ? 1 : (span + 4) / 5;
    for (std::int64_t at = s.min; at <= s.max; at += step) {
        const int v = static_cast<int>(at);
        const double y = y_of(v);
        out += fmt::format(
            "<line class=\"grid\" stroke=\"#e7e2ea\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
            "y2=\"{:.1f}\"/>\n",
            k_left, y, k_width - k_right, y);
        out += fmt::format(
            "<text class=\"axis\" fill=\"#6b6577\" font-size=\"12\" x=\"{:.1f}\" y=\"{:.1f}\" "
            "text-anchor=\"end\">{}</text>\n",
            k_left - 8, y + 4, v);
    }
    // Date axis: the first and last day, and days in between where there is room.
    const double base = k_top + plot_h;
    out += fmt::format(
        "<line class=\"axis-line\" stroke=\"#b9b2c2\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\"/>\n",
        k_left, base, k_width - k_right, base);
    double last_label_x = -1e9;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
        const util::DayNumber day = s.points[i].day;
        const double x = x_of(day);
        const bool is_last = i + 1 == s.points.size();
        const bool fits_before_last = x_of(last) - x >= k_min_label_gap || is_last;
        if (x - last_label_x < k_min_label_gap || !fits_before_last) {
            continue;
        }
        last_label_x = x;
        out += fmt::format(
            "<line class=\"tick\" stroke=\"#b9b2c2\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
            "y2=\"{2:.1f}\"/>\n",
            x, base, base + 5);
        out += fmt::format(
            "<text class=\"axis\" fill=\"#6b6577\" font-size=\"12\" x=\"{:.1f}\" y=\"{:.1f}\" "
            "text-anchor=\"middle\">{}</text>\n",
            x, base + 20, axis_day(day));
    }
    if (s.points.size() > 1) {
        out += "<polyline class=\"line\" fill=\"none\" stroke=\"#7a5c8e\" stroke-width=\"2\" "
               "stroke-linejoin=\"round\" points=\"";
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            out += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "" : " ", x_of(s.points[i].day),
                               y_of(s.points[i].value));
        }
        out += "\"/>\n";
    }
    for (const ScalePoint& p : s.points) {
        out += fmt::format(
            "<circle class=\"dot\" fill=\"#7a5c8e\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\">"
            "<title>{}: {}</title></circle>\n",
            x_of(p.day), y_of(p.value), util::format_day(p.day), p.value);
    }
    out += "</svg>\n";
    return out;
}

} // namespace duet::report
