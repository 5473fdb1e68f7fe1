#include "engine/results/svg_chart.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <string>

namespace socialtwin::svg {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

const NumberFormat plain = [](double v, int decimals) {
    return fmt::format("{:.{}f}", v, decimals);
};

TEST(NiceTicks, CoverTheRangeInStepsOfOneTwoOrFive) {
    const auto ticks = nice_ticks(81'060, 94'310);
    ASSERT_GE(ticks.size(), 3u);
    EXPECT_LE(ticks.front(), 81'060);
    EXPECT_GE(ticks.back(), 94'310);
    const double step = ticks[1] - ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    EXPECT_TRUE(mantissa == 1 || mantissa == 2 || mantissa == 5) << step;
    EXPECT_EQ(tick_decimals(ticks), 0);
    EXPECT_EQ(tick_decimals(nice_ticks(0.1, 0.9)), 1);
}

TEST(NiceTicks, AFlatLineStillGetsAnAxis) {
    EXPECT_GE(nice_ticks(5, 5).size(), 2u);
    EXPECT_GE(nice_ticks(0, 0).size(), 2u);
}

TEST(DivergingColour, IsWhiteAtZeroRedForGrowthBlueForDecline) {
    EXPECT_EQ(diverging_colour(0, 10), "#f7f7f7");
    EXPECT_EQ(diverging_colour(10, 10), "#b2182b");
    EXPECT_EQ(diverging_colour(-10, 10), "#2166ac");
    EXPECT_EQ(diverging_colour(50, 10), diverging_colour(10, 10));  // clamped
    EXPECT_EQ(diverging_colour(std::nan(""), 10), "#bbbbbb");
}

TEST(LineChart, DrawsOneLinePerSeriesAndTheBandWhereGiven) {
    LineChart chart{"c", "Inwoners", "jaar", "personen", {2019, 2020, 2021}, {}, "p5–p95"};
    chart.series.push_back({"basis", {100, 110, 120}, {95, 100, 105}, {105, 120, 135}, 0, false});
    chart.series.push_back({"vergrijzing & co", {100, 105, 108}, {}, {}, 1, true});
    const std::string svg = line_chart(chart, plain);
    EXPECT_EQ(count(svg, "class=\"line\""), 2u);
    EXPECT_EQ(count(svg, "class=\"band\""), 1u);
    EXPECT_NE(svg.find("vergrijzing &amp; co"), std::string::npos);  // escaped
    EXPECT_NE(svg.find("personen"), std::string::npos);              // the axis names the unit
    EXPECT_NE(svg.find("data-chart=\"line\""), std::string::npos);
    EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
}

TEST(LineChart, WithoutValuesSaysSoInsteadOfDrawingNothing) {
    LineChart chart{"c", "Inwoners", "jaar", "personen", {2019, 2020}, {}, ""};
    chart.series.push_back({"basis", {std::nan(""), std::nan("")}, {}, {}, 0, false});
    EXPECT_NE(line_chart(chart, plain).find("data-chart=\"missing\""), std::string::npos);
}

TEST(Pyramid, DrawsBothYearsForEachSexAndBand) {
    Pyramid p{"p",       "Piramide", "personen", {"0-4", "5-9", "10-14"},
              "mannen",  "vrouwen",  {1, 2, 3},  {1, 2, 3},
              {2, 3, 4}, {2, 3, 5},  "2019",     "2049"};
    const std::string svg = pyramid(p, plain);
    // 3 bands x 2 sexes x 2 years, and the legend's 2 boxes
    EXPECT_EQ(count(svg, "<rect"), 3u * 2 * 2 + 2);
    EXPECT_NE(svg.find("vrouwen 10-14 2049: 5"), std::string::npos);
}

TEST(BarChart, DrawsABarPerCategoryAndSeries) {
    BarChart chart{"b", "Huishoudens", "huishoudens", {"alleen", "paar", "overig"}, {}, 0};
    chart.series.push_back({"basis", {10, 20, 5}, {}, {}, 0, false});
    chart.series.push_back({"scenario", {12, 18, 6}, {}, {}, 1, false});
    const std::string svg = bar_chart(chart, plain);
    // 3 x 2 bars and 2 legend boxes
    EXPECT_EQ(count(svg, "<rect"), 3u * 2 + 2);
    EXPECT_NE(svg.find("paar, scenario: 18"), std::string::npos);
}

TEST(PointMap, DrawsEveryPlacedAreaWithItsValueAsHoverText) {
    PointMap map{"m", "Verandering", "personen", {}, 0, 0};
    map.points.push_back({80'000, 450'000, 12, "BU1 Noord"});
    map.points.push_back({81'000, 451'000, -3, "BU2 Zuid"});
    map.points.push_back({std::nan(""), 451'000, 1, "no position"});
    const std::string svg = point_map(map, plain);
    EXPECT_EQ(count(svg, "<circle"), 2u);
    EXPECT_NE(svg.find("BU1 Noord: 12"), std::string::npos);
    EXPECT_NE(svg.find(diverging_colour(12, 12)), std::string::npos);  // the largest is darkest
}

TEST(MissingChart, NamesWhatIsMissing) {
    const std::string svg = missing_chart("x", "Wmo", "Niet in de resultaten: wmo_clients");
    EXPECT_NE(svg.find("data-chart=\"missing\""), std::string::npos);
    EXPECT_NE(svg.find("wmo_clients"), std::string::npos);
}

}  // namespace
}  // namespace socialtwin::svg
