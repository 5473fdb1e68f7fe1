#include "engine/results/backtest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/core/errors.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

const fs::path observations = fs::path(SOCIALTWIN_TEST_DATA_DIR) / "observations";

// The fixture result starts in 2024 (BU1: 60 inhabitants, 63 in 2025; BU2: 90, 92). The
// observations (tests/data/observations/backtest) were made up so that every forecast can be
// worked out by hand:
//   BU1 population: observed 54 (2023), 58 (2024), 70 (2025)
//     projection 63 -> error (63 - 70) / 70 = -10%
//     no change  60 (the projection's 2024) -> -14.2857%
//     last trend 60 + (58 - 54) per year x 1 year = 64 -> -8.5714%
//   BU2 population: observed 92 (2025) only -> projection 0%, no change 90 -> -2.1739%, no trend
//   BU1 0-14 (both sexes) 2025: observed 9, projection 63 x 6/40 = 9.45 -> +5%, no change 9 -> 0%
//   BU9: not in the projection -> reported, not compared
class BacktestTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun().write(dir_ / "run.h5");
    }
    BacktestReport backtest() const {
        return backtest_projection({.projection = dir_ / "run.h5",
                                    .observation = observations / "backtest",
                                    .level = {},
                                    .dataset = "fixture",
                                    .core = "cohort"});
    }
    static const BacktestRow& row(const BacktestReport& report, const std::string& area,
                                  const std::string& age_band = {}) {
        for (const auto& r : report.rows)
            if (r.area == area && r.age_band == age_band) return r;
        throw std::runtime_error("no row for " + area);
    }
};

TEST_F(BacktestTest, NaiveForecastsAreTheBaseValueAndTheLastObservedTrendCarriedForward) {
    const auto report = backtest();
    EXPECT_EQ(report.base_year, 2024);
    ASSERT_EQ(report.rows.size(), 3u);  // 2025 only: 2023 and 2024 are history
    const auto& bu1 = row(report, "BU1");
    EXPECT_EQ(bu1.year, 2025);
    EXPECT_DOUBLE_EQ(bu1.observed, 70);
    EXPECT_DOUBLE_EQ(bu1.projected, 63);
    EXPECT_DOUBLE_EQ(bu1.no_change, 60);
    EXPECT_DOUBLE_EQ(bu1.last_trend, 64);
    EXPECT_NEAR(bu1.error_percent, -10, 1e-12);
    EXPECT_NEAR(bu1.no_change_error_percent, -100.0 / 7, 1e-12);
    EXPECT_NEAR(bu1.last_trend_error_percent, -6.0 / 70 * 100, 1e-12);

    const auto& bu2 = row(report, "BU2");
    EXPECT_DOUBLE_EQ(bu2.error_percent, 0);
    EXPECT_NEAR(bu2.no_change_error_percent, -2.0 / 92 * 100, 1e-12);
    EXPECT_TRUE(std::isnan(bu2.last_trend)) << "one observation is no trend";
    EXPECT_TRUE(std::isnan(bu2.last_trend_error_percent));

    const auto& young = row(report, "BU1", "0-14");
    EXPECT_DOUBLE_EQ(young.projected, 63.0 * 6 / 40);
    EXPECT_NEAR(young.error_percent, 5, 1e-12);
    EXPECT_NEAR(young.no_change_error_percent, 0, 1e-12);
}

TEST_F(BacktestTest, SummaryGivesMedianAndP90OfAbsoluteErrorsAndTheShareOfAreasBeaten) {
    const auto report = backtest();
    ASSERT_EQ(report.summary.size(), 2u);
    const auto& total = report.summary[0];
    EXPECT_EQ(total.indicator, "population");
    EXPECT_EQ(total.age_band, "");
    EXPECT_EQ(total.n_areas, 2u);
    EXPECT_EQ(total.n_trend, 1u);
    EXPECT_NEAR(total.median, 5, 1e-12);  // |errors| 10 and 0
    EXPECT_NEAR(total.p90, 9, 1e-12);     // 0 + 0.9 x (10 - 0)
    EXPECT_NEAR(total.no_change_median, (100.0 / 7 + 200.0 / 92) / 2, 1e-12);
    EXPECT_NEAR(total.trend_median, 600.0 / 70, 1e-12);
    EXPECT_DOUBLE_EQ(total.beats_no_change, 1);  // 10 < 14.3 and 0 < 2.2
    EXPECT_DOUBLE_EQ(total.beats_trend, 0);      // 10 > 8.6 in the one area with a trend
    const auto& young = report.summary[1];
    EXPECT_EQ(young.age_band, "0-14");
    EXPECT_DOUBLE_EQ(young.beats_no_change, 0);
    EXPECT_TRUE(std::isnan(young.beats_trend));
}

TEST_F(BacktestTest, ObservedAreasTheProjectionLacksAreReportedNotCompared) {
    const auto report = backtest();
    EXPECT_EQ(report.unmatched_areas, (std::vector<std::string>{"BU9"}));
    std::ostringstream text;
    print_backtest(report, text, false);
    EXPECT_NE(text.str().find("1 observed buurt not in the projection (left out): BU9"),
              std::string::npos)
        << text.str();
}

TEST_F(BacktestTest, ErrorTableHasOneRowPerObservedValueAfterTheBaseYear) {
    const auto report = backtest();
    write_backtest_csv(report, dir_ / "errors.csv");
    std::ifstream in(dir_ / "errors.csv");
    std::string header, line;
    std::getline(in, header);
    EXPECT_EQ(header,
              "level,area,indicator,sex,age_band,year,base_year,observed,projected,no_change,"
              "last_trend,error_percent,no_change_error_percent,last_trend_error_percent");
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    ASSERT_EQ(lines.size(), report.rows.size());
    EXPECT_NE(
        std::find(lines.begin(), lines.end(),
                  "buurt,BU1,population,,,2025,2024,70,63,60,64,-10,-14.28571429,-8.571428571"),
        lines.end())
        << lines.front();
}

TEST_F(BacktestTest, MarkdownSummaryHasOneTableRowPerIndicatorGroupAndYear) {
    const auto report = backtest();
    std::ostringstream text;
    print_backtest(report, text, true);
    EXPECT_NE(text.str().find("| population | total | 2025 | 2 | 5.00% | 9.00% |"),
              std::string::npos)
        << text.str();
    EXPECT_NE(text.str().find("| population_by_age_sex | 0-14 | 2025 | 1 |"), std::string::npos);
}

TEST(ErrorQuantile, InterpolatesBetweenOrderStatisticsAndSkipsNaN) {
    EXPECT_DOUBLE_EQ(error_quantile({3, 1, 2}, 0.5), 2);
    EXPECT_DOUBLE_EQ(error_quantile({1, 2, 3, 4}, 0.5), 2.5);
    EXPECT_DOUBLE_EQ(error_quantile({0, 10}, 0.9), 9);
    EXPECT_DOUBLE_EQ(error_quantile({std::nan(""), 4}, 0.5), 4);
    EXPECT_TRUE(std::isnan(error_quantile({}, 0.5)));
}

}  // namespace
}  // namespace socialtwin
