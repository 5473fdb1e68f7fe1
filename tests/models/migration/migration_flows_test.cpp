// The four migration flows (models/migration/*.hpp, docs/model.md "Migration"): each its own
// lever and indicator, outflows calibrated to a gemeente's recorded rate on its base population.

#include <gtest/gtest.h>

#include "models/migration/gemeente_migration.hpp"
#include "models/migration/in_migration.hpp"
#include "models/migration/out_migration.hpp"
#include "models/registry.hpp"
#include "support/one_area.hpp"

namespace socialtwin {
namespace {

using testing::OneArea;

// One area of gemeente "G1" (when `recorded`), 1,000 men of 30 on 1 January (31 at year end);
// the synthetic rates: emigration 2% at every age, moves out 3%; immigrants 1% and moves in 2%
// of the inhabitants, both at ages 20-29.
struct Flows : OneArea {
    explicit Flows(bool recorded = false) {
        start[cell(0, 30, Position::living_alone)] = 1000;
        next[cell(0, 31, Position::living_alone)] = 1000;
        for (auto& by_age : rates.moves_out) by_age.fill(0.03);
        rates.moves_in_profile = rates.immigration_profile;
        rates.moves_in_per_inhabitant = 0.02;
        scenario.parameters.set("housing.migration", std::string{"demand_led"});
        if (!recorded) return;
        areas.add_attribute({"gemeente", {"G1"}});
        rates.migration_by_gemeente.push_back({.gemeente = "G1",
                                               .immigration = 0.04,
                                               .emigration = 0.05,
                                               .moves_in = 0.06,
                                               .moves_out = 0.07});
    }
    YearResults run_migration() {
        return run(create_models(rates, std::vector<std::string>{"migration"}));
    }
};

TEST(MigrationFlows, EachFlowHasItsOwnIndicatorAndTheTotalsAreTheirSum) {
    Flows area;
    const YearResults r = area.run_migration();
    EXPECT_DOUBLE_EQ(area.value(r, "emigration"), 20.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_to_other_gemeenten"), 30.0);
    EXPECT_DOUBLE_EQ(area.value(r, "immigration"), 10.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_from_other_gemeenten"), 20.0);
    EXPECT_DOUBLE_EQ(area.out, 50.0);  // one area: no moves between areas of the gemeente
    EXPECT_DOUBLE_EQ(area.in, 30.0);
}

TEST(MigrationFlows, AFlowsLeverActsOnThatFlowOnly) {
    Flows area;
    area.scenario.rate_changes["emigration"].push_back({.factor = 0});
    area.scenario.rate_changes["moves_from_other_gemeenten"].push_back({.factor = 2});
    const YearResults r = area.run_migration();
    EXPECT_DOUBLE_EQ(area.value(r, "emigration"), 0.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_to_other_gemeenten"), 30.0);
    EXPECT_DOUBLE_EQ(area.value(r, "immigration"), 10.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_from_other_gemeenten"), 40.0);
}

TEST(MigrationFlows, ADirectionsLeverActsOnBothItsFlows) {
    Flows area;
    area.scenario.rate_changes["migration_out"].push_back({.factor = 2});
    area.scenario.rate_changes["migration_in"].push_back({.factor = 0.5});
    const YearResults r = area.run_migration();
    EXPECT_DOUBLE_EQ(area.value(r, "emigration"), 40.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_to_other_gemeenten"), 60.0);
    EXPECT_DOUBLE_EQ(area.value(r, "immigration"), 5.0);
    EXPECT_DOUBLE_EQ(area.value(r, "moves_from_other_gemeenten"), 10.0);
}

TEST(MigrationFlows, TheGemeentesRecordedRatesGiveItsFirstYearFlows) {
    // Outflows calibrated on the base population (the 1,000 at 30, the survivors a year older
    // at year end), inflows its rates x its inhabitants.
    Flows area(true);
    // The survivors of the year, as mortality leaves them.
    area.next[OneArea::cell(0, 31, Position::living_alone)] =
        1000 * (1 - area.rates.death_probability[0][30]);
    const YearResults r = area.run_migration();
    EXPECT_NEAR(area.value(r, "emigration"), 50.0, 1e-9);
    EXPECT_NEAR(area.value(r, "moves_to_other_gemeenten"), 70.0, 1e-9);
    EXPECT_NEAR(area.value(r, "immigration"), 40.0, 1e-9);
    EXPECT_NEAR(area.value(r, "moves_from_other_gemeenten"), 60.0, 1e-9);
}

TEST(MigrationFlows, AnAreaWhoseGemeenteHasNoRowKeepsTheRateSetsRates) {
    Flows area(true);
    area.rates.migration_by_gemeente[0].gemeente = "G2";
    const YearResults r = area.run_migration();
    EXPECT_DOUBLE_EQ(area.value(r, "emigration"), 20.0);
    EXPECT_DOUBLE_EQ(area.value(r, "immigration"), 10.0);
}

TEST(MigrationFlows, TheCalibrationCountsSurvivorsAndTheYearsNewbornsAsTheBaseYearsAgeZero) {
    BySexAge<double> population{}, probability{};
    population[0][0] = 100;   // newborns of the year: as many again
    population[1][40] = 100;  // 41 at year end
    probability[0][0] = 0.1;
    probability[0][1] = 0.2;
    probability[1][41] = 0.3;
    BySexAge<double> deaths{};
    deaths[1][40] = 0.5;  // half of the women die before year end
    // Leavers at probability x factor: 100 x 0.2 + 100 x 0.1 + 50 x 0.3 = 45 x factor; 10 wanted.
    EXPECT_DOUBLE_EQ(outflow_calibration(population, probability, 0.05, deaths), 10.0 / 45.0);
    EXPECT_DOUBLE_EQ(outflow_calibration(BySexAge<double>{}, probability, 0.05, deaths), 1.0);
}

}  // namespace
}  // namespace socialtwin
