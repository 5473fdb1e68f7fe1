#include "models/care/care.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "support/one_area.hpp"

namespace socialtwin {
namespace {

// One area, one year of the care model on hand-made 1 January populations. The synthetic
// rates: 4 GP contacts a year (15 from 85), Wmo clients 20% from 75, of whom 80% use home help,
// 30% support and 50% aids; living alone doubles home help (x1.5 support), and no child nearby
// adds 25% to home help; half of those living alone have a child nearby. At the base
// composition every adult lives alone.
struct CareModelTest : ::testing::Test, testing::OneArea {
    YearResults run(int year = 2020) {
        catalog = IndicatorCatalog{};  // a fresh run each time
        CareModel model(rates);
        return OneArea::run(model, year);
    }
    void persons(int sex, int age, Position position, double n) {
        start[cell(sex, age, position)] = n;
        next[cell(sex, age, position)] = n;
    }
};

// The agent core lists the cells that hold persons; the model visits only those and must
// report what a sweep over every cell reports, to the last bit (the skipped cells are zeros).
TEST_F(CareModelTest, VisitingOnlyTheOccupiedCellsReportsWhatEveryCellGives) {
    // Fractional counts, so the order of additions shows in the last bits.
    persons(0, 3, Position::child_at_home, 1.0 / 3);
    persons(0, 40, Position::living_alone, 2.1);
    persons(0, 40, Position::partner_no_children, 0.7);
    persons(1, 77, Position::living_alone, 1.3);
    persons(1, 86, Position::institution, 0.9);
    next[cell(1, 86, Position::living_alone)] = 0.45;  // only at year end
    const YearResults every_cell = run();
    for (std::uint16_t c = 0; c < CohortCell::size; ++c)
        if (start[c] != 0 || next[c] != 0) occupied.push_back(c);
    ASSERT_EQ(occupied.size(), 6u);
    const YearResults occupied_cells = run();
    for (IndicatorId id = 0; id < catalog.size(); ++id) {
        const auto a = every_cell.area_values(id, 0), b = occupied_cells.area_values(id, 0);
        for (std::size_t i = 0; i < a.size(); ++i)
            EXPECT_EQ(a[i], b[i]) << catalog.spec(id).name << "[" << i << "]";
    }
    // And it reads no other cell: a count outside the list is not seen.
    persons(0, 50, Position::living_alone, 1000);
    EXPECT_EQ(value(run(), "gp_patients"), value(occupied_cells, "gp_patients"));
}

TEST_F(CareModelTest, UsesTheMidYearPopulation) {
    start[cell(1, 86, Position::living_alone)] = 100;
    next[cell(1, 86, Position::living_alone)] = 80;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 90 * 15.0);
    EXPECT_DOUBLE_EQ(value(r, "gp_patients"), 90.0);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 90 * 0.2);
}

TEST_F(CareModelTest, InstitutionResidentsSeeNoGpAndAreNoWmoClientsButCostWlz) {
    persons(0, 90, Position::institution, 10);
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "gp_contacts"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "gp_patients"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients_home_help"), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "cost_wlz_eur"), 10 * 10000.0);
}

TEST_F(CareModelTest, GpContactsByAgeAndSexAddUpToTheTotal) {
    persons(0, 40, Position::living_alone, 10);  // band 40-44
    persons(1, 87, Position::living_alone, 2);   // band 85-89
    const YearResults r = run();
    const auto by = r.area_values(catalog.id("gp_contacts_by_age_sex"), 0);
    EXPECT_DOUBLE_EQ(by[0 * n_age_bands + 8], 10 * 4.0);
    EXPECT_DOUBLE_EQ(by[1 * n_age_bands + 17], 2 * 15.0);
    EXPECT_DOUBLE_EQ(std::accumulate(by.begin(), by.end(), 0.0), value(r, "gp_contacts"));
}

TEST_F(CareModelTest, GpFteNeededIsContactsOverTheNormpraktijkInContacts) {
    persons(0, 40, Position::living_alone, 1000);
    // Default: a normpraktijk of 2,095 patients with 5 contacts each per FTE.
    EXPECT_DOUBLE_EQ(value(run(), "gp_fte_needed"), 1000 * 4.0 / (2095 * 5));
    scenario.parameters.set("care.gp_normpraktijk", 2000.0);
    scenario.parameters.set("care.gp_contacts_per_patient", 4.0);
    EXPECT_DOUBLE_EQ(value(run(), "gp_fte_needed"), 1000 * 4.0 / 8000);
}

TEST_F(CareModelTest, ScenarioSetsGpCapacityPerFteDirectly) {
    scenario.parameters.set("care.gp_contacts_per_fte", 5000.0);
    persons(0, 40, Position::living_alone, 1000);
    EXPECT_DOUBLE_EQ(value(run(), "gp_fte_needed"), 1000 * 4.0 / 5000);
}

TEST_F(CareModelTest, AtTheBaseCompositionServicesAreClientsTimesTheirShare) {
    persons(1, 80, Position::living_alone, 100);  // all adults live alone at the base
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "wmo_clients"), 100 * 0.2);
    EXPECT_NEAR(value(r, "wmo_clients_home_help"), 100 * 0.2 * 0.8, 1e-9);
    EXPECT_NEAR(value(r, "wmo_clients_support"), 100 * 0.2 * 0.3, 1e-9);
    EXPECT_NEAR(value(r, "wmo_clients_aids"), 100 * 0.2 * 0.5, 1e-9);
}

