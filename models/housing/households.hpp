#pragma once
// Households follow from household positions: two partners make one couple household, every
// single parent and everyone living alone heads one, persons in the position "other member"
// form "other" households at the rate observed in the base year. Used by the housing model
// (reporting) and the migration model (how many households a dwelling stock can take).

#include <span>

#include "engine/core/types.hpp"

namespace socialtwin {

struct HouseholdCounts {
    double single = 0;                // [households]
    double couple_no_children = 0;    // [households]
    double couple_with_children = 0;  // [households]
    double single_parent = 0;         // [households]
    double other = 0;                 // [households]
    double institution_persons = 0;   // [persons] not a private household
    double total() const noexcept {
        return single + couple_no_children + couple_with_children + single_parent + other;
    }
};

// `persons` in the CohortCell layout of one area.
HouseholdCounts count_households(std::span<const double> persons,
                                 double other_households_per_other_member);
// The same from persons by household position (n_positions values).
HouseholdCounts households_from_positions(std::span<const double> by_position,
                                          double other_households_per_other_member);

}  // namespace socialtwin
