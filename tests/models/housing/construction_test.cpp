// The construction programme as the models read it (models/housing/construction.hpp): per area
// and year, what is completed, what it takes in persons, and what is demolished.

#include "models/housing/construction.hpp"

#include <gtest/gtest.h>

#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

ConstructionProject project(const std::string& area, int year, double dwellings,
                            double occupancy = 0) {
    ConstructionProject p;
    p.area = area;
    p.year = year;
    p.dwellings = dwellings;
    p.occupancy = occupancy;
    return p;
}

struct Programme : ::testing::Test {
    Scenario scenario = testing::synthetic_scenario();
    AreaTable areas = testing::synthetic_areas(2);
    ConstructionProgramme read(double persons_per_household = 2.0) const {
        return {scenario, areas, persons_per_household};
    }
};

TEST_F(Programme, AProjectCountsOnlyInItsAreaAndYear) {
    scenario.construction = {project("A1", 2021, 10, 2)};
    const ConstructionProgramme programme = read();
    EXPECT_DOUBLE_EQ(programme.in_year(1, 2021).new_dwellings, 10);
    EXPECT_DOUBLE_EQ(programme.in_year(1, 2020).new_dwellings, 0);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2021).new_dwellings, 0);
    EXPECT_TRUE(programme.changes(0, 2021).empty());
}

TEST_F(Programme, NewDwellingsTakeTheProjectsOccupancyElseTheScenarioDefaultElseTheMeanHousehold) {
    scenario.construction = {project("A0", 2020, 10, 3), project("A1", 2020, 10)};
    EXPECT_DOUBLE_EQ(read(2.0).in_year(0, 2020).new_capacity, 30);
    EXPECT_DOUBLE_EQ(read(2.0).in_year(1, 2020).new_capacity, 20);
    scenario.parameters.set("housing.persons_per_new_dwelling", 2.5);
    EXPECT_DOUBLE_EQ(read(2.0).in_year(1, 2020).new_capacity, 25);
}

TEST_F(Programme, DemolitionIsCountedApartFromNewDwellingsAndTakesNoResidents) {
    scenario.construction = {project("A0", 2020, 40, 2), project("A0", 2020, -15)};
    const ConstructionYear year = read().in_year(0, 2020);
    EXPECT_DOUBLE_EQ(year.new_dwellings, 40);
    EXPECT_DOUBLE_EQ(year.new_capacity, 80);
    EXPECT_DOUBLE_EQ(year.demolished, 15);
}

TEST_F(Programme, DwellingsForAGroupAreCountedApartFromThoseForAnyone) {
    ConstructionProject seniors = project("A0", 2020, 800, 1.4);
    seniors.intended_for = "seniors";
    ConstructionProject students = project("A0", 2020, 100, 1);
    students.intended_for = "students";
    ConstructionProject anyone = project("A0", 2020, 50, 2);
    anyone.intended_for = "any";
    scenario.construction = {seniors, students, anyone, project("A0", 2020, 10, 2)};
    const ConstructionYear year = read().in_year(0, 2020);
    EXPECT_DOUBLE_EQ(year.new_dwellings, 60);
    EXPECT_DOUBLE_EQ(year.new_capacity, 120);
    const auto at = [](DwellingsFor g) { return static_cast<std::size_t>(g); };
    EXPECT_DOUBLE_EQ(year.new_dwellings_for[at(DwellingsFor::seniors)], 800);
    EXPECT_DOUBLE_EQ(year.new_capacity_for[at(DwellingsFor::seniors)], 1120);
    EXPECT_DOUBLE_EQ(year.new_capacity_for[at(DwellingsFor::students)], 100);
    EXPECT_DOUBLE_EQ(year.new_capacity_for[at(DwellingsFor::any)], 0);
    EXPECT_TRUE(year.has_dwellings_for_groups());
    EXPECT_FALSE(read().in_year(1, 2020).has_dwellings_for_groups());
    // The stock counts them all alike.
    double built = 0;
    for (const StockChange& change : read().changes(0, 2020)) built += change.dwellings;
    EXPECT_DOUBLE_EQ(built, 960);
}

TEST_F(Programme, TheStockChangesKeepTheScenariosOrderTypeAndTenure) {
    ConstructionProject single = project("A0", 2020, 5);
    single.type = DwellingType::single_family;
    single.tenure = Tenure::owner;
    scenario.construction = {project("A0", 2020, -3), single};
    const std::vector<StockChange> changes = read().changes(0, 2020);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_DOUBLE_EQ(changes[0].dwellings, -3);
    EXPECT_EQ(changes[1].type, DwellingType::single_family);
    EXPECT_EQ(changes[1].tenure, Tenure::owner);
}

