#pragma once
// The municipal housing market, in the migration phase. Households moving house inside the
// municipality leave their dwelling and choose a vacant one -- the room left in an area's stock
// after this year's departures, or a dwelling completed this year -- anywhere in the
// municipality, a share `housing.own_buurt_share` of them looking in their own buurt only
// (docs/model.md). New dwellings take `occupancy` persons each in their year: the movers who
// chose them, and in-migrants for the rest. The room the movers leave decides how many of the
// would-be in-migrants the stock admits: housing-led (the default: each area's vacancy may fall
// to the frictional and its households per dwelling rise a bounded share above the base year's),
// pooled over the areas, as far as it goes, and settled where people live (by the areas'
// inhabitants); the rest is reported as unmet demand (movers between gemeenten of the dataset
// refused by one are rehoused in another). Demand-led, all of them come. The residents of the
// baseline's withdrawn dwellings move like movers. The stock each year is the base year's changed
// by the construction programme: the dataset's baseline stock change and the scenario's projects.
//
// The market is one part of migration; the others reach it through a reference given when the
// registry makes them together (models/registry.cpp):
//   - out-migration (models/migration/out_migration.hpp) runs first in the phase: the market sees
//     who is left, and shares its reading of the construction programme;
//   - partner matching (models/households/partner_matching.hpp) settles after the market and
//     moves the women who join a partner in another area through move_to_partner();
//   - in-migration (models/migration/in_migration.hpp) says in begin_year how many would come,
//     and after settle() places what the market admitted.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "engine/core/model.hpp"
#include "models/housing/construction.hpp"
#include "models/housing/housing_settings.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// Random draws of moves (agent core); never renumber.
inline constexpr DrawStream moves_stream{.name = "moves", .number = 9};
inline constexpr PersonYearLane moves_lane{.name = "moves", .index = 3};
// Random draws of the in-migrants who fill new dwellings built for a group (agent core; drawn by
// in-migration, declared here with the allocation they serve); never renumber.
inline constexpr DrawStream dwellings_for_stream{.name = "dwellings_for", .number = 11};

