#include "engine/core/cohort_projection.hpp"

#include <gtest/gtest.h>

#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using testing::RecordingObserver;

// A finished projection and what it reported (kept together: results refer to its catalog).
struct Run {
    Scenario scenario;
    RateSet rates;
    AreaTable areas;
    std::unique_ptr<CohortProjection> projection;
    RecordingObserver recorder;
    RunSummary summary;
};

std::unique_ptr<Run> project(const Scenario& scenario, const RateSet& rates, std::size_t n_areas,
                             int threads = 0, std::vector<std::string> models = {}) {
    auto run = std::make_unique<Run>();
    run->scenario = scenario;
    run->rates = rates;
    run->areas = testing::synthetic_areas(n_areas);
    run->projection = std::make_unique<CohortProjection>(
        run->scenario, run->areas, testing::synthetic_population(run->rates, n_areas),
        create_models(run->rates, models), ProjectionSettings{.threads = threads});
    Observer* observers[] = {&run->recorder};
    run->summary = run->projection->run(observers);
    return run;
}

TEST(CohortProjection, ReportsBaseYearAndEveryProjectedYear) {
    const RateSet rates = testing::synthetic_rates();
    const auto run = project(testing::synthetic_scenario(5), rates, 3);
    ASSERT_EQ(run->recorder.years.size(), 6u);
    EXPECT_EQ(run->recorder.years.front().year, 2019);
    EXPECT_EQ(run->recorder.years.back().year, 2024);
}

TEST(CohortProjection, PopulationAccountsBalanceInEveryAreaAndYear) {
    const RateSet rates = testing::synthetic_rates();
    const auto run = project(testing::synthetic_scenario(10), rates, 4);
    const auto& r = run->recorder;
    for (std::size_t y = 0; y + 1 < r.years.size(); ++y) {
        for (std::size_t area = 0; area < 4; ++area) {
            const double expected = r.value("population", y, area) + r.value("births", y, area) -
                                    r.value("deaths", y, area) + r.value("migration_in", y, area) -
                                    r.value("migration_out", y, area);
            EXPECT_NEAR(r.value("population", y + 1, area), expected, 1e-9 * expected);
        }
    }
}

TEST(CohortProjection, DeathsFollowTheDeathProbability) {
    RateSet rates = testing::synthetic_rates();
    const auto run = project(testing::synthetic_scenario(1), rates, 1, 0, {"mortality"});
    // 2 sexes x 91 ages x 10 persons, 1% each; nobody reaches 105.
    EXPECT_NEAR(run->recorder.total("deaths", 0), 0.01 * 2 * 91 * 10, 1e-9);
    EXPECT_NEAR(run->recorder.total("population", 1), 0.99 * 2 * 91 * 10, 1e-9);
}

TEST(CohortProjection, BirthsFollowFertilityOfTheWomenPresentOnFirstJanuary) {
    const RateSet rates = testing::synthetic_rates();
    const auto run = project(testing::synthetic_scenario(1), rates, 1, 0, {"fertility"});
    EXPECT_NEAR(run->recorder.total("births", 0), 20 * 10 * 0.05, 1e-9);  // ages 20..39
}

TEST(CohortProjection, ScenarioMultipliesTheRates) {
    const RateSet rates = testing::synthetic_rates();
    Scenario scenario = testing::synthetic_scenario(1);
    scenario.rate_changes["fertility"].push_back({.factor = 0.5});
    const auto run = project(scenario, rates, 1, 0, {"fertility"});
    EXPECT_NEAR(run->recorder.total("births", 0), 0.5 * 20 * 10 * 0.05, 1e-9);
}

TEST(CohortProjection, NewDwellingsBringResidentsAndAddToTheStock) {
    const RateSet rates = testing::synthetic_rates();
    Scenario scenario = testing::synthetic_scenario(3);
    ConstructionProject tower;
    tower.name = "tower";
    tower.year = 2020;
    tower.area = "A1";
    tower.dwellings = 100;
    tower.occupancy = 1.5;
    scenario.construction.push_back(tower);
    const auto run = project(scenario, rates, 2, 0, {"migration", "housing"});
    const auto& r = run->recorder;
    EXPECT_DOUBLE_EQ(r.value("migration_in_new_dwellings", 1, 1), 150.0);
    EXPECT_DOUBLE_EQ(r.value("migration_in_new_dwellings", 1, 0), 0.0);
    EXPECT_DOUBLE_EQ(r.value("dwellings_stock", 1, 1), 900.0);  // 1 January 2020: not yet built
    EXPECT_DOUBLE_EQ(r.value("dwellings_stock", 2, 1), 1000.0);
    EXPECT_DOUBLE_EQ(r.value("dwellings_stock", 2, 0), 900.0);
}