TEST_F(Programme, AProjectInAnAreaOutsideTheDatasetIsLeftOut) {
    scenario.construction = {project("ELSEWHERE", 2020, 10)};
    const ConstructionProgramme programme = read();
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2020).new_dwellings, 0);
    EXPECT_DOUBLE_EQ(programme.in_year(1, 2020).new_dwellings, 0);
}

// The dataset's baseline stock change: A0 built 10 and withdrew 4 in 2019 (observed), and
// adds 6 and withdraws 2 a year after the data end (the trend); A1 changes nothing.
BaselineStockChange baseline_of_two_areas_as_read() {
    BaselineStockChange b;
    b.last_observed_year = 2019;
    b.observed.assign(2, {});
    b.observed[0][2019] = {
        .new_dwellings = 6, .other_additions = 4, .demolished = 1, .other_withdrawals = 3};
    b.trend.assign(2, {});
    b.trend[0] = {.new_dwellings = 5, .other_additions = 1, .demolished = 2};
    return b;
}
SharedBaselineStockChange shared(BaselineStockChange b) {
    return std::make_shared<const BaselineStockChange>(std::move(b));
}
SharedBaselineStockChange baseline_of_two_areas() {
    return shared(baseline_of_two_areas_as_read());
}

TEST_F(Programme, TheBaselineIsObservedUpToTheDataEndAndTheTrendAfter) {
    const ConstructionProgramme programme(scenario, areas, 2.0, baseline_of_two_areas());
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2019).baseline_added, 10);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2019).baseline_withdrawn, 4);
    for (const int year : {2020, 2030, 2049}) {
        EXPECT_DOUBLE_EQ(programme.in_year(0, year).baseline_added, 6) << year;
        EXPECT_DOUBLE_EQ(programme.in_year(0, year).baseline_withdrawn, 2) << year;
    }
    EXPECT_DOUBLE_EQ(programme.in_year(1, 2030).baseline_added, 0);
}

TEST_F(Programme, BaselineDwellingsAreRoomInTheStockNotAProjectsExtraResidents) {
    // They are neither new dwellings filled at an occupancy (the recorded migration already
    // holds who came to them) nor a demolition that sends residents away.
    const ConstructionYear year =
        ConstructionProgramme(scenario, areas, 2.0, baseline_of_two_areas()).in_year(0, 2019);
    EXPECT_DOUBLE_EQ(year.new_dwellings, 0);
    EXPECT_DOUBLE_EQ(year.new_capacity, 0);
    EXPECT_DOUBLE_EQ(year.demolished, 0);
}

TEST_F(Programme, BaselineChangesTheStockByTheAreasTypeMixWithoutATenure) {
    // synthetic areas have no dwellings by type: the national type mix.
    const std::vector<StockChange> changes =
        ConstructionProgramme(scenario, areas, 2.0, baseline_of_two_areas()).changes(0, 2019);
    double added = 0, withdrawn = 0, single_family = 0;
    for (const StockChange& c : changes) {
        EXPECT_FALSE(c.tenure.has_value());
        (c.dwellings > 0 ? added : withdrawn) += c.dwellings;
        if (c.type == DwellingType::single_family && c.dwellings > 0) single_family += c.dwellings;
    }
    EXPECT_DOUBLE_EQ(added, 10);
    EXPECT_DOUBLE_EQ(withdrawn, -4);
    EXPECT_NEAR(single_family, 10 * national_type_share[0], 1e-12);
}

TEST_F(Programme, AScenarioProjectReplacesTheBaselineInItsAreaFromItsYearOn) {
    scenario.construction = {project("A0", 2025, 100, 2)};
    const ConstructionProgramme programme(scenario, areas, 2.0, baseline_of_two_areas());
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2024).baseline_added, 6);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2025).baseline_added, 0);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2025).new_dwellings, 100);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2030).baseline_added, 0);
    EXPECT_TRUE(programme.changes(0, 2030).empty());
    // Another area keeps its baseline.
    BaselineStockChange b = baseline_of_two_areas_as_read();
    b.trend[1] = {.new_dwellings = 3};
    EXPECT_DOUBLE_EQ(
        ConstructionProgramme(scenario, areas, 2.0, shared(b)).in_year(1, 2030).baseline_added, 3);
}

TEST_F(Programme, BaselineStockChangeNoneLeavesOnlyTheScenariosProgramme) {
    scenario.parameters.set("housing.baseline_stock_change", std::string{"none"});
    scenario.construction = {project("A1", 2020, 10, 2)};
    const ConstructionProgramme programme(scenario, areas, 2.0, baseline_of_two_areas());
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2019).baseline_added, 0);
    EXPECT_DOUBLE_EQ(programme.in_year(0, 2030).baseline_withdrawn, 0);
    EXPECT_TRUE(programme.changes(0, 2030).empty());
    EXPECT_DOUBLE_EQ(programme.in_year(1, 2020).new_dwellings, 10);
}

}  // namespace
}  // namespace socialtwin
