#include "models/demography/demography.hpp"

#include "engine/core/kinship.hpp"
#include "models/housing/households.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr int female = index(Sex::female);

// Each area's group at a level (its buurt, its gemeente), numbered in order of first
// appearance; one group of all areas when the dataset has no such column.
std::vector<std::size_t> groups_of(const AreaTable& areas, const std::string& level) {
    std::vector<std::size_t> group(areas.size(), 0);
    if (const AreaAttribute* attribute = areas.attribute(level)) {
        std::map<std::string, std::size_t> numbers;
        for (std::size_t a = 0; a < areas.size(); ++a)
            group[a] = numbers.emplace(attribute->values[a], numbers.size()).first->second;
    }
    return group;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
void MortalityModel::begin_year(int year) {
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            q_[at(s)][at(a)] =
                std::min(1.0, rates_.death_probability[at(s)][at(a)] *
                                  rate_multiplier(*scenario_, RateTarget::mortality, year, s, a));
}

void MortalityModel::apply(AreaStep& step) const {
    // `next` still holds everyone at their age on 1 January; the core ages the survivors.
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double q = q_[at(s)][at(a)];
            for (int p = 0; p < n_positions; ++p) {
                const double deaths = step.next[cell(s, a, p)] * q;
                step.deaths += deaths;
                step.next[cell(s, a, p)] -= deaths;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
void FertilityModel::begin_year(int year) {
    for (int a = 0; a < n_ages; ++a)
        asfr_[at(a)] = rates_.fertility[at(a)] *
                       rate_multiplier(*scenario_, RateTarget::fertility, year, female, a);
    for (int s = 0; s < n_sexes; ++s)
        infant_death_[at(s)] =
            std::min(1.0, 0.5 * rates_.death_probability[at(s)][0] *
                              rate_multiplier(*scenario_, RateTarget::mortality, year, s, 0));
}

void FertilityModel::apply(AreaStep& step) const {
    double births = 0;
    for (int a = 0; a < n_ages; ++a) {
        if (asfr_[at(a)] == 0) continue;
        double women = 0;
        for (int p = 0; p < n_positions; ++p) women += step.start[cell(female, a, p)];
        births += women * asfr_[at(a)];
    }
    step.births += births;
    const std::array<double, n_sexes> by_sex{births * rates_.male_share_at_birth,
                                             births * (1.0 - rates_.male_share_at_birth)};
    for (int s = 0; s < n_sexes; ++s) {
        const double deaths = by_sex[at(s)] * infant_death_[at(s)];
        step.deaths += deaths;
        const double survivors = by_sex[at(s)] - deaths;
        const PositionShares& shares = rates_.position_shares[at(s)][0];
        for (int p = 0; p < n_positions; ++p) step.next[cell(s, 0, p)] += survivors * shares[at(p)];
    }
}

// ---------------------------------------------------------------------------------------------
void MigrationModel::declare_indicators(IndicatorCatalog& catalog) {
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
                        "itself too); see housing.own_buurt_weight.",
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
}

void MigrationModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    const std::size_t n_areas = run.areas->size();
    completions_.assign(n_areas, {});
    const double default_occupancy = scenario_->housing.persons_per_new_dwelling > 0
                                         ? scenario_->housing.persons_per_new_dwelling
                                         : rates_.persons_per_household;
    for (const ConstructionProject& project : scenario_->construction) {
        const auto area = run.areas->find(project.area);
        if (!area) continue;  // unknown areas were reported when the scenario was checked
        completions_[*area].push_back(
            {project.year,
             {project.dwellings, project.occupancy > 0 ? project.occupancy : default_occupancy}});
    }
    market_.assign(n_areas, {});
    random_ = run.random;
    persons_ = run.persons;
    if (run.agents) {
        movers_.assign(n_areas, {});
        incoming_.assign(n_areas, {});
        movers_cells_.clear();
    } else {
        movers_cells_.assign(n_areas * CohortCell::size, 0.0);
    }
    market_of_ = groups_of(*run.areas, "gemeente");
    n_markets_ =
        market_of_.empty() ? 1 : 1 + *std::max_element(market_of_.begin(), market_of_.end());
    buurt_of_ =
        run.areas->attribute("buurt") ? groups_of(*run.areas, "buurt") : std::vector<std::size_t>{};
    // Vacancy choice: buurten within their municipality (areas themselves without a buurt
    // column), each market's areas listed buurt by buurt.
    {
        std::map<std::pair<std::size_t, std::size_t>, std::size_t> numbers;
        group_of_.assign(n_areas, 0);
        group_market_.clear();
        for (std::size_t a = 0; a < n_areas; ++a) {
            const std::size_t buurt = buurt_of_.empty() ? a : buurt_of_[a];
            const auto [it, added] =
                numbers.emplace(std::pair{market_of_[a], buurt}, numbers.size());
            if (added) group_market_.push_back(market_of_[a]);
            group_of_[a] = it->second;
        }
        const std::size_t n_groups = group_market_.size();
        market_areas_.assign(n_markets_, {});
        std::vector<std::vector<std::size_t>> areas_of_group(n_groups);
        for (std::size_t a = 0; a < n_areas; ++a) areas_of_group[group_of_[a]].push_back(a);
        group_first_.assign(n_groups, 0);
        group_pool_index_.assign(n_groups, std::numeric_limits<std::size_t>::max());
        std::size_t pools = 0;
        for (std::size_t g = 0; g < n_groups; ++g) {
            auto& listed = market_areas_[group_market_[g]];
            group_first_[g] = listed.size();
            listed.insert(listed.end(), areas_of_group[g].begin(), areas_of_group[g].end());
            if (areas_of_group[g].size() > 1) group_pool_index_[g] = pools++;
        }
        group_weight_.assign(n_groups, 0.0);
        group_divisor_.assign(n_groups, 0.0);
        group_movers_.assign(n_groups, 0.0);
        group_movers_households_.assign(n_groups, 0.0);
        market_weight_.assign(n_markets_, 0.0);
        group_pool_.assign(run.agents ? 0 : pools * CohortCell::size, 0.0);
        market_pool_.assign(run.agents ? 0 : n_markets_ * CohortCell::size, 0.0);
    }
    incoming_new_.assign(run.agents ? n_areas : 0, {});
    incoming_in_buurt_.assign(n_areas, 0.0);
    seekers_.assign(run.agents ? n_areas : 0, {});
    partner_leavers_.assign(n_areas, 0.0);
    movers_pool_.assign(n_markets_ * CohortCell::size, 0.0);
    movers_pool_total_.assign(n_markets_, 0.0);
    // How densely each area's dwellings are occupied is a fact of the base year (students
    // sharing, room rental, vacancy): keep it, within sane bounds, as the area's capacity.
    households_per_dwelling_.assign(n_areas, 1.0);
    for (std::size_t a = 0; a < n_areas; ++a) {
        const double dwellings = run.base_dwellings[a];
        if (dwellings <= 0) continue;
        const double households =
            households_from_positions(run.base_positions.subspan(a * n_positions, n_positions),
                                      rates_.other_households_per_other_member)
                .total();
        households_per_dwelling_[a] = std::clamp(households / dwellings, 0.5, 2.0);
    }
}

// Households per person among in-migrants of a given mix of sexes, ages and positions.
namespace {
double households_per_person(const PositionShares& shares, double other_households_per_member) {
    return shares[at(index(Position::living_alone))] +
           0.5 * shares[at(index(Position::partner_no_children))] +
           0.5 * shares[at(index(Position::partner_with_children))] +
           shares[at(index(Position::single_parent))] +
           other_households_per_member * shares[at(index(Position::other_member))];
}
}  // namespace

void MigrationModel::begin_year(int year) {
    year_ = year;
    // Moves inside the municipality follow the out-migration age profile, at their own level.
    const double move_scale =
        rates_.out_migrants_per_inhabitant > 0
            ? rates_.internal_moves_per_inhabitant / rates_.out_migrants_per_inhabitant
            : 0.0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            move_rate_[at(s)][at(a)] =
                std::min(1.0, rates_.out_migration[at(s)][at(a)] * move_scale);
    in_per_inhabitant_total_ = 0;
    double households = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            out_rate_[at(s)][at(a)] = std::min(
                1.0, rates_.out_migration[at(s)][at(a)] *
                         rate_multiplier(*scenario_, RateTarget::migration_out, year, s, a));
            const double in = rates_.in_migrants_per_inhabitant *
                              rates_.in_migration_profile[at(s)][at(a)] *
                              rate_multiplier(*scenario_, RateTarget::migration_in, year, s, a);
            in_per_inhabitant_[at(s)][at(a)] = in;
            in_per_inhabitant_total_ += in;
            households += in * households_per_person(rates_.position_shares[at(s)][at(a)],
                                                     rates_.other_households_per_other_member);
        }
    }
    households_per_in_migrant_ =
        in_per_inhabitant_total_ > 0 ? households / in_per_inhabitant_total_ : 0.0;
}