TEST_F(CareModelTest, LivingAloneMeansMoreHomeHelpThanSharingAHousehold) {
    persons(1, 80, Position::living_alone, 100);
    const YearResults alone = run();
    start.assign(start.size(), 0.0);
    next.assign(next.size(), 0.0);
    persons(1, 80, Position::partner_no_children, 100);
    const YearResults couple = run();
    // Living alone doubles home help, and half of those living alone have no child nearby,
    // which adds 25%: x 2 x (0.5 + 0.5 x 1.25). Support x1.5, aids alike.
    EXPECT_NEAR(value(couple, "wmo_clients_home_help") * 2 * (0.5 + 0.5 * 1.25),
                value(alone, "wmo_clients_home_help"), 1e-9);
    EXPECT_NEAR(value(couple, "wmo_clients_support") * 1.5, value(alone, "wmo_clients_support"),
                1e-9);
    EXPECT_NEAR(value(couple, "wmo_clients_aids"), value(alone, "wmo_clients_aids"), 1e-9);
    EXPECT_LT(value(couple, "wmo_clients"), value(alone, "wmo_clients"));
    EXPECT_LT(value(couple, "cost_wmo_eur"), value(alone, "cost_wmo_eur"));
}

TEST_F(CareModelTest, FewerChildrenNearbyMeansMoreHomeHelp) {
    persons(1, 80, Position::living_alone, 100);
    scenario.parameters.set("care.child_nearby_share", 1.0);
    const double all_near = value(run(), "wmo_clients_home_help");
    scenario.parameters.set("care.child_nearby_share", 0.0);
    const double none_near = value(run(), "wmo_clients_home_help");
    EXPECT_NEAR(none_near / all_near, 1.25, 1e-12);
}

TEST_F(CareModelTest, ARateLeverScalesOneService) {
    persons(1, 80, Position::living_alone, 100);
    scenario.rate_changes["wmo_home_help"].push_back({.factor = 1.5});
    const YearResults r = run();
    EXPECT_NEAR(value(r, "wmo_clients_home_help"), 100 * 0.2 * 0.8 * 1.5, 1e-9);
    EXPECT_NEAR(value(r, "wmo_clients_aids"), 100 * 0.2 * 0.5, 1e-9);
}

TEST_F(CareModelTest, ZvwSpendingSplitsOverVektisCategories) {
    persons(0, 40, Position::living_alone, 10);
    rates.zvw_cost_factor = 1.1;
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_eur"), 10 * 1000 * 1.1);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_gp_eur"), 10 * 1000 * 1.1 * 0.4);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_hospital_eur"), 10 * 1000 * 1.1 * 0.6);
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_district_nursing_eur"), 0.0);
}

TEST_F(CareModelTest, DistrictNursingHoursAreItsSpendingOverTheHourlyCost) {
    for (auto& by_age : rates.zvw_category_share[3])
        for (auto& share : by_age) share = 0.1;  // district nursing
    for (auto& by_age : rates.zvw_category_share[1])
        for (auto& share : by_age) share = 0.5;  // hospital
    persons(0, 80, Position::living_alone, 10);
    scenario.parameters.set("care.district_nursing_eur_per_hour", 50.0);
    const YearResults r = run();
    EXPECT_DOUBLE_EQ(value(r, "cost_zvw_district_nursing_eur"), 10 * 1000 * 0.1);
    EXPECT_DOUBLE_EQ(value(r, "district_nursing_hours"), 10 * 1000 * 0.1 / 50);
}

TEST_F(CareModelTest, RealGrowthCompoundsFromThePriceYearInConstantPrices) {
    persons(0, 40, Position::living_alone, 10);
    scenario.parameters.set("costs.real_growth_per_year", 0.01);
    const YearResults r = run(2032);  // ten years after the price year 2022
    EXPECT_NEAR(value(r, "cost_zvw_eur"), 10 * 1000 * std::pow(1.01, 10), 1e-6);
    EXPECT_NE(catalog.spec(catalog.id("cost_zvw_eur")).units.find("constant prices of 2022"),
              std::string::npos);
}

TEST_F(CareModelTest, NominalPricesAddInflationButHoursStayVolume) {
    for (auto& by_age : rates.zvw_category_share[3])
        for (auto& share : by_age) share = 0.1;
    for (auto& by_age : rates.zvw_category_share[1])
        for (auto& share : by_age) share = 0.5;
    persons(0, 40, Position::living_alone, 10);
    scenario.parameters.set("costs.prices", std::string{"nominal"});
    scenario.parameters.set("costs.inflation_per_year", 0.02);
    const YearResults r = run(2024);
    EXPECT_NEAR(value(r, "cost_wmo_eur"), 10 * 100 * std::pow(1.02, 2), 1e-9);
    EXPECT_NEAR(value(r, "district_nursing_hours"), 10 * 1000 * 0.1 / 75, 1e-9);
    EXPECT_NE(catalog.spec(catalog.id("cost_wmo_eur")).units.find("current prices"),
              std::string::npos);
}

}  // namespace
}  // namespace socialtwin
