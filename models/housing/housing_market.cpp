#include "models/housing/housing_market.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <type_traits>

#include "engine/core/large_table.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/resident_slots.hpp"
#include "engine/core/upper_bound.hpp"
#include "models/housing/households.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

// 1 for the cohort cells whose persons belong to `group`, 0 for the others.
std::vector<double> members_by_cell(DwellingsFor group) {
    std::vector<double> member(CohortCell::size, 0.0);
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                if (belongs_to(group, a, static_cast<Position>(p))) member[cell(s, a, p)] = 1.0;
    return member;
}

}  // namespace

void HousingMarket::declare_indicators(IndicatorCatalog& catalog) {
    // Out-migration declares (and applies) its flows first: the market reads the moves out to
    // other gemeenten of each area for the national pool (settle()).
    departures_ = catalog.find("moves_to_other_gemeenten");
    moves_in_ = catalog.add(
        {.name = "moves_in",
         .units = "persons per year",
         .description =
             "Persons moving into the area from another area of the municipality during the year "
             "(part of migration_in).",
         .source = "CBS 70072ned verhuismobiliteit, Rogers-Castro age profile",
         .quantity = Quantity::flow});
    moves_out_ = catalog.add(
        {.name = "moves_out",
         .units = "persons per year",
         .description =
             "Persons moving from the area to another area of the municipality during the year "
             "(part of migration_out).",
         .source = "CBS 70072ned verhuismobiliteit, Rogers-Castro age profile",
         .quantity = Quantity::flow});
    in_new_dwellings_ = catalog.add(
        {.name = "migration_in_new_dwellings",
         .units = "persons per year",
         .description = "In-migrants from outside the municipality who move into dwellings "
                        "completed during the year (part of migration_in).",
         .source = "scenario construction programme x occupancy, less the movers who took them",
         .quantity = Quantity::flow});
    declare_housing_dimensions(catalog);
    moves_in_buurt_ = catalog.add(
        {.name = "moves_in_buurt",
         .units = "persons per year",
         .description = "The part of moves_in that comes from the area's own buurt (from the area "
                        "itself too); see housing.own_buurt_share.",
         .source = "moves_in x the choice of a vacant dwelling (docs/model.md)",
         .quantity = Quantity::flow});
    new_residents_ = catalog.add(
        {.name = "new_dwelling_residents_by_age_sex",
         .units = "persons per year",
         .description = "Persons who move into dwellings completed during the year, from other "
                        "areas of the municipality and from outside it, by sex and age at the end "
                        "of the year.",
         .dims = by_sex_and_age_band,
         .source = "construction programme; moves and in-migration (docs/model.md)",
         .quantity = Quantity::flow});
    new_households_ = catalog.add(
        {.name = "new_dwelling_households_by_type",
         .units = "households per year",
         .description = "Households moving into dwellings completed during the year, by type "
                        "(from the positions of the persons, as households are counted).",
         .dims = {"household_type"},
         .source = "construction programme; moves and in-migration (docs/model.md)",
         .quantity = Quantity::flow});
    in_unmet_ = catalog.add(
        {.name = "migration_in_unmet",
         .units = "persons per year",
         .description =
             "Would-be in-migrants for whom the area's dwelling stock had no room during the year.",
         .source = "in-migration rate x inhabitants, minus migration_in",
         .quantity = Quantity::flow});
    in_unmet_households_ = catalog.add(
        {.name = "migration_in_unmet_households",
         .units = "households per year",
         .description = "Unmet demand for dwellings: the households the refused would-be "
                        "in-migrants (migration_in_unmet) would have formed, i.e. the dwellings "
                        "the stock lacked for them during the year (housing-led; 0 demand-led). "
                        "Per area it may be negative (see migration_in_unmet); sum over areas.",
         .source = "migration_in_unmet x households per in-migrant of the year's mix",
         .quantity = Quantity::flow});
}

void HousingMarket::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    housing_ = housing_settings(*scenario_);
    const std::size_t n_areas = run.areas->size();
    construction_ =
        ConstructionProgramme(*scenario_, *run.areas, rates_.persons_per_household, baseline_);
    market_.assign(n_areas, {});
    random_ = run.random;
    persons_ = run.persons;
    if (run.agents) {
        movers_.assign(n_areas, {});
        newborn_movers_.assign(n_areas, {});
        incoming_.assign(n_areas, {});
        incoming_newborns_.assign(n_areas, {});
        movers_cells_.clear();
    }
    group_areas(*run.areas, run.agents);
    if (!run.agents) make_slots(run.areas_together, construction_.builds_for_groups());
    expected_moves_.assign(run.agents ? n_areas : 0, 0.0);
    partner_move_scale_.assign(run.agents ? n_markets_ : 0, 1.0);
    incoming_new_.assign(run.agents ? n_areas : 0, {});
    incoming_in_buurt_.assign(n_areas, 0.0);
    movers_for_cells_.assign(run.agents ? 0 : n_areas, {});
    incoming_for_.assign(run.agents ? n_areas : 0, {});
    incoming_for_newborns_.assign(run.agents ? n_areas : 0, {});
    partner_leavers_.assign(n_areas, 0.0);
    movers_pool_.assign(n_markets_ * CohortCell::size, 0.0);
    movers_pool_total_.assign(n_markets_, 0.0);
    // How densely each area's dwellings are occupied is a fact of the base year (students
    // sharing, room rental, vacancy): keep it, within sane bounds, as the area's capacity. The
    // lower bound is low because holiday parks are real: Lauwersoog (PC4 9976) has 80
    // households in 420 dwellings, and a bound of 0.5 gave it room for 130 more (the national
    // PC4 backtest had it +75% in one year).
    households_per_dwelling_.assign(n_areas, 1.0);
    for (std::size_t a = 0; a < n_areas; ++a) {
        const double dwellings = run.base_dwellings[a];
        if (dwellings <= 0) continue;
        const double households =
            households_from_positions(run.base_positions.subspan(a * n_positions, n_positions),
                                      rates_.other_households_per_other_member)
                .total();
        households_per_dwelling_[a] = std::clamp(households / dwellings, 0.05, 2.0);
    }
    // Before refusing anyone, a housing-led market lets households per dwelling rise a bounded
    // share (doubling up, room rental, students sharing). The base year's vacancy itself is not
    // let down to the frictional: much of it is structural -- holiday and second homes, dwellings
    // awaiting renewal -- and filling it put in-migrants into holiday parks (the PC4 backtest,
    // docs/validation.md: median error 1.80% with it, 1.43% without; every gemeente unchanged).
    // Where students and young adults live (settling_factor()): the base year's persons 18-24.
    base_young_adults_.assign(n_areas, 0.0);
    if (run.base_cells && run.base_cells->n_areas() >= n_areas)
        for (std::size_t a = 0; a < n_areas; ++a) {
            const auto cells = run.base_cells->cells(a);
            const auto persons = run.base_cells->persons(a);
            for (std::size_t i = 0; i < cells.size(); ++i)
                if (const int age = CohortCell::age_of(cells[i]); age >= 18 && age <= 24)
                    base_young_adults_[a] += persons[i];
        }
    // A vacancy is taken by a household like the area's (a family home by a family, a flat by
    // one or two): an area's vacancies weigh in the movers' choice by its base year's persons
    // per household over its municipality's. Counted as households alone, every vacancy took
    // the municipality's mean mover household, which drained family areas (where children
    // leaving home free no dwelling) into areas of small households: the national PC4 backtest
    // 2021 -> 2022, persons per household in the highest fifth of PC4 -1.21% (signed median
    // error), in the lowest +0.73%; with the factor (and the own-buurt share) -0.25% and +0.33%.
    {
        std::vector<double> persons(n_areas, 0.0), households(n_areas, 0.0);
        std::vector<double> market_persons(n_markets_, 0.0), market_households(n_markets_, 0.0);
        for (std::size_t a = 0; a < n_areas; ++a) {
            const auto positions = run.base_positions.subspan(a * n_positions, n_positions);
            persons[a] = std::accumulate(positions.begin(), positions.end(), 0.0);
            households[a] =
                households_from_positions(positions, rates_.other_households_per_other_member)
                    .total();
            market_persons[market_of_[a]] += persons[a];
            market_households[market_of_[a]] += households[a];
        }
        household_size_factor_.assign(n_areas, 1.0);
        for (std::size_t a = 0; a < n_areas; ++a) {
            const std::size_t k = market_of_[a];
            if (households[a] <= 0 || market_households[k] <= 0 || market_persons[k] <= 0) continue;
            household_size_factor_[a] = std::clamp(
                persons[a] / households[a] / (market_persons[k] / market_households[k]), 0.5, 2.0);
        }
    }
    households_per_dwelling_max_.resize(n_areas);
    for (std::size_t a = 0; a < n_areas; ++a)
        households_per_dwelling_max_[a] =
            households_per_dwelling_[a] * (1.0 + housing_.occupancy_rise_max);
}