MigrationModel::Construction MigrationModel::construction(std::size_t area) const {
    Construction c;
    for (const auto& [year, completion] : completions_[area]) {
        if (year != year_) continue;
        if (completion.dwellings > 0) {
            c.new_dwellings += completion.dwellings;
            c.new_capacity += completion.dwellings * completion.occupancy;
        } else {
            c.demolished -= completion.dwellings;
        }
    }
    return c;
}

double MigrationModel::displaced_share(double demolished, double dwellings_start) noexcept {
    if (demolished <= 0 || dwellings_start <= 0) return 0.0;
    return std::min(1.0, demolished / dwellings_start);
}

void MigrationModel::record_market(std::size_t area, double inhabitants,
                                   double households_at_year_end, const Construction& c,
                                   double dwellings_start, double movers,
                                   double movers_households) const {
    Market& m = market_[area];
    m = Market{};
    m.movers = movers;
    m.movers_households = movers_households;
    m.inhabitants = inhabitants;
    m.wanting = inhabitants * in_per_inhabitant_total_;
    // Negative where the area holds more households than its dwellings take: that makes less
    // room in the municipal market too.
    m.room = std::max(0.0, dwellings_start - c.demolished) * households_per_dwelling_[area] -
             households_at_year_end;
    m.new_dwellings = c.new_dwellings;
    m.new_capacity = c.new_capacity;
}