TEST(CohortProjection, HousingLedMigrationAdmitsOnlyWhatTheStockHasRoomFor) {
    const RateSet rates = testing::synthetic_rates();
    // Out-migration frees 2% of the 1,460 households; the 18.2 would-be in-migrants (aged
    // 20-29, living alone) need 18.2 of those dwellings: all are admitted.
    const auto roomy = project(testing::synthetic_scenario(1), rates, 1, 0, {"migration"});
    EXPECT_NEAR(roomy->recorder.total("migration_in", 0), 0.01 * 1820, 1e-9);
    EXPECT_DOUBLE_EQ(roomy->recorder.total("migration_in_unmet", 0), 0.0);

    // Without out-migration nobody leaves, and with households per dwelling held at the base
    // year's there is no room: every would-be in-migrant is turned away.
    RateSet full = rates;
    for (auto& by_age : full.emigration) by_age.fill(0.0);
    Scenario held = testing::synthetic_scenario(1);
    held.parameters.set("housing.occupancy_rise_max", 0.0);
    const auto crowded = project(held, full, 1, 0, {"migration"});
    EXPECT_DOUBLE_EQ(crowded->recorder.total("migration_in", 0), 0.0);
    EXPECT_NEAR(crowded->recorder.total("migration_in_unmet", 0), 0.01 * 1820, 1e-9);

    Scenario demand_led = testing::synthetic_scenario(1);
    demand_led.parameters.set("housing.migration", std::string{"demand_led"});
    const auto unlimited = project(demand_led, full, 1, 0, {"migration"});
    EXPECT_NEAR(unlimited->recorder.total("migration_in", 0), 0.01 * 1820, 1e-9);
}

TEST(CohortProjection, MovesBetweenAreasKeepTheMunicipalityWhole) {
    RateSet rates = testing::synthetic_rates();
    rates.out_migrants_per_inhabitant = 0.02;
    rates.internal_moves_per_inhabitant = 0.08;  // moves at 4x the out-migration rate
    Scenario scenario = testing::synthetic_scenario(3);
    const auto run = project(scenario, rates, 5, 0, {"mortality", "migration"});
    const auto& r = run->recorder;
    for (std::size_t y = 0; y < r.years.size(); ++y) {
        // Movers are those alive (99%) and still in the municipality (98%) at year end.
        EXPECT_NEAR(r.total("moves_out", y), 0.08 * 0.99 * 0.98 * r.total("population", y), 1e-6);
        EXPECT_NEAR(r.total("moves_in", y), r.total("moves_out", y), 1e-6);
    }
}

TEST(CohortProjection, ResultsDoNotDependOnTheThreadCount) {
    const RateSet rates = testing::synthetic_rates();
    const auto one = project(testing::synthetic_scenario(5), rates, 64, 1);
    const auto two = project(testing::synthetic_scenario(5), rates, 64, 2);
    for (std::size_t y = 0; y < one->recorder.years.size(); ++y)
        for (IndicatorId id = 0; id < one->recorder.years[y].catalog().size(); ++id) {
            const auto a = one->recorder.years[y].values(id);
            const auto b = two->recorder.years[y].values(id);
            ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin())) << "indicator " << id;
        }
}

TEST(CohortProjection, TimesEveryPhase) {
    const RateSet rates = testing::synthetic_rates();
    const auto run = project(testing::synthetic_scenario(2), rates, 2);
    ASSERT_EQ(run->summary.phase_timings.size(), std::size_t{n_phases});
    EXPECT_EQ(run->summary.phase_timings.front().phase, "ageing_and_survival");
    EXPECT_EQ(run->summary.phase_timings.back().phase, "accessibility");
    EXPECT_GT(run->summary.person_years, 0);
}

}  // namespace
}  // namespace socialtwin
