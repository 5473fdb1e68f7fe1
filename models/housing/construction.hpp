#pragma once
// What each area builds, converts, demolishes and withdraws in each year: the dataset's baseline
// stock change (stock_changes.csv: what really happened per gemeente, then the recent trend) and
// the scenario's construction programme, read once per run. The housing stock model builds it
// into the stock by type and tenure (housing.hpp); the housing market counts new dwellings as
// vacancies and fills them (housing_market.hpp); out-migration sends the residents of a
// scenario's demolished dwellings away (models/migration/out_migration.hpp). One reading, so the
// three cannot disagree on a project.

#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/scenario.hpp"
#include "models/housing/dwelling_stock.hpp"
#include "models/housing/dwellings_for.hpp"
#include "models/housing/housing_settings.hpp"

namespace socialtwin {

// One area's baseline change of its stock in one year [dwellings per year]: CBS 81955NED's four
// flows (data/prepare/stock.py).
struct BaselineStockYear {
    double new_dwellings = 0;      // Nieuwbouw: new construction
    double other_additions = 0;    // Overige toevoeging: conversions, splits
    double demolished = 0;         // Sloop
    double other_withdrawals = 0;  // Overige onttrekking: mergers, change of use
    double added() const noexcept { return new_dwellings + other_additions; }
    double withdrawn() const noexcept { return demolished + other_withdrawals; }
};

// The dataset's baseline stock change (stock_changes.csv), per area in the dataset's order:
// each year up to `last_observed_year` as observed (nothing where the file has no row), every
// later year the area's `trend`. Empty: the dataset has none, the stock changes only by a
// scenario's programme.
struct BaselineStockChange {
    int last_observed_year = 0;
    std::vector<std::map<int, BaselineStockYear>> observed;  // per area
    std::vector<BaselineStockYear> trend;                    // per area
    bool empty() const noexcept { return observed.empty() && trend.empty(); }
    BaselineStockYear in(std::size_t area, int year) const;
};
// The dataset's baseline, read once and shared by whoever reads it (the dataset, the housing
// model, the housing market and their programmes): at PC6 for the whole country it is some 36 MB,
// and five copies of it were 6% of the run's peak memory. Null: none.
using SharedBaselineStockChange = std::shared_ptr<const BaselineStockChange>;

// One area's construction in one year, as the housing market and migration see it.
struct ConstructionYear {
    // The scenario's projects: new dwellings are filled at their occupancy, by movers and by
    // in-migrants on top of the rates; the residents of demolished dwellings leave.
    double new_dwellings = 0;  // [dwellings] completed for anyone
    double new_capacity = 0;   // [persons] they take: dwellings x occupancy
    // The projects' new dwellings for a group (construction[].for), indexed by DwellingsFor;
    // `any` stays 0 (those are the two above). The market fills them from the group only.
    std::array<double, n_dwellings_for> new_dwellings_for{};  // [dwellings]
    std::array<double, n_dwellings_for> new_capacity_for{};   // [persons]
    bool has_dwellings_for_groups() const noexcept {
        for (const double n : new_dwellings_for)
            if (n > 0) return true;
        return false;
    }
    double demolished = 0;  // [dwellings]
    // The baseline: room in the stock for the households the rates bring (the recorded
    // migration already holds the persons who came to the recorded new dwellings), and
    // withdrawals whose residents move house within the municipality (the housing market).
    double baseline_added = 0;      // [dwellings]
    double baseline_withdrawn = 0;  // [dwellings]
};

class ConstructionProgramme {
public:
    ConstructionProgramme() = default;
    // The projects of `scenario` in the areas of `areas` (a project in an unknown area was
    // reported when the scenario was checked and is left out here), and the dataset's baseline
    // `baseline` unless the scenario sets housing.baseline_stock_change: none. A project without
    // its own occupancy takes the scenario's persons_per_new_dwelling, or else
    // `persons_per_household` (the municipal mean household size of the rate set).
    // A scenario's project in an area replaces the baseline there from the project's year on
    // (docs/model.md, "Baseline stock change").
    ConstructionProgramme(const Scenario& scenario, const AreaTable& areas,
                          double persons_per_household, SharedBaselineStockChange baseline = {});

    // The area's changes in `year`: the scenario's projects in the order the scenario declares
    // them (dwellings negative for demolition), then the baseline's additions and withdrawals
    // split by the area's base-year type mix.
    std::vector<StockChange> changes(std::size_t area, int year) const;
    // The same into `changes` (cleared first), so a caller can reuse its memory.
    void changes(std::size_t area, int year, std::vector<StockChange>& changes) const;
    // The area's new dwellings, the persons they take, and the dwellings demolished in `year`.
    ConstructionYear in_year(std::size_t area, int year) const;
    // The area's baseline change in `year` (zero where a scenario's project replaced it).
    BaselineStockYear baseline(std::size_t area, int year) const;
    // Whether any project, in any area and year, builds new dwellings for a group
    // (construction[].for).
    bool builds_for_groups() const noexcept;

private:
    struct Completion {
        StockChange change;
        double occupancy = 0;  // [persons per dwelling] of new dwellings
        DwellingsFor intended_for = DwellingsFor::any;
    };
    std::vector<std::vector<std::pair<int, Completion>>> by_area_;  // per area: (year, ...)
    SharedBaselineStockChange baseline_;                            // null: none
    std::vector<int> baseline_until_;  // per area: the first year a scenario project replaces it
    std::vector<std::array<double, n_dwelling_types>> type_share_;  // per area, base year
};

}  // namespace socialtwin
