#pragma once
// Mortality, fertility and migration: the cohort-component processes. Each turns the baseline
// rates and the scenario's multipliers into this year's rates once (begin_year) and applies
// them to every area as expected flows.

#include <memory>
#include <span>
#include <vector>

#include "engine/core/model.hpp"
#include "models/housing/housing_settings.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The rates a scenario can change for these processes (keys under `rates:`).
inline constexpr RateLever mortality_lever{
    .name = "mortality", .meaning = "Probability of dying within the year, by age and sex."};
inline constexpr RateLever fertility_lever{
    .name = "fertility", .meaning = "Births per woman in the year, by age of the mother."};
inline constexpr RateLever migration_in_lever{
    .name = "migration_in",
    .meaning = "In-migrants from outside the municipality, by age and sex."};
inline constexpr RateLever migration_out_lever{
    .name = "migration_out", .meaning = "Probability of moving out of the municipality."};

// Their random draws (agent core). The numbers are part of the results' identity: never renumber.
// Stream 1 stays reserved for mortality, whose draws now come from its person-year lane.
inline constexpr DrawStream mortality_stream{.name = "mortality", .number = 1};
inline constexpr DrawStream fertility_stream{.name = "fertility", .number = 2};
inline constexpr DrawStream newborn_stream{.name = "newborn", .number = 3};
inline constexpr DrawStream migration_out_stream{.name = "migration_out", .number = 5};
inline constexpr DrawStream migration_in_stream{.name = "migration_in", .number = 6};
inline constexpr DrawStream demolition_stream{.name = "demolition", .number = 7};
inline constexpr DrawStream moves_stream{.name = "moves", .number = 9};
inline constexpr PersonYearLane mortality_lane{.name = "mortality", .index = 0};
inline constexpr PersonYearLane migration_out_lane{.name = "migration_out", .index = 2};
inline constexpr PersonYearLane moves_lane{.name = "moves", .index = 3};

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

    // This year's death probability (baseline x scenario) by sex and age on 1 January.
    const BySexAge<double>& death_probability() const noexcept { return q_; }

private:
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    BySexAge<double> q_{};
};

// Births during the year to the women present on 1 January (age-specific fertility by age on
// 1 January, as the rates were fitted). Newborns take the base-year positions of age 0; half of
// the infant death probability applies to them in their year of birth. Phase: births.
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

// Migration across the municipal border and moves inside it, through the municipal housing
// market. Out: a probability by sex and age at year end; demolished dwellings send their
// residents out. Moves: households moving house inside the municipality leave their dwelling
// and choose a vacant one -- the room left in an area's stock after this year's departures, or
// a dwelling completed this year -- anywhere in the municipality, each vacancy in their own
// buurt counting `housing.own_buurt_weight` times (docs/model.md). In: the in-migrants who
// would come (per inhabitant of each area, by the in-migrant age-sex profile) take the room the
// movers left, housing-led (the default: each area holds as many households per dwelling as in
// the base year), pooled over the areas, as far as it goes; the rest is reported as unmet
// demand. Demand-led, all of them come. New dwellings take `occupancy` persons each in their
// year: the movers who chose them, and in-migrants for the rest. In-migrants arrive with the
// base-year household positions of their age.
class MigrationModel final : public Model {
public:
    explicit MigrationModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "migration"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    // Out-migration and demolition; records the area's demand and room for settle().
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;
    bool settles_across_areas() const override { return true; }
    // The housing market: how many of each area's would-be in-migrants are admitted.
    void settle() override;
    // In-migration into the area as settled, and into its new dwellings.
    void complete(AreaStep& step) const override;
    void complete(AgentAreaStep& step) const override;

private:
    struct Completion {
        double dwellings = 0;  // [dwellings] negative for demolition
        double occupancy = 0;  // [persons per dwelling] of new dwellings
    };
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    HousingSettings housing_{};  // the scenario's housing settings (begin_run)
    std::vector<std::vector<std::pair<int, Completion>>> completions_;  // per area: (year, ...)
    std::vector<double> households_per_dwelling_;  // per area, as in the base year
    int year_ = 0;
    BySexAge<double> out_rate_{};
    BySexAge<double> in_per_inhabitant_{};  // [in-migrants per inhabitant] by sex and age
    double in_per_inhabitant_total_ = 0;    // [in-migrants per inhabitant]
    double households_per_in_migrant_ = 0;  // [households per person] of this year's mix
    IndicatorId in_new_dwellings_{}, in_unmet_{};

