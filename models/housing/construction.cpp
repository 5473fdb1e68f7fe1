#include "models/housing/construction.hpp"

#include <algorithm>
#include <limits>

namespace socialtwin {

BaselineStockYear BaselineStockChange::in(std::size_t area, int year) const {
    if (year <= last_observed_year) {
        if (area >= observed.size()) return {};
        const auto it = observed[area].find(year);
        return it == observed[area].end() ? BaselineStockYear{} : it->second;
    }
    return area < trend.size() ? trend[area] : BaselineStockYear{};
}

ConstructionProgramme::ConstructionProgramme(const Scenario& scenario, const AreaTable& areas,
                                             double persons_per_household,
                                             SharedBaselineStockChange baseline)
    : by_area_(areas.size()),
      baseline_until_(areas.size(), std::numeric_limits<int>::max()),
      type_share_(areas.size(), national_type_share) {
    const HousingSettings settings = housing_settings(scenario);
    const double per_new_dwelling = settings.persons_per_new_dwelling;
    const double default_occupancy =
        per_new_dwelling > 0 ? per_new_dwelling : persons_per_household;
    for (const ConstructionProject& project : scenario.construction) {
        const auto area = areas.find(project.area);
        if (!area) continue;  // unknown areas were reported when the scenario was checked
        by_area_[*area].push_back(
            {project.year,
             {{project.dwellings, project.type, project.tenure},
              project.occupancy > 0 ? project.occupancy : default_occupancy,
              // An unknown name was reported when the scenario was checked.
              dwellings_for_names.from_string(project.intended_for).value_or(DwellingsFor::any)}});
        baseline_until_[*area] = std::min(baseline_until_[*area], project.year);
    }
    if (settings.baseline_stock_change == BaselineStockChangeMode::none) return;
    baseline_ = std::move(baseline);
    // Baseline dwellings are added and withdrawn in the area's base-year mix of types (their
    // tenure: build(), the area's current mix within the type).
    if (!has_dwelling_types(areas)) return;
    // Each type and tenure's column looked up once, not per area (450,000 of them at PC6).
    std::array<std::array<const std::vector<double>*, n_tenures>, n_dwelling_types> stock{};
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r)
            stock[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)] =
                &areas.quantity(stock_quantity_name(t, r))->values;
    for (std::size_t a = 0; a < areas.size(); ++a) {
        std::array<double, n_dwelling_types> by_type{};
        double sum = 0;
        for (int t = 0; t < n_dwelling_types; ++t)
            for (int r = 0; r < n_tenures; ++r) {
                const double n =
                    (*stock[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)])[a];
                by_type[static_cast<std::size_t>(t)] += n;
                sum += n;
            }
        if (sum <= 0) continue;
        for (double& share : by_type) share /= sum;
        type_share_[a] = by_type;
    }
}

BaselineStockYear ConstructionProgramme::baseline(std::size_t area, int year) const {
    if (!baseline_ || baseline_->empty() || year >= baseline_until_[area]) return {};
    return baseline_->in(area, year);
}

std::vector<StockChange> ConstructionProgramme::changes(std::size_t area, int year) const {
    std::vector<StockChange> changes;
    this->changes(area, year, changes);
    return changes;
}

void ConstructionProgramme::changes(std::size_t area, int year,
                                    std::vector<StockChange>& changes) const {
    changes.clear();
    for (const auto& [when, completion] : by_area_[area])
        if (when == year) changes.push_back(completion.change);
    const BaselineStockYear b = baseline(area, year);
    for (int t = 0; t < n_dwelling_types; ++t) {
        const double share = type_share_[area][static_cast<std::size_t>(t)];
        const auto type = static_cast<DwellingType>(t);
        if (share * b.added() > 0) changes.push_back({share * b.added(), type, std::nullopt});
        if (share * b.withdrawn() > 0)
            changes.push_back({-share * b.withdrawn(), type, std::nullopt});
    }
}

bool ConstructionProgramme::builds_for_groups() const noexcept {
    for (const auto& projects : by_area_)
        for (const auto& [year, completion] : projects)
            if (completion.change.dwellings > 0 && completion.intended_for != DwellingsFor::any)
                return true;
    return false;
}

ConstructionYear ConstructionProgramme::in_year(std::size_t area, int year) const {
    ConstructionYear c;
    for (const auto& [when, completion] : by_area_[area]) {
        if (when != year) continue;
        const double dwellings = completion.change.dwellings;
        if (dwellings > 0 && completion.intended_for != DwellingsFor::any) {
            const auto group = static_cast<std::size_t>(completion.intended_for);
            c.new_dwellings_for[group] += dwellings;
            c.new_capacity_for[group] += dwellings * completion.occupancy;
        } else if (dwellings > 0) {
            c.new_dwellings += dwellings;
            c.new_capacity += dwellings * completion.occupancy;
        } else {
            c.demolished -= dwellings;
        }
    }
    const BaselineStockYear b = baseline(area, year);
    c.baseline_added = b.added();
    c.baseline_withdrawn = b.withdrawn();
    return c;
}

}  // namespace socialtwin
