#include "models/housing/housing.hpp"

#include <gtest/gtest.h>

#include "models/housing/households.hpp"
#include "support/one_area.hpp"

namespace socialtwin {
namespace {

std::size_t cell(int sex, int age, Position p) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, index(p)));
}

TEST(Households, FollowFromHouseholdPositions) {
    std::vector<double> persons(CohortCell::size, 0.0);
    persons[cell(0, 40, Position::living_alone)] = 3;
    persons[cell(0, 40, Position::partner_no_children)] = 4;    // 2 couples
    persons[cell(1, 40, Position::partner_with_children)] = 6;  // 3 couples
    persons[cell(1, 40, Position::single_parent)] = 2;
    persons[cell(1, 10, Position::child_at_home)] = 9;  // no household of their own
    persons[cell(0, 22, Position::other_member)] = 10;
    persons[cell(1, 90, Position::institution)] = 5;
    const HouseholdCounts h = count_households(persons, 0.2);
    EXPECT_DOUBLE_EQ(h.single, 3);
    EXPECT_DOUBLE_EQ(h.couple_no_children, 2);
    EXPECT_DOUBLE_EQ(h.couple_with_children, 3);
    EXPECT_DOUBLE_EQ(h.single_parent, 2);
    EXPECT_DOUBLE_EQ(h.other, 2);
    EXPECT_DOUBLE_EQ(h.institution_persons, 5);
    EXPECT_DOUBLE_EQ(h.total(), 12);
}

struct HousingModelTest : ::testing::Test, testing::OneArea {
    YearResults run(int year) {
        HousingModel model(rates);
        return OneArea::run(model, year);
    }
};

TEST_F(HousingModelTest, NeededDwellingsAddTheFrictionalVacancy) {
    start[cell(0, 40, Position::living_alone)] = 98;
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(value(r, "households"), 98);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_needed"), 100);  // 98 / (1 - 0.02)
    EXPECT_DOUBLE_EQ(value(r, "dwelling_shortage"), 0);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_stock"), 100);
}

TEST_F(HousingModelTest, ConstructionChangesNextYearsStock) {
    ConstructionProject built, demolished;
    built.year = demolished.year = 2020;
    built.area = demolished.area = "A0";
    built.dwellings = 30;
    demolished.dwellings = -10;
    scenario.construction = {built, demolished};
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_stock"), 100);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_completed"), 20);
    EXPECT_DOUBLE_EQ(dwellings_next, 120);
}

TEST_F(HousingModelTest, DemolitionNeverLeavesANegativeStock) {
    ConstructionProject demolished;
    demolished.year = 2020;
    demolished.area = "A0";
    demolished.dwellings = -500;
    scenario.construction = {demolished};
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(dwellings_next, 0);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_completed"), -100);
}

}  // namespace
}  // namespace socialtwin
