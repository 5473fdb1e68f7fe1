#include "models/demography/demography.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "models/draws.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr int female = index(Sex::female);
}  // namespace

// ---------------------------------------------------------------------------------------------
double mortality_improvement_factor(double annual_decline, int reference_year, int year) {
    return std::pow(1.0 - annual_decline, year - reference_year);
}

double fertility_path_factor(const RateSet& rates, int year) {
    const int since = std::max(0, year - rates.reference_year);
    const double progress =
        since >= rates.fertility_years_to_long_run
            ? 1.0
            : static_cast<double>(since) / static_cast<double>(rates.fertility_years_to_long_run);
    const double tfr = rates.fertility_tfr_reference +
                       (rates.fertility_tfr_long_run - rates.fertility_tfr_reference) * progress;
    return tfr / rates.fertility_tfr_reference;
}

// ---------------------------------------------------------------------------------------------
void MortalityModel::begin_year(int year) {
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            q_[at(s)][at(a)] = std::min(
                1.0, rates_.death_probability[at(s)][at(a)] *
                         mortality_improvement_factor(rates_.mortality_improvement[at(s)][at(a)],
                                                      rates_.reference_year, year) *
                         rates_.mortality_factor *
                         rate_multiplier(*scenario_, mortality_lever, year, s, a));
    spread_over_cells(q_, q_by_cell_);
}

void MortalityModel::apply(AreaStep& step) const {
    // `next` still holds everyone at their age on 1 January; the core ages the survivors. Cell
    // by cell in a flat loop the compiler vectorises, the deaths kept for their total.
    const double* q = q_by_cell_.data();
    double* next = step.next.data();
    step.deaths += sum_cells_of([&](std::size_t c) {
        const double deaths = next[c] * q[c];
        next[c] -= deaths;
        return deaths;
    });
}

// ---------------------------------------------------------------------------------------------
void FertilityModel::begin_year(int year) {
    const double path = fertility_path_factor(rates_, year);
    for (int a = 0; a < n_ages; ++a)
        asfr_[at(a)] = rates_.fertility[at(a)] * path *
                       rate_multiplier(*scenario_, fertility_lever, year, female, a);
    // The mortality lever's factor for age 0 applies to the newborns too.
    for (int s = 0; s < n_sexes; ++s)
        infant_death_[at(s)] = std::min(
            1.0, rates_.newborn_death_probability[at(s)] *
                     mortality_improvement_factor(rates_.newborn_mortality_improvement[at(s)],
                                                  rates_.reference_year, year) *
                     rates_.mortality_factor *
                     rate_multiplier(*scenario_, mortality_lever, year, s, 0));
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
// The agent core: the same rates, applied to persons by random draws (one stream per process,
// keyed by person id, so draws do not depend on the order in which persons are visited).

void MortalityModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        const int age = step.persons.age_on_1_january(id, year);
        const double q = q_[at(index(step.persons.sex[id]))][at(age)];
        if (step.draw(i, mortality_lane) < q) {
            step.persons.presence[id] = Presence::dead;
            step.counts.deaths += 1;
        }
    }
}

void FertilityModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    // Women present on 1 January, also those who die during the year (as the rates were fitted).
    // Those of an age that gives birth draw together, in the resident order (one call over all
    // of them runs Philox in vector lanes; a call each took ~2% of the national run); the
    // numbers are each woman's own, as drawn alone.
    struct Scratch {
        std::vector<std::uint32_t> mothers, stable_ids;
        std::vector<double> asfr;
        std::vector<std::array<double, 4>> draws;
    };
    thread_local Scratch scratch;
    scratch.mothers.clear();
    scratch.stable_ids.clear();
    scratch.asfr.clear();
    for (const std::uint32_t mother : step.residents) {
        if (step.persons.sex[mother] != Sex::female) continue;
        const double asfr = asfr_[at(step.persons.age_on_1_january(mother, year))];
        if (asfr == 0) continue;
        scratch.mothers.push_back(mother);
        scratch.stable_ids.push_back(step.persons.stable_id[mother]);
        scratch.asfr.push_back(asfr);
    }
    scratch.draws.resize(scratch.mothers.size());
    step.random.uniforms(fertility_stream, scratch.stable_ids, year, scratch.draws);
    for (std::size_t k = 0; k < scratch.mothers.size(); ++k) {
        const std::uint32_t mother = scratch.mothers[k];
        if (scratch.draws[k][0] >= scratch.asfr[k]) continue;
        const auto u = step.random.uniforms(newborn_stream, step.persons.stable_id[mother], year);
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

}  // namespace socialtwin
