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

}  // namespace
}  // namespace socialtwin
