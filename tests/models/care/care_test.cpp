#include "models/care/care.hpp"

#include <gtest/gtest.h>

#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

// One area, one year of the care model on hand-made 1 January populations.
struct CareModelTest : ::testing::Test {
    RateSet rates = testing::synthetic_rates();
    Scenario scenario = testing::synthetic_scenario();
    AreaTable areas = testing::synthetic_areas(1);
    IndicatorCatalog catalog;
    std::vector<double> start = std::vector<double>(CohortCell::size, 0.0);
    std::vector<double> next = std::vector<double>(CohortCell::size, 0.0);

    YearResults run() {
        CareModel model(rates);
        model.declare_indicators(catalog);
        model.begin_run({&scenario, &areas, 2019, 2049, {}, {}});
        YearResults results(catalog, 1);
        double b = 0, d = 0, i = 0, o = 0, dw0 = 0, dw1 = 0;
        AreaStep step{0, 2020, start, next, b, d, i, o, dw0, dw1, results};
        model.apply(step);
        return results;
    }
    double value(const YearResults& r, const std::string& name) {
        return r.area_values(catalog.id(name), 0)[0];
    }
};

TEST_F(CareModelTest, UsesTheMidYearPopulation) {
    start[CohortCell::offset(1, 86, index(Position::living_alone))] = 100;
    next[CohortCell::offset(1, 86, index(Position::living_alone))] = 80;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 90 * 15.0);
    EXPECT_DOUBLE_EQ(value(r, "gp_fte_needed"), 90 * 15.0 / 10000);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 90 * 0.2);
}

TEST_F(CareModelTest, InstitutionResidentsSeeNoGpAndAreNoWmoClientsButCostWlz) {
    start[CohortCell::offset(0, 90, index(Position::institution))] = 10;
    next[CohortCell::offset(0, 90, index(Position::institution))] = 10;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "cost_wlz_eur"), 10 * 10000.0);
}

TEST_F(CareModelTest, ScenarioSetsGpCapacityPerFte) {
    scenario.care.gp_contacts_per_fte = 5000;
    start[CohortCell::offset(0, 40, index(Position::living_alone))] = 1000;
    next[CohortCell::offset(0, 40, index(Position::living_alone))] = 1000;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_fte_needed"), 1000 * 4.0 / 5000);
}

}  // namespace
}  // namespace socialtwin
