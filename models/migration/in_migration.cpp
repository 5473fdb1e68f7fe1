#include "models/migration/in_migration.hpp"

#include <algorithm>
#include <array>
#include <numeric>

#include "engine/core/upper_bound.hpp"
#include "models/draws.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }

// Households per person among in-migrants of a given mix of sexes, ages and positions.
double households_per_person(const PositionShares& shares, double other_households_per_member) {
    return shares[at(index(Position::living_alone))] +
           0.5 * shares[at(index(Position::partner_no_children))] +
           0.5 * shares[at(index(Position::partner_with_children))] +
           shares[at(index(Position::single_parent))] +
           other_households_per_member * shares[at(index(Position::other_member))];
}
}  // namespace

void InMigrationModel::declare_indicators(IndicatorCatalog& catalog) {
    immigration_ = catalog.add(
        {.name = "immigration",
         .units = "persons per year",
         .description = "Immigrants from abroad into the area during the year, as the housing "
                        "market admitted them (part of migration_in).",
         .source = "CBS 37259eng per gemeente; net international migration by age from CBS "
                   "population and deaths (docs/model.md, Migration)",
         .quantity = Quantity::flow});
    moves_in_ = catalog.add(
        {.name = "moves_from_other_gemeenten",
         .units = "persons per year",
         .description = "Persons moving into the area from another gemeente during the year, as "
                        "the housing market admitted them (part of migration_in).",
         .source =
             "CBS 37259eng per gemeente; modelled age profile, per gemeente from its age structure "
             "(docs/model.md, Migration)",
         .quantity = Quantity::flow});
}

void InMigrationModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    groups_ = gemeente_groups(*run.areas, rates_);
    const std::vector<BySexAge<double>> population =
        base_population_by_group(groups_, run.base_cells);
    inhabitants_.assign(groups_.size(), 0.0);
    for (std::size_t g = 0; g < groups_.size(); ++g)
        for (const auto& by_age : population[g])
            inhabitants_[g] += std::accumulate(by_age.begin(), by_age.end(), 0.0);
    arrival_positions_.assign(groups_.size(), rates_.position_shares);
    const std::size_t n_areas = groups_.group_of_area.size();
    if (run.base_cells && run.base_cells->n_areas() >= n_areas) {
        std::vector<BySexAge<PositionShares>> persons(groups_.size(), BySexAge<PositionShares>{});
        for (std::size_t area = 0; area < n_areas; ++area) {
            const auto cells = run.base_cells->cells(area);
            const auto counts = run.base_cells->persons(area);
            auto& into = persons[groups_.group_of_area[area]];
            for (std::size_t i = 0; i < cells.size(); ++i)
                into[at(CohortCell::sex_of(cells[i]))][at(CohortCell::age_of(cells[i]))]
                    [at(CohortCell::position_of(cells[i]))] += counts[i];
        }
        constexpr double min_persons = 20;  // [persons] of one sex and age in the group
        for (std::size_t g = 0; g < groups_.size(); ++g)
            for (int s = 0; s < n_sexes; ++s)
                for (int a = 0; a < n_ages; ++a) {
                    const PositionShares& counts = persons[g][at(s)][at(a)];
                    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
                    if (total < min_persons) continue;
                    for (int p = 0; p < n_positions; ++p)
                        arrival_positions_[g][at(s)][at(a)][at(p)] = counts[at(p)] / total;
                }
    }
    immigrants_.assign(groups_.size(), BySexAge<double>{});
    movers_.assign(groups_.size(), BySexAge<double>{});
    moves_in_share_.clear();
    for (std::size_t g = 0; g < groups_.size(); ++g)
        moves_in_share_.push_back(moves_in_share(rates_, groups_.row(g)));
    total_.assign(groups_.size(), 0.0);
    movers_total_.assign(groups_.size(), 0.0);
}

