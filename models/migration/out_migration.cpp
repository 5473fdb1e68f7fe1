#include "models/migration/out_migration.hpp"

#include <algorithm>
#include <numeric>

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

void OutMigrationModel::declare_indicators(IndicatorCatalog& catalog) {
    emigration_ = catalog.add(
        {.name = "emigration",
         .units = "persons per year",
         .description = "Persons emigrating abroad from the area during the year, administrative "
                        "removals included (part of migration_out).",
         .source = "CBS 37259eng per gemeente; modelled age profile (docs/model.md, Migration)",
         .quantity = Quantity::flow});
    moves_out_ = catalog.add(
        {.name = "moves_to_other_gemeenten",
         .units = "persons per year",
         .description = "Persons moving from the area to another gemeente during the year (part "
                        "of migration_out).",
         .source =
             "CBS 37259eng per gemeente; modelled age profile, per gemeente from its age structure "
             "(docs/model.md, Migration)",
         .quantity = Quantity::flow});
}

void OutMigrationModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    groups_ = gemeente_groups(*run.areas, rates_);
    const std::vector<BySexAge<double>> population =
        base_population_by_group(groups_, run.base_cells);
    emigration_scale_.assign(groups_.size(), 1.0);
    moves_out_scale_.assign(groups_.size(), 1.0);
    moves_out_base_.clear();
    for (std::size_t g = 0; g < groups_.size(); ++g)
        moves_out_base_.push_back(moves_out_probability(rates_, groups_.row(g)));
    for (std::size_t g = 0; g < groups_.rows.size(); ++g) {
        emigration_scale_[g] =
            outflow_calibration(population[g], rates_.emigration, groups_.rows[g]->emigration,
                                rates_.death_probability);
        moves_out_scale_[g] =
            outflow_calibration(population[g], moves_out_base_[g], groups_.rows[g]->moves_out,
                                rates_.death_probability);
    }
    emigration_rate_.assign(groups_.size(), BySexAge<double>{});
    moves_out_rate_.assign(groups_.size(), BySexAge<double>{});
    emigration_by_cell_.assign(groups_.size(), {});
    moves_out_by_cell_.assign(groups_.size(), {});
}

void OutMigrationModel::begin_year(int year) {
    year_ = year;
    for (std::size_t g = 0; g < groups_.size(); ++g)
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a) {
                const double out = rate_multiplier(*scenario_, migration_out_lever, year, s, a);
                const double emigration =
                    std::min(1.0, rates_.emigration[at(s)][at(a)] * emigration_scale_[g] * out *
                                      rate_multiplier(*scenario_, emigration_lever, year, s, a));
                emigration_rate_[g][at(s)][at(a)] = emigration;
                moves_out_rate_[g][at(s)][at(a)] = std::min(
                    1.0 - emigration,
                    moves_out_base_[g][at(s)][at(a)] * moves_out_scale_[g] * out *
                        rate_multiplier(*scenario_, moves_to_other_gemeenten_lever, year, s, a));
            }
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        spread_over_cells(emigration_rate_[g], emigration_by_cell_[g]);
        spread_over_cells(moves_out_rate_[g], moves_out_by_cell_[g]);
    }
}

double OutMigrationModel::emigration(std::size_t area, int sex, int age) const noexcept {
    return emigration_rate_[groups_.group_of_area[area]][at(sex)][at(age)];
}

double OutMigrationModel::moves_to_other_gemeenten(std::size_t area, int sex,
                                                   int age) const noexcept {
    return moves_out_rate_[groups_.group_of_area[area]][at(sex)][at(age)];
}

double OutMigrationModel::displaced_share(double demolished, double dwellings_start) noexcept {
    if (demolished <= 0 || dwellings_start <= 0) return 0.0;
    return std::min(1.0, demolished / dwellings_start);
}

void OutMigrationModel::apply(AreaStep& step) const {
    // Out-migration of the persons alive at year end, by their new age.
    const std::size_t group = groups_.group_of_area[step.area];
    // Cell by cell in a flat loop the compiler vectorises, both flows kept for their totals.
    const double* emigration = emigration_by_cell_[group].data();
    const double* moves = moves_out_by_cell_[group].data();
    double* next = step.next.data();
    // The moves elsewhere in the municipality first, from the persons before either flow.
    const double movers = sum_cells_of([&](std::size_t c) { return next[c] * moves[c]; });
    const double emigrants = sum_cells_of([&](std::size_t c) {
        const double abroad = next[c] * emigration[c];
        next[c] -= abroad + next[c] * moves[c];
        return abroad;
    });
    step.migration_out += emigrants + movers;
    step.values(emigration_)[0] = emigrants;
    step.values(moves_out_)[0] = movers;

    // Residents of demolished dwellings leave the area (the average occupancy of its stock).
    const double displaced =
        displaced_share(construction_.in_year(step.area, year_).demolished, step.dwellings_start);
    if (displaced > 0) {
        const double present = std::accumulate(step.next.begin(), step.next.end(), 0.0);
        for (double& persons : step.next) persons *= 1.0 - displaced;
        step.migration_out += present * displaced;
    }
}

// The agent core: the same rates, applied to persons by random draws (one stream per process,
// keyed by person id, so draws do not depend on the order in which persons are visited). One
// uniform number decides whether a person leaves and by which flow: below the emigration
// probability abroad, above it and below the sum to another gemeente.
void OutMigrationModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
    const std::size_t group = groups_.group_of_area[step.counts.area];
    const BySexAge<double>& emigration = emigration_rate_[group];
    const BySexAge<double>& moves = moves_out_rate_[group];
    const double displaced = displaced_share(
        construction_.in_year(step.counts.area, year_).demolished, step.counts.dwellings_start);
    double emigrants = 0, movers = 0;
    // Which flow a draw `u` sends a person of this sex and age by; false if it stays.
    auto leaves_by = [&](double u, Sex sex, int age) {
        const double abroad = emigration[at(index(sex))][at(age)];
        if (u < abroad) return emigrants += 1, true;
        if (u < abroad + moves[at(index(sex))][at(age)]) return movers += 1, true;
        return false;
    };

    // Out-migration (and demolition) of everyone alive at year end, by the new age. Newborns
    // have no id yet: their draws are keyed by the mother and their place among the arrivals.
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        const bool leaves =
            leaves_by(step.draw(i, migration_out_lane), persons.sex[id],
                      persons.age_on_1_january(id, year + 1)) ||
            (displaced > 0 &&
             step.random.uniforms(demolition_stream, persons.stable_id[id], year)[0] < displaced);
        if (leaves) {
            persons.presence[id] = Presence::emigrated;
            step.counts.migration_out += 1;
        }
    }
    std::erase_if(step.arrivals, [&](const Arrival& newborn) {
        const auto order = static_cast<std::uint32_t>(&newborn - step.arrivals.data());
        const auto u = step.random.uniforms(migration_out_stream, persons.stable_id[newborn.mother],
                                            year, 1 + order);
        if (!leaves_by(u[0], newborn.sex, 0) && !(u[1] < displaced)) return false;
        step.counts.migration_out += 1;
        return true;
    });
    step.counts.values(emigration_)[0] = emigrants;
    step.counts.values(moves_out_)[0] = movers;
}

}  // namespace socialtwin