// Vacancy choice: buurten within their municipality (areas themselves without a buurt column),
// each market's areas listed buurt by buurt.
void HousingMarket::group_areas(const AreaTable& areas, bool agents) {
    const std::size_t n_areas = areas.size();
    market_of_ = areas.groups("gemeente");
    n_markets_ =
        market_of_.empty() ? 1 : 1 + *std::max_element(market_of_.begin(), market_of_.end());
    buurt_of_ = areas.attribute("buurt") ? areas.groups("buurt") : std::vector<std::size_t>{};
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> numbers;
    group_of_.assign(n_areas, 0);
    group_market_.clear();
    for (std::size_t a = 0; a < n_areas; ++a) {
        const std::size_t buurt = buurt_of_.empty() ? a : buurt_of_[a];
        const auto [it, added] = numbers.emplace(std::pair{market_of_[a], buurt}, numbers.size());
        if (added) group_market_.push_back(market_of_[a]);
        group_of_[a] = it->second;
    }
    const std::size_t n_groups = group_market_.size();
    market_areas_.assign(n_markets_, {});
    std::vector<std::vector<std::size_t>> areas_of_group(n_groups);
    for (std::size_t a = 0; a < n_areas; ++a) areas_of_group[group_of_[a]].push_back(a);
    group_first_.assign(n_groups, 0);
    group_pool_index_.assign(n_groups, none);
    std::size_t pools = 0;
    for (std::size_t g = 0; g < n_groups; ++g) {
        auto& listed = market_areas_[group_market_[g]];
        group_first_[g] = listed.size();
        listed.insert(listed.end(), areas_of_group[g].begin(), areas_of_group[g].end());
        if (areas_of_group[g].size() > 1) group_pool_index_[g] = pools++;
    }
    group_weight_.assign(n_groups, 0.0);
    group_own_.assign(n_groups, 0.0);
    group_spread_.assign(n_groups, 0.0);
    group_movers_.assign(n_groups, 0.0);
    group_movers_households_.assign(n_groups, 0.0);
    market_weight_.assign(n_markets_, 0.0);
    group_pool_.assign(agents ? 0 : pools * CohortCell::size, 0.0);
    market_pool_.assign(agents ? 0 : n_markets_ * CohortCell::size, 0.0);
}

void HousingMarket::make_slots(std::size_t areas_together, bool slot_per_area) {
    const std::size_t n_areas = group_of_.size();
    const std::size_t block = slot_per_area ? 1 : std::max<std::size_t>(1, areas_together);
    slot_of_.assign(n_areas, 0);
    slot_first_.assign(n_areas, 0);
    slot_group_.clear();
    for (std::size_t first = 0; first < n_areas; first += block) {
        const std::size_t block_slots = slot_group_.size();
        for (std::size_t a = first; a < std::min(n_areas, first + block); ++a) {
            const std::size_t g = group_of_[a];
            std::size_t s = block_slots;
            while (s < slot_group_.size() && slot_group_[s] != g) ++s;
            if (s == slot_group_.size()) {
                slot_group_.push_back(g);
                slot_first_[a] = 1;
            }
            slot_of_[a] = s;
        }
    }
    movers_cells_ = zeroed_large_table(slot_group_.size() * CohortCell::size);
}

void HousingMarket::begin_year(int year) {
    year_ = year;
    // Moves inside the municipality follow the age profile of the outflows (emigration and
    // moves to other gemeenten), at their own level.
    const double move_scale =
        rates_.out_migrants_per_inhabitant > 0
            ? rates_.internal_moves_per_inhabitant / rates_.out_migrants_per_inhabitant
            : 0.0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            move_rate_[at(s)][at(a)] =
                std::min(1.0, (rates_.emigration[at(s)][at(a)] + rates_.moves_out[at(s)][at(a)]) *
                                  move_scale);
    spread_over_cells(move_rate_, move_rate_by_cell_);
    // Agent core: the rates count every move inside the municipality, moves to join a partner
    // included (CBS 70072ned), but partner matching moves the women who find a partner in
    // another area on top of the market's draws. The market draws the rest: each market's
    // moves are scaled down by its share of last year's moves to a partner in the moves the
    // rates expected (the first year, which has none yet, draws them all).
    for (std::size_t k = 0; k < partner_move_scale_.size(); ++k) {
        double to_partner = 0, expected = 0;
        for (const std::size_t a : market_areas_[k]) {
            to_partner += partner_leavers_[a];
            expected += expected_moves_[a];
        }
        partner_move_scale_[k] =
            expected > 0 ? std::clamp(1.0 - to_partner / expected, 0.0, 1.0) : 1.0;
    }
}

void HousingMarket::expect_in_migrants(std::vector<double> per_inhabitant_by_area,
                                       double households_per_person) noexcept {
    in_per_inhabitant_by_area_ = std::move(per_inhabitant_by_area);
    households_per_in_migrant_ = households_per_person;
}

// The national pool: in a dataset of several gemeenten the movers between them are its own
// departures, so their number is the departures' (out-migration, this year) and the recorded
// moves-in rates decide only where they go. The would-be movers are scaled to the departures
// (nl-pc4-2021: by about 0.1%, the rates' mismatch on a population that has moved on from
// 2017-2019); refused ones are rehoused (rehouse_refused_movers), so moves in equal moves out.
void HousingMarket::pool_moves_between_gemeenten() {
    movers_scale_ = 1.0;
    if (!moves_between_gemeenten_are_internal() || !departures_) return;
    double departures = 0, wanting = 0;
    for (const Market& m : market_) {
        departures += m.departures;
        wanting += m.wanting_movers;
    }
    if (wanting <= 0) return;
    movers_scale_ = departures / wanting;
    for (Market& m : market_) {
        m.wanting += (movers_scale_ - 1.0) * m.wanting_movers;
        m.wanting_movers *= movers_scale_;
    }
}

