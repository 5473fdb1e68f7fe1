#pragma once
// The scenario's construction programme, read once per run into what each area completes or
// demolishes in each year. The housing stock model builds it into the stock by type and tenure
// (housing.hpp); the housing market counts new dwellings as vacancies and fills them
// (housing_market.hpp); out-migration sends the residents of demolished dwellings away
// (models/migration/out_migration.hpp). One reading, so the three cannot disagree on a project.

#include <span>
#include <utility>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/scenario.hpp"
#include "models/housing/dwelling_stock.hpp"
#include "models/housing/housing_settings.hpp"

namespace socialtwin {

// One area's construction in one year, as the housing market and migration see it.
struct ConstructionYear {
    double new_dwellings = 0;  // [dwellings] completed
    double new_capacity = 0;   // [persons] they take: dwellings x occupancy
    double demolished = 0;     // [dwellings]
};

class ConstructionProgramme {
public:
    ConstructionProgramme() = default;
    // The projects of `scenario` in the areas of `areas` (a project in an unknown area was
    // reported when the scenario was checked and is left out here). A project without its own
    // occupancy takes the scenario's persons_per_new_dwelling, or else `persons_per_household`
    // (the municipal mean household size of the rate set).
    ConstructionProgramme(const Scenario& scenario, const AreaTable& areas,
                          double persons_per_household);

    // The area's projects completed in `year`, in the order the scenario declares them
    // (dwellings negative for demolition).
    std::vector<StockChange> changes(std::size_t area, int year) const;
    // The area's new dwellings, the persons they take, and the dwellings demolished in `year`.
    ConstructionYear in_year(std::size_t area, int year) const;

private:
    struct Completion {
        StockChange change;
        double occupancy = 0;  // [persons per dwelling] of new dwellings
    };
    std::vector<std::vector<std::pair<int, Completion>>> by_area_;  // per area: (year, ...)
};

}  // namespace socialtwin
