#pragma once
// Households and dwellings. Households follow from household positions on 1 January (two
// partners make one couple household, every single parent heads one, everyone living alone
// is one), by type and age of the head; dwellings needed = private households plus the
// frictional vacancy a housing market needs to let people move, and by dwelling type through
// a preference p(type | household type, head age) fitted to the stock at the base year
// (dwelling_demand.hpp). The stock is kept by type and tenure (dwelling_stock.hpp); the
// construction programme (the dataset's baseline stock change and the scenario's projects,
// construction.hpp) changes it during its year.
//
// The preference is fitted to the base year's households of all areas, which only the base
// year's housing phase sees: in that year (only) the model settles across areas -- apply()
// records each area's households, settle() fits, complete() reports. The agent core calls
// apply() for both halves of a count-based phase, so apply() reports once the fit is made.

#include <utility>
#include <vector>

#include "engine/core/model.hpp"
#include "models/housing/construction.hpp"
#include "models/housing/dwelling_demand.hpp"
#include "models/housing/dwelling_stock.hpp"
#include "models/housing/housing_settings.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

class HousingModel final : public Model {
public:
    // `baseline`: the dataset's stock change without a programme (shared; null or empty: none).
    explicit HousingModel(const RateSet& rates, SharedBaselineStockChange baseline = {})
        : rates_(rates), baseline_(std::move(baseline)) {}
    std::string_view name() const override { return "housing"; }
    Phase phase() const override { return Phase::housing; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override { year_ = year; }
    void apply(AreaStep& step) const override;
    bool settles_across_areas() const override { return !fitted_; }
    void settle() override;
    void complete(AreaStep& step) const override { report(step); }

    // The fitted p(dwelling type | household type, head age band); the seed before the fit.
    const DwellingPreference& preference() const noexcept { return preference_; }

private:
    void report(AreaStep& step) const;

    const RateSet& rates_;
    SharedBaselineStockChange baseline_;
    const Scenario* scenario_ = nullptr;
    HousingSettings housing_{};  // the scenario's housing settings (begin_run)
    int year_ = 0;
    bool fitted_ = false;
    DwellingPreference preference_ = seed_preference();
    ConstructionProgramme construction_;
    // Per area: the stock by type and tenure on 1 January of the year being projected (each
    // area's apply() moves its own entry on a year), and the base year's households.
    mutable std::vector<DwellingStock> stock_;
    mutable std::vector<HouseholdsByTypeAndHeadAge> base_households_;
    DwellingStock dataset_stock_{};  // all areas, base year: tenure mixes of last resort
    IndicatorId single_{}, couple_no_children_{}, couple_with_children_{}, single_parent_{},
        other_{}, households_{}, institution_{}, stock_total_{}, needed_{}, shortage_{},
        completed_{}, by_type_head_age_{}, by_type_tenure_{}, needed_by_type_{},
        shortage_by_type_{}, vacant_{}, vacancy_rate_{}, households_per_dwelling_{};
};

}  // namespace socialtwin
