#include "models/migration/gemeente_migration.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

GemeenteGroups gemeente_groups(const AreaTable& areas, const RateSet& rates) {
    GemeenteGroups groups;
    groups.group_of_area.assign(areas.size(), 0);
    const AreaAttribute* gemeente = areas.attribute("gemeente");
    std::map<std::string, const GemeenteMigration*> by_name;
    for (const GemeenteMigration& row : rates.migration_by_gemeente) by_name[row.gemeente] = &row;
    std::map<const GemeenteMigration*, std::size_t> group_of_row;
    std::vector<std::size_t> unmatched;
    for (std::size_t a = 0; a < areas.size(); ++a) {
        const auto it = gemeente ? by_name.find(gemeente->values[a]) : by_name.end();
        if (it == by_name.end()) {
            unmatched.push_back(a);
            continue;
        }
        const auto [found, added] = group_of_row.emplace(it->second, groups.rows.size());
        if (added) groups.rows.push_back(it->second);
        groups.group_of_area[a] = found->second;
    }
    for (const std::size_t a : unmatched) groups.group_of_area[a] = groups.rows.size();
    return groups;
}

std::vector<BySexAge<double>> base_population_by_group(const GemeenteGroups& groups,
                                                       const AreaCells* base_cells) {
    std::vector<BySexAge<double>> population(groups.size(), BySexAge<double>{});
    const std::size_t n_areas = groups.group_of_area.size();
    if (!base_cells || base_cells->n_areas() < n_areas) return population;
    for (std::size_t area = 0; area < n_areas; ++area) {
        BySexAge<double>& into = population[groups.group_of_area[area]];
        const auto cells = base_cells->cells(area);
        const auto persons = base_cells->persons(area);
        for (std::size_t i = 0; i < cells.size(); ++i)
            into[at(CohortCell::sex_of(cells[i]))][at(CohortCell::age_of(cells[i]))] += persons[i];
    }
    return population;
}

BySexAge<double> moves_out_probability(const RateSet& rates,
                                       const GemeenteMigration* row) noexcept {
    BySexAge<double> probability = rates.moves_out;
    if (!row) return probability;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            probability[at(s)][at(a)] *= row->moves_out_age_factor[at(s)][at(a)];
    return probability;
}

BySexAge<double> moves_in_share(const RateSet& rates, const GemeenteMigration* row) noexcept {
    if (!row) return rates.moves_in_profile;
    BySexAge<double> share{};
    double total = 0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            total += share[at(s)][at(a)] =
                rates.moves_in_profile[at(s)][at(a)] * row->moves_in_age_factor[at(s)][at(a)];
    if (total <= 0) return rates.moves_in_profile;  // every factor 0: the shape cannot be read
    for (auto& by_age : share)
        for (double& x : by_age) x /= total;
    return share;
}

double outflow_calibration(const BySexAge<double>& population, const BySexAge<double>& probability,
                           double per_inhabitant,
                           const BySexAge<double>& death_probability) noexcept {
    double inhabitants = 0, leavers = 0;
    for (int s = 0; s < n_sexes; ++s) {
        const auto& p = probability[at(s)];
        for (int a = 0; a < n_ages; ++a) {
            inhabitants += population[at(s)][at(a)];
            leavers += population[at(s)][at(a)] * (1.0 - death_probability[at(s)][at(a)]) *
                       p[at(std::min(a + 1, max_age))];
        }
        leavers += population[at(s)][0] * p[0];  // the year's newborns
    }
    return leavers > 0 ? per_inhabitant * inhabitants / leavers : 1.0;
}

}  // namespace socialtwin