void HousingMarket::expect_moves_between_gemeenten(
    std::vector<double> per_inhabitant_by_area) noexcept {
    moves_in_per_inhabitant_by_area_ = std::move(per_inhabitant_by_area);
}

HousingMarket::Admitted HousingMarket::admitted(std::size_t area) const noexcept {
    const Market& m = market_[area];
    return {m.admitted + m.rehoused, m.new_filled, m.rehoused, m.in_migrants_for};
}

void HousingMarket::record_market(std::size_t area, double inhabitants,
                                  double households_at_year_end, double dwellings_start,
                                  double movers, double movers_households) const {
    const ConstructionYear c = construction_.in_year(area, year_);
    Market& m = market_[area];
    m = Market{};
    m.movers = movers;
    m.movers_households = movers_households;
    m.inhabitants = inhabitants;
    m.wanting =
        inhabitants * (in_per_inhabitant_by_area_.empty() ? 0.0 : in_per_inhabitant_by_area_[area]);
    m.wanting_movers =
        inhabitants *
        (moves_in_per_inhabitant_by_area_.empty() ? 0.0 : moves_in_per_inhabitant_by_area_[area]);
    // Negative where the area holds more households than its dwellings take: that makes less
    // room in the municipal market too.
    // The baseline's additions are room this year; its withdrawals' residents moved out with the
    // movers (apply) and choose a vacancy in the municipality like them, a project's demolition
    // sent them away (out-migration).
    const double dwellings =
        std::max(0.0, dwellings_start - c.demolished - c.baseline_withdrawn + c.baseline_added);
    m.room = dwellings * households_per_dwelling_max_[area] - households_at_year_end;
    m.new_dwellings = c.new_dwellings;
    m.new_capacity = c.new_capacity;
    m.capacity_for = c.new_capacity_for;
}

std::span<const double> HousingMarket::group_pool(std::size_t group) const {
    const std::size_t i = group_pool_index_[group];
    if (i != none) return {group_pool_.data() + i * CohortCell::size, CohortCell::size};
    // A buurt of one area: its slot holds that area's movers only.
    const std::size_t area = market_areas_[group_market_[group]][group_first_[group]];
    return {slot_row(area), CohortCell::size};
}

HousingMarket::MoversPerWeight HousingMarket::movers_per_weight(std::size_t area) const {
    const std::size_t k = market_of_[area], g = group_of_[area];
    return {{market_pool_.data() + k * CohortCell::size, CohortCell::size},
            group_pool(g),
            group_own_[g]};
}

// ---------------------------------------------------------------------------------------------
// settle(). Households moving house inside the municipality have freed their dwellings and
// choose a vacant one: the room left in an area's stock, or a dwelling completed this year,
// anywhere in their municipality, with a preference for their own buurt (see the choice above
// the members in housing_market.hpp). All of them are placed. In-migrants from outside then
// take the room that is left (housing-led), or all come (demand-led), spread over the areas by
// their inhabitants; the new dwellings take `occupancy` persons each: the
// movers who chose them, and in-migrants for the rest. Pooling over the whole municipality also
// keeps the agent core's result from depending on small-area noise (a sum of minima is not the
// minimum of sums).
void HousingMarket::settle() {
    pool_moves_between_gemeenten();
    for (auto& cells : movers_for_cells_) cells.clear();
    for (auto& in : incoming_for_) in.clear();
    for (auto& in : incoming_for_newborns_) in.clear();
    const bool built_for_groups = std::any_of(market_.begin(), market_.end(), [](const Market& m) {
        return std::any_of(m.capacity_for.begin(), m.capacity_for.end(),
                           [](double c) { return c > 0; });
    });
    if (built_for_groups) {
        if (persons_ == nullptr)
            place_movers_for_groups();
        else
            draw_movers_for_groups();
    }
    net_room_within_buurten();
    Totals totals = add_up_vacancies_and_movers();
    divide_by_buurt(totals);
    place_movers(totals);
    admit_in_migrants(totals);
    movers_pool_total_ = totals.movers;
    // Which core runs follows from the persons, not from the size of a per-area buffer: with
    // no areas the cohort core's buffer is empty too, and the agent core's part would read
    // persons that do not exist.
    if (persons_ == nullptr)
        pool_movers_by_cell();
    else
        draw_destinations();
}

// An area's vacancies: its room, netted within its buurt -- an area with more households than
// its dwellings take fills vacancies of its buurt -- and shared out over the buurt's areas with
// room. (Netting per buurt, not per area, also keeps the agent core's whole households, which
// vary around the cohort core's expected ones, from adding up to more vacancies than the cohort
// core sees.)
void HousingMarket::net_room_within_buurten() {
    const std::size_t n_groups = group_market_.size();
    std::vector<double> positive(n_groups, 0.0), net(n_groups, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        positive[group_of_[a]] += std::max(0.0, market_[a].room);
        net[group_of_[a]] += market_[a].room;
    }
    for (std::size_t a = 0; a < market_.size(); ++a) {
        const std::size_t g = group_of_[a];
        market_[a].vacant =
            positive[g] > 0 ? std::max(0.0, market_[a].room) * std::max(0.0, net[g]) / positive[g]
                            : 0.0;
        market_[a].weight =
            market_[a].vacant * household_size_factor_[a] + market_[a].new_dwellings;
    }
}

// The weight of the vacancies (vacant + new dwellings) and the movers, per buurt and per
// municipality; would-be in-migrants, room and movers' households over all areas.
HousingMarket::Totals HousingMarket::add_up_vacancies_and_movers() {
    std::fill(group_weight_.begin(), group_weight_.end(), 0.0);
    std::fill(group_movers_.begin(), group_movers_.end(), 0.0);
    std::fill(group_movers_households_.begin(), group_movers_households_.end(), 0.0);
    std::fill(market_weight_.begin(), market_weight_.end(), 0.0);
    Totals totals;
    totals.movers.assign(n_markets_, 0.0);
    totals.wanting.assign(n_markets_, 0.0);
    totals.room.assign(n_markets_, 0.0);
    totals.movers_households.assign(n_markets_, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        const Market& m = market_[a];
        group_weight_[group_of_[a]] += m.weight;
        market_weight_[market_of_[a]] += m.weight;
        group_movers_[group_of_[a]] += m.movers;
        group_movers_households_[group_of_[a]] += m.movers_households;
        totals.movers[market_of_[a]] += m.movers;
        totals.wanting[market_of_[a]] += m.wanting;
        totals.room[market_of_[a]] += m.room;
        totals.movers_households[market_of_[a]] += m.movers_households;
    }
    return totals;
}

// Per buurt, the two ways its movers choose: a share `own_buurt_share` over the vacancies of
// their own buurt (if it has any), the rest over the whole municipality's; per market, the
// movers (persons, households) who choose over the whole municipality, per unit of its weight.
void HousingMarket::divide_by_buurt(Totals& totals) {
    const double own_share = housing_.own_buurt_share;
    totals.per_weight.assign(n_markets_, 0.0);
    totals.households_per_weight.assign(n_markets_, 0.0);
    for (std::size_t g = 0; g < group_market_.size(); ++g) {
        const std::size_t k = group_market_[g];
        const double stay = group_weight_[g] > 0 ? own_share : 0.0;
        group_own_[g] = group_weight_[g] > 0 ? stay / group_weight_[g] : 0.0;
        group_spread_[g] = market_weight_[k] > 0 ? (1.0 - stay) / market_weight_[k] : 0.0;
        totals.per_weight[k] += group_movers_[g] * group_spread_[g];
        totals.households_per_weight[k] += group_movers_households_[g] * group_spread_[g];
    }
}

