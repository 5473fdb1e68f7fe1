#include "models/housing/housing.hpp"

#include <algorithm>

#include "models/housing/households.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

void HousingModel::declare_indicators(IndicatorCatalog& c) {
    declare_housing_dimensions(c);
    const std::string src = "CBS 71488ned household positions; KWB 84583NED dwelling stock";
    auto per_area = [&](std::string name, std::string units, std::string description,
                        std::vector<std::string> dims = {}, std::string source = {},
                        Quantity quantity = Quantity::stock) {
        return c.add({.name = std::move(name),
                      .units = std::move(units),
                      .description = std::move(description),
                      .dims = std::move(dims),
                      .source = source.empty() ? src : std::move(source),
                      .quantity = quantity});
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
    stock_total_ = per_area("dwellings_stock", "dwellings", "Dwelling stock on 1 January.");
    needed_ = per_area("dwellings_needed", "dwellings",
                       "Dwellings needed on 1 January: private households / (1 - frictional "
                       "vacancy).");
    shortage_ = per_area("dwelling_shortage", "dwellings",
                         "Dwellings needed minus dwelling stock on 1 January (negative = "
                         "surplus).");
    completed_ = per_area("dwellings_completed", "dwellings per year",
                          "Net change of the dwelling stock during the year (negative: more "
                          "demolished and withdrawn than added): the dataset's baseline stock "
                          "change (new construction, conversions, demolition, withdrawals; "
                          "housing.baseline_stock_change) and the scenario's construction "
                          "programme.",
                          {},
                          "CBS 81955NED via the dataset's stock_changes.csv; scenario "
                          "construction programme",
                          Quantity::flow);
    by_type_head_age_ = per_area(
        "households_by_type_head_age", "households",
        "Private households on 1 January by type and age of the head; each partner of a couple "
        "counts as half a household at his or her own age.",
        {"household_type", "head_age_band"});
    by_type_tenure_ = per_area(
        "dwellings_by_type_tenure", "dwellings",
        "Dwelling stock on 1 January by type and tenure (adds up to dwellings_stock). Without "
        "the dataset's dwellings.csv, every area's stock split by the national mix "
        "(docs/model.md).",
        {"dwelling_type", "tenure"},
        "dataset dwellings.csv (KWB 84583NED type and tenure shares); construction programme");
    needed_by_type_ = per_area(
        "dwellings_needed_by_type", "dwellings",
        "Dwellings needed on 1 January by type: households x p(type | household type, head age) "
        "/ (1 - frictional vacancy); p is a modelled seed fitted by IPF to the base year's stock "
        "by type (adds up to dwellings_needed).",
        {"dwelling_type"}, "modelled preference (docs/model.md), fitted to dwellings.csv");
    shortage_by_type_ = per_area("dwelling_shortage_by_type", "dwellings",
                                 "dwellings_needed_by_type minus the stock of that type on 1 "
                                 "January (negative = vacancy in that type).",
                                 {"dwelling_type"});
    vacant_ = per_area("dwellings_vacant", "dwellings",
                       "Dwellings without a household on 1 January: dwelling stock minus private "
                       "households, at least 0.");
    const auto measure = [&](std::string name, std::string units, std::string description) {
        return c.add({.name = std::move(name),
                      .units = std::move(units),
                      .description = std::move(description),
                      .source = src,
                      .kind = IndicatorKind::measure,
                      .weight = "dwellings_stock"});
    };
    vacancy_rate_ = measure("dwelling_vacancy_rate", "share of stock",
                            "dwellings_vacant / dwellings_stock on 1 January (0 without "
                            "dwellings).");
    households_per_dwelling_ = measure("households_per_dwelling", "households per dwelling",
                                       "Private households / dwellings_stock on 1 January (0 "
                                       "without dwellings): how densely the stock is occupied.");
}

void HousingModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    housing_ = housing_settings(*scenario_);
    fitted_ = false;
    preference_ = seed_preference();
    construction_ =
        ConstructionProgramme(*scenario_, *run.areas, rates_.persons_per_household, baseline_);
    stock_ = base_dwelling_stock(*run.areas, run.base_dwellings);
    dataset_stock_ = {};
    for (const DwellingStock& area : stock_)
        for (std::size_t c = 0; c < area.size(); ++c) dataset_stock_[c] += area[c];
    base_households_.assign(run.areas->size(), {});
}