void InMigrationModel::begin_year(int year) {
    // Households per in-migrant over all groups, weighted by their inhabitants (equally when the
    // run gave no base population).
    const bool weighted = std::accumulate(inhabitants_.begin(), inhabitants_.end(), 0.0) > 0;
    double persons = 0, households = 0;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        const GemeenteMigration* row = groups_.row(g);
        const double immigration = row ? row->immigration : rates_.immigrants_per_inhabitant;
        const double moves_in = row ? row->moves_in : rates_.moves_in_per_inhabitant;
        total_[g] = 0;
        movers_total_[g] = 0;
        double group_households = 0;
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a) {
                const double in = rate_multiplier(*scenario_, migration_in_lever, year, s, a);
                const double from_abroad =
                    immigration * rates_.immigration_profile[at(s)][at(a)] * in *
                    rate_multiplier(*scenario_, immigration_lever, year, s, a);
                const double from_gemeenten =
                    moves_in * moves_in_share_[g][at(s)][at(a)] * in *
                    rate_multiplier(*scenario_, moves_from_other_gemeenten_lever, year, s, a);
                immigrants_[g][at(s)][at(a)] = from_abroad;
                movers_[g][at(s)][at(a)] = from_gemeenten;
                total_[g] += from_abroad + from_gemeenten;
                movers_total_[g] += from_gemeenten;
                group_households += (from_abroad + from_gemeenten) *
                                    households_per_person(arrival_positions_[g][at(s)][at(a)],
                                                          rates_.other_households_per_other_member);
            }
        const double weight = weighted ? inhabitants_[g] : 1.0;
        persons += weight * total_[g];
        households += weight * group_households;
    }
    std::vector<double> per_area(groups_.group_of_area.size());
    for (std::size_t area = 0; area < per_area.size(); ++area)
        per_area[area] = total_[groups_.group_of_area[area]];
    market_.expect_in_migrants(std::move(per_area), persons > 0 ? households / persons : 0.0);
    // The movers among them: the market rehouses those refused by the gemeente they wanted in
    // another gemeente of the dataset (models/housing/housing_market.hpp).
    std::vector<double> movers_per_area(groups_.group_of_area.size());
    for (std::size_t area = 0; area < movers_per_area.size(); ++area)
        movers_per_area[area] = movers_total_[groups_.group_of_area[area]];
    market_.expect_moves_between_gemeenten(std::move(movers_per_area));
}

InMigrationModel::AreaInflow InMigrationModel::inflow(std::size_t area) const noexcept {
    return {.admitted = market_.admitted(area), .group = groups_.group_of_area[area]};
}

// Each group's shares by sex and age, once the market has settled. The movers from other
// gemeenten count market_.movers_scale() times (the national pool).

void InMigrationModel::settle() {
    const double scale = market_.movers_scale();
    const std::size_t n_groups = total_.size();
    profile_.resize(n_groups);
    mover_profile_.resize(n_groups);
    base_immigrant_share_.resize(n_groups);
    for (std::size_t g = 0; g < n_groups; ++g) {
        // The group's flows, its movers counted `scale` times (inflow()).
        const double total = total_[g] + (scale - 1.0) * movers_total_[g];
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a) {
                const double immigrants = immigrants_[g][at(s)][at(a)];
                const double movers = movers_[g][at(s)][at(a)];
                // In-migrants by sex and age, as shares: the group's flows this year; with no
                // flow at all (the new dwellings still take in-migrants), the immigrants'
                // profile.
                profile_[g][at(s)][at(a)] = total > 0 ? (immigrants + scale * movers) / total
                                                      : rates_.immigration_profile[at(s)][at(a)];
                // Movers from other gemeenten by sex and age, as shares: the group's moves in.
                mover_profile_[g][at(s)][at(a)] = movers_total_[g] > 0
                                                      ? movers / movers_total_[g]
                                                      : rates_.moves_in_profile[at(s)][at(a)];
                const double both = immigrants + scale * movers;
                base_immigrant_share_[g][at(s)][at(a)] = both > 0 ? immigrants / both : 1.0;
            }
    }
}

