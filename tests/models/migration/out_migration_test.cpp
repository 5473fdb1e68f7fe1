// Out-migration across the municipal border (models/migration/out_migration.hpp): who leaves by
// the rate of their age at year end, and whom demolition sends away.

#include "models/migration/out_migration.hpp"

#include <gtest/gtest.h>

#include "support/one_area.hpp"

namespace socialtwin {
namespace {

using testing::OneArea;

// One area (100 dwellings) with out-migration alone, reading the scenario's construction.
struct Leaving : OneArea {
    YearResults run_out_migration(int year = 2020) {
        const ConstructionProgramme programme(scenario, areas, rates.persons_per_household);
        OutMigrationModel model(rates, programme);
        return run(model, year);
    }
    void demolish(double dwellings, int year = 2020) {
        ConstructionProject p;
        p.year = year;
        p.area = "A0";
        p.dwellings = -dwellings;
        scenario.construction.push_back(p);
    }
};

TEST(OutMigration, LeavesByTheRateOfTheAgeAtYearEnd) {
    Leaving area;
    area.next[OneArea::cell(0, 25, Position::living_alone)] = 100;  // 2% a year at every age
    area.run_out_migration();
    EXPECT_DOUBLE_EQ(area.out, 2.0);
    EXPECT_DOUBLE_EQ(OneArea::total(area.next), 98.0);
}

TEST(OutMigration, TheScenarioFactorScalesTheRateOfItsAgesOnly) {
    Leaving area;
    area.next[OneArea::cell(1, 25, Position::living_alone)] = 100;
    area.next[OneArea::cell(1, 70, Position::living_alone)] = 100;
    area.scenario.rate_changes["migration_out"].push_back({.factor = 2, .age_max = 30});
    area.run_out_migration();
    EXPECT_DOUBLE_EQ(area.out, 100 * 0.04 + 100 * 0.02);
}

TEST(OutMigration, DemolitionSendsTheResidentsOfTheDemolishedShareOut) {
    Leaving area;
    for (auto& by_age : area.rates.emigration) by_age.fill(0.0);
    area.next[OneArea::cell(0, 40, Position::living_alone)] = 200;
    area.demolish(25);  // a quarter of the 100 dwellings
    area.run_out_migration();
    EXPECT_DOUBLE_EQ(area.out, 50.0);
    EXPECT_DOUBLE_EQ(OneArea::total(area.next), 150.0);
}

TEST(OutMigration, DemolitionSendsResidentsOutOnlyInItsYear) {
    Leaving area;
    for (auto& by_age : area.rates.emigration) by_age.fill(0.0);
    area.next[OneArea::cell(0, 40, Position::living_alone)] = 200;
    area.demolish(25, 2021);
    area.run_out_migration(2020);
    EXPECT_DOUBLE_EQ(area.out, 0.0);
}

TEST(OutMigration, DemolishingMoreThanTheStockSendsEveryoneOutAndNoMore) {
    EXPECT_DOUBLE_EQ(OutMigrationModel::displaced_share(150, 100), 1.0);
    EXPECT_DOUBLE_EQ(OutMigrationModel::displaced_share(25, 100), 0.25);
    EXPECT_DOUBLE_EQ(OutMigrationModel::displaced_share(25, 0), 0.0);  // no stock, nobody there
    EXPECT_DOUBLE_EQ(OutMigrationModel::displaced_share(0, 100), 0.0);
}

}  // namespace
}  // namespace socialtwin
