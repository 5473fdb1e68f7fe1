#include "models/migration/in_migration.hpp"

#include <algorithm>
#include <array>

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

void InMigrationModel::begin_year(int year) {
    in_per_inhabitant_total_ = 0;
    double households = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double in = rates_.in_migrants_per_inhabitant *
                              rates_.in_migration_profile[at(s)][at(a)] *
                              rate_multiplier(*scenario_, migration_in_lever, year, s, a);
            in_per_inhabitant_[at(s)][at(a)] = in;
            in_per_inhabitant_total_ += in;
            households += in * households_per_person(rates_.position_shares[at(s)][at(a)],
                                                     rates_.other_households_per_other_member);
        }
    }
    market_.expect_in_migrants(in_per_inhabitant_total_, in_per_inhabitant_total_ > 0
                                                             ? households / in_per_inhabitant_total_
                                                             : 0.0);
}

double InMigrationModel::in_migrants(std::size_t area, int sex, int age) const noexcept {
    const double profile = in_per_inhabitant_total_ > 0
                               ? in_per_inhabitant_[at(sex)][at(age)] / in_per_inhabitant_total_
                               : 0.0;
    return market_.admitted(area).into_stock * profile + in_migrants_new(area, sex, age);
}

double InMigrationModel::in_migrants_new(std::size_t area, int sex, int age) const noexcept {
    return market_.admitted(area).into_new_dwellings *
           rates_.in_migration_profile[at(sex)][at(age)];
}

void InMigrationModel::complete(AreaStep& step) const {
    std::vector<double> into_new_by_cell(CohortCell::size, 0.0);
    double arrived = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double persons = in_migrants(step.area, s, a);
            if (persons == 0) continue;
            const double into_new = in_migrants_new(step.area, s, a);
            const PositionShares& shares = rates_.position_shares[at(s)][at(a)];
            for (int p = 0; p < n_positions; ++p) {
                step.next[cell(s, a, p)] += persons * shares[at(p)];
                into_new_by_cell[cell(s, a, p)] += into_new * shares[at(p)];
            }
            arrived += persons;
        }
    }
    step.migration_in += arrived;
    market_.report_new_dwelling_residents(step, into_new_by_cell,
                                          market_.admitted(step.area).into_new_dwellings);
}

// In-migrants: a whole number with the expected total, then each one's sex and age drawn from
// the expected numbers by sex and age (a few draws per area, not one per cell), and whether it
// is one of those who fill the new dwellings.
void InMigrationModel::complete(AgentAreaStep& step) const {
    const int year = step.counts.year;
    const std::size_t here = step.counts.area;
    const auto area = static_cast<std::uint32_t>(here);
    std::array<double, n_sexes * n_ages> cumulative{};
    double total = 0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            cumulative[at(s * n_ages + a)] = total += in_migrants(here, s, a);
    const std::uint32_t n =
        draw_count(total, step.random.uniforms(migration_in_stream, area, year, 0)[0]);
    std::vector<double> into_new_by_cell;  // allocated for the first who moves into one
    double into_new = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
        const auto u = step.random.uniforms(migration_in_stream, area, year, 1 + k);
        const auto drawn =
            static_cast<int>(std::upper_bound(cumulative.begin(), cumulative.end(), u[0] * total) -
                             cumulative.begin());
        const int s = std::min(drawn, n_sexes * n_ages - 1) / n_ages;
        const int a = std::min(drawn, n_sexes * n_ages - 1) % n_ages;
        const Position position = draw_position(rates_.position_shares[at(s)][at(a)], u[1]);
        step.arrivals.push_back({year - a, static_cast<Sex>(s), position, no_person});
        if (u[2] * in_migrants(here, s, a) < in_migrants_new(here, s, a)) {
            if (into_new_by_cell.empty()) into_new_by_cell.assign(CohortCell::size, 0.0);
            into_new_by_cell[cell(s, a, index(position))] += 1;
            into_new += 1;
        }
    }
    step.counts.migration_in += n;
    market_.report_new_dwelling_residents(step, into_new_by_cell, into_new);
}

}  // namespace socialtwin
