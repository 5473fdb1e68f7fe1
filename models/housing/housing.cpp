#include "models/housing/housing.hpp"

namespace socialtwin {

namespace {
std::size_t cell(int sex, int age, Position p) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, index(p)));
}
}  // namespace

void HousingModel::declare_indicators(IndicatorCatalog& c) {
    const std::string src = "CBS 71488ned household positions; KWB 84583NED dwelling stock";
    auto per_area = [&](std::string name, std::string units, std::string description) {
        return c.add({std::move(name), std::move(units), std::move(description),
                      IndicatorShape::per_area, src});
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
    double alone = 0, partners_nc = 0, partners_wc = 0, parents = 0, other = 0, inst = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            alone += step.start[cell(s, a, Position::living_alone)];
            partners_nc += step.start[cell(s, a, Position::partner_no_children)];
            partners_wc += step.start[cell(s, a, Position::partner_with_children)];
            parents += step.start[cell(s, a, Position::single_parent)];
            other += step.start[cell(s, a, Position::other_member)];
            inst += step.start[cell(s, a, Position::institution)];
        }
    }
    const double other_households = other * rates_.other_households_per_other_member;
    const double households =
        alone + partners_nc / 2 + partners_wc / 2 + parents + other_households;
    const double needed = households / (1.0 - scenario_->housing.frictional_vacancy);

    step.values(single_)[0] = alone;
    step.values(couple_no_children_)[0] = partners_nc / 2;
    step.values(couple_with_children_)[0] = partners_wc / 2;
    step.values(single_parent_)[0] = parents;
    step.values(other_)[0] = other_households;
    step.values(households_)[0] = households;
    step.values(institution_)[0] = inst;
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
