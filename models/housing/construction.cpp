#include "models/housing/construction.hpp"

namespace socialtwin {

ConstructionProgramme::ConstructionProgramme(const Scenario& scenario, const AreaTable& areas,
                                             double persons_per_household)
    : by_area_(areas.size()) {
    const double per_new_dwelling = housing_settings(scenario).persons_per_new_dwelling;
    const double default_occupancy =
        per_new_dwelling > 0 ? per_new_dwelling : persons_per_household;
    for (const ConstructionProject& project : scenario.construction) {
        const auto area = areas.find(project.area);
        if (!area) continue;  // unknown areas were reported when the scenario was checked
        by_area_[*area].push_back(
            {project.year,
             {{project.dwellings, project.type, project.tenure},
              project.occupancy > 0 ? project.occupancy : default_occupancy}});
    }
}

std::vector<StockChange> ConstructionProgramme::changes(std::size_t area, int year) const {
    std::vector<StockChange> changes;
    for (const auto& [when, completion] : by_area_[area])
        if (when == year) changes.push_back(completion.change);
    return changes;
}

ConstructionYear ConstructionProgramme::in_year(std::size_t area, int year) const {
    ConstructionYear c;
    for (const auto& [when, completion] : by_area_[area]) {
        if (when != year) continue;
        const double dwellings = completion.change.dwellings;
        if (dwellings > 0) {
            c.new_dwellings += dwellings;
            c.new_capacity += dwellings * completion.occupancy;
        } else {
            c.demolished -= dwellings;
        }
    }
    return c;
}

}  // namespace socialtwin
