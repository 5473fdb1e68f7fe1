#pragma once
// Mortality and fertility: the cohort-component processes of natural change. Each turns the
// baseline rates and the scenario's multipliers into this year's rates once (begin_year) and
// applies them to every area as expected flows. Migration, the third component, is in
// models/migration/ (across the border) and models/housing/housing_market.hpp (moves inside
// the municipality).

#include <array>

#include "engine/core/model.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The rates a scenario can change for these processes (keys under `rates:`).
inline constexpr RateLever mortality_lever{
    .name = "mortality", .meaning = "Probability of dying within the year, by age and sex."};
inline constexpr RateLever fertility_lever{
    .name = "fertility", .meaning = "Births per woman in the year, by age of the mother."};

// Their random draws (agent core). The numbers are part of the results' identity: never
// renumber. Stream 1 stays reserved for mortality, whose draws now come from its person-year
// lane.
inline constexpr DrawStream mortality_stream{.name = "mortality", .number = 1};
inline constexpr DrawStream fertility_stream{.name = "fertility", .number = 2};
inline constexpr DrawStream newborn_stream{.name = "newborn", .number = 3};
inline constexpr PersonYearLane mortality_lane{.name = "mortality", .index = 0};

// The baseline's movement by year (docs/model.md, "Mortality" and "Fertility"), before a
// scenario's multipliers: the factor on a death probability that declines by `annual_decline`
// a year from the rate set's reference year (1 in the reference year; years before it raise q),
// and the factor on every ASFR that moves the national TFR along the rate set's path.
double mortality_improvement_factor(double annual_decline, int reference_year, int year);
double fertility_path_factor(const RateSet& rates, int year);

// Deaths during the year by age on 1 January (the core then moves the survivors up one year of
// age). Phase: ageing_and_survival.
class MortalityModel final : public Model {
public:
    explicit MortalityModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "mortality"; }
    Phase phase() const override { return Phase::ageing_and_survival; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override { scenario_ = run.scenario; }
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // This year's death probability (baseline with its improvement, x the area's mortality
    // factor, x scenario) by sex and age on 1 January.
    const BySexAge<double>& death_probability() const noexcept { return q_; }

private:
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    BySexAge<double> q_{};
    std::array<double, CohortCell::size> q_by_cell_{};  // q_ in every cell of its row
};

// Births during the year to the women present on 1 January (age-specific fertility by age on
// 1 January, as the rates were fitted). Newborns take the base-year positions of age 0; the
// newborns' own death probability (CBS q(0) on 31 December: born in the year, died in it)
// applies to them in their year of birth. Phase: births.
class FertilityModel final : public Model {
public:
    explicit FertilityModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "fertility"; }
    Phase phase() const override { return Phase::births; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override { scenario_ = run.scenario; }
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

private:
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    std::array<double, n_ages> asfr_{};
    std::array<double, n_sexes> infant_death_{};  // [probability] in the year of birth
};

}  // namespace socialtwin