// Each area's expected movers, into its existing stock and into its new dwellings.
void HousingMarket::place_movers(Totals& totals) {
    totals.movers_into_new_households.assign(n_markets_, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        Market& m = market_[a];
        const std::size_t k = market_of_[a], g = group_of_[a];
        if (market_weight_[k] > 0) {
            const double persons = totals.per_weight[k] + group_own_[g] * group_movers_[g];
            const double households =
                totals.households_per_weight[k] + group_own_[g] * group_movers_households_[g];
            m.new_movers = m.new_dwellings * persons;
            m.in_buurt = m.weight * (group_own_[g] + group_spread_[g]) * group_movers_[g];
            totals.movers_into_new_households[k] += m.new_dwellings * households;
        } else {
            // No vacancy anywhere in the municipality: the movers stay spread as they were.
            m.share = totals.movers[k] > 0 ? m.movers / totals.movers[k] : 0.0;
            m.in_buurt = group_movers_[g] * m.share;
        }
        m.new_filled = std::max(0.0, m.new_capacity - m.new_movers);
    }
}

// In-migrants from outside take the room left in the stock of the municipality they move to
// (housing-led), spread over its areas by their inhabitants; demand-led, all of them come. Never
// across municipalities: vacant holiday homes on the coast do not house those who wanted to live
// in a city (nor in the asylum reception centre of another gemeente) -- except the movers from
// another gemeente of the dataset, who must live somewhere in it (rehouse_refused_movers).
void HousingMarket::admit_in_migrants(const Totals& totals) {
    // Inside the municipality in-migrants settle where people live: by the areas' inhabitants
    // on 1 January, not by the room each area has left (the room is pooled over the
    // municipality). Spread by room, a PC4 gained or lost by chance of its turnover and
    // occupancy: the national PC4 backtest, 2021 -> 2022, had a median error of 1.44% spread by
    // room, 1.18% by inhabitants (docs/validation.md; the gemeenten unchanged). Young adults by
    // the base year's persons 18-24 (settling_factor()), over the areas with inhabitants.
    std::vector<double> inhabitants(n_markets_, 0.0), young_adults(n_markets_, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        inhabitants[market_of_[a]] += market_[a].inhabitants;
        if (market_[a].inhabitants > 0) young_adults[market_of_[a]] += base_young_adults_[a];
    }
    std::vector<double> share(market_.size(), 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        const std::size_t k = market_of_[a];
        Market& m = market_[a];
        share[a] = inhabitants[k] > 0 ? m.inhabitants / inhabitants[k] : 0.0;
        m.young_adult_factor = share[a] > 0 && young_adults[k] > 0
                                   ? base_young_adults_[a] / young_adults[k] / share[a]
                                   : 1.0;
        m.rehoused = 0;
    }
    if (housing_.migration == MigrationMode::demand_led || households_per_in_migrant_ <= 0) {
        // Each area's own would-be in-migrants: its inhabitants x its gemeente's rate.
        for (Market& m : market_) m.admitted = m.wanting;
        return;
    }
    std::vector<double> capacity(n_markets_, 0.0), admitted(n_markets_, 0.0);
    for (std::size_t k = 0; k < n_markets_; ++k) {
        capacity[k] =
            (totals.room[k] - totals.movers_households[k] + totals.movers_into_new_households[k]) /
            households_per_in_migrant_;
        admitted[k] = std::clamp(capacity[k], 0.0, totals.wanting[k]);
    }
    const std::vector<double> rehoused = rehouse_refused_movers(capacity, admitted, totals);
    for (std::size_t a = 0; a < market_.size(); ++a) {
        market_[a].admitted = admitted[market_of_[a]] * share[a];
        market_[a].rehoused = rehoused[market_of_[a]] * share[a];
    }
}

// Moves between gemeenten of the dataset (the national dataset): the stock refuses in-migrants
// in proportion, so it refuses movers too, and each of them has already left a dwelling of the
// dataset. They do not vanish: first they take the room other gemeenten have left after their
// own in-migrants (in proportion to it), as a home-seeker refused in a tight city settles where
// there is room; any left over then move into the gemeente they wanted beyond its room
// (doubling up), so that the dataset's moves in equal its moves out. Per market [persons].
std::vector<double> HousingMarket::rehouse_refused_movers(const std::vector<double>& capacity,
                                                          const std::vector<double>& admitted,
                                                          const Totals& totals) const {
    std::vector<double> rehoused(n_markets_, 0.0);
    if (!moves_between_gemeenten_are_internal()) return rehoused;
    std::vector<double> refused(n_markets_, 0.0), spare(n_markets_, 0.0), movers(n_markets_, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a)
        movers[market_of_[a]] += market_[a].wanting_movers;
    double all_refused = 0, all_spare = 0;
    for (std::size_t k = 0; k < n_markets_; ++k) {
        if (totals.wanting[k] > 0)
            refused[k] = (totals.wanting[k] - admitted[k]) * movers[k] / totals.wanting[k];
        spare[k] = std::max(0.0, capacity[k] - admitted[k]);
        all_refused += refused[k];
        all_spare += spare[k];
    }
    if (all_refused <= 0) return rehoused;
    const double into_spare = std::min(all_refused, all_spare);
    const double over_room = all_refused - into_spare;
    for (std::size_t k = 0; k < n_markets_; ++k)
        rehoused[k] = (all_spare > 0 ? into_spare * spare[k] / all_spare : 0.0) +
                      over_room * refused[k] / all_refused;
    return rehoused;
}

// ---------------------------------------------------------------------------------------------
// New dwellings built for a group (construction[].for; docs/model.md, "Allocation of new
// construction"). They are allocated by rule, as a woningcorporatie allocates seniorenwoningen:
// the group's movers in the municipality take them first -- all of them when they are fewer
// than the places, else each with the same chance, places / movers of the group -- spread over
// the group's new dwellings of the municipality by their capacity. Those placed leave the
// ordinary movers, so the dwellings they leave are room for others (chain moves) and they take
// none of the ordinary vacancies. In-migration fills the places the movers left with in-migrants
// of the group (Admitted::into_dwellings_for). Groups are served in the order of DwellingsFor.

std::vector<double> HousingMarket::capacity_for_by_market(std::size_t group) const {
    std::vector<double> capacity(n_markets_, 0.0);
    for (std::size_t a = 0; a < market_.size(); ++a)
        capacity[market_of_[a]] += market_[a].capacity_for[group];
    return capacity;
}

