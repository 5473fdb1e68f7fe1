#include "engine/results/svg_chart.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace socialtwin::svg {

namespace {

// [px] The drawing of every chart: a fixed view box, scaled by the page (width 100%).
constexpr double width = 700, height = 330;
constexpr double left = 78, right = 190, top = 40, bottom = 48;  // margins; the legend is right
constexpr double plot_w = width - left - right, plot_h = height - top - bottom;

constexpr std::array<std::string_view, 8> palette{"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000", "#F0E442"};

bool finite(double v) { return std::isfinite(v); }

std::string open_svg(std::string_view id, std::string_view kind, std::string_view title,
                     double h = height) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{}\" class=\"chart\" data-chart=\"{}\" "
        "viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">"
        "<text class=\"title\" x=\"8\" y=\"20\">{}</text>",
        escape(id), kind, width, h, width, h, escape(title), escape(title));
}

struct Range {
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (!finite(v)) return;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    bool empty() const { return !(low <= high); }
};

// A linear map from data to pixels.
struct Scale {
    double d0, d1, p0, p1;
    double operator()(double v) const {
        return d1 == d0 ? (p0 + p1) / 2 : p0 + (v - d0) / (d1 - d0) * (p1 - p0);
    }
};

// A label under a bar group, in lines of about `wrap` characters (broken at spaces), so that
// long category names do not run into each other.
std::string wrapped_label(double x, double y, std::string_view label, std::size_t wrap = 16) {
    std::vector<std::string> lines{""};
    std::size_t start = 0;
    while (start <= label.size()) {
        const auto space = label.find(' ', start);
        const auto word =
            label.substr(start, space == std::string_view::npos ? label.npos : space - start);
        if (!lines.back().empty() && lines.back().size() + 1 + word.size() > wrap)
            lines.emplace_back();
        if (!lines.back().empty()) lines.back() += ' ';
        lines.back().append(word);
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    std::string out =
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">", x, y);
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += fmt::format("<tspan x=\"{:.1f}\" dy=\"{}\">{}</tspan>", x, i == 0 ? 0 : 11,
                           escape(lines[i]));
    return out + "</text>";
}

std::string legend_entry(std::size_t row, std::string_view colour, std::string_view label,
                         bool dashed, bool box = false) {
    const double y = top + 8 + 18 * static_cast<double>(row);
    const double x = left + plot_w + 14;
    std::string mark =
        box ? fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\"/>", x,
                          y - 5, colour)
            : fmt::format("<path d=\"M{} {}h18\" stroke=\"{}\" stroke-width=\"2.5\"{}/>", x, y,
                          colour, dashed ? " stroke-dasharray=\"5 3\"" : "");
    return fmt::format("<g class=\"legend\">{}<text x=\"{}\" y=\"{}\">{}</text></g>", mark, x + 24,
                       y + 4, escape(label));
}