std::span<const double> MigrationModel::group_pool(std::size_t group) const {
    const std::size_t i = group_pool_index_[group];
    if (i != std::numeric_limits<std::size_t>::max())
        return {group_pool_.data() + i * CohortCell::size, CohortCell::size};
    const std::size_t area = market_areas_[group_market_[group]][group_first_[group]];
    return {movers_cells_.data() + area * CohortCell::size, CohortCell::size};
}

// The municipal housing market. Households moving house inside the municipality have freed
// their dwellings and choose a vacant one: the room left in an area's stock, or a dwelling
// completed this year, anywhere in their municipality, with a preference for their own buurt
// (see the choice above MigrationModel's members). All of them are placed. In-migrants from
// outside then take the room that is left (housing-led), or all come (demand-led), spread over
// the areas in proportion to the room each has left; the new dwellings take `occupancy`
// persons each: the movers who chose them, and in-migrants for the rest. Pooling over the whole
// municipality also keeps the agent core's result from depending on small-area noise (a sum
// of minima is not the minimum of sums).
void MigrationModel::settle() {
    const double preference = scenario_->housing.own_buurt_weight;
    const std::size_t n_groups = group_market_.size();
    std::fill(group_weight_.begin(), group_weight_.end(), 0.0);
    std::fill(group_movers_.begin(), group_movers_.end(), 0.0);
    std::fill(group_movers_households_.begin(), group_movers_households_.end(), 0.0);
    std::fill(market_weight_.begin(), market_weight_.end(), 0.0);
    std::vector<double> movers(n_markets_, 0.0);
    double wanting = 0, room = 0, movers_households = 0;
    // An area's vacancies: its room, netted within its buurt -- an area with more households
    // than its dwellings take fills vacancies of its buurt -- and shared out over the buurt's
    // areas with room. (Netting per buurt, not per area, also keeps the agent core's whole
    // households, which vary around the cohort core's expected ones, from adding up to more
    // vacancies than the cohort core sees.)
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
    }
    for (std::size_t a = 0; a < market_.size(); ++a) {
        const Market& m = market_[a];
        const double weight = m.vacant + m.new_dwellings;
        group_weight_[group_of_[a]] += weight;
        market_weight_[market_of_[a]] += weight;
        group_movers_[group_of_[a]] += m.movers;
        group_movers_households_[group_of_[a]] += m.movers_households;
        movers[market_of_[a]] += m.movers;
        wanting += m.wanting;
        room += m.room;
        movers_households += m.movers_households;
    }
    // Per market: the movers (persons, households) of each buurt over its divisor, summed.
    std::vector<double> per_weight(n_markets_, 0.0), households_per_weight(n_markets_, 0.0);
    for (std::size_t g = 0; g < n_groups; ++g) {
        const std::size_t k = group_market_[g];
        group_divisor_[g] = market_weight_[k] + (preference - 1.0) * group_weight_[g];
        if (group_divisor_[g] <= 0) continue;
        per_weight[k] += group_movers_[g] / group_divisor_[g];
        households_per_weight[k] += group_movers_households_[g] / group_divisor_[g];
    }

    // Each area's expected movers, into its existing stock and into its new dwellings, and the
    // room it has left for in-migrants.
    std::vector<double> left(market_.size(), 0.0);
    double all_left = 0, movers_into_new_households = 0;
    for (std::size_t a = 0; a < market_.size(); ++a) {
        Market& m = market_[a];
        const std::size_t k = market_of_[a], g = group_of_[a];
        const double free = m.vacant;
        if (market_weight_[k] > 0) {
            const double own = group_divisor_[g] > 0 ? (preference - 1.0) / group_divisor_[g] : 0.0;
            const double persons = per_weight[k] + own * group_movers_[g];
            const double households = households_per_weight[k] + own * group_movers_households_[g];
            m.new_movers = m.new_dwellings * persons;
            m.in_buurt = group_divisor_[g] > 0 ? (free + m.new_dwellings) * preference *
                                                     group_movers_[g] / group_divisor_[g]
                                               : 0.0;
            movers_into_new_households += m.new_dwellings * households;
            left[a] = std::max(0.0, free - free * households);
        } else {
            // No vacancy anywhere in the municipality: the movers stay spread as they were.
            m.share = movers[k] > 0 ? m.movers / movers[k] : 0.0;
            m.in_buurt = group_movers_[g] * m.share;
        }
        m.new_filled = std::max(0.0, m.new_capacity - m.new_movers);
        all_left += left[a];
    }

    // In-migrants from outside take the room left in the whole stock (housing-led), spread
    // over the areas in proportion to what each has left; demand-led, all of them come.
    if (scenario_->housing.migration == MigrationMode::demand_led ||
        households_per_in_migrant_ <= 0) {
        for (Market& m : market_) m.admitted = m.wanting;
    } else {
        const double admitted = std::clamp(
            (room - movers_households + movers_into_new_households) / households_per_in_migrant_,
            0.0, wanting);
        for (std::size_t a = 0; a < market_.size(); ++a)
            market_[a].admitted = all_left > 0 ? admitted * left[a] / all_left : 0.0;
    }

    movers_pool_total_ = movers;
    // Which core runs follows from the persons, not from the size of a per-area buffer: with
    // no areas the cohort core's buffer is empty too, and the agent core's part below would
    // read persons that do not exist.
    if (persons_ == nullptr) {
        // Cohort core: the movers by cell, per municipality (for a market without vacancies),
        // per buurt of several areas, and over each buurt's divisor, per municipality.
        std::fill(movers_pool_.begin(), movers_pool_.end(), 0.0);
        std::fill(group_pool_.begin(), group_pool_.end(), 0.0);
        std::fill(market_pool_.begin(), market_pool_.end(), 0.0);
        for (std::size_t a = 0; a < market_.size(); ++a) {
            const std::size_t k = market_of_[a], g = group_of_[a];
            const double* cells = movers_cells_.data() + a * CohortCell::size;
            double* pool = movers_pool_.data() + k * CohortCell::size;
            for (std::size_t c = 0; c < CohortCell::size; ++c) pool[c] += cells[c];
            if (group_pool_index_[g] != std::numeric_limits<std::size_t>::max()) {
                double* group = group_pool_.data() + group_pool_index_[g] * CohortCell::size;
                for (std::size_t c = 0; c < CohortCell::size; ++c) group[c] += cells[c];
            }
            if (group_divisor_[g] <= 0) continue;
            double* market = market_pool_.data() + k * CohortCell::size;
            for (std::size_t c = 0; c < CohortCell::size; ++c)
                market[c] += cells[c] / group_divisor_[g];
        }
        return;
    }

    // Agent core: each family draws its vacancy from the same shares, with one uniform number
    // (its decider's): the municipality's vacancies laid end to end, buurt by buurt, its own
    // buurt's stretched by the preference.
    for (auto& in : incoming_) in.clear();
    for (auto& in : incoming_new_) in.clear();
    std::fill(incoming_in_buurt_.begin(), incoming_in_buurt_.end(), 0.0);
    std::vector<std::vector<double>> cumulative(n_markets_), fallback(n_markets_);
    std::vector<double> group_start(n_groups, 0.0);
    for (std::size_t k = 0; k < n_markets_; ++k) {
        double total = 0, moving = 0;
        for (const std::size_t a : market_areas_[k]) {
            const std::size_t g = group_of_[a];
            if (market_areas_[k][group_first_[g]] == a) group_start[g] = total;
            cumulative[k].push_back(total += market_[a].vacant);
            cumulative[k].push_back(total += market_[a].new_dwellings);
            fallback[k].push_back(moving += market_[a].movers);
        }
    }
    for (std::size_t from = 0; from < movers_.size(); ++from) {
        const std::size_t k = market_of_[from], g = group_of_[from];
        const auto& areas = market_areas_[k];
        for (const auto& [person, decider] : movers_[from]) {
            const double u = random_->uniforms(Stream::moves, decider, year_, 1)[0];
            std::size_t to = from;
            bool into_new = false;
            if (market_weight_[k] > 0) {
                const auto& c = cumulative[k];
                const double v = u * group_divisor_[g], start = group_start[g],
                             own = preference * group_weight_[g];
                double x = v < start         ? v
                           : v < start + own ? start + (v - start) / preference
                                             : v - own + group_weight_[g];
                x = std::min(x, std::nextafter(c.back(), 0.0));
                const auto i =
                    static_cast<std::size_t>(std::upper_bound(c.begin(), c.end(), x) - c.begin());
                to = areas[std::min(i, c.size() - 1) / 2];
                into_new = i % 2 == 1;
            } else {
                const auto& c = fallback[k];
                const auto i = static_cast<std::size_t>(
                    std::upper_bound(c.begin(), c.end(), u * c.back()) - c.begin());
                to = areas[std::min(i, c.size() - 1)];
            }
            incoming_[to].push_back(person);
            if (into_new) incoming_new_[to].push_back(person);
            if (group_of_[to] == g) incoming_in_buurt_[to] += 1;
        }
        movers_[from].clear();
    }
    match_new_partners();
}

