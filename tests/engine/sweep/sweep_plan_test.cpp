// The pure parts of a sweep's plan: coordinate names and job-array shares.
#include "engine/sweep/sweep_plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "engine/sweep/sweep_run.hpp"

namespace socialtwin {
namespace {

using ::testing::ElementsAre;

TEST(SweepPlan, CoordinateNamesAreKeyPathsWithoutRatesAndWithUnderscores) {
    EXPECT_EQ(coordinate_name("rates.fertility.factor"), "fertility_factor");
    EXPECT_EQ(coordinate_name("horizon"), "horizon");
    EXPECT_EQ(coordinate_name("housing.own_buurt_share"), "housing_own_buurt_share");
    EXPECT_EQ(coordinate_name("construction[0].dwellings"), "construction_0_dwellings");
}

TEST(SweepPlan, ArraySlotsShareTheTasksEvenlyAndTogetherRunEachOnce) {
    EXPECT_THAT(array_share(8, 0, 3), ElementsAre(0, 3, 6));
    EXPECT_THAT(array_share(8, 2, 3), ElementsAre(2, 5));
    std::multiset<std::size_t> all;
    for (std::size_t slot = 0; slot < 3; ++slot)
        for (std::size_t t : array_share(8, slot, 3)) all.insert(t);
    EXPECT_EQ(all, (std::multiset<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_TRUE(array_share(2, 5, 8).empty());
}

}  // namespace
}  // namespace socialtwin