// The y axis with grid lines and tick labels, the x axis line.
std::string y_axis(const Scale& y, const std::vector<double>& ticks, const NumberFormat& format,
                   std::string_view label) {
    const int decimals = tick_decimals(ticks);
    std::string out = "<g class=\"axis\">";
    for (double t : ticks)
        out += fmt::format(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
            "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>",
            left, left + plot_w, y(t), y(t), left - 6, y(t) + 4, escape(format(t, decimals)));
    out += fmt::format(
        "<text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">{}</text>",
        top + plot_h / 2, top + plot_h / 2, escape(label));
    return out + "</g>";
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::vector<double> nice_ticks(double low, double high, int target) {
    if (!finite(low) || !finite(high)) return {};
    if (high < low) std::swap(low, high);
    if (high == low) {
        const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
        low -= pad;
        high += pad;
    }
    const double raw = (high - low) / std::max(target, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    std::vector<double> ticks;
    const double first = std::floor(low / step) * step;
    for (double t = first; t <= high + step * 0.999; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

int tick_decimals(const std::vector<double>& ticks) {
    if (ticks.size() < 2) return 0;
    const double step = ticks[1] - ticks[0];
    return step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
}

std::string_view series_colour(std::size_t n) { return palette[n % palette.size()]; }

std::string line_chart(const LineChart& chart, const NumberFormat& format) {
    Range xr, yr;
    for (double v : chart.x) xr.add(v);
    for (const auto& s : chart.series) {
        for (double v : s.y) yr.add(v);
        for (double v : s.band_low) yr.add(v);
        for (double v : s.band_high) yr.add(v);
    }
    if (xr.empty() || yr.empty()) return missing_chart(chart.id, chart.title, "-");
    const auto ticks = nice_ticks(yr.low, yr.high);
    const Scale x{xr.low, xr.high, left, left + plot_w};
    const Scale y{ticks.front(), ticks.back(), top + plot_h, top};
    std::string out = open_svg(chart.id, "line", chart.title);
    out += y_axis(y, ticks, format, chart.y_label);
    // x ticks: about six labels (years as they are, without thousands separators)
    out += "<g class=\"axis\">";
    const std::size_t every = std::max<std::size_t>(1, (chart.x.size() + 5) / 6);
    for (std::size_t i = 0; i < chart.x.size(); i += every)
        out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                           x(chart.x[i]), top + plot_h + 18, chart.x[i]);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                       left + plot_w / 2, height - 6, escape(chart.x_label));
    out += "<g class=\"marks\">";
    std::size_t legend_row = 0;
    std::string legend;
    bool any_band = false;
    for (const auto& s : chart.series) {
        const auto colour = series_colour(s.colour);
        if (s.band_low.size() == chart.x.size() && s.band_high.size() == chart.x.size()) {
            std::string d;
            for (std::size_t i = 0; i < chart.x.size(); ++i)
                d += fmt::format("{}{:.1f} {:.1f}", d.empty() ? "M" : "L", x(chart.x[i]),
                                 y(s.band_high[i]));
            for (std::size_t i = chart.x.size(); i-- > 0;)
                d += fmt::format("L{:.1f} {:.1f}", x(chart.x[i]), y(s.band_low[i]));
            out += fmt::format(
                "<path class=\"band\" d=\"{}Z\" fill=\"{}\" fill-opacity=\"0.18\" "
                "stroke=\"none\"/>",
                d, colour);
            any_band = true;
        }
        std::string d;
        bool pen_down = false;
        for (std::size_t i = 0; i < chart.x.size() && i < s.y.size(); ++i) {
            if (!finite(s.y[i])) {
                pen_down = false;
                continue;
            }
            d += fmt::format("{}{:.1f} {:.1f}", pen_down ? "L" : "M", x(chart.x[i]), y(s.y[i]));
            pen_down = true;
        }
        const double last = s.y.empty() ? std::nan("") : s.y.back();
        out += fmt::format(
            "<path class=\"line\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}>"
            "<title>{}: {} ({})</title></path>",
            d, colour, s.dashed ? " stroke-dasharray=\"5 3\"" : "", escape(s.label),
            escape(format(last, 0)), chart.x.empty() ? 0.0 : chart.x.back());
        legend += legend_entry(legend_row++, colour, s.label, s.dashed);
    }
    out += "</g>";
    if (any_band && !chart.band_note.empty())
        legend += fmt::format(
            "<g class=\"legend\"><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"10\" "
            "fill=\"#888\" fill-opacity=\"0.3\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            left + plot_w + 14, top + 3 + 18 * static_cast<double>(legend_row), left + plot_w + 38,
            top + 12 + 18 * static_cast<double>(legend_row), escape(chart.band_note));
    return out + legend + "</svg>";
}

std::string pyramid(const Pyramid& chart, const NumberFormat& format) {
    const std::size_t n = chart.bands.size();
    double most = 0;
    for (const auto* values :
         {&chart.left_first, &chart.right_first, &chart.left_second, &chart.right_second})
        for (double v : *values)
            if (finite(v)) most = std::max(most, v);
    if (n == 0 || most <= 0) return missing_chart(chart.id, chart.title, "-");
    const double h = top + bottom + 14.0 * static_cast<double>(n);
    const double middle = left + plot_w / 2, half = plot_w / 2 - 24;  // 24 px for the band labels
    const double row = 14.0;
    auto bar_y = [&](std::size_t band) { return h - bottom - row * static_cast<double>(band + 1); };
    auto value = [](const std::vector<double>& values, std::size_t i) {
        return i < values.size() && finite(values[i]) ? values[i] : 0.0;
    };
    std::string out = open_svg(chart.id, "pyramid", chart.title, h);
    out += "<g class=\"marks\">";
    for (std::size_t b = 0; b < n; ++b) {
        const double yb = bar_y(b);
        for (int side = 0; side < 2; ++side) {
            const auto& second = side == 0 ? chart.left_second : chart.right_second;
            const auto& first = side == 0 ? chart.left_first : chart.right_first;
            const auto colour = series_colour(side == 0 ? 0 : 1);
            const double w2 = half * value(second, b) / most, w1 = half * value(first, b) / most;
            const double x2 = side == 0 ? middle - 24 - w2 : middle + 24;
            const double x1 = side == 0 ? middle - 24 - w1 : middle + 24;
            out += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" "
                "fill-opacity=\"0.55\"><title>{} {} {}: {}</title></rect>",
                x2, yb + 1, w2, row - 2, colour,
                escape(side == 0 ? chart.left_label : chart.right_label), escape(chart.bands[b]),
                escape(chart.second_label), escape(format(value(second, b), 0)));
            out += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"none\" "
                "stroke=\"#222\" stroke-width=\"1\"><title>{} {} {}: {}</title></rect>",
                x1, yb + 1, w1, row - 2, escape(side == 0 ? chart.left_label : chart.right_label),
                escape(chart.bands[b]), escape(chart.first_label),
                escape(format(value(first, b), 0)));
        }
    }
    out += "</g><g class=\"axis\">";
    for (std::size_t b = 0; b < n; ++b)
        out += fmt::format(
            "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"middle\" "
            "class=\"small\">{}</text>",
            middle, bar_y(b) + row - 3, escape(chart.bands[b]));
    // A scale under each half: 0 at the middle, the largest value at the edges.
    const auto ticks = nice_ticks(0, most, 3);
    for (double t : ticks) {
        if (t > most) break;
        for (int side = 0; side < 2; ++side) {
            const double px =
                side == 0 ? middle - 24 - half * t / most : middle + 24 + half * t / most;
            out += fmt::format(
                "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" "
                "class=\"small\">{}</text>",
                px, h - bottom + 14, escape(format(t, tick_decimals(ticks))));
        }
    }
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
        middle - half / 2, top - 4, escape(chart.left_label), middle + half / 2, top - 4,
        escape(chart.right_label), middle, h - 8, escape(chart.value_label));
    out += fmt::format(
        "<g class=\"legend\"><rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"none\" "
        "stroke=\"#222\"/><text x=\"{}\" y=\"{}\">{}</text><rect x=\"{}\" y=\"{}\" width=\"14\" "
        "height=\"10\" fill=\"#888\" fill-opacity=\"0.55\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
        left + plot_w + 14, top + 3, left + plot_w + 34, top + 12, escape(chart.first_label),
        left + plot_w + 14, top + 21, left + plot_w + 34, top + 30, escape(chart.second_label));
    return out + "</svg>";
}

