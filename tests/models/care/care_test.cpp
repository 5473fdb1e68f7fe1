#include "models/care/care.hpp"

#include <gtest/gtest.h>

#include "support/one_area.hpp"

namespace socialtwin {
namespace {

// One area, one year of the care model on hand-made 1 January populations.
struct CareModelTest : ::testing::Test, testing::OneArea {
    YearResults run() {
        CareModel model(rates);
        return OneArea::run(model);
    }
};

TEST_F(CareModelTest, UsesTheMidYearPopulation) {
    start[cell(1, 86, Position::living_alone)] = 100;
    next[cell(1, 86, Position::living_alone)] = 80;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 90 * 15.0);
    EXPECT_DOUBLE_EQ(value(r, "gp_fte_needed"), 90 * 15.0 / 10000);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 90 * 0.2);
}

TEST_F(CareModelTest, InstitutionResidentsSeeNoGpAndAreNoWmoClientsButCostWlz) {
    start[cell(0, 90, Position::institution)] = 10;
    next[cell(0, 90, Position::institution)] = 10;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "cost_wlz_eur"), 10 * 10000.0);
}

TEST_F(CareModelTest, ZvwSpendingSplitsOverVektisCategories) {
    start[cell(0, 40, Position::living_alone)] = 10;
    next[cell(0, 40, Position::living_alone)] = 10;
    rates.zvw_cost_factor = 1.1;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_eur"), 10 * 1000 * 1.1);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_gp_eur"), 10 * 1000 * 1.1 * 0.4);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_hospital_eur"), 10 * 1000 * 1.1 * 0.6);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_district_nursing_eur"), 0.0);
}

TEST_F(CareModelTest, ScenarioSetsGpCapacityPerFte) {
    scenario.care.gp_contacts_per_fte = 5000;
    start[cell(0, 40, Position::living_alone)] = 1000;
    next[cell(0, 40, Position::living_alone)] = 1000;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_fte_needed"), 1000 * 4.0 / 5000);
}

}  // namespace
}  // namespace socialtwin
