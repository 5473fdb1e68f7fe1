#include "engine/core/scenario.hpp"

#include <gtest/gtest.h>

namespace socialtwin {
namespace {

// The core knows levers only as models declare them; these stand in for the models' own.
constexpr RateLever mortality_lever{.name = "mortality", .meaning = "deaths"};
constexpr RateLever fertility_lever{.name = "fertility", .meaning = "births"};
constexpr RateLever separation_lever{.name = "separation", .meaning = "couples separating"};

Scenario scenario_2019_30_years() {
    Scenario s;
    s.base_year = 2019;
    s.horizon = 30;
    return s;
}

TEST(RateMultiplier, IsOneWithoutChanges) {
    const Scenario s = scenario_2019_30_years();
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2030, 0, 70), 1.0);
}

TEST(RateMultiplier, AppliesFactorOnlyInsideAgeSexAndYearWindow) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes["mortality"].push_back(
        {.factor = 0.8, .from_year = 2025, .age_min = 65, .sex = SexFilter::female});
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2030, 1, 70), 0.8);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2030, 0, 70), 1.0);  // men
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2030, 1, 60), 1.0);  // too young
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2024, 1, 70), 1.0);  // too early
    EXPECT_DOUBLE_EQ(rate_multiplier(s, fertility_lever, 2030, 1, 30), 1.0);  // other rate
}

TEST(RateMultiplier, TrendCompoundsUntilToYearThenHolds) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes["separation"].push_back({.trend = 0.1, .from_year = 2020, .to_year = 2022});
    EXPECT_DOUBLE_EQ(rate_multiplier(s, separation_lever, 2020, 0, 40), 1.0);
    EXPECT_NEAR(rate_multiplier(s, separation_lever, 2021, 0, 40), 1.1, 1e-12);
    EXPECT_NEAR(rate_multiplier(s, separation_lever, 2022, 0, 40), 1.21, 1e-12);
    EXPECT_NEAR(rate_multiplier(s, separation_lever, 2040, 0, 40), 1.21, 1e-12);
}

TEST(RateMultiplier, MultipliesOverlappingChanges) {
    Scenario s = scenario_2019_30_years();
    s.rate_changes["fertility"] = {{.factor = 0.9}, {.factor = 0.5, .age_min = 40}};
    EXPECT_DOUBLE_EQ(rate_multiplier(s, fertility_lever, 2020, 1, 30), 0.9);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, fertility_lever, 2020, 1, 42), 0.45);
}

TEST(EnumNames, ToStringAndFromStringReadOneTable) {
    for (const std::string_view name : tenure_names.all())
        EXPECT_EQ(tenure_names(*tenure_names.from_string(name)), name);
    EXPECT_EQ(to_string(Tenure::social_rent), "social_rent");
    EXPECT_EQ(core_names.from_string("agent"), CoreKind::agent);
    EXPECT_EQ(sex_filter_names.from_string("female"), SexFilter::female);
    EXPECT_FALSE(tenure_names.from_string("social"));
}

TEST(ScenarioParameters, TheDiscountRateDefaultsToTheDeclaredRate) {
    Scenario s;
    s.discount_rate = 0.5;
    scenario_parameters().bind(s, ParameterValues{});
    EXPECT_EQ(s.discount_rate, default_discount_rate);
    ParameterValues given;
    given.set("businesscase.discount_rate", 0.04);
    scenario_parameters().bind(s, given);
    EXPECT_EQ(s.discount_rate, 0.04);
}

}  // namespace
}  // namespace socialtwin