class HousingMarket final : public Model {
public:
    // `baseline`: the dataset's stock change without a programme (shared; null or empty: none).
    explicit HousingMarket(const RateSet& rates, SharedBaselineStockChange baseline = {})
        : rates_(rates), baseline_(std::move(baseline)) {}
    std::string_view name() const override { return "housing_market"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    // Moves out of the area, after out-migration; records the area's room and movers.
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;
    bool settles_across_areas() const override { return true; }
    // Places every mover in a vacancy of the municipality and admits in-migrants into the room
    // that is left.
    void settle() override;
    // Movers into the area as settled.
    void complete(AreaStep& step) const override;
    void complete(AgentAreaStep& step) const override;

    // ---- What the other parts of migration use ----------------------------------------------
    // The run's construction programme (read in begin_run).
    const ConstructionProgramme& construction() const noexcept { return construction_; }
    // In-migration, in begin_year (before any area's apply): this year's would-be in-migrants
    // per inhabitant of each area (its gemeente's rates; indexed by area), and the households
    // they form per person. Without it, no one would come.
    void expect_in_migrants(std::vector<double> per_inhabitant_by_area,
                            double households_per_person) noexcept;
    // In-migration, in begin_year, with the above: the part of the would-be in-migrants per
    // inhabitant who move from another gemeente (indexed by area). When the dataset holds several
    // gemeenten these moves are between gemeenten of the dataset: a mover refused by the
    // gemeente it wanted has left a dwelling of the dataset and must live somewhere in it, so
    // settle() offers it the room left in the other gemeenten (docs/model.md, "Refused moves").
    void expect_moves_between_gemeenten(std::vector<double> per_inhabitant_by_area) noexcept;
    // The dataset holds several gemeenten: moves from other gemeenten are moves inside it.
    bool moves_between_gemeenten_are_internal() const noexcept { return n_markets_ > 1; }
    // After settle(): the factor on every gemeente's would-be movers from other gemeenten that
    // makes them the dataset's departures to other gemeenten (1 when the moves come from outside
    // the dataset). In-migration applies it to its movers' share of the in-migrants.
    double movers_scale() const noexcept { return movers_scale_; }
    // What settle() admitted into an area [persons]: in-migrants into its existing stock, and
    // into its new dwellings (the room the movers left there).
    struct Admitted {
        double into_stock = 0;
        double into_new_dwellings = 0;
        // Movers from other gemeenten of the dataset whom the gemeente they wanted refused, housed
        // here instead (all of them moves from another gemeente; part of into_stock).
        double rehoused_movers = 0;
        // In-migrants of each group (DwellingsFor) into the new dwellings built for it: what the
        // group's movers left of their capacity; on top of into_new_dwellings.
        std::array<double, n_dwellings_for> into_dwellings_for{};
    };
    Admitted admitted(std::size_t area) const noexcept;
    // In-migration: the factor on an area's in-migrants of an age (at year end) over its share
    // by inhabitants. Students and young adults (17-24) settle where young adults live -- the
    // area's share of the gemeente's base-year persons aged 18-24, the one proxy of student
    // housing the datasets hold; every other age by inhabitants (1). Over a gemeente's areas the
    // in-migrants of each age add up to what the market admitted.
    double settling_factor(std::size_t area, int age) const noexcept {
        return age >= young_adult_ages.first && age <= young_adult_ages.second
                   ? market_[area].young_adult_factor
                   : 1.0;
    }
    static constexpr std::pair<int, int> young_adult_ages{17, 24};
    // In-migration, in complete: reports who moved into the area's new dwellings -- the movers
    // the market placed there, added into `in_migrants_by_cell` (the in-migrants who did, by
    // cohort cell) -- and that `in_migrants` in-migrants did. The buffer may be empty when no
    // in-migrant moved into a new dwelling (the cohort core's only when, moreover,
    // movers_into_new_dwellings() is false).
    void report_new_dwelling_residents(AreaStep& step, std::span<double> in_migrants_by_cell,
                                       double in_migrants) const;
    // Cohort core, after settle(): whether movers of the municipality moved into new dwellings
    // of the area this year (else they add nothing to the report's cells).
    bool movers_into_new_dwellings(std::size_t area) const noexcept {
        return (market_weight_[market_of_[area]] > 0 && market_[area].new_dwellings != 0) ||
               !movers_for_cells_[area].empty();
    }
    void report_new_dwelling_residents(AgentAreaStep& step,
                                       std::vector<double>& in_migrants_by_cell,
                                       double in_migrants) const;
    // Partner matching, in its settle() (after the market's): `person` leaves area `from` to
    // live with a partner in area `to`; the market counts the move and brings the person in
    // complete().
    void move_to_partner(std::uint32_t person, std::size_t from, std::size_t to);
    // Each area's buurt (numbered in order of first appearance; empty when the dataset has no
    // buurt column) and municipality (the areas' `gemeente`; all 0 without such a column).
    const std::vector<std::size_t>& buurt_of() const noexcept { return buurt_of_; }
    const std::vector<std::size_t>& municipality_of() const noexcept { return market_of_; }

private:
    const RateSet& rates_;
    SharedBaselineStockChange baseline_;
    const Scenario* scenario_ = nullptr;
    HousingSettings housing_{};  // the scenario's housing settings (begin_run)
    ConstructionProgramme construction_;
    // Per area: households per dwelling in the base year, and the most a housing-led market lets
    // them reach (the vacancy down to the frictional, occupancy up to housing.occupancy_rise_max).
    std::vector<double> households_per_dwelling_;
    std::vector<double> households_per_dwelling_max_;
    int year_ = 0;
    std::vector<double>
        in_per_inhabitant_by_area_;  // [in-migrants per inhabitant], from in-migration
    std::vector<double> moves_in_per_inhabitant_by_area_;  // [movers per inhabitant], their part
    std::optional<IndicatorId> departures_;  // out-migration's moves_to_other_gemeenten
    std::vector<double> base_young_adults_;  // [persons] per area aged 18-24 in the base year
    // Per area: its base year's persons per household over its municipality's (0.5..2).
    std::vector<double> household_size_factor_;
    double movers_scale_ = 1.0;             // see movers_scale()
    double households_per_in_migrant_ = 0;  // [households per person] of this year's mix
    BySexAge<double> move_rate_{};          // [probability per year] of moving to another dwelling
    // move_rate_ of each cell's sex and age (cohort core: a flat loop over an area's cells).
    std::array<double, CohortCell::size> move_rate_by_cell_{};
    IndicatorId moves_in_{}, moves_out_{}, moves_in_buurt_{}, new_residents_{}, new_households_{},
        in_new_dwellings_{}, in_unmet_{}, in_unmet_households_{};

    // Per area, this year: written by apply(), read by settle() and complete().
    struct Market {
        double inhabitants = 0;        // [persons] on 1 January
        double wanting = 0;            // [persons] would-be in-migrants
        double wanting_movers = 0;     // [persons] of whom movers from another gemeente
        double departures = 0;         // [persons] who left for another gemeente (out-migration)
        double room = 0;               // [households] the stock can still take
        double movers = 0;             // [persons] moving out to another area of the municipality
        double movers_households = 0;  // [households] those movers form
        double new_dwellings = 0;      // [dwellings] completed this year: vacancies for movers
        double new_capacity = 0;       // [persons] the new dwellings take
        // Set by settle():
        double vacant = 0;    // [households] room netted within the buurt (at least 0)
        double weight = 0;    // of the area's vacancies in the movers' choice (see below)
        double admitted = 0;  // [persons] in-migrants admitted into the existing stock
        double rehoused = 0;  // [persons] of whom movers refused by the gemeente they wanted
        double young_adult_factor = 1;  // see settling_factor()
        double share = 0;       // of the municipality's movers this area takes, if it has no room
        double new_movers = 0;  // [persons] expected movers into the new dwellings
        double new_filled = 0;  // [persons] in-migrants into the new dwellings (the rest)
        double in_buurt = 0;    // [persons] expected movers from the area's own buurt
        // New dwellings for a group (construction[].for), indexed by DwellingsFor: the persons
        // they take, the group's movers placed there by settle() (expected in the cohort core,
        // drawn in the agent core), and the in-migrants of the group for the rest.
        std::array<double, n_dwellings_for> capacity_for{};
        std::array<double, n_dwellings_for> movers_for{};
        std::array<double, n_dwellings_for> in_migrants_for{};
        double in_buurt_for = 0;  // [persons] of movers_for from the area's own buurt
    };
    mutable std::vector<Market> market_;
    // Movers between areas. Cohort core: by cell, a row of movers_cells_ per slot, and their
    // sums over the slots after settle(). Agent core: per area the moving persons with the
    // person who decided the move (a family moves together), and per area the persons moving
    // in.
    //
    // A slot is the areas of one buurt in one of the core's blocks of areas
    // (RunContext::areas_together), which run one after another on one thread: apply() adds
    // each area's movers into its slot's row as it goes, so the settle step sums one row per
    // buurt and block, not a 12 KB row per area written to memory and read back (the cohort
    // benchmark 0.86x of its CPU). The pools then add the areas of a buurt within each block
    // first: they differ from a sum area by area in their last bits. A slot per area, in area
    // order (the same sums as area by area, bit for bit), where a project builds for a group:
    // its movers are taken out area by area (place_movers_for_groups).
    mutable std::vector<double> movers_cells_;
    std::vector<std::size_t> slot_of_;      // per area
    std::vector<std::uint8_t> slot_first_;  // per area: the first of its slot (writes the row)
    std::vector<std::size_t> slot_group_;   // per slot: its buurt (group)
    void make_slots(std::size_t areas_together, bool slot_per_area);
    double* slot_row(std::size_t area) const noexcept {
        return movers_cells_.data() + slot_of_[area] * CohortCell::size;
    }
    std::vector<double> movers_pool_;        // per municipality x CohortCell::size
    std::vector<double> movers_pool_total_;  // per municipality
    // Moves stay inside the municipality (the areas' `gemeente`; one market when the dataset
    // has no such column): the market of each area.
    std::vector<std::size_t> market_of_;
    std::size_t n_markets_ = 1;
    std::vector<std::size_t> buurt_of_;  // empty when the dataset has no buurt column
    // Agent core: who moves (a person, or a newborn without an id yet), the person who decided
    // the family's move, and the decider's uniform number for the choice of a vacancy
    // (moves_stream, block 1), drawn in apply() while the area's persons are at hand: in
    // settle() each draw read the decider's stable id, often far off in the store (a national
    // run's movers are a million persons a year).
    template <class Who>
    struct Moving {
        Who who;
        std::uint32_t decider = 0;
        std::uint32_t choice = 0;  // the number as its word (word_of_unit): 12 bytes a mover
    };
    mutable std::vector<std::vector<Moving<std::uint32_t>>> movers_;
    std::vector<std::vector<std::uint32_t>> incoming_;
    // Agent core: per area the newborns whose mother moved, with her family's decider; per area
    // the newborns moving in with their mother.
    mutable std::vector<std::vector<Moving<Arrival>>> newborn_movers_;
    std::vector<std::vector<Arrival>> incoming_newborns_;
    // Agent core: per area the persons the rates expected to move this year [persons]; per
    // market the share of them the market draws (the rest went to a partner last year).
    mutable std::vector<double> expected_moves_;
    std::vector<double> partner_move_scale_;
    std::vector<double> partner_leavers_;  // per area: persons who left to join a partner
    // The choice of a vacant dwelling (settle()). Areas are grouped by buurt (by area when the
    // dataset has no buurt column) within their municipality; a mover from buurt B takes a
    // vacancy in area a with probability s x weight(a) / W(B) [a in B] + (1 - s) x weight(a) / W,
    // s = own_buurt_share (0 when B has no vacancy), weight(a) = vacancies (room netted in the
    // buurt) x the area's household size factor + new dwellings, W(B) and W the sums of the
    // weights over the buurt and the municipality. Every area then takes back, on average, as
    // many movers as its turnover gives it room for, whatever its buurt's size: a preference that
    // multiplied the own buurt's weight instead moved people from small buurten (PC4) to large
    // ones (docs/model.md). The cohort core moves these expected shares of every cell; the agent
    // core draws each family's destination from them.
    std::vector<std::size_t> group_of_;                   // per area
    std::vector<std::size_t> group_market_;               // per group
    std::vector<std::vector<std::size_t>> market_areas_;  // per market: areas in group order
    std::vector<std::size_t> group_first_;  // per group: its first area in market_areas_
    std::vector<double> group_weight_, group_movers_, group_movers_households_;
    // Per group: what each of its movers who stays in the buurt adds per unit of weight of an
    // area there (own_buurt_share / W(B), 0 without vacancies), and what each who chooses over
    // the municipality adds per unit of weight of any area ((1 - that share) / W).
    std::vector<double> group_own_, group_spread_;
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
    // Agent core, draw_destinations(): each family's drawn area (and whether a new dwelling),
    // area by area from destination_start_[area]; kept from year to year.
    struct Destination {
        std::uint32_t area = 0;
        bool into_new = false;
    };
    std::vector<Destination> destinations_;
    std::vector<std::size_t> destination_start_;
    // New dwellings for a group: per area, the movers placed in them by settle() before the
    // ordinary choice (cohort core: by cell, empty where none; agent core: persons and newborns).
    std::vector<std::vector<double>> movers_for_cells_;
    std::vector<std::vector<std::uint32_t>> incoming_for_;
    std::vector<std::vector<Arrival>> incoming_for_newborns_;
    std::span<const double> group_pool(std::size_t group) const;
    const RandomStreams* random_ = nullptr;  // agent core: this replicate's streams
    AgentPopulation* persons_ = nullptr;     // agent core: the persons (for settle())

    void group_areas(const AreaTable& areas, bool agents);
    // The share of an area's residents whose dwellings the baseline withdraws this year: they
    // must move, and are rehoused where the movers go (not in their own area's full stock).
    double displaced_share(std::size_t area, double dwellings_start) const;
    void record_market(std::size_t area, double inhabitants, double households_at_year_end,
                       double dwellings_start, double movers, double movers_households) const;
    // The movers of each cell who choose a vacancy in the area, per unit of its weight: the
    // market's, plus the preference's extra from its own buurt (cohort core, after settle()).
    struct MoversPerWeight {
        std::span<const double> market;
        std::span<const double> buurt;
        double own = 0;  // the weight of the buurt's movers
        double at(std::size_t i) const noexcept { return market[i] + own * buurt[i]; }
    };
    MoversPerWeight movers_per_weight(std::size_t area) const;

    // The steps of settle(), in order.
    struct Totals {
        // Per market (municipality): in-migrants look for a dwelling in the municipality they
        // move to, so room in one municipality never admits those who wanted another.
        std::vector<double> movers;  // [persons]
        std::vector<double> wanting, room, movers_households;
        // Per market: the movers (persons, households) of each buurt over its divisor, summed.
        std::vector<double> per_weight, households_per_weight;
        // Per market: the households of the movers who chose new dwellings (they leave room
        // behind).
        std::vector<double> movers_into_new_households;
    };
    void pool_moves_between_gemeenten();
    // Movers of each group into the new dwellings built for it, before anyone else chooses:
    // they leave the ordinary movers (docs/model.md, "Allocation of new construction").
    void place_movers_for_groups();
    void draw_movers_for_groups();
    // Per market, the capacity [persons] of this year's new dwellings for a group.
    std::vector<double> capacity_for_by_market(std::size_t group) const;
    void net_room_within_buurten();
    Totals add_up_vacancies_and_movers();
    void divide_by_buurt(Totals& totals);
    void place_movers(Totals& totals);
    void admit_in_migrants(const Totals& totals);
    std::vector<double> rehouse_refused_movers(const std::vector<double>& capacity,
                                               const std::vector<double>& admitted,
                                               const Totals& totals) const;
    void pool_movers_by_cell();
    void draw_destinations();
};

}  // namespace socialtwin