std::string bar_chart(const BarChart& chart, const NumberFormat& format) {
    Range r;
    r.add(0);
    for (const auto& s : chart.series)
        for (double v : s.y) r.add(v);
    if (chart.categories.empty() || chart.series.empty() || r.high == r.low)
        return missing_chart(chart.id, chart.title, "-");
    const auto ticks = nice_ticks(r.low, r.high);
    const Scale y{ticks.front(), ticks.back(), top + plot_h, top};
    const double group = plot_w / static_cast<double>(chart.categories.size());
    const double bar = group * 0.8 / static_cast<double>(chart.series.size());
    std::string out = open_svg(chart.id, "bar", chart.title);
    out += y_axis(y, ticks, format, chart.value_label);
    out += "<g class=\"axis\">";
    for (std::size_t c = 0; c < chart.categories.size(); ++c)
        out += wrapped_label(left + group * (static_cast<double>(c) + 0.5), top + plot_h + 14,
                             chart.categories[c]);
    out += "</g><g class=\"marks\">";
    std::string legend;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const auto& series = chart.series[s];
        const auto colour = series_colour(series.colour);
        for (std::size_t c = 0; c < chart.categories.size() && c < series.y.size(); ++c) {
            const double v = finite(series.y[c]) ? series.y[c] : 0.0;
            const double x =
                left + group * (static_cast<double>(c) + 0.1) + bar * static_cast<double>(s);
            const double y0 = y(0), y1 = y(v);
            out += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                "fill=\"{}\"><title>{}, {}: {}</title></rect>",
                x, std::min(y0, y1), std::max(bar - 1, 1.0), std::max(std::abs(y1 - y0), 0.5),
                colour, escape(chart.categories[c]), escape(series.label),
                escape(format(v, chart.decimals)));
        }
        legend += legend_entry(s, colour, series.label, false, true);
    }
    return out + "</g>" + legend + "</svg>";
}

