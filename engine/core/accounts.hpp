#pragma once
// The population accounts both cores keep: the stock on 1 January (total and by sex x age
// band) and the year's flows, per area, checked against each other every year:
// P(t+1) = P(t) + births - deaths + in - out.

#include <span>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/model.hpp"

namespace socialtwin {

class PopulationAccounts {
public:
    // Declares population, population_by_age_sex, births, deaths, migration_in, migration_out.
    explicit PopulationAccounts(IndicatorCatalog& catalog);

    // Checks the identity for one area and year (throws std::logic_error, a bug, if it fails
    // by more than `tolerance` relative to its largest term) and records the indicators.
    // Returns the person-years lived in the area during the year (mid-year population).
    // A term that is not finite is left to check_year_is_finite, which names it.
    double record(const AreaTable& areas, AreaStep& step, double tolerance) const;

private:
    IndicatorId population_{}, population_by_age_sex_{}, births_{}, deaths_{}, migration_in_{},
        migration_out_{};
};

// After each projected year, before any observer sees it: throws RunFailed unless every
// indicator value is finite (NaN where the indicator allows it) and so is every area's
// population at the end of the year, seen through the person-years record() returned for it
// (`person_years`: one per area, or empty where persons are counted and cannot overflow). The
// message names the first value found (indicator, area, year), the same at any thread count.
void check_year_is_finite(const YearResults& results, const AreaTable& areas,
                          std::span<const double> person_years);

}  // namespace socialtwin