// Partners meet in their own area first, then in the buurt, then in the municipality; a
// couple formed across areas lives in the man's area (the woman moves there this year).
void MigrationModel::match_new_partners() {
    std::fill(partner_leavers_.begin(), partner_leavers_.end(), 0.0);
    if (persons_ == nullptr) return;  // the cohort core has no persons to match
    const AgentPopulation& persons = *persons_;
    const std::size_t n_areas = seekers_.size();
    std::vector<std::size_t> own(n_areas);
    for (std::size_t a = 0; a < n_areas; ++a) own[a] = a;
    std::vector<const std::vector<std::size_t>*> levels{&own};
    if (!buurt_of_.empty()) levels.push_back(&buurt_of_);
    levels.push_back(&market_of_);

    for (const auto* group_of : levels) {
        std::map<std::size_t, std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>>
            groups;
        for (std::size_t a = 0; a < n_areas; ++a)
            for (const std::uint32_t id : seekers_[a])
                (persons.sex[id] == Sex::male ? groups[(*group_of)[a]].first
                                              : groups[(*group_of)[a]].second)
                    .push_back(id);
        for (auto& [group, candidates] : groups) {
            auto& [men, women] = candidates;
            for (const auto& [man, woman] : match_partners(persons, men, women)) {
                persons_->partner[man] = woman;
                persons_->partner[woman] = man;
                const std::uint32_t from = persons.area[woman], to = persons.area[man];
                if (from == to) continue;
                persons_->presence[woman] = Presence::moved;
                incoming_[to].push_back(woman);
                if (group_of_[from] == group_of_[to]) incoming_in_buurt_[to] += 1;
                partner_leavers_[from] += 1;
            }
        }
        for (auto& area_seekers : seekers_)
            std::erase_if(area_seekers,
                          [&](std::uint32_t id) { return persons.partner[id] != no_person; });
    }
}