// Cohort core: the expected share of every member cell.
void HousingMarket::place_movers_for_groups() {
    const std::size_t n_areas = market_.size();
    // Movers are taken out area by area: a slot per area (make_slots).
    if (slot_group_.size() != n_areas)
        throw std::logic_error("housing market: movers placed for groups need a slot per area");
    std::vector<bool> changed(n_areas, false);
    for (int g = 1; g < n_dwellings_for; ++g) {
        const std::size_t gi = at(g);
        const std::vector<double> capacity = capacity_for_by_market(gi);
        if (std::none_of(capacity.begin(), capacity.end(), [](double c) { return c > 0; }))
            continue;
        const std::vector<double> member = members_by_cell(static_cast<DwellingsFor>(g));
        std::vector<double> members(n_markets_, 0.0);
        for (std::size_t a = 0; a < n_areas; ++a) {
            const std::size_t k = market_of_[a];
            if (capacity[k] <= 0) continue;
            const double* cells = slot_row(a);
            for (std::size_t c = 0; c < CohortCell::size; ++c) members[k] += cells[c] * member[c];
        }
        std::vector<double> taken(n_markets_ * CohortCell::size, 0.0), taken_total(n_markets_, 0.0);
        std::vector<double> taken_by_buurt(group_market_.size(), 0.0);
        for (std::size_t a = 0; a < n_areas; ++a) {
            const std::size_t k = market_of_[a];
            if (capacity[k] <= 0 || members[k] <= 0) continue;
            const double chance = std::min(1.0, capacity[k] / members[k]);
            double* cells = slot_row(a);
            for (std::size_t c = 0; c < CohortCell::size; ++c) {
                const double placed = cells[c] * member[c] * chance;
                if (placed <= 0) continue;
                cells[c] -= placed;
                taken[k * CohortCell::size + c] += placed;
                taken_total[k] += placed;
                taken_by_buurt[group_of_[a]] += placed;
                changed[a] = true;
            }
        }
        for (std::size_t b = 0; b < n_areas; ++b) {
            Market& m = market_[b];
            if (m.capacity_for[gi] <= 0) continue;
            const std::size_t k = market_of_[b];
            const double share = m.capacity_for[gi] / capacity[k];
            m.movers_for[gi] = taken_total[k] * share;
            m.in_buurt_for += taken_by_buurt[group_of_[b]] * share;
            m.in_migrants_for[gi] = std::max(0.0, m.capacity_for[gi] - m.movers_for[gi]);
            if (taken_total[k] <= 0) continue;
            auto& into = movers_for_cells_[b];
            if (into.empty()) into.assign(CohortCell::size, 0.0);
            for (std::size_t c = 0; c < CohortCell::size; ++c)
                into[c] += taken[k * CohortCell::size + c] * share;
        }
    }
    // The ordinary movers are those left.
    for (std::size_t a = 0; a < n_areas; ++a) {
        if (!changed[a]) continue;
        const std::span<const double> cells(slot_row(a), CohortCell::size);
        market_[a].movers = std::accumulate(cells.begin(), cells.end(), 0.0);
        market_[a].movers_households =
            count_households(cells, rates_.other_households_per_other_member).total();
    }
}

// Agent core: each moving family of the group, by the age and position of the person who
// decided its move, draws whether it takes a place and which (moves_stream, its decider's block
// 1 + group: the ordinary choice's block 1 is left as it was).
void HousingMarket::draw_movers_for_groups() {
    const std::size_t n_areas = market_.size();
    const AgentPopulation& persons = *persons_;
    std::vector<bool> changed(n_areas, false);
    for (int g = 1; g < n_dwellings_for; ++g) {
        const std::size_t gi = at(g);
        const auto group = static_cast<DwellingsFor>(g);
        const std::vector<double> capacity = capacity_for_by_market(gi);
        if (std::none_of(capacity.begin(), capacity.end(), [](double c) { return c > 0; }))
            continue;
        auto member = [&](std::uint32_t decider) {
            return belongs_to(group, persons.age_on_1_january(decider, year_ + 1),
                              persons.position[decider]);
        };
        std::vector<double> members(n_markets_, 0.0);
        for (std::size_t a = 0; a < n_areas; ++a) {
            if (capacity[market_of_[a]] <= 0) continue;
            for (const auto& [person, decider, choice] : movers_[a])
                if (member(decider)) members[market_of_[a]] += 1;
            for (const auto& [newborn, decider, choice] : newborn_movers_[a])
                if (member(decider)) members[market_of_[a]] += 1;
        }
        // Per market, its areas with places for the group, with their capacity laid end to end.
        std::vector<std::vector<std::pair<double, std::size_t>>> places(n_markets_);
        for (std::size_t a = 0; a < n_areas; ++a) {
            const double c = market_[a].capacity_for[gi];
            if (c <= 0) continue;
            auto& p = places[market_of_[a]];
            p.push_back({(p.empty() ? 0.0 : p.back().first) + c, a});
        }
        auto place_of = [&](std::size_t k, std::uint32_t decider) -> std::size_t {
            if (!member(decider)) return none;
            const auto u = random_->uniforms(moves_stream, persons.stable_id[decider], year_,
                                             static_cast<std::uint32_t>(1 + g));
            if (u[0] >= std::min(1.0, capacity[k] / members[k])) return none;
            const auto& p = places[k];
            const auto it = std::upper_bound(
                p.begin(), p.end(), u[1] * capacity[k],
                [](double x, const std::pair<double, std::size_t>& e) { return x < e.first; });
            return (it == p.end() ? p.back() : *it).second;
        };
        for (std::size_t from = 0; from < n_areas; ++from) {
            const std::size_t k = market_of_[from];
            if (capacity[k] <= 0 || members[k] <= 0) continue;
            // Persons (with ids) and newborns alike: each with its family's decider.
            auto place = [&](auto& movers, auto& incoming) {
                std::erase_if(movers, [&](const auto& mover) {
                    const std::size_t to = place_of(k, mover.decider);
                    if (to == none) return false;
                    incoming[to].push_back(mover.who);
                    market_[to].movers_for[gi] += 1;
                    if (group_of_[to] == group_of_[from]) market_[to].in_buurt_for += 1;
                    changed[from] = true;
                    return true;
                });
            };
            place(movers_[from], incoming_for_);
            place(newborn_movers_[from], incoming_for_newborns_);
        }
        for (Market& m : market_)
            if (m.capacity_for[gi] > 0)
                m.in_migrants_for[gi] = std::max(0.0, m.capacity_for[gi] - m.movers_for[gi]);
    }
    // The ordinary movers are those left.
    for (std::size_t a = 0; a < n_areas; ++a) {
        if (!changed[a]) continue;
        std::array<double, n_positions> moving{};
        for (const auto& [person, decider, choice] : movers_[a])
            moving[at(index(persons.position[person]))] += 1;
        for (const auto& [newborn, decider, choice] : newborn_movers_[a])
            moving[at(index(newborn.position))] += 1;
        market_[a].movers = static_cast<double>(movers_[a].size() + newborn_movers_[a].size());
        market_[a].movers_households =
            households_from_positions(moving, rates_.other_households_per_other_member).total();
    }
}

// Cohort core: the movers by cell, per municipality (for a market without vacancies), per buurt
// of several areas, and over each buurt's divisor, per municipality.
void HousingMarket::pool_movers_by_cell() {
    std::fill(movers_pool_.begin(), movers_pool_.end(), 0.0);
    std::fill(group_pool_.begin(), group_pool_.end(), 0.0);
    std::fill(market_pool_.begin(), market_pool_.end(), 0.0);
    for (std::size_t s = 0; s < slot_group_.size(); ++s) {
        const std::size_t g = slot_group_[s], k = group_market_[g];
        const double* cells = movers_cells_.data() + s * CohortCell::size;
        double* pool = movers_pool_.data() + k * CohortCell::size;
        double* group = group_pool_index_[g] != none
                            ? group_pool_.data() + group_pool_index_[g] * CohortCell::size
                            : nullptr;
        const double spread = group_spread_[g];
        double* market = spread > 0 ? market_pool_.data() + k * CohortCell::size : nullptr;
        // One pass over the slot's movers for all three pools (each cell's sums add the slots
        // in order).
        for (std::size_t c = 0; c < CohortCell::size; ++c) {
            const double movers = cells[c];
            pool[c] += movers;
            if (group) group[c] += movers;
            if (market) market[c] += movers * spread;
        }
    }
}

