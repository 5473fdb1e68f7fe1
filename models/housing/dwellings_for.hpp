#pragma once
// Who a construction project's new dwellings are for (`construction[].for`): seniors, students,
// starters or families -- the groups a municipality or a woningcorporatie allocates dwellings to
// by rule (seniorenwoningen, studentenhuisvesting, starterswoningen, eengezinswoningen for
// families) -- or anyone. The one definition of the groups: the housing market fills a group's
// new dwellings with its movers and the in-migrants of the group (docs/model.md, "Allocation of
// new construction"), and both cores recognise a member by the same test on a person's age at
// the end of the year and household position: the cohort core per cell, the agent core per
// moving family by the person who decided the move.

#include <array>

#include "engine/core/enum_names.hpp"
#include "engine/core/types.hpp"

namespace socialtwin {

// In the order the market allocates: a person in two groups (a student is also a starter) is
// offered the first group's dwellings first.
enum class DwellingsFor { any, seniors, students, starters, families };
inline constexpr int n_dwellings_for = 5;
inline constexpr EnumNames<DwellingsFor, n_dwellings_for> dwellings_for_names{
    {"any", "seniors", "students", "starters", "families"}};

// Whether a person of `age` [years, at the end of the year] living in `position` belongs to
// `group`:
//   seniors   aged 65 or more (a couple counts in the agent core when the one who decided the
//             move is; in the cohort core each person by their own age);
//   students  aged 18-24 living alone or in a non-family household (other_member): students
//             and young adults who rent a room or a studio;
//   starters  aged 18-34 living alone or as a couple without children;
//   families  members of a household with children: partners with children, single parents
//             and the children living with them.
// Persons in institutions belong to no group (they do not move through the market); everyone
// else belongs to `any`.
constexpr bool belongs_to(DwellingsFor group, int age, Position position) noexcept {
    if (position == Position::institution) return false;
    switch (group) {
        case DwellingsFor::any:
            return true;
        case DwellingsFor::seniors:
            return age >= 65;
        case DwellingsFor::students:
            return age >= 18 && age <= 24 &&
                   (position == Position::living_alone || position == Position::other_member);
        case DwellingsFor::starters:
            return age >= 18 && age <= 34 &&
                   (position == Position::living_alone ||
                    position == Position::partner_no_children);
        case DwellingsFor::families:
            return position == Position::partner_with_children ||
                   position == Position::single_parent || position == Position::child_at_home;
    }
    return false;
}

}  // namespace socialtwin
