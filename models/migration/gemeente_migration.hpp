#pragma once
// Which recorded migration each area has: the row of the rate set's migration_by_gemeente for
// the area's `gemeente` (its code or name, as the dataset spells it), or none -- then the rate
// set's own rates. Out- and in-migration read the same mapping, so the flows of one gemeente
// cannot come from two different rows.

#include <cstddef>
#include <span>
#include <vector>

#include "engine/core/area_cells.hpp"
#include "engine/core/area_table.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

struct GemeenteGroups {
    // Per area: its group; groups 0 .. rows.size() - 1 are the rows found in the dataset, the
    // group rows.size() holds every area without a row.
    std::vector<std::size_t> group_of_area;
    std::vector<const GemeenteMigration*> rows;
    std::size_t size() const noexcept { return rows.size() + 1; }
    const GemeenteMigration* row(std::size_t group) const noexcept {
        return group < rows.size() ? rows[group] : nullptr;
    }
};

GemeenteGroups gemeente_groups(const AreaTable& areas, const RateSet& rates);

// The base population of each group by sex and age [persons], from the base cells (areas x
// CohortCell::size).
std::vector<BySexAge<double>> base_population_by_group(const GemeenteGroups& groups,
                                                       const AreaCells* base_cells);

// A group's age profiles of the moves between gemeenten: the rate set's, times its gemeente's
// age factors (migration_age_by_gemeente.csv) where it has a row. The moves-out probabilities
// are calibrated to the recorded rate afterwards (outflow_calibration); the moves-in shares are
// renormalised to sum to 1, so the recorded totals hold and only the age shape changes.
BySexAge<double> moves_out_probability(const RateSet& rates, const GemeenteMigration* row) noexcept;
BySexAge<double> moves_in_share(const RateSet& rates, const GemeenteMigration* row) noexcept;

// The factor on an outflow's probabilities (by sex and age at year end) that makes `population`
// (persons by sex and age on 1 January) give `per_inhabitant` leavers per inhabitant in a year:
// the survivors of the year (`death_probability` by age on 1 January), a year older at year
// end, plus the year's newborns, taken to be as many as the base year's age 0. 1 where the
// probabilities give no leavers at all.
double outflow_calibration(const BySexAge<double>& population, const BySexAge<double>& probability,
                           double per_inhabitant,
                           const BySexAge<double>& death_probability) noexcept;

}  // namespace socialtwin