double InMigrationModel::profile(const AreaInflow& in, int sex, int age) const noexcept {
    return profile_[in.group][at(sex)][at(age)];
}

double InMigrationModel::mover_profile(const AreaInflow& in, int sex, int age) const noexcept {
    return mover_profile_[in.group][at(sex)][at(age)];
}

// Of the in-migrants of a sex and age, the share from abroad: the rehoused movers are all movers.
double InMigrationModel::immigrant_share(std::size_t area, int sex, int age) const noexcept {
    const AreaInflow in = inflow(area);
    const SexAgeInflow by = sex_age_inflow(in, area, sex, age);
    return immigrant_share(in, sex, age, by);
}

double InMigrationModel::immigrant_share(const AreaInflow& in, int sex, int age,
                                         const SexAgeInflow& by) const noexcept {
    const double base = base_immigrant_share_[in.group][at(sex)][at(age)];
    if (in.admitted.rehoused_movers <= 0) return base;
    const double rehoused = in.admitted.rehoused_movers * by.mover_profile * by.settling;
    return by.persons > 0 ? base * (by.persons - rehoused) / by.persons : base;
}

namespace {
// In-migrants of one sex and age: into the stock (the movers rehoused by the market by the
// movers' profile, the rest by the group's), settled by the market (students and young adults
// where young adults live), and into the new dwellings. One formula for sex_age_inflow() and the
// flat loop of in_migrants_by_sex_age().
inline double inflow_persons(const HousingMarket::Admitted& admitted, double profile,
                             double mover_profile, double settling) noexcept {
    return ((admitted.into_stock - admitted.rehoused_movers) * profile +
            admitted.rehoused_movers * mover_profile) *
               settling +
           admitted.into_new_dwellings * profile;
}
}  // namespace

InMigrationModel::SexAgeInflow InMigrationModel::sex_age_inflow(const AreaInflow& in,
                                                                std::size_t area, int sex,
                                                                int age) const noexcept {
    SexAgeInflow by{.profile = profile(in, sex, age),
                    .mover_profile = mover_profile(in, sex, age),
                    .settling = market_.settling_factor(area, age)};
    by.persons = inflow_persons(in.admitted, by.profile, by.mover_profile, by.settling);
    return by;
}

double InMigrationModel::in_migrants(const AreaInflow& in, std::size_t area, int sex,
                                     int age) const noexcept {
    return sex_age_inflow(in, area, sex, age).persons;
}

double InMigrationModel::in_migrants(std::size_t area, int sex, int age) const noexcept {
    return in_migrants(inflow(area), area, sex, age);
}

double InMigrationModel::in_migrants_new(std::size_t area, int sex, int age) const noexcept {
    return market_.admitted(area).into_new_dwellings * profile(area, sex, age);
}

// Every sex and age of an area with its lookups done once: the agent core asks for all 212
// every year, for every area (at PC6 density to draw one or two in-migrants). In a flat loop over
// the ages the compiler vectorises: 3,000 -> 1,400 instructions an area-year.
void InMigrationModel::in_migrants_by_sex_age(
    std::size_t area, std::array<double, n_sexes * n_ages>& out) const noexcept {
    const AreaInflow in = inflow(area);
    std::array<double, n_ages> settling;
    for (int a = 0; a < n_ages; ++a) settling[at(a)] = market_.settling_factor(area, a);
    for (int s = 0; s < n_sexes; ++s) {
        const std::array<double, n_ages>& profile = profile_[in.group][at(s)];
        const std::array<double, n_ages>& movers = mover_profile_[in.group][at(s)];
        double* by_age = out.data() + static_cast<std::size_t>(s * n_ages);
        for (std::size_t a = 0; a < static_cast<std::size_t>(n_ages); ++a)
            by_age[a] = inflow_persons(in.admitted, profile[a], movers[a], settling[a]);
    }
}

