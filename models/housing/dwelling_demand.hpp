#pragma once
// Which dwelling type households need: p(single-family | household type, age of the head).
//
// A modelled seed (an assumption, not data: households with children and older couples more
// often live in a single-family house, young people living alone mostly in flats) is fitted to
// the dataset by iterative proportional fitting (IPF) at the base year: the table households
// (type x head age band) x p0(dwelling type | type, band) is raked alternately to its two
// margins -- the households of each type and band, and the dwelling stock by type scaled to
// the number of households -- until both hold. The fitted table keeps the seed's odds ratios
// (IPF changes only the row and column factors), so p is defined for every type and band, also
// those without households in the base year. It is held fixed over the projection: dwellings
// needed by type change as the households change in number, type and age.

#include <array>
#include <span>

#include "models/housing/dwelling_stock.hpp"
#include "models/housing/households.hpp"

namespace socialtwin {

// [share] p0(single-family | household type, head age band): rows household types (single,
// couple without children, couple with children, single parent, other), columns head age bands
// (0-29, 30-44, 45-64, 65-74, 75+). Modelled assumption.
inline constexpr std::array<std::array<double, n_head_age_bands>, n_household_types>
    single_family_seed{{
        {0.15, 0.25, 0.35, 0.40, 0.35},  // single
        {0.30, 0.50, 0.65, 0.65, 0.55},  // couple without children
        {0.55, 0.75, 0.80, 0.75, 0.70},  // couple with children
        {0.40, 0.50, 0.55, 0.50, 0.45},  // single parent
        {0.30, 0.40, 0.50, 0.50, 0.45},  // other
    }};

struct DwellingPreference {
    // [share] p(dwelling type | household type, head age band), type-major like
    // HouseholdsByTypeAndHeadAge; the types add up to 1.
    std::array<HouseholdsByTypeAndHeadAge, n_dwelling_types> share{};
    int iterations = 0;  // IPF sweeps until both margins held (relative error < 1e-12)
    double p(int dwelling_type, std::size_t type_head_age) const noexcept {
        return share[static_cast<std::size_t>(dwelling_type)][type_head_age];
    }
};

// The seed as it is, unfitted.
DwellingPreference seed_preference() noexcept;

// The seed fitted by IPF to the base year's households (summed over the dataset's areas) and
// dwelling stock by type (summed likewise). Without households or dwellings the seed stays; a
// type without dwellings gets share 0.
DwellingPreference fit_preference(const HouseholdsByTypeAndHeadAge& households,
                                  const std::array<double, n_dwelling_types>& stock_by_type);

}  // namespace socialtwin
