// Who new dwellings are for (models/housing/dwellings_for.hpp): the one test of membership both
// cores and in-migration apply, by age at the end of the year and household position.

#include "models/housing/dwellings_for.hpp"

#include <gtest/gtest.h>

namespace socialtwin {
namespace {

TEST(DwellingsFor, SeniorsAreThoseAged65OrMoreInAnyPrivateHousehold) {
    EXPECT_FALSE(belongs_to(DwellingsFor::seniors, 64, Position::living_alone));
    EXPECT_TRUE(belongs_to(DwellingsFor::seniors, 65, Position::living_alone));
    EXPECT_TRUE(belongs_to(DwellingsFor::seniors, 80, Position::partner_no_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::seniors, 90, Position::institution));
}

TEST(DwellingsFor, StudentsAre18To24LivingAloneOrInANonFamilyHousehold) {
    EXPECT_FALSE(belongs_to(DwellingsFor::students, 17, Position::living_alone));
    EXPECT_TRUE(belongs_to(DwellingsFor::students, 18, Position::living_alone));
    EXPECT_TRUE(belongs_to(DwellingsFor::students, 24, Position::other_member));
    EXPECT_FALSE(belongs_to(DwellingsFor::students, 25, Position::living_alone));
    EXPECT_FALSE(belongs_to(DwellingsFor::students, 20, Position::partner_no_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::students, 20, Position::child_at_home));
}

TEST(DwellingsFor, StartersAre18To34SinglesAndCouplesWithoutChildren) {
    EXPECT_TRUE(belongs_to(DwellingsFor::starters, 18, Position::living_alone));
    EXPECT_TRUE(belongs_to(DwellingsFor::starters, 34, Position::partner_no_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::starters, 35, Position::partner_no_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::starters, 30, Position::partner_with_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::starters, 30, Position::other_member));
}

TEST(DwellingsFor, FamiliesAreEveryMemberOfAHouseholdWithChildren) {
    EXPECT_TRUE(belongs_to(DwellingsFor::families, 40, Position::partner_with_children));
    EXPECT_TRUE(belongs_to(DwellingsFor::families, 30, Position::single_parent));
    EXPECT_TRUE(belongs_to(DwellingsFor::families, 5, Position::child_at_home));
    EXPECT_FALSE(belongs_to(DwellingsFor::families, 30, Position::partner_no_children));
    EXPECT_FALSE(belongs_to(DwellingsFor::families, 30, Position::living_alone));
}

TEST(DwellingsFor, AnyoneOutsideAnInstitutionBelongsToAny) {
    for (int p = 0; p < n_positions; ++p) {
        const auto position = static_cast<Position>(p);
        EXPECT_EQ(belongs_to(DwellingsFor::any, 40, position), position != Position::institution);
    }
}

TEST(DwellingsFor, TheScenarioNamesAreTheGroupsInOrder) {
    EXPECT_EQ(dwellings_for_names(DwellingsFor::any), "any");
    EXPECT_EQ(dwellings_for_names.from_string("seniors"), DwellingsFor::seniors);
    EXPECT_EQ(dwellings_for_names.from_string("families"), DwellingsFor::families);
    EXPECT_FALSE(dwellings_for_names.from_string("senior").has_value());
}

}  // namespace
}  // namespace socialtwin
