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

TEST(Migration, OutMigrationFollowsTheRateByAgeAtYearEnd) {
    OneArea area;
    area.next[OneArea::cell(0, 25, Position::living_alone)] = 100;
    area.scenario.parameters.set("housing.migration", std::string{"demand_led"});
    area.rates.in_migrants_per_inhabitant = 0;
    MigrationModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.out, 2.0);
    EXPECT_DOUBLE_EQ(OneArea::total(area.next), 98.0);
}

TEST(Migration, InMigrantsArriveWithTheProfileAndThePositionsOfTheirAge) {
    OneArea area;
    area.start[OneArea::cell(0, 60, Position::living_alone)] = 1000;
    area.scenario.parameters.set("housing.migration", std::string{"demand_led"});
    MigrationModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.in, 10.0);  // 1% of the 1 January inhabitants
    // Profile: ages 20-29 of both sexes, 1/20 each; all living alone at those ages.
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 25, Position::living_alone)], 0.5);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 35, Position::living_alone)], 0.0);
}

TEST(Migration, NewDwellingsAreFilledInTheirYearOnly) {
    for (const int year : {2020, 2021}) {
        OneArea area;
        ConstructionProject p;
        p.year = 2021;
        p.area = "A0";
        p.dwellings = 10;
        p.occupancy = 2;
        area.scenario.construction.push_back(p);
        area.rates.in_migrants_per_inhabitant = 0;
        MigrationModel model(area.rates);
        const YearResults r = area.run(model, year);
        const double expected = year == 2021 ? 20.0 : 0.0;
        EXPECT_DOUBLE_EQ(area.in, expected) << year;
        EXPECT_DOUBLE_EQ(area.value(r, "migration_in_new_dwellings"), expected);
    }
}

TEST(Migration, DemolitionSendsTheResidentsOfTheDemolishedShareOut) {
    OneArea area;
    area.rates.in_migrants_per_inhabitant = 0;
    for (auto& by_age : area.rates.out_migration) by_age.fill(0.0);
    area.next[OneArea::cell(0, 40, Position::living_alone)] = 200;
    ConstructionProject p;
    p.year = 2020;
    p.area = "A0";
    p.dwellings = -25;  // a quarter of the 100 dwellings
    area.scenario.construction.push_back(p);
    MigrationModel model(area.rates);
    area.run(model);
    EXPECT_DOUBLE_EQ(area.out, 50.0);
    EXPECT_DOUBLE_EQ(OneArea::total(area.next), 150.0);
}

}  // namespace
}  // namespace socialtwin