// Agent core: each family draws its vacancy from the same shares, with one uniform number (its
// decider's): the municipality's vacancies laid end to end, buurt by buurt; the first part of
// the unit interval (the own-buurt share) maps onto the own buurt's stretch, the rest onto all.
void HousingMarket::draw_destinations() {
    const std::size_t n_areas = movers_.size();
    std::fill(incoming_in_buurt_.begin(), incoming_in_buurt_.end(), 0.0);
    std::fill(partner_leavers_.begin(), partner_leavers_.end(), 0.0);
    std::vector<std::vector<double>> cumulative(n_markets_), fallback(n_markets_);
    std::vector<double> group_start(group_market_.size(), 0.0);
    for (std::size_t k = 0; k < n_markets_; ++k) {
        double total = 0, moving = 0;
        for (const std::size_t a : market_areas_[k]) {
            const std::size_t g = group_of_[a];
            if (market_areas_[k][group_first_[g]] == a) group_start[g] = total;
            cumulative[k].push_back(total += market_[a].weight - market_[a].new_dwellings);
            cumulative[k].push_back(total += market_[a].new_dwellings);
            fallback[k].push_back(moving += market_[a].movers);
        }
    }
    // A family's area (and whether a new dwelling) from the uniform number of its decider.
    auto destination = [&](std::size_t from, std::uint32_t choice) {
        const double u = unit_of_word(choice);
        const std::size_t k = market_of_[from], g = group_of_[from];
        const auto& areas = market_areas_[k];
        if (market_weight_[k] > 0) {
            const auto& c = cumulative[k];
            const double stay = group_own_[g] * group_weight_[g];
            double x = u < stay ? group_start[g] + u / stay * group_weight_[g]
                                : (u - stay) / (1.0 - stay) * market_weight_[k];
            x = std::min(x, std::nextafter(c.back(), 0.0));
            const std::size_t i = upper_bound_index(c, x);
            return Destination{static_cast<std::uint32_t>(areas[std::min(i, c.size() - 1) / 2]),
                               i % 2 == 1};
        }
        const auto& c = fallback[k];
        const std::size_t i = upper_bound_index(c, u * c.back());
        return Destination{static_cast<std::uint32_t>(areas[std::min(i, c.size() - 1)]), false};
    };
    // Every family's destination, the areas' in parallel: a draw is keyed by the decider's
    // stable id, so the order of drawing changes nothing. Laid out flat, area by area: its
    // movers, then its newborns (who go where their mother's family goes).
    destination_start_.resize(n_areas + 1);
    std::size_t n_drawn = 0;
    for (std::size_t from = 0; from < n_areas; ++from) {
        destination_start_[from] = n_drawn;
        n_drawn += movers_[from].size() + newborn_movers_[from].size();
    }
    destination_start_[n_areas] = n_drawn;
    destinations_.resize(n_drawn);
    parallel_for_each_index(n_areas, [&](std::size_t from) {
        Destination* to = destinations_.data() + destination_start_[from];
        for (const auto& [person, decider, choice] : movers_[from])
            *to++ = destination(from, choice);
        for (const auto& [newborn, decider, choice] : newborn_movers_[from])
            *to++ = destination(from, choice);
    });
    // Then into the lists of the areas they go to, in the order of the areas they come from. Each
    // thread takes a range of destination areas and reads all the draws for its own: no list is
    // written by two threads, and each is filled in the same order at any thread count.
    const std::size_t parts = arena_threads();
    parallel_for_each_index(parts, [&](std::size_t part) {
        const std::size_t first = n_areas * part / parts, last = n_areas * (part + 1) / parts;
        for (std::size_t to = first; to < last; ++to) {
            incoming_[to].clear();
            incoming_new_[to].clear();
            incoming_newborns_[to].clear();
        }
        for (std::size_t from = 0; from < n_areas; ++from) {
            const Destination* drawn = destinations_.data() + destination_start_[from];
            const std::size_t g = group_of_[from];
            for (const auto& [person, decider, choice] : movers_[from]) {
                const auto [to, into_new] = *drawn++;
                if (to < first || to >= last) continue;
                incoming_[to].push_back(person);
                if (into_new) incoming_new_[to].push_back(person);
                if (group_of_[to] == g) incoming_in_buurt_[to] += 1;
            }
            for (const auto& [newborn, decider, choice] : newborn_movers_[from]) {
                const std::uint32_t to = (drawn++)->area;
                if (to < first || to >= last) continue;
                incoming_newborns_[to].push_back(newborn);
                if (group_of_[to] == g) incoming_in_buurt_[to] += 1;
            }
        }
        // The groups' movers into the new dwellings built for them (draw_movers_for_groups).
        for (std::size_t to = first; to < last; ++to) {
            incoming_[to].insert(incoming_[to].end(), incoming_for_[to].begin(),
                                 incoming_for_[to].end());
            incoming_new_[to].insert(incoming_new_[to].end(), incoming_for_[to].begin(),
                                     incoming_for_[to].end());
            incoming_newborns_[to].insert(incoming_newborns_[to].end(),
                                          incoming_for_newborns_[to].begin(),
                                          incoming_for_newborns_[to].end());
            incoming_in_buurt_[to] += market_[to].in_buurt_for;
        }
    });
    for (std::size_t from = 0; from < n_areas; ++from) {
        movers_[from].clear();
        newborn_movers_[from].clear();
    }
}

void HousingMarket::move_to_partner(std::uint32_t person, std::size_t from, std::size_t to) {
    incoming_[to].push_back(person);
    if (group_of_[from] == group_of_[to]) incoming_in_buurt_[to] += 1;
    partner_leavers_[from] += 1;
}

// ---------------------------------------------------------------------------------------------
// Cohort core.

double HousingMarket::displaced_share(std::size_t area, double dwellings_start) const {
    const double withdrawn = construction_.in_year(area, year_).baseline_withdrawn;
    return dwellings_start > 0 ? std::clamp(withdrawn / dwellings_start, 0.0, 1.0) : 0.0;
}

void HousingMarket::apply(AreaStep& step) const {
    // Moves to another area of the municipality: they leave now and arrive in complete(). The
    // residents of the baseline's withdrawn dwellings move too (a share `displaced` of the
    // area's households, whatever their age): P(move) = 1 - (1 - move rate)(1 - displaced).
    const double displaced = displaced_share(step.area, step.dwellings_start);
    // Cell by cell, in a flat loop the compiler vectorises: the movers leave into the row of
    // the area's slot (the first area of a slot writes it, the others add to it), and the
    // totals by position of those staying and moving (for their households) are summed on the
    // way.
    const double* rate = move_rate_by_cell_.data();
    double* next = step.next.data();
    double* moved = slot_row(step.area);
    auto leave = [&](auto add) {
        return sums_by_position_of<2>([&](std::size_t c) {
            const double move = rate[c] + displaced - rate[c] * displaced;
            const double m = next[c] * move;
            if constexpr (decltype(add)::value)
                moved[c] += m;
            else
                moved[c] = m;
            next[c] -= m;
            return std::array<double, 2>{next[c], m};
        });
    };
    const auto [staying, leaving] =
        slot_first_[step.area] ? leave(std::false_type{}) : leave(std::true_type{});
    const std::array<double, n_positions> start = start_by_position_of(step);
    double moving = 0, population_start = 0;
    for (int p = 0; p < n_positions; ++p) {
        moving += leaving[at(p)];
        population_start += start[at(p)];
    }
    step.migration_out += moving;
    step.values(moves_out_)[0] = moving;
    const double other_rate = rates_.other_households_per_other_member;
    record_market(step.area, population_start,
                  households_from_positions(staying, other_rate).total(), step.dwellings_start,
                  moving, households_from_positions(leaving, other_rate).total());
    if (departures_) market_[step.area].departures = step.values(*departures_)[0];
}