double MigrationModel::in_migrants(std::size_t area, int sex, int age) const noexcept {
    const double profile = in_per_inhabitant_total_ > 0
                               ? in_per_inhabitant_[at(sex)][at(age)] / in_per_inhabitant_total_
                               : 0.0;
    return market_[area].admitted * profile + in_migrants_new(area, sex, age);
}

double MigrationModel::in_migrants_new(std::size_t area, int sex, int age) const noexcept {
    return market_[area].new_filled * rates_.in_migration_profile[at(sex)][at(age)];
}

void MigrationModel::report_new_residents(AreaStep& step, std::span<const double> persons) const {
    const std::span<double> by_age_sex = step.values(new_residents_);
    std::fill(by_age_sex.begin(), by_age_sex.end(), 0.0);
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                by_age_sex[at(s * n_age_bands + age_band_of(a))] += persons[cell(s, a, p)];
    const auto households =
        by_type(count_households(persons, rates_.other_households_per_other_member));
    std::copy(households.begin(), households.end(), step.values(new_households_).begin());
}

void MigrationModel::apply(AreaStep& step) const {
    // Out-migration of the persons alive at year end, by their new age.
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p) {
                const double out = step.next[cell(s, a, p)] * out_rate_[at(s)][at(a)];
                step.next[cell(s, a, p)] -= out;
                step.migration_out += out;
            }

    // Residents of demolished dwellings leave the area (the average occupancy of its stock).
    const Construction c = construction(step.area);
    const double displaced = displaced_share(c.demolished, step.dwellings_start);
    if (displaced > 0) {
        const double present = std::accumulate(step.next.begin(), step.next.end(), 0.0);
        for (double& persons : step.next) persons *= 1.0 - displaced;
        step.migration_out += present * displaced;
    }
    // Moves to another area of the municipality: they leave now and arrive in complete().
    const std::span<double> movers(movers_cells_.data() + step.area * CohortCell::size,
                                   CohortCell::size);
    double moving = 0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p) {
                const double m = step.next[cell(s, a, p)] * move_rate_[at(s)][at(a)];
                movers[cell(s, a, p)] = m;
                step.next[cell(s, a, p)] -= m;
                moving += m;
            }
    step.migration_out += moving;
    step.values(moves_out_)[0] = moving;
    record_market(step.area, std::accumulate(step.start.begin(), step.start.end(), 0.0),
                  count_households(step.next, rates_.other_households_per_other_member).total(), c,
                  step.dwellings_start, moving,
                  count_households(movers, rates_.other_households_per_other_member).total());
}