void InMigrationModel::complete(AreaStep& step) const {
    const std::size_t area = step.area;
    const AreaInflow in = inflow(area);
    const HousingMarket::Admitted& admitted = in.admitted;
    const BySexAge<PositionShares>& positions = arrival_positions_[in.group];
    // The in-migrants into new dwellings by cell, for the market's report, only where new
    // dwellings take anyone: elsewhere every cell would hold an exact zero (the baseline builds
    // none), and the table cost a 12 KB allocation per area-year.
    const bool into_groups =
        std::any_of(admitted.into_dwellings_for.begin() + 1, admitted.into_dwellings_for.end(),
                    [](double persons) { return persons > 0; });
    std::vector<double> into_new_by_cell;
    if (admitted.into_new_dwellings != 0 || into_groups || market_.movers_into_new_dwellings(area))
        into_new_by_cell.assign(CohortCell::size, 0.0);
    double arrived = 0, immigrants = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const SexAgeInflow by = sex_age_inflow(in, area, s, a);
            const double persons = by.persons;
            if (persons == 0) continue;
            const PositionShares& shares = positions[at(s)][at(a)];
            const std::size_t first = cell(s, a, 0);
            for (int p = 0; p < n_positions; ++p)
                step.next[first + at(p)] += persons * shares[at(p)];
            if (!into_new_by_cell.empty()) {
                const double into_new = admitted.into_new_dwellings * by.profile;
                for (int p = 0; p < n_positions; ++p)
                    into_new_by_cell[first + at(p)] += into_new * shares[at(p)];
            }
            arrived += persons;
            immigrants += persons * immigrant_share(in, s, a, by);
        }
    }
    // In-migrants of a group into the new dwellings built for it: the flows' profile among the
    // group's members.
    double into_new = admitted.into_new_dwellings;
    for (int g = 1; g < n_dwellings_for; ++g) {
        const double persons = admitted.into_dwellings_for[at(g)];
        if (persons <= 0) continue;
        const std::vector<double> weights = group_profile(step.area, static_cast<DwellingsFor>(g));
        const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
        if (total <= 0) continue;  // no in-migrant of the group: the places stay vacant
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a)
                for (int p = 0; p < n_positions; ++p) {
                    const double n = persons * weights[cell(s, a, p)] / total;
                    if (n == 0) continue;
                    step.next[cell(s, a, p)] += n;
                    into_new_by_cell[cell(s, a, p)] += n;
                    immigrants += n * immigrant_share(step.area, s, a);
                }
        arrived += persons;
        into_new += persons;
    }
    step.migration_in += arrived;
    step.values(immigration_)[0] = immigrants;
    step.values(moves_in_)[0] = arrived - immigrants;
    market_.report_new_dwelling_residents(step, into_new_by_cell, into_new);
}

// The in-migrants of the area by cell, among the members of `group` only: the flows' profile by
// sex and age times the arrival positions, where the group's test holds (not normalised).
std::vector<double> InMigrationModel::group_profile(std::size_t area, DwellingsFor group) const {
    std::vector<double> weights(CohortCell::size, 0.0);
    const auto& positions = arrival_positions_[groups_.group_of_area[area]];
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a) {
            const double by_age = profile(area, s, a);
            if (by_age <= 0) continue;
            for (int p = 0; p < n_positions; ++p)
                if (belongs_to(group, a, static_cast<Position>(p)))
                    weights[cell(s, a, p)] = by_age * positions[at(s)][at(a)][at(p)];
        }
    return weights;
}

