#include "engine/core/scenario.hpp"

#include <gtest/gtest.h>

namespace socialtwin {
namespace {

Scenario scenario_2019_30_years() {
    Scenario s;
    s.base_year = 2019;
    s.horizon = 30;
    return s;
}

TEST(RateMultiplier, IsOneWithoutChanges) {
    const Scenario s = scenario_2019_30_years();
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::mortality, 2030, 0, 70), 1.0);
}

TEST(RateMultiplier, AppliesFactorOnlyInsideAgeSexAndYearWindow) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes[RateTarget::mortality].push_back(
        {.factor = 0.8, .from_year = 2025, .age_min = 65, .sex = SexFilter::female});
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::mortality, 2030, 1, 70), 0.8);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::mortality, 2030, 0, 70), 1.0);  // men
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::mortality, 2030, 1, 60), 1.0);  // too young
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::mortality, 2024, 1, 70), 1.0);  // too early
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::fertility, 2030, 1, 30), 1.0);  // other rate
}

TEST(RateMultiplier, TrendCompoundsUntilToYearThenHolds) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes[RateTarget::separation].push_back(
        {.trend = 0.1, .from_year = 2020, .to_year = 2022});
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::separation, 2020, 0, 40), 1.0);
    EXPECT_NEAR(rate_multiplier(s, RateTarget::separation, 2021, 0, 40), 1.1, 1e-12);
    EXPECT_NEAR(rate_multiplier(s, RateTarget::separation, 2022, 0, 40), 1.21, 1e-12);
    EXPECT_NEAR(rate_multiplier(s, RateTarget::separation, 2040, 0, 40), 1.21, 1e-12);
}

TEST(RateMultiplier, MultipliesOverlappingChanges) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes[RateTarget::fertility] = {{.factor = 0.9}, {.factor = 0.5, .age_min = 40}};
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::fertility, 2020, 1, 30), 0.9);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, RateTarget::fertility, 2020, 1, 42), 0.45);
}

TEST(RateTargetNames, RoundTrip) {
    for (int i = 0; i < n_rate_targets; ++i) {
        const auto t = static_cast<RateTarget>(i);
        EXPECT_EQ(rate_target_from_string(to_string(t)), t);
    }
    EXPECT_FALSE(rate_target_from_string("mortalty"));
}

}  // namespace
}  // namespace socialtwin