std::string diverging_colour(double value, double limit) {
    if (!finite(value)) return "#bbbbbb";
    const double t = limit > 0 ? std::clamp(value / limit, -1.0, 1.0) : 0.0;
    // White at 0, to #b2182b (red) at +1 and #2166ac (blue) at -1.
    const std::array<int, 3> end =
        t >= 0 ? std::array<int, 3>{178, 24, 43} : std::array<int, 3>{33, 102, 172};
    const double a = std::abs(t);
    std::array<int, 3> rgb{};
    for (std::size_t k = 0; k < 3; ++k)
        rgb[k] = static_cast<int>(std::lround(247 + (end[k] - 247) * a));
    return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

std::string point_map(const PointMap& chart, const NumberFormat& format) {
    Range xr, yr;
    double limit = chart.limit;
    for (const auto& p : chart.points) {
        xr.add(p.x);
        yr.add(p.y);
        if (chart.limit <= 0 && finite(p.value)) limit = std::max(limit, std::abs(p.value));
    }
    if (xr.empty() || yr.empty()) return missing_chart(chart.id, chart.title, "-");
    // One scale for both axes (metres are metres), centred in the plot.
    const double span = std::max({xr.high - xr.low, yr.high - yr.low, 1.0});
    const double px_per_m = std::min(plot_w, plot_h) / span;
    const double cx = left + plot_w / 2, cy = top + plot_h / 2;
    const double mx = (xr.low + xr.high) / 2, my = (yr.low + yr.high) / 2;
    // [px] Small dots for thousands of PC6 or PC4 areas, large ones for a few buurten.
    const double radius = chart.points.size() > 400 ? 2.5 : chart.points.size() > 60 ? 5 : 9;
    std::string out = open_svg(chart.id, "map", chart.title);
    out += "<g class=\"marks\">";
    for (const auto& p : chart.points) {
        if (!finite(p.x) || !finite(p.y)) continue;
        out += fmt::format(
            "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" stroke=\"#555\" "
            "stroke-width=\"0.3\"><title>{}: {}</title></circle>",
            cx + (p.x - mx) * px_per_m, cy - (p.y - my) * px_per_m, radius,
            diverging_colour(p.value, limit), escape(p.label),
            escape(format(p.value, chart.decimals)));
    }
    out += "</g>";
    // The colour scale: five steps from -limit to +limit, and a 1 km bar.
    const double lx = left + plot_w + 14;
    out += "<g class=\"legend\">";
    for (int k = 0; k < 5; ++k) {
        const double v = limit * (2 - k) / 2.0;
        const double ly = top + 6 + 18 * k;
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"12\" fill=\"{}\" stroke=\"#555\" "
            "stroke-width=\"0.3\"/><text x=\"{}\" y=\"{}\">{}{}</text>",
            lx, ly, diverging_colour(v, limit), lx + 20, ly + 10, v > 0 ? "+" : "",
            escape(format(v, chart.decimals)));
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"small\">{}</text>", lx, top + 104,
                       escape(chart.value_label));
    out += fmt::format(
        "<path d=\"M{} {}h{:.1f}\" stroke=\"#222\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\" "
        "class=\"small\">1 km</text></g>",
        lx, top + plot_h, 1000 * px_per_m, lx, top + plot_h - 6);
    return out + "</svg>";
}

std::string missing_chart(std::string_view id, std::string_view title, std::string_view reason) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{}\" class=\"chart missing\" "
        "data-chart=\"missing\" viewBox=\"0 0 {} 60\" width=\"{}\" height=\"60\" role=\"img\" "
        "aria-label=\"{}\"><text class=\"title\" x=\"8\" y=\"20\">{}</text><text x=\"8\" "
        "y=\"44\" class=\"note\">{}</text></svg>",
        escape(id), width, width, escape(title), escape(title), escape(reason));
}

}  // namespace socialtwin::svg
