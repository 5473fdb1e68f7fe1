#include "models/households/older_persons_alone.hpp"

#include <gtest/gtest.h>

#include "support/one_area.hpp"

namespace socialtwin {
namespace {

// One area, one year: older_persons_alone counts the 1 January population by household
// position and age.
struct OlderPersonsAloneTest : ::testing::Test, testing::OneArea {
    double older_alone() {
        catalog = IndicatorCatalog{};  // a fresh run each time
        OlderPersonsAloneModel model;
        return value(run(model), "older_persons_alone");
    }
};

TEST_F(OlderPersonsAloneTest, CountsPersonsLivingAloneFromTheAgeOnOfBothSexes) {
    start[cell(0, 75, Position::living_alone)] = 3;
    start[cell(1, 75, Position::living_alone)] = 4.5;  // the cohort core's expected counts
    start[cell(1, 98, Position::living_alone)] = 2;
    EXPECT_DOUBLE_EQ(older_alone(), 9.5);
}

TEST_F(OlderPersonsAloneTest, LeavesOutYoungerPersonsAndThoseInInstitutionsOrSharingAHousehold) {
    start[cell(1, 80, Position::living_alone)] = 10;
    start[cell(0, 74, Position::living_alone)] = 100;
    start[cell(1, 85, Position::institution)] = 100;
    start[cell(0, 80, Position::partner_no_children)] = 100;
    start[cell(1, 80, Position::other_member)] = 100;
    start[cell(1, 80, Position::single_parent)] = 100;
    EXPECT_DOUBLE_EQ(older_alone(), 10.0);
}

TEST_F(OlderPersonsAloneTest, CountsOnFirstJanuaryNotAsTheYearLeavesThem) {
    start[cell(0, 80, Position::living_alone)] = 10;
    next[cell(0, 81, Position::living_alone)] = 7;  // deaths during the year
    EXPECT_DOUBLE_EQ(older_alone(), 10.0);
}

TEST_F(OlderPersonsAloneTest, TheScenarioMovesTheAge) {
    start[cell(0, 65, Position::living_alone)] = 5;
    start[cell(0, 75, Position::living_alone)] = 1;
    scenario.parameters.set("older_persons_alone.age_min", 65.0);
    EXPECT_DOUBLE_EQ(older_alone(), 6.0);
    scenario.parameters.set("older_persons_alone.age_min", 76.0);
    EXPECT_DOUBLE_EQ(older_alone(), 0.0);
}

TEST_F(OlderPersonsAloneTest, TheDeclaredAgeIs75WholeYears) {
    const ParameterDeclaration& age = older_persons_alone_parameters().declarations()[1];
    EXPECT_EQ(age.path, "older_persons_alone.age_min");
    EXPECT_EQ(age.kind, ParameterKind::integer);
    EXPECT_EQ(older_persons_alone_parameters().bind(ParameterValues{}).age_min, 75);
}

}  // namespace
}  // namespace socialtwin