void MigrationModel::complete(AreaStep& step) const {
    const Market& m = market_[step.area];
    const std::size_t k = market_of_[step.area], g = group_of_[step.area];
    // Movers by cell into the area (and, of them, into its new dwellings): the weight of its
    // vacancies times the market's movers per unit of weight, plus, from its own buurt, the
    // preference's extra.
    std::vector<double> new_residents(CohortCell::size, 0.0);
    double moved_in = 0;
    if (market_weight_[k] > 0) {
        const double weight = m.vacant + m.new_dwellings;
        const double own = group_divisor_[g] > 0
                               ? (scenario_->housing.own_buurt_weight - 1.0) / group_divisor_[g]
                               : 0.0;
        const std::span<const double> market(market_pool_.data() + k * CohortCell::size,
                                             CohortCell::size);
        const std::span<const double> buurt = group_pool(g);
        for (std::size_t i = 0; i < CohortCell::size; ++i) {
            const double per_weight = market[i] + own * buurt[i];
            step.next[i] += weight * per_weight;
            new_residents[i] = m.new_dwellings * per_weight;
            moved_in += weight * per_weight;
        }
    } else {
        for (std::size_t i = 0; i < CohortCell::size; ++i)
            step.next[i] += movers_pool_[k * CohortCell::size + i] * m.share;
        moved_in = movers_pool_total_[k] * m.share;
    }
    step.migration_in += moved_in;
    step.values(moves_in_)[0] = moved_in;
    step.values(moves_in_buurt_)[0] = m.in_buurt;

    double arrived = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double persons = in_migrants(step.area, s, a);
            if (persons == 0) continue;
            const double into_new = in_migrants_new(step.area, s, a);
            const PositionShares& shares = rates_.position_shares[at(s)][at(a)];
            for (int p = 0; p < n_positions; ++p) {
                step.next[cell(s, a, p)] += persons * shares[at(p)];
                new_residents[cell(s, a, p)] += into_new * shares[at(p)];
            }
            arrived += persons;
        }
    }
    step.migration_in += arrived;
    step.values(in_new_dwellings_)[0] = m.new_filled;
    step.values(in_unmet_)[0] = m.wanting - m.admitted;
    report_new_residents(step, new_residents);
}

// ---------------------------------------------------------------------------------------------
// The agent core: the same rates, applied to persons by random draws (one stream per process,
// keyed by person id, so draws do not depend on the order in which persons are visited).

namespace {
// The position drawn from a row of shares with one uniform number.
Position draw_position(const PositionShares& shares, double u) noexcept {
    double cumulative = 0;
    for (int p = 0; p < n_positions - 1; ++p) {
        cumulative += shares[at(p)];
        if (u < cumulative) return static_cast<Position>(p);
    }
    return static_cast<Position>(n_positions - 1);
}

// A whole number whose expectation is `expected`: its integer part, plus one with probability
// equal to the fraction.
std::uint32_t draw_count(double expected, double u) noexcept {
    const double whole = std::floor(expected);
    return static_cast<std::uint32_t>(whole) + (u < expected - whole ? 1u : 0u);
}
}  // namespace

void MortalityModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        const int age = step.persons.age_on_1_january(id, year);
        const double q = q_[at(index(step.persons.sex[id]))][at(age)];
        if (step.draw(i, PersonYearLane::mortality) < q) {
            step.persons.presence[id] = Presence::dead;
            step.counts.deaths += 1;
        }
    }
}

void FertilityModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    // Women present on 1 January, also those who die during the year (as the rates were fitted).
    for (const std::uint32_t mother : step.residents) {
        if (step.persons.sex[mother] != Sex::female) continue;
        const double asfr = asfr_[at(step.persons.age_on_1_january(mother, year))];
        if (asfr == 0 || step.random.uniforms(Stream::fertility, mother, year)[0] >= asfr) continue;
        const auto u = step.random.uniforms(Stream::newborn, mother, year);
        const Sex sex = u[0] < rates_.male_share_at_birth ? Sex::male : Sex::female;
        step.counts.births += 1;
        if (u[1] < infant_death_[at(index(sex))]) {
            step.counts.deaths += 1;
            continue;
        }
        step.arrivals.push_back(
            {year, sex, draw_position(rates_.position_shares[at(index(sex))][0], u[2]), mother});
    }
}

void MigrationModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
    const Construction c = construction(step.counts.area);
    const double displaced = displaced_share(c.demolished, step.counts.dwellings_start);

    // Out-migration (and demolition) of everyone alive at year end, by the new age. Newborns
    // have no id yet: their draws are keyed by the mother and their place among the arrivals.
    std::array<double, n_positions> staying{};
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        const bool leaves =
            step.draw(i, PersonYearLane::migration_out) <
                out_rate_[at(index(persons.sex[id]))][at(persons.age_on_1_january(id, year + 1))] ||
            (displaced > 0 && step.random.uniforms(Stream::demolition, id, year)[0] < displaced);
        if (leaves) {
            persons.presence[id] = Presence::emigrated;
            step.counts.migration_out += 1;
        } else {
            staying[at(index(persons.position[id]))] += 1;
        }
    }
    auto leaves = [&](Stream stream, std::uint32_t entity, std::uint32_t draw, Sex sex, int age) {
        const auto u = step.random.uniforms(stream, entity, year, draw);
        return u[0] < out_rate_[at(index(sex))][at(age)] || u[1] < displaced;
    };
    std::erase_if(step.arrivals, [&](const Arrival& newborn) {
        const auto order = static_cast<std::uint32_t>(&newborn - step.arrivals.data());
        if (!leaves(Stream::migration_out, newborn.mother, 1 + order, newborn.sex, 0)) {
            staying[at(index(newborn.position))] += 1;
            return false;
        }
        step.counts.migration_out += 1;
        return true;
    });

    // Moves to another area of the municipality, family by family: partners move together (the
    // one with the lower id draws), a child at home moves with its mother. Heads of families
    // draw first, then the others follow or, with no family here, draw for themselves.
    const auto area = static_cast<std::uint32_t>(step.counts.area);
    auto& area_movers = movers_[area];
    area_movers.clear();
    std::array<double, n_positions> moving{};
    auto move = [&](std::uint32_t id, std::uint32_t decider) {
        persons.presence[id] = Presence::moved;
        area_movers.push_back({id, decider});
        staying[at(index(persons.position[id]))] -= 1;
        moving[at(index(persons.position[id]))] += 1;
    };
    auto draws_to_move = [&](std::size_t i, std::uint32_t id) {
        return step.draw(i, PersonYearLane::moves) <
               move_rate_[at(index(persons.sex[id]))][at(persons.age_on_1_january(id, year + 1))];
    };
    auto is_child = [&](std::uint32_t id) {
        return persons.position[id] == Position::child_at_home && persons.mother[id] != no_person;
    };
    std::vector<std::pair<std::size_t, std::uint32_t>> followers;
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        if (is_child(id) || (persons.partner[id] != no_person && persons.partner[id] < id)) {
            followers.push_back({i, id});
            continue;
        }
        if (!draws_to_move(i, id)) continue;
        move(id, id);
        const std::uint32_t partner = persons.partner[id];
        if (partner != no_person && persons.presence[partner] == Presence::present &&
            persons.area[partner] == area)
            move(partner, id);
    }
    // Partners (not moved above: the partner stayed, or lives elsewhere) and children.
    for (const auto& [i, id] : followers) {
        if (persons.presence[id] != Presence::present) continue;
        if (!is_child(id)) {
            const std::uint32_t partner = persons.partner[id];
            const bool together =
                persons.area[partner] == area && (persons.presence[partner] == Presence::present ||
                                                  persons.presence[partner] == Presence::moved);
            if (!together && draws_to_move(i, id)) move(id, id);
            continue;
        }
        const std::uint32_t mother = persons.mother[id];
        if (persons.area[mother] == area && persons.presence[mother] == Presence::moved) {
            // The family's new area is drawn by whoever decided for the mother.
            const auto it = std::find_if(area_movers.begin(), area_movers.end(),
                                         [&](const auto& m) { return m.first == mother; });
            move(id, it != area_movers.end() ? it->second : mother);
        } else if (!(persons.area[mother] == area &&
                     persons.presence[mother] == Presence::present) &&
                   draws_to_move(i, id)) {
            move(id, id);
        }
    }
    // New partners (this year) with no partner in the area yet: matched in settle().
    auto& seekers = seekers_[area];
    seekers.clear();
    for (const std::uint32_t id : step.residents)
        if (persons.presence[id] == Presence::present && persons.partner[id] == no_person &&
            is_partner(persons.position[id]) && !is_partner(persons.position_on_1_january[id]))
            seekers.push_back(id);

    const auto movers = static_cast<double>(area_movers.size());
    step.counts.migration_out += movers;
    step.counts.values(moves_out_)[0] = movers;

    record_market(
        step.counts.area, static_cast<double>(step.residents.size()),
        households_from_positions(staying, rates_.other_households_per_other_member).total(), c,
        step.counts.dwellings_start, movers,
        households_from_positions(moving, rates_.other_households_per_other_member).total());
}

