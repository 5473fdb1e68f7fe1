// engine/core/area_table: what a user is told who names an area the dataset does not have.
#include "engine/core/area_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace socialtwin {
namespace {

using ::testing::HasSubstr;

// Three PC6 areas in two buurten of one PC4.
AreaTable pc6_areas() {
    AreaTable areas("pc6", {"2531AA", "2531AB", "2532XY"});
    areas.add_attribute({"buurt", {"BU01", "BU01", "BU02"}});
    areas.add_attribute({"buurt_name", {"Noord", "Noord", "Zuid"}});
    areas.add_attribute({"pc4", {"2531", "2531", "2532"}});
    return areas;
}

TEST(UnknownAreaHint, ABuurtGivenWhereTheAreasArePc6ListsTheBuurtsPc6Areas) {
    EXPECT_EQ(unknown_area_hint(pc6_areas(), "BU01"),
              "'BU01' is a buurt; a scenario names one of the dataset's pc6 areas, and this "
              "buurt holds 2: 2531AA, 2531AB");
}

TEST(UnknownAreaHint, APc4SaysSoToo) {
    EXPECT_THAT(unknown_area_hint(pc6_areas(), "2532"),
                HasSubstr("'2532' is a pc4; a scenario names one of the dataset's pc6 areas, and "
                          "this pc4 holds one: 2532XY"));
}

TEST(UnknownAreaHint, ANameIsNotTakenForACode) {
    // "Noord" is a buurt_name value: names are not codes a scenario can give.
    EXPECT_EQ(unknown_area_hint(pc6_areas(), "Noord"), "");
}

TEST(UnknownAreaHint, ATypoGetsTheNearestCode) {
    EXPECT_EQ(unknown_area_hint(pc6_areas(), "2531AC"), "did you mean '2531AA'?");
}

}  // namespace
}  // namespace socialtwin
