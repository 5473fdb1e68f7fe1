#pragma once
// Households follow from household positions: two partners make one couple household, every
// single parent and everyone living alone heads one, persons in the position "other member"
// form "other" households at the rate observed in the base year. Used by the housing model
// (reporting) and the migration model (how many households a dwelling stock can take, who
// moves into new dwellings).
//
// The age of the head. Positions carry no household ids, so the head's age is counted from the
// persons who make up the household, each at their own age: a person living alone or a single
// parent is one household at their age; each partner of a couple counts as half a couple
// household at his or her own age (a couple of 34 and 36 is half a household in 30-44 and half
// in 30-44; one of 28 and 31 is half in <30 and half in 30-44); each "other member" counts as
// `other_households_per_other_member` of an other household at their age. Both cores count
// this way from persons by sex, age and position, so they report the same households.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/core/indicators.hpp"
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

// `persons` in the CohortCell layout of one area, zero outside the cells `occupied` lists
// (ascending; AreaStep::occupied), which are the only ones read.
HouseholdCounts count_households(std::span<const double> persons,
                                 double other_households_per_other_member,
                                 std::span<const std::uint16_t> occupied = all_cohort_cells);
// The same from persons by household position (n_positions values).
HouseholdCounts households_from_positions(std::span<const double> by_position,
                                          double other_households_per_other_member);

// The five private household types, in the order of the `household_type` dimension.
inline constexpr int n_household_types = 5;
inline constexpr std::array<std::string_view, n_household_types> household_type_names{
    "single", "couple_no_children", "couple_with_children", "single_parent", "other"};
std::array<double, n_household_types> by_type(const HouseholdCounts& h) noexcept;

// Age bands of the head of a household, in the order of the `head_age_band` dimension.
inline constexpr int n_head_age_bands = 5;
inline constexpr std::array<std::string_view, n_head_age_bands> head_age_band_names{
    "0-29", "30-44", "45-64", "65-74", "75+"};
constexpr int head_age_band_of(int age) noexcept {
    return age < 30 ? 0 : age < 45 ? 1 : age < 65 ? 2 : age < 75 ? 3 : 4;
}

// Households by type x head age band, type-major (n_household_types x n_head_age_bands).
using HouseholdsByTypeAndHeadAge = std::array<double, n_household_types * n_head_age_bands>;
constexpr std::size_t type_head_age_cell(int type, int band) noexcept {
    return static_cast<std::size_t>(type * n_head_age_bands + band);
}

// What one person in `position` contributes to the households, counted at the person's own
// age (see the top of this file): the household type (-1: none, a child at home or an
// institution resident) and the number of households.
struct HouseholdPart {
    int type = -1;
    double households = 0;  // [households per person]
};
HouseholdPart household_part(Position position, double other_households_per_other_member) noexcept;

// Households by type and head age band of one area's persons (CohortCell layout; as
// count_households, only the `occupied` cells are read).
HouseholdsByTypeAndHeadAge households_by_type_and_head_age(
    std::span<const double> persons, double other_households_per_other_member,
    std::span<const std::uint16_t> occupied = all_cohort_cells);

// Both at once for a few occupied rows (the agent core at PC6 density): one pass over the rows
// gives the counts of count_households and the table of households_by_type_and_head_age, each
// summed in the order the function alone sums it.
struct HouseholdsOfOccupiedRows {
    HouseholdCounts counts;
    HouseholdsByTypeAndHeadAge by_type_and_head_age{};
};
// `rows`: the occupied cells' rows (sex * n_ages + age) where the caller has them listed.
HouseholdsOfOccupiedRows households_of_occupied_rows(
    std::span<const double> persons, double other_households_per_other_member,
    std::span<const std::uint16_t> occupied, const std::vector<std::uint16_t>* rows = nullptr);

// Declares the dimensions of the housing indicators (household_type, head_age_band,
// dwelling_type, tenure) unless another model already has; the same name with other labels is
// a programming error (std::logic_error).
void declare_housing_dimensions(IndicatorCatalog& catalog);

}  // namespace socialtwin