void HousingMarket::complete(AreaStep& step) const {
    const Market& m = market_[step.area];
    const std::size_t k = market_of_[step.area];
    // Movers by cell into the area: the weight of its vacancies times the market's movers per
    // unit of weight, plus, from its own buurt, the preference's extra.
    double moved_in = 0;
    if (market_weight_[k] > 0) {
        // Cell by cell in a flat loop the compiler vectorises.
        const MoversPerWeight per_weight = movers_per_weight(step.area);
        double* next = step.next.data();
        moved_in = sum_cells_of([&](std::size_t i) {
            const double moving = m.weight * per_weight.at(i);
            next[i] += moving;
            return moving;
        });
    } else {
        for (std::size_t i = 0; i < CohortCell::size; ++i)
            step.next[i] += movers_pool_[k * CohortCell::size + i] * m.share;
        moved_in = movers_pool_total_[k] * m.share;
    }
    // The group's movers placed in the new dwellings built for it.
    if (!movers_for_cells_[step.area].empty())
        for (std::size_t i = 0; i < CohortCell::size; ++i) {
            step.next[i] += movers_for_cells_[step.area][i];
            moved_in += movers_for_cells_[step.area][i];
        }
    step.migration_in += moved_in;
    step.values(moves_in_)[0] = moved_in;
    step.values(moves_in_buurt_)[0] = m.in_buurt + m.in_buurt_for;
    // Per area it may be negative: the municipality's admitted in-migrants are spread by room,
    // not by where they wanted to go; the sum over areas is what the stock refused.
    step.values(in_unmet_)[0] = m.wanting - m.admitted;
    step.values(in_unmet_households_)[0] = (m.wanting - m.admitted) * households_per_in_migrant_;
}

void HousingMarket::report_new_dwelling_residents(AreaStep& step,
                                                  std::span<double> in_migrants_by_cell,
                                                  double in_migrants) const {
    step.values(in_new_dwellings_)[0] = in_migrants;
    const std::span<double> by_age_sex = step.values(new_residents_);
    std::fill(by_age_sex.begin(), by_age_sex.end(), 0.0);
    if (in_migrants_by_cell.empty()) {
        // No one moved into a new dwelling: no persons by age, and the households of none (as
        // the sums below would give over cells that all hold an exact zero).
        const auto households = by_type(households_from_positions(
            std::array<double, n_positions>{}, rates_.other_households_per_other_member));
        std::copy(households.begin(), households.end(), step.values(new_households_).begin());
        return;
    }
    // The movers into the new dwellings: their share of the area's weight.
    if (market_weight_[market_of_[step.area]] > 0) {
        const double new_dwellings = market_[step.area].new_dwellings;
        const MoversPerWeight per_weight = movers_per_weight(step.area);
        for (std::size_t i = 0; i < CohortCell::size; ++i)
            in_migrants_by_cell[i] += new_dwellings * per_weight.at(i);
    }
    if (!movers_for_cells_[step.area].empty())
        for (std::size_t i = 0; i < CohortCell::size; ++i)
            in_migrants_by_cell[i] += movers_for_cells_[step.area][i];
    const std::span<const double> persons = in_migrants_by_cell;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                by_age_sex[at(s * n_age_bands + age_band_of(a))] += persons[cell(s, a, p)];
    const auto households =
        by_type(count_households(persons, rates_.other_households_per_other_member));
    std::copy(households.begin(), households.end(), step.values(new_households_).begin());
}

// ---------------------------------------------------------------------------------------------
// Agent core: the same rates, applied to persons by random draws.

