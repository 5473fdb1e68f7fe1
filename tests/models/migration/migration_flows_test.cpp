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

// One gemeente of 100 men at every age 0..60 (a year older at year end), no deaths, no
// immigration or emigration, moves out 3% and moves in 3% of the inhabitants in the same age
// shape as the population; `factor` on its arrivals and (1 / factor) on its departures at ages
// 18-24. Returns arrivals minus departures at 18-24 in the first year.
double net_moves_at_18_to_24(double factor) {
    Flows area(true);
    for (int a = 0; a <= 60; ++a) {
        area.start[OneArea::cell(0, a, Position::living_alone)] = 100;
        area.next[OneArea::cell(0, a + 1, Position::living_alone)] = 100;
    }
    area.next[OneArea::cell(0, 0, Position::living_alone)] = 100;  // the year's newborns
    area.rates.death_probability = {};
    area.rates.moves_in_profile = {};
    for (int a = 1; a <= 61; ++a)
        area.rates.moves_in_profile[0][static_cast<std::size_t>(a)] = 1.0 / 61;
    GemeenteMigration& g = area.rates.migration_by_gemeente[0];
    g.moves_in = g.moves_out = 0.03;   // as many arrive as leave in total
    g.immigration = g.emigration = 0;  // only the moves between gemeenten
    for (std::size_t a = 18; a <= 24; ++a) {
        g.moves_in_age_factor[0][a] = factor;
        g.moves_out_age_factor[0][a] = 1 / factor;
    }
    const std::vector<double> before = area.next;
    const YearResults r = area.run_migration();
    // The recorded totals hold whatever the age shape.
    EXPECT_NEAR(area.value(r, "moves_from_other_gemeenten"), 0.03 * 6100, 1e-6);
    EXPECT_NEAR(area.value(r, "moves_to_other_gemeenten"), 0.03 * 6100, 1e-6);
    double change = 0;  // immigration and emigration come in the rate set's shape (no factor)
    for (int a = 18; a <= 24; ++a)
        for (int p = 0; p < n_positions; ++p)
            change += area.next[OneArea::cell(0, a, static_cast<Position>(p))] -
                      before[OneArea::cell(0, a, static_cast<Position>(p))];
    return change;
}

TEST(MigrationAgeFactors, AGemeenteWithAStudentBumpGainsAt18To24AndOneWithoutLosesThere) {
    // With the rate set's shapes as many arrive at 18-24 as leave; a bump brings more arrivals
    // than departures there (students), its mirror more departures than arrivals.
    // (21 arrive; 700 x 3% x 6,100 / 6,200 leave: the year's newborns share the calibrated outflow)
    EXPECT_NEAR(net_moves_at_18_to_24(1.0), 21.0 - 21.0 * 6100 / 6200, 1e-9);
    EXPECT_GT(net_moves_at_18_to_24(3.0), 20.0);
    EXPECT_LT(net_moves_at_18_to_24(1 / 3.0), -20.0);
}

TEST(MigrationAgeFactors, AGemeenteWithoutFactorsKeepsTheRateSetsShapes) {
    RateSet rates;
    rates.moves_in_profile[1][20] = 1;
    rates.moves_out[0][30] = 0.1;
    const GemeenteMigration plain{.gemeente = "G1"};
    EXPECT_EQ(moves_in_share(rates, &plain), rates.moves_in_profile);
    EXPECT_EQ(moves_out_probability(rates, &plain), rates.moves_out);
    EXPECT_EQ(moves_in_share(rates, nullptr), rates.moves_in_profile);
}

}  // namespace
}  // namespace socialtwin