    // This year's construction in one area.
    struct Construction {
        double new_dwellings = 0;  // [dwellings] completed
        double new_capacity = 0;   // [persons] they take: dwellings x occupancy
        double demolished = 0;     // [dwellings]
    };
    // Per area, this year: written by apply(), read by settle() and complete().
    struct Market {
        double inhabitants = 0;        // [persons] on 1 January
        double wanting = 0;            // [persons] would-be in-migrants
        double room = 0;               // [households] the stock can still take
        double movers = 0;             // [persons] moving out to another area of the municipality
        double movers_households = 0;  // [households] those movers form
        double new_dwellings = 0;      // [dwellings] completed this year: vacancies for movers
        double new_capacity = 0;       // [persons] the new dwellings take
        // Set by settle():
        double vacant = 0;      // [households] room netted within the buurt (at least 0)
        double admitted = 0;    // [persons] in-migrants admitted into the existing stock
        double share = 0;       // of the municipality's movers this area takes, if it has no room
        double new_movers = 0;  // [persons] expected movers into the new dwellings
        double new_filled = 0;  // [persons] in-migrants into the new dwellings (the rest)
        double in_buurt = 0;    // [persons] expected movers from the area's own buurt
    };
    mutable std::vector<Market> market_;
    // Movers between areas. Cohort core: by cell per area, and their sum over areas after
    // settle(). Agent core: per area the moving persons with the person who decided the move
    // (a family moves together), and per area the persons moving in.
    mutable std::vector<double> movers_cells_;
    std::vector<double> movers_pool_;        // per municipality x CohortCell::size
    std::vector<double> movers_pool_total_;  // per municipality
    // Moves stay inside the municipality (the areas' `gemeente`; one market when the dataset
    // has no such column): the market of each area.
    std::vector<std::size_t> market_of_;
    std::size_t n_markets_ = 1;
    // Agent core: new partners without a partner in their area, matched in settle() in the
    // buurt, then the municipality; the woman moves to the man's area.
    std::vector<std::size_t> buurt_of_;  // empty when the dataset has no buurt column
    mutable std::vector<std::vector<std::uint32_t>> seekers_;
    std::vector<double> partner_leavers_;
    void match_new_partners();
    mutable std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> movers_;
    std::vector<std::vector<std::uint32_t>> incoming_;
    BySexAge<double> move_rate_{};  // [probability per year] of moving to another dwelling
    IndicatorId moves_in_{}, moves_out_{}, moves_in_buurt_{}, new_residents_{}, new_households_{};
    // The choice of a vacant dwelling (settle()). Areas are grouped by buurt (by area when the
    // dataset has no buurt column) within their municipality; a mover from buurt B takes a
    // vacancy in area a with probability weight(a) x (own_buurt_weight if a lies in B) / D(B),
    // weight(a) = vacancies (room netted in the buurt) + new dwellings, D(B) = W(market) +
    // (own_buurt_weight - 1) W(B), W the sum of the weights. The cohort core moves these expected
    // shares of every cell; the agent core draws each family's destination from them.
    std::vector<std::size_t> group_of_;                   // per area
    std::vector<std::size_t> group_market_;               // per group
    std::vector<std::vector<std::size_t>> market_areas_;  // per market: areas in group order
    std::vector<std::size_t> group_first_;  // per group: its first area in market_areas_
    std::vector<double> group_weight_, group_divisor_, group_movers_, group_movers_households_;
    std::vector<double> market_weight_;
    // Cohort core: per market, the movers of each cell over their buurt's divisor, summed; per
    // buurt of more than one area, its movers by cell (a one-area buurt uses the area's).
    std::vector<double> market_pool_;
    std::vector<double> group_pool_;
    std::vector<std::size_t> group_pool_index_;  // per group: index in group_pool_, or npos
    // Agent core: per area, the persons moving into its new dwellings and those coming from
    // its own buurt (drawn in settle()).
    std::vector<std::vector<std::uint32_t>> incoming_new_;
    std::vector<double> incoming_in_buurt_;
    std::span<const double> group_pool(std::size_t group) const;
    const RandomStreams* random_ = nullptr;  // agent core: this replicate's streams
    AgentPopulation* persons_ = nullptr;     // agent core: the persons (for settle())

    Construction construction(std::size_t area) const;
    static double displaced_share(double demolished, double dwellings_start) noexcept;
    void record_market(std::size_t area, double inhabitants, double households_at_year_end,
                       const Construction& c, double dwellings_start, double movers,
                       double movers_households) const;
    // Expected in-migrants of one sex and age into the area this year (into new dwellings: the
    // second).
    double in_migrants(std::size_t area, int sex, int age) const noexcept;
    double in_migrants_new(std::size_t area, int sex, int age) const noexcept;
    // The composition of the persons moving into the area's new dwellings.
    void report_new_residents(AreaStep& step, std::span<const double> persons) const;
};

}  // namespace socialtwin