void HousingModel::apply(AreaStep& step) const {
    if (fitted_) {
        report(step);
        return;
    }
    // The base year, before settle(): only what the fit needs.
    base_households_[step.area] = households_by_type_and_head_age(
        step.start, rates_.other_households_per_other_member, step.occupied);
}

void HousingModel::settle() {
    HouseholdsByTypeAndHeadAge households{};
    for (const auto& area : base_households_)
        for (std::size_t c = 0; c < area.size(); ++c) households[c] += area[c];
    preference_ =
        fit_preference(households, {type_total(dataset_stock_, 0), type_total(dataset_stock_, 1)});
    fitted_ = true;
    // Read by the fit only: 200 bytes an area (90 MB for a PC6 country) not held for nothing
    // through the run's other years.
    std::vector<HouseholdsByTypeAndHeadAge>().swap(base_households_);
}

void HousingModel::report(AreaStep& step) const {
    const double other_rate = rates_.other_households_per_other_member;
    const double kept_free = 1.0 - housing_.frictional_vacancy;
    // A few occupied rows (the agent core at PC6 density): both tables in one pass over them.
    const bool every = every_cell(step.occupied);
    HouseholdsOfOccupiedRows of_rows;
    if (!every)
        of_rows =
            households_of_occupied_rows(step.start, other_rate, step.occupied, step.occupied_rows);
    const HouseholdCounts h =
        every ? households_from_positions(start_by_position_of(step), other_rate) : of_rows.counts;
    const double needed = h.total() / kept_free;
    step.values(single_)[0] = h.single;
    step.values(couple_no_children_)[0] = h.couple_no_children;
    step.values(couple_with_children_)[0] = h.couple_with_children;
    step.values(single_parent_)[0] = h.single_parent;
    step.values(other_)[0] = h.other;
    step.values(households_)[0] = h.total();
    step.values(institution_)[0] = h.institution_persons;
    step.values(stock_total_)[0] = step.dwellings_start;
    step.values(needed_)[0] = needed;
    step.values(shortage_)[0] = needed - step.dwellings_start;
    const double vacant = std::max(0.0, step.dwellings_start - h.total());
    step.values(vacant_)[0] = vacant;
    step.values(vacancy_rate_)[0] = step.dwellings_start > 0 ? vacant / step.dwellings_start : 0.0;
    step.values(households_per_dwelling_)[0] =
        step.dwellings_start > 0 ? h.total() / step.dwellings_start : 0.0;

    const HouseholdsByTypeAndHeadAge by_head =
        every ? households_by_type_and_head_age(step.start, other_rate)
              : of_rows.by_type_and_head_age;
    std::copy(by_head.begin(), by_head.end(), step.values(by_type_head_age_).begin());
    DwellingStock& stock = stock_[step.area];
    std::copy(stock.begin(), stock.end(), step.values(by_type_tenure_).begin());
    for (int t = 0; t < n_dwelling_types; ++t) {
        double needed_of_type = 0;
        for (std::size_t c = 0; c < by_head.size(); ++c)
            needed_of_type += by_head[c] * preference_.p(t, c);
        step.values(needed_by_type_)[at(t)] = needed_of_type / kept_free;
        step.values(shortage_by_type_)[at(t)] = needed_of_type / kept_free - type_total(stock, t);
    }

    // The thread's list, refilled area after area (an allocation an area-year was ~1% of a
    // PC6-density run).
    thread_local std::vector<StockChange> changes;
    construction_.changes(step.area, year_, changes);
    double completed = 0;
    for (const StockChange& change : changes) completed += change.dwellings;
    // A demolition cannot remove more than the area has.
    step.dwellings_next = std::max(0.0, step.dwellings_start + completed);
    step.values(completed_)[0] = step.dwellings_next - step.dwellings_start;
    build(stock, changes, dataset_stock_);
}

}  // namespace socialtwin