void HousingMarket::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
    // Moves to another area of the municipality, family by family: partners move together (the
    // one who comes first draws), a child at home -- a newborn too -- moves with its mother.
    // Heads of families draw first, then the others follow or, with no family here, draw for
    // themselves. A family moves with the mean of its members' probabilities, so that as many
    // persons move, in expectation, as the cohort core moves (each person at the rate of its
    // sex and age). With the head's own rate for the family, newborns left behind and the moves
    // to a partner on top, the agent core moved 4.5% more persons than the cohort core in 2049
    // (docs/model.md, "The agent core").
    const auto area = static_cast<std::uint32_t>(step.counts.area);
    auto& area_movers = movers_[area];
    area_movers.clear();
    newborn_movers_[area].clear();
    // Who is still here after out-migration by position (counted below), and who moves.
    std::array<double, n_positions> staying{}, moving{};
    // Who decided for each resident who moves (the family's head), by the resident's place.
    // The per-area lists and look-up below are the thread's, reused area after area: at PC6
    // density four allocations an area-year were ~1% of the run.
    struct Scratch {
        ResidentSlots slots;
        std::vector<std::uint32_t> decided_by;
        std::vector<std::pair<double, double>> children;
        std::vector<std::pair<std::size_t, std::uint32_t>> partners, children_at_home;
    };
    thread_local Scratch scratch;
    std::vector<std::uint32_t>& decided_by = scratch.decided_by;
    decided_by.assign(step.residents.size(), no_person);
    // The decider's number for the choice of a vacancy (settle()), once a family.
    std::uint32_t last_decider = no_person;
    std::uint32_t last_choice = 0;
    auto choice_of = [&](std::uint32_t decider) {
        if (decider != last_decider) {
            last_decider = decider;
            last_choice = word_of_unit(
                random_->uniforms(moves_stream, persons.stable_id[decider], year, 1)[0]);
        }
        return last_choice;
    };
    auto move = [&](std::size_t i, std::uint32_t decider) {
        const std::uint32_t id = step.residents[i];
        persons.presence[id] = Presence::moved;
        area_movers.push_back({id, decider, choice_of(decider)});
        decided_by[i] = decider;
        staying[at(index(persons.position[id]))] -= 1;
        moving[at(index(persons.position[id]))] += 1;
    };
    const double scale = partner_move_scale_[market_of_[area]];
    // As in the cohort core, the residents of withdrawn dwellings move with the movers.
    const double displaced = displaced_share(step.counts.area, step.counts.dwellings_start);
    auto rate_unscaled = [&](std::uint32_t id) {
        return move_rate_[at(index(persons.sex[id]))][at(persons.age_on_1_january(id, year + 1))];
    };
    auto rate = [&](std::uint32_t id) { return scale * rate_unscaled(id); };
    auto is_child = [&](std::uint32_t id) {
        return persons.position[id] == Position::child_at_home && persons.mother[id] != no_person;
    };
    // A partner's or mother's place among the residents, if she is here and has not left. The
    // residents are the persons of this area (area[id] == area) still stored, so the look-up
    // answers whether she lives here without reading her area, often far off in the store.
    ResidentSlots& slots = scratch.slots;
    slots.assign(step.residents);
    auto here = [&](std::uint32_t id) -> std::size_t {
        const std::size_t slot = slots.find(id);
        return slot != none && persons.presence[id] == Presence::present ? slot : none;
    };
    // One pass over the residents present, then the newborns (each sum adds its terms in that
    // order): who is still here after out-migration by position, the persons expected to move
    // at the rates before the scale, and per resident the summed probabilities and the number
    // of the children who move with them.
    double expected = 0;  // [persons]
    std::vector<std::pair<double, double>>& children = scratch.children;
    children.assign(step.residents.size(), {0.0, 0.0});
    for (const std::uint32_t id : step.residents) {
        if (persons.presence[id] != Presence::present) continue;
        staying[at(index(persons.position[id]))] += 1;
        const double unscaled = rate_unscaled(id);
        expected += unscaled;
        if (!is_child(id)) continue;
        if (const std::size_t m = here(persons.mother[id]); m != none)
            children[m].first += scale * unscaled, children[m].second += 1;
    }
    for (const Arrival& newborn : step.arrivals) {
        staying[at(index(newborn.position))] += 1;
        const double unscaled = move_rate_[at(index(newborn.sex))][0];
        expected += unscaled;
        if (const std::size_t m = here(newborn.mother); m != none)
            children[m].first += scale * unscaled, children[m].second += 1;
    }
    expected_moves_[area] = expected;
    auto family_draws_to_move = [&](std::size_t i, std::uint32_t id, std::size_t partner_at) {
        double sum = rate(id) + children[i].first, members = 1 + children[i].second;
        if (partner_at != none) {
            sum += rate(step.residents[partner_at]) + children[partner_at].first;
            members += 1 + children[partner_at].second;
        }
        const double mean = sum / members;
        return step.draw(i, moves_lane) < mean + displaced - mean * displaced;
    };
    auto& partners = scratch.partners;
    auto& children_at_home = scratch.children_at_home;
    partners.clear();
    children_at_home.clear();
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        if (is_child(id)) {
            children_at_home.push_back({i, id});
            continue;
        }
        if (persons.partner[id] != no_person && persons.before(persons.partner[id], id)) {
            partners.push_back({i, id});
            continue;
        }
        const std::size_t partner_at = here(persons.partner[id]);
        if (!family_draws_to_move(i, id, partner_at)) continue;
        move(i, id);
        if (partner_at != none) move(partner_at, id);
    }
    // Partners not moved above (the partner stayed, or lives elsewhere), then children, whose
    // mother has decided by then.
    for (const auto& [i, id] : partners) {
        if (persons.presence[id] != Presence::present) continue;
        const std::uint32_t partner = persons.partner[id];
        const bool together =
            slots.find(partner) != none && (persons.presence[partner] == Presence::present ||
                                            persons.presence[partner] == Presence::moved);
        if (!together && family_draws_to_move(i, id, none)) move(i, id);
    }
    // The family's new area is drawn by whoever decided for the mother; a mother who moved
    // otherwise (into an institution, to a partner) decides for herself.
    auto decider_of = [&](std::uint32_t mother) {
        const std::size_t m = slots.find(mother);
        return m != none && decided_by[m] != no_person ? decided_by[m] : mother;
    };
    auto mother_moved = [&](std::uint32_t mother) {
        return slots.find(mother) != none && persons.presence[mother] == Presence::moved;
    };
    for (const auto& [i, id] : children_at_home) {
        const std::uint32_t mother = persons.mother[id];
        if (mother_moved(mother))
            move(i, decider_of(mother));
        else if (here(mother) == none && step.draw(i, moves_lane) < rate(id))
            move(i, id);
    }
    // Newborns of a mother who moved go with her; they get their id where they arrive.
    std::erase_if(step.arrivals, [&](const Arrival& newborn) {
        if (!mother_moved(newborn.mother)) return false;
        const std::uint32_t decider = decider_of(newborn.mother);
        newborn_movers_[area].push_back({newborn, decider, choice_of(decider)});
        staying[at(index(newborn.position))] -= 1;
        moving[at(index(newborn.position))] += 1;
        return true;
    });

    const auto movers = static_cast<double>(area_movers.size() + newborn_movers_[area].size());
    step.counts.migration_out += movers;
    step.counts.values(moves_out_)[0] = movers;
    record_market(
        step.counts.area, static_cast<double>(step.residents.size()),
        households_from_positions(staying, rates_.other_households_per_other_member).total(),
        step.counts.dwellings_start, movers,
        households_from_positions(moving, rates_.other_households_per_other_member).total());
    if (departures_) market_[step.counts.area].departures = step.counts.values(*departures_)[0];
}

void HousingMarket::complete(AgentAreaStep& step) const {
    const std::size_t here = step.counts.area;
    const AgentPopulation& persons = step.persons;
    // Families moving in from other areas of the municipality, and partners joining a partner
    // here (drawn and matched in settle()).
    for (const std::uint32_t id : incoming_[here])
        step.arrivals.push_back({persons.birth_year[id], persons.sex[id], persons.position[id],
                                 persons.mother[id], id});
    step.arrivals.insert(step.arrivals.end(), incoming_newborns_[here].begin(),
                         incoming_newborns_[here].end());
    const auto moved_in =
        static_cast<double>(incoming_[here].size() + incoming_newborns_[here].size());
    step.counts.migration_in += moved_in;
    step.counts.values(moves_in_)[0] = moved_in;
    step.counts.values(moves_in_buurt_)[0] = incoming_in_buurt_[here];
    // Those who moved to a partner found in another area.
    step.counts.migration_out += partner_leavers_[here];
    step.counts.values(moves_out_)[0] += partner_leavers_[here];
    const Market& m = market_[here];
    step.counts.values(in_unmet_)[0] = m.wanting - m.admitted;
    step.counts.values(in_unmet_households_)[0] =
        (m.wanting - m.admitted) * households_per_in_migrant_;
}

void HousingMarket::report_new_dwelling_residents(AgentAreaStep& step,
                                                  std::vector<double>& in_migrants_by_cell,
                                                  double in_migrants) const {
    const int year = step.counts.year;
    const AgentPopulation& persons = step.persons;
    // The movers who drew a new dwelling, by sex, age at year end and position.
    for (const std::uint32_t id : incoming_new_[step.counts.area]) {
        if (in_migrants_by_cell.empty()) in_migrants_by_cell.assign(CohortCell::size, 0.0);
        in_migrants_by_cell[cell(index(persons.sex[id]), persons.age_on_1_january(id, year + 1),
                                 index(persons.position[id]))] += 1;
    }
    step.counts.values(in_new_dwellings_)[0] = in_migrants;
    if (in_migrants_by_cell.empty()) return;
    std::span<double> persons_by_cell = in_migrants_by_cell;
    // The same report as the cohort core's, from whole persons; nothing further to add.
    const std::span<double> by_age_sex = step.counts.values(new_residents_);
    std::fill(by_age_sex.begin(), by_age_sex.end(), 0.0);
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                by_age_sex[at(s * n_age_bands + age_band_of(a))] += persons_by_cell[cell(s, a, p)];
    const auto households =
        by_type(count_households(persons_by_cell, rates_.other_households_per_other_member));
    std::copy(households.begin(), households.end(), step.counts.values(new_households_).begin());
}

}  // namespace socialtwin
