// The documented defaults that are behaviours rather than values (docs/scenario-reference.md's
// "Default" column in words): each one, as a scenario without the key gets it. The value
// defaults are tested from the declarations themselves (ScenarioSchema.
// DocumentedDefaultsAreTheScenarioDefaults, DeclaredParameters.*); construction[].tenure and
// construction[].occupancy by the housing and construction tests
// (HousingModelTest.NewDwellingsWithoutTenureTakeTheAreasTenureMixOfTheirType,
// Programme.NewDwellingsTakeTheProjectsOccupancyElseTheScenarioDefaultElseTheMeanHousehold),
// facilities.open[].id by Accessibility tests (gp_practice-T2-2021).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/scenario.hpp"
#include "engine/input/scenario_loader.hpp"
#include "engine/input/scenario_schema.hpp"

namespace socialtwin {
namespace {

constexpr RateLever separation_lever{.name = "separation", .meaning = "couples separating"};

std::string documented(std::string_view path) {
    const SchemaKey* key = find_schema_key(path);
    return key ? std::string{key->default_value} : "<no such key>";
}

TEST(DocumentedDefaults, NameIsTheFileNameWithoutYaml) {
    EXPECT_EQ(documented("name"), "the file name without `.yaml`");
    const Scenario s =
        load_scenario_from_string("dataset: tiny\n", "somewhere/more-single-elderly.yaml");
    EXPECT_EQ(s.name, "more-single-elderly");
}

// `from` defaults to the base year: the change applies to the first projected year's flows.
// `to` defaults to the end of the horizon: a trend keeps growing until the last year.
TEST(DocumentedDefaults, ARateChangeRunsFromTheBaseYearAndItsTrendUntilTheHorizon) {
    EXPECT_EQ(documented("rates.<target>[].from"), "`base_year`");
    EXPECT_EQ(documented("rates.<target>[].to"), "`base_year + horizon`");
    const Scenario s = load_scenario_from_string(
        "dataset: tiny\nbase_year: 2019\nhorizon: 10\n"
        "rates:\n  separation:\n    factor: 2\n    trend: 0.1\n",
        "trend.yaml");
    EXPECT_DOUBLE_EQ(rate_multiplier(s, separation_lever, 2019, 0, 40), 2.0);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, separation_lever, 2029, 0, 40), 2.0 * std::pow(1.1, 10));
    // After the horizon (not projected) the level of the last year holds.
    EXPECT_DOUBLE_EQ(rate_multiplier(s, separation_lever, 2035, 0, 40), 2.0 * std::pow(1.1, 10));
}

}  // namespace
}  // namespace socialtwin