// In-migrants: a whole number with the expected total, then each one's sex and age drawn from
// the expected numbers by sex and age (a few draws per area, not one per cell), whether it is
// one of those who fill the new dwellings, and whether it comes from abroad.
void InMigrationModel::complete(AgentAreaStep& step) const {
    const int year = step.counts.year;
    const std::size_t here = step.counts.area;
    const auto area = static_cast<std::uint32_t>(here);
    std::array<double, n_sexes * n_ages> cumulative{};
    in_migrants_by_sex_age(here, cumulative);
    // Running sums by std::partial_sum, whose sum lives only inside its loop and so stays in a
    // register: written as `n = total += n` with `total` used below, GCC kept `total` in
    // memory and the 212-term chain waited on a store and a load at every step (3% of a
    // PC6-density run). The same additions in the same order.
    std::partial_sum(cumulative.begin(), cumulative.end(), cumulative.begin());
    const double total = cumulative.back();
    std::uint32_t n =
        draw_count(total, step.random.uniforms(migration_in_stream, area, year, 0)[0]);
    std::vector<double> into_new_by_cell;  // allocated for the first who moves into one
    double into_new = 0, immigrants = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        const auto u = step.random.uniforms(migration_in_stream, area, year, 1 + k);
        const auto drawn = static_cast<int>(upper_bound_index(cumulative, u[0] * total));
        const int s = std::min(drawn, n_sexes * n_ages - 1) / n_ages;
        const int a = std::min(drawn, n_sexes * n_ages - 1) % n_ages;
        const Position position =
            draw_position(arrival_positions_[groups_.group_of_area[here]][at(s)][at(a)], u[1]);
        step.arrivals.push_back({year - a, static_cast<Sex>(s), position, no_person});
        if (u[2] * in_migrants(here, s, a) < in_migrants_new(here, s, a)) {
            if (into_new_by_cell.empty()) into_new_by_cell.assign(CohortCell::size, 0.0);
            into_new_by_cell[cell(s, a, index(position))] += 1;
            into_new += 1;
        }
        if (u[3] < immigrant_share(here, s, a)) immigrants += 1;
    }
    // In-migrants of a group into the new dwellings built for it (their own stream: the draws
    // above stay as they were), each drawn by sex, age and position among the group's members.
    const HousingMarket::Admitted admitted = market_.admitted(here);
    std::uint32_t n_for = 0;
    for (int g = 1; g < n_dwellings_for; ++g) {
        const double expected = admitted.into_dwellings_for[at(g)];
        if (expected <= 0) continue;
        std::vector<double> by_cell = group_profile(here, static_cast<DwellingsFor>(g));
        std::partial_sum(by_cell.begin(), by_cell.end(), by_cell.begin());
        const double weight = by_cell.back();
        if (weight <= 0) continue;  // no in-migrant of the group: the places stay vacant
        // Blocks of the stream: (group << 24) + k, k = 0 for the count, 1.. for the persons.
        const std::uint32_t first = static_cast<std::uint32_t>(g) << 24;
        const std::uint32_t count =
            draw_count(expected, step.random.uniforms(dwellings_for_stream, area, year, first)[0]);
        for (std::uint32_t k = 0; k < count; ++k) {
            const auto u = step.random.uniforms(dwellings_for_stream, area, year, first + 1 + k);
            const auto drawn =
                std::min(static_cast<std::size_t>(
                             std::upper_bound(by_cell.begin(), by_cell.end(), u[0] * weight) -
                             by_cell.begin()),
                         static_cast<std::size_t>(CohortCell::size - 1));
            const int s = static_cast<int>(drawn) / (n_ages * n_positions);
            const int a = static_cast<int>(drawn) / n_positions % n_ages;
            const auto position = static_cast<Position>(static_cast<int>(drawn) % n_positions);
            step.arrivals.push_back({year - a, static_cast<Sex>(s), position, no_person});
            if (into_new_by_cell.empty()) into_new_by_cell.assign(CohortCell::size, 0.0);
            into_new_by_cell[drawn] += 1;
            if (u[1] < immigrant_share(here, s, a)) immigrants += 1;
        }
        n_for += count;
    }
    n += n_for;
    into_new += n_for;
    step.counts.migration_in += n;
    step.counts.values(immigration_)[0] = immigrants;
    step.counts.values(moves_in_)[0] = n - immigrants;
    market_.report_new_dwelling_residents(step, into_new_by_cell, into_new);
}

}  // namespace socialtwin
