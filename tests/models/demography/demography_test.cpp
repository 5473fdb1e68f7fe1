#include "models/demography/demography.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

TEST(Mortality, APersonAgedAOnFirstJanuaryDiesWithDeathProbabilityA) {
    // The rate set holds CBS q(a+1) on 31 December at age a (checked against the CBS table by
    // tests/python/test_demography.py); the model applies it to the age on 1 January, here 70.
    OneArea area;
    area.next[OneArea::cell(1, 70, Position::living_alone)] = 1000;
    area.next[OneArea::cell(1, 71, Position::living_alone)] = 1000;
    area.rates.death_probability[1][70] = 0.02;
    area.rates.death_probability[1][71] = 0.03;
    MortalityModel model(area.rates);
    area.run(model, area.rates.reference_year);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 70, Position::living_alone)], 1000 * (1 - 0.02));
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 71, Position::living_alone)], 1000 * (1 - 0.03));
}

TEST(Mortality, ImprovementChangesNothingInTheReferenceYear) {
    OneArea area;
    area.next[OneArea::cell(0, 80, Position::living_alone)] = 1000;
    area.rates.death_probability[0][80] = 0.05;
    area.rates.mortality_improvement[0][80] = 0.02;
    MortalityModel model(area.rates);
    area.run(model, area.rates.reference_year);
    EXPECT_DOUBLE_EQ(model.death_probability()[0][80], 0.05);
    EXPECT_DOUBLE_EQ(area.deaths, 50);
}

TEST(Mortality, TenYearsAfterTheReferenceYearQHasDeclinedByTheCompoundedRate) {
    OneArea area;
    area.next[OneArea::cell(0, 80, Position::living_alone)] = 1000;
    area.rates.death_probability[0][80] = 0.05;
    area.rates.mortality_improvement[0][80] = 0.02;
    area.rates.mortality_improvement[0][81] = 0.5;  // another age's rate does not leak in
    MortalityModel model(area.rates);
    area.run(model, area.rates.reference_year + 10);
    EXPECT_NEAR(model.death_probability()[0][80], 0.05 * std::pow(0.98, 10), 1e-15);
    EXPECT_NEAR(area.deaths, 1000 * 0.05 * 0.8170728068875467, 1e-9);  // 0.98^10
}

TEST(Mortality, ImprovementAndTheAreaFactorAndTheScenarioLeverMultiply) {
    OneArea area;
    area.next[OneArea::cell(1, 90, Position::institution)] = 100;
    area.rates.death_probability[1][90] = 0.2;
    area.rates.mortality_improvement[1][90] = 0.01;
    area.rates.mortality_factor = 1.05;
    area.scenario.rate_changes["mortality"].push_back({.factor = 0.9, .age_min = 65});
    MortalityModel model(area.rates);
    area.run(model, area.rates.reference_year + 2);
    EXPECT_NEAR(area.deaths, 100 * 0.2 * 0.99 * 0.99 * 1.05 * 0.9, 1e-12);
}

TEST(Mortality, AProbabilityRaisedAboveOneIsCappedAtOne) {
    OneArea area;
    area.next[OneArea::cell(0, 104, Position::institution)] = 10;
    area.rates.death_probability[0][104] = 0.7;
    area.rates.mortality_factor = 2;
    MortalityModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.deaths, 10);
}

TEST(Fertility, NewbornsTakeTheAgeZeroPositionsAndDieWithTheNewbornDeathProbability) {
    OneArea area;
    area.start[OneArea::cell(1, 30, Position::partner_with_children)] = 40;
    area.rates.newborn_death_probability = {0.004, 0.003};
    area.rates.death_probability[0][0] = 0.5;  // the age-0 q is for those aged 0 on 1 January
    FertilityModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.births, 2.0);  // 40 x 0.05, half boys
    EXPECT_DOUBLE_EQ(area.deaths, 1.0 * 0.004 + 1.0 * 0.003);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(0, 0, Position::child_at_home)], 1.0 * (1 - 0.004));
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 0, Position::child_at_home)], 1.0 * (1 - 0.003));
}

TEST(Fertility, TheNewbornsDeathProbabilityImprovesWithItsOwnRateAndTakesTheAreaFactor) {
    OneArea area;
    area.start[OneArea::cell(1, 30, Position::partner_with_children)] = 40;
    area.rates.newborn_death_probability = {0.004, 0.004};
    area.rates.newborn_mortality_improvement = {0.01, 0.02};
    area.rates.mortality_factor = 1.1;
    FertilityModel model(area.rates);
    area.run(model, area.rates.reference_year + 5);
    EXPECT_NEAR(area.deaths, 0.004 * 1.1 * (std::pow(0.99, 5) + std::pow(0.98, 5)), 1e-15);
}

TEST(Fertility, TheTfrPathMovesLinearlyToTheLongRunLevelAndThenHolds) {
    RateSet rates;
    rates.reference_year = 2019;
    rates.fertility_tfr_reference = 1.5;
    rates.fertility_tfr_long_run = 1.8;
    rates.fertility_years_to_long_run = 10;
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2019), 1.0);
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2024), 1.65 / 1.5);
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2029), 1.8 / 1.5);
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2045), 1.8 / 1.5);
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2015),
                     1.0);                  // before the reference year: its level
    rates.fertility_years_to_long_run = 0;  // no years: the long-run level at once
    EXPECT_DOUBLE_EQ(fertility_path_factor(rates, 2019), 1.8 / 1.5);
}

TEST(Fertility, BirthsFollowThePathAndTheScenarioLeverOnTop) {
    OneArea area;
    area.start[OneArea::cell(1, 30, Position::partner_with_children)] = 100;
    area.rates.fertility_tfr_reference = 1.5;
    area.rates.fertility_tfr_long_run = 1.8;
    area.rates.fertility_years_to_long_run = 10;
    area.scenario.rate_changes["fertility"].push_back({.factor = 0.5});
    FertilityModel model(area.rates);
    area.run(model, area.rates.reference_year + 5);
    EXPECT_NEAR(area.births, 100 * 0.05 * (1.65 / 1.5) * 0.5, 1e-12);
}

TEST(MortalityImprovement, IsOneInTheReferenceYearAndCompoundsPerYear) {
    EXPECT_DOUBLE_EQ(mortality_improvement_factor(0.015, 2019, 2019), 1.0);
    EXPECT_NEAR(mortality_improvement_factor(0.015, 2019, 2029), 0.859730442259143,
                1e-12);  // 0.985^10
    EXPECT_NEAR(mortality_improvement_factor(0.015, 2019, 2018), 1 / 0.985, 1e-15);
}

}  // namespace
}  // namespace socialtwin
