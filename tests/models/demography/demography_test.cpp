#include "models/demography/demography.hpp"

#include <gtest/gtest.h>

#include "support/one_area.hpp"

namespace socialtwin {
namespace {

using testing::OneArea;

TEST(Mortality, TakesDeathsByAgeOnFirstJanuaryFromThePersonsStillThere) {
    OneArea area;
    area.next[OneArea::cell(0, 70, Position::living_alone)] = 200;  // the core copies start
    area.rates.death_probability[0][70] = 0.05;
    MortalityModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.deaths, 10);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(0, 70, Position::living_alone)], 190);
}

TEST(Mortality, ScenarioFactorAppliesOnlyToItsAges) {
    OneArea area;
    area.next[OneArea::cell(1, 70, Position::living_alone)] = 100;
    area.next[OneArea::cell(1, 50, Position::living_alone)] = 100;
    area.scenario.rate_changes["mortality"].push_back({.factor = 0.5, .age_min = 65});
    MortalityModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.deaths, 100 * 0.01 * 0.5 + 100 * 0.01);
}

TEST(Fertility, NewbornsTakeTheAgeZeroPositionsAndLoseHalfTheInfantDeathProbability) {
    OneArea area;
    area.start[OneArea::cell(1, 30, Position::partner_with_children)] = 40;
    FertilityModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.births, 2.0);               // 40 x 0.05
    EXPECT_DOUBLE_EQ(area.deaths, 2.0 * 0.5 * 0.01);  // half of q(0)
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(0, 0, Position::child_at_home)], 1.0 * 0.995);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 0, Position::child_at_home)], 1.0 * 0.995);
}

}  // namespace
}  // namespace socialtwin
