#include "models/housing/housing.hpp"

#include "models/housing/households.hpp"

namespace socialtwin {

void HousingModel::declare_indicators(IndicatorCatalog& c) {
    const std::string src = "CBS 71488ned household positions; KWB 84583NED dwelling stock";
    auto per_area = [&](std::string name, std::string units, std::string description) {
        return c.add({.name = std::move(name),
                      .units = std::move(units),
                      .description = std::move(description),
                      .source = src});
    };
    single_ = per_area("households_single", "households",
                       "One-person households on 1 January (persons living alone).");
    couple_no_children_ = per_area("households_couple_no_children", "households",
                                   "Couples without children at home on 1 January.");
    couple_with_children_ = per_area("households_couple_with_children", "households",
                                     "Couples with at least one child at home on 1 January.");
    single_parent_ = per_area("households_single_parent", "households",
                              "Single-parent households on 1 January.");
    other_ = per_area("households_other", "households",
                      "Other multi-person households (no couple, no parent-child tie) on 1 "
                      "January; modelled from persons in the position 'other member'.");
    households_ = per_area("households", "households", "All private households on 1 January.");
    institution_ = per_area("persons_institution", "persons",
                            "Persons living in an institution (care home etc.) on 1 January.");
    stock_ = per_area("dwellings_stock", "dwellings", "Dwelling stock on 1 January.");
    needed_ = per_area("dwellings_needed", "dwellings",
                       "Dwellings needed on 1 January: private households / (1 - frictional "
                       "vacancy).");
    shortage_ = per_area("dwelling_shortage", "dwellings",
                         "Dwellings needed minus dwelling stock on 1 January (negative = "
                         "surplus).");
    completed_ = per_area("dwellings_completed", "dwellings per year",
                          "Dwellings added (negative: demolished) during the year by the "
                          "scenario's construction programme.");
}

void HousingModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    completions_.assign(run.areas->size(), {});
    for (const ConstructionProject& project : scenario_->construction)
        if (const auto area = run.areas->find(project.area))
            completions_[*area].push_back({project.year, project.dwellings});
}

void HousingModel::apply(AreaStep& step) const {
    const HouseholdCounts h =
        count_households(step.start, rates_.other_households_per_other_member);
    const double needed = h.total() / (1.0 - scenario_->housing.frictional_vacancy);
    step.values(single_)[0] = h.single;
    step.values(couple_no_children_)[0] = h.couple_no_children;
    step.values(couple_with_children_)[0] = h.couple_with_children;
    step.values(single_parent_)[0] = h.single_parent;
    step.values(other_)[0] = h.other;
    step.values(households_)[0] = h.total();
    step.values(institution_)[0] = h.institution_persons;
    step.values(stock_)[0] = step.dwellings_start;
    step.values(needed_)[0] = needed;
    step.values(shortage_)[0] = needed - step.dwellings_start;

    double completed = 0;
    for (const auto& [year, dwellings] : completions_[step.area])
        if (year == year_) completed += dwellings;
    // A demolition cannot remove more than the area has.
    step.dwellings_next = std::max(0.0, step.dwellings_start + completed);
    step.values(completed_)[0] = step.dwellings_next - step.dwellings_start;
}

}  // namespace socialtwin
