#pragma once
// Charts as inline SVG for `socialtwin report` (engine/results/report.hpp): a line chart with
// an optional band (the agent core's p5-p95 over replicates), a population pyramid, a grouped bar
// chart and a map of points coloured by a value. Each returns one self-contained <svg> element
// (no script, no external reference); hover text is an SVG <title>. Numbers on axes and in hover
// text go through the caller's `NumberFormat`, so the report's language decides "1.234,5" or
// "1,234.5" in one place (engine/results/report_text.hpp).
//
// Every chart carries the class "chart" and a data-chart attribute with its kind, and draws its
// marks as <path>, <rect> or <circle> inside a <g class="marks">: the browser test
// (tests/browser) counts those to see that a chart was drawn.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace socialtwin::svg {

// Formats a number with the given number of decimals, e.g. 81060 -> "81.060" in Dutch.
using NumberFormat = std::function<std::string(double value, int decimals)>;

// Text in SVG and HTML: & < > " escaped.
std::string escape(std::string_view text);

// Round numbers for an axis from `low` to `high`: about `target` ticks at 1, 2 or 5 x 10^k.
std::vector<double> nice_ticks(double low, double high, int target = 5);
// The decimals the ticks need to be told apart (0 for whole steps).
int tick_decimals(const std::vector<double>& ticks);

// The colour of the n-th series (a palette that stays apart in print and for most colour
// blindness: Okabe-Ito).
std::string_view series_colour(std::size_t n);

struct Series {
    std::string label;
    std::vector<double> y;                    // one per x; NaN leaves a gap
    std::vector<double> band_low, band_high;  // empty, or one per x: drawn as a shaded band
    std::size_t colour = 0;                   // series_colour(colour)
    bool dashed = false;
};

struct LineChart {
    std::string id;                       // the element's id
    std::string title, x_label, y_label;  // y_label names the unit
    std::vector<double> x;                // e.g. years
    std::vector<Series> series;
    std::string band_note;  // the legend's text for the band; "" without bands
};
std::string line_chart(const LineChart& chart, const NumberFormat& format);

struct Pyramid {
    std::string id;
    std::string title, value_label;       // value_label names the unit, e.g. "personen"
    std::vector<std::string> bands;       // age bands, youngest first
    std::string left_label, right_label;  // e.g. "mannen", "vrouwen"
    // Per band: the first year's values (drawn as outlined bars) and the second's (filled).
    std::vector<double> left_first, right_first, left_second, right_second;
    std::string first_label, second_label;  // e.g. "2019", "2049"
};
std::string pyramid(const Pyramid& chart, const NumberFormat& format);

struct BarChart {
    std::string id;
    std::string title, value_label;       // value_label names the unit
    std::vector<std::string> categories;  // one group of bars each
    std::vector<Series> series;           // y: one value per category
    int decimals = 0;
};
std::string bar_chart(const BarChart& chart, const NumberFormat& format);

struct MapPoint {
    double x = 0, y = 0;  // projected metres (RD New): north up
    double value = 0;     // NaN: drawn grey
    std::string label;    // hover text before the value
};

struct PointMap {
    std::string id;
    std::string title, value_label;  // value_label names the unit
    std::vector<MapPoint> points;
    // The colour scale runs symmetrically from -limit (blue) through 0 (white) to +limit (red);
    // 0 takes the largest absolute value of the points.
    double limit = 0;
    int decimals = 0;
};
std::string point_map(const PointMap& chart, const NumberFormat& format);
// The diverging colour of `value` on a scale from -limit to +limit, as "#rrggbb".
std::string diverging_colour(double value, double limit);

// Shown where a chart cannot be drawn (an indicator absent from the results): a small <svg> with
// the title and the reason, so the report still reads and says what is missing.
std::string missing_chart(std::string_view id, std::string_view title, std::string_view reason);

}  // namespace socialtwin::svg