void MigrationModel::complete(AgentAreaStep& step) const {
    const int year = step.counts.year;
    const std::size_t here = step.counts.area;
    const AgentPopulation& persons = step.persons;
    // Families moving in from other areas of the municipality (drawn in settle()).
    for (const std::uint32_t id : incoming_[here])
        step.arrivals.push_back({persons.birth_year[id], persons.sex[id], persons.position[id],
                                 persons.mother[id], id});
    const auto moved_in = static_cast<double>(incoming_[here].size());
    step.counts.migration_in += moved_in;
    step.counts.values(moves_in_)[0] = moved_in;
    step.counts.values(moves_in_buurt_)[0] = incoming_in_buurt_[here];
    // Women who moved to a partner found in another area (settle()).
    step.counts.migration_out += partner_leavers_[here];
    step.counts.values(moves_out_)[0] += partner_leavers_[here];
    // Who moves into the new dwellings, by sex, age at year end and position.
    std::vector<double> new_residents;
    auto moves_in_new = [&](int sex, int age, Position position) {
        if (new_residents.empty()) new_residents.assign(CohortCell::size, 0.0);
        new_residents[cell(sex, age, index(position))] += 1;
    };
    for (const std::uint32_t id : incoming_new_[here])
        moves_in_new(index(persons.sex[id]), persons.age_on_1_january(id, year + 1),
                     persons.position[id]);

    // In-migrants: a whole number with the expected total, then each one's sex and age drawn
    // from the expected numbers by sex and age (a few draws per area, not one per cell), and
    // whether it is one of those who fill the new dwellings.
    const auto area = static_cast<std::uint32_t>(here);
    std::array<double, n_sexes * n_ages> cumulative{};
    double total = 0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            cumulative[at(s * n_ages + a)] = total += in_migrants(here, s, a);
    const std::uint32_t n =
        draw_count(total, step.random.uniforms(Stream::migration_in, area, year, 0)[0]);
    double into_new = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        const auto u = step.random.uniforms(Stream::migration_in, area, year, 1 + k);
        const auto cell =
            static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end(), u[0] * total) -
                             cumulative.begin());
        const int s = std::min(cell, n_sexes * n_ages - 1) / n_ages;
        const int a = std::min(cell, n_sexes * n_ages - 1) % n_ages;
        const Position position = draw_position(rates_.position_shares[at(s)][at(a)], u[1]);
        step.arrivals.push_back({year - a, static_cast<Sex>(s), position, no_person});
        if (u[2] * in_migrants(here, s, a) < in_migrants_new(here, s, a)) {
            moves_in_new(s, a, position);
            into_new += 1;
        }
    }
    step.counts.migration_in += n;
    const Market& m = market_[here];
    step.counts.values(in_new_dwellings_)[0] = into_new;
    step.counts.values(in_unmet_)[0] = m.wanting - m.admitted;
    if (!new_residents.empty()) report_new_residents(step.counts, new_residents);
}

}  // namespace socialtwin
