// In-migration across the municipal border (models/migration/in_migration.hpp), run with the
// other parts of migration as the registry makes them: would-be in-migrants per inhabitant by
// the in-migrant profile, admitted by the housing market, arriving with the positions of their
// age; new dwellings filled in their year.

#include "models/migration/in_migration.hpp"

#include <gtest/gtest.h>

#include "models/registry.hpp"
#include "support/one_area.hpp"

namespace socialtwin {
namespace {

using testing::OneArea;

std::vector<std::unique_ptr<Model>> migration(const RateSet& rates) {
    return create_models(rates, std::vector<std::string>{"migration"});
}

TEST(InMigration, InMigrantsArriveWithTheProfileAndThePositionsOfTheirAge) {
    OneArea area;
    area.start[OneArea::cell(0, 60, Position::living_alone)] = 1000;
    area.scenario.parameters.set("housing.migration", std::string{"demand_led"});
    area.run(migration(area.rates));
    EXPECT_DOUBLE_EQ(area.in, 10.0);  // 1% of the 1 January inhabitants
    // Profile: ages 20-29 of both sexes, 1/20 each; all living alone at those ages.
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 25, Position::living_alone)], 0.5);
    EXPECT_DOUBLE_EQ(area.next[OneArea::cell(1, 35, Position::living_alone)], 0.0);
}

TEST(InMigration, DemandLedEveryWouldBeInMigrantComesAndNoneIsUnmet) {
    OneArea area;
    area.start[OneArea::cell(0, 60, Position::living_alone)] = 1000;  // 1000 in 100 dwellings
    area.scenario.parameters.set("housing.migration", std::string{"demand_led"});
    const YearResults r = area.run(migration(area.rates));
    EXPECT_DOUBLE_EQ(area.in, 10.0);
    EXPECT_DOUBLE_EQ(area.value(r, "migration_in_unmet"), 0.0);
}

TEST(InMigration, HousingLedAFullStockAdmitsNoneAndReportsThemAsUnmet) {
    OneArea area;
    area.start[OneArea::cell(0, 60, Position::living_alone)] = 1000;
    area.next = area.start;  // the earlier phases left everyone there: no room at all
    const YearResults r = area.run(migration(area.rates));
    EXPECT_DOUBLE_EQ(area.in, 0.0);
    EXPECT_DOUBLE_EQ(area.value(r, "migration_in_unmet"), 10.0);
}

TEST(InMigration, NewDwellingsAreFilledInTheirYearOnly) {
    for (const int year : {2020, 2021}) {
        OneArea area;
        ConstructionProject p;
        p.year = 2021;
        p.area = "A0";
        p.dwellings = 10;
        p.occupancy = 2;
        area.scenario.construction.push_back(p);
        area.rates.immigrants_per_inhabitant = 0;
        const YearResults r = area.run(migration(area.rates), year);
        const double expected = year == 2021 ? 20.0 : 0.0;
        EXPECT_DOUBLE_EQ(area.in, expected) << year;
        EXPECT_DOUBLE_EQ(area.value(r, "migration_in_new_dwellings"), expected);
    }
}

}  // namespace
}  // namespace socialtwin
