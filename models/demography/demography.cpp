#include "models/demography/demography.hpp"

#include <algorithm>
#include <numeric>

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr int female = index(Sex::female);
}  // namespace

// ---------------------------------------------------------------------------------------------
void MortalityModel::begin_year(int year) {
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            q_[at(s)][at(a)] = std::min(
                1.0, rates_.death_probability[at(s)][at(a)] *
                         rate_multiplier(*scenario_, RateTarget::mortality, year, s, a));
}

void MortalityModel::apply(AreaStep& step) const {
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double q = q_[at(s)][at(a)];
            const int next_age = std::min(a + 1, max_age);
            for (int p = 0; p < n_positions; ++p) {
                const double persons = step.start[cell(s, a, p)];
                const double deaths = persons * q;
                step.deaths += deaths;
                step.next[cell(s, next_age, p)] += persons - deaths;
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
    in_new_dwellings_ = catalog.add(
        {"migration_in_new_dwellings", "persons per year",
         "In-migrants who move into dwellings completed during the year (part of migration_in).",
         IndicatorShape::per_area, "scenario construction programme x occupancy"});
}

void MigrationModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    completions_.assign(run.areas->size(), {});
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
    // Residents of new dwellings look like in-migrants: young adults and their children.
    new_dwelling_profile_ = rates_.in_migration_profile;
}

void MigrationModel::begin_year(int year) {
    year_ = year;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            out_rate_[at(s)][at(a)] = std::min(
                1.0, rates_.out_migration[at(s)][at(a)] *
                         rate_multiplier(*scenario_, RateTarget::migration_out, year, s, a));
            in_per_inhabitant_[at(s)][at(a)] =
                rates_.in_migrants_per_inhabitant * rates_.in_migration_profile[at(s)][at(a)] *
                rate_multiplier(*scenario_, RateTarget::migration_in, year, s, a);
        }
    }
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

    double new_residents = 0;
    double demolished = 0;
    for (const auto& [year, completion] : completions_[step.area]) {
        if (year != year_) continue;
        if (completion.dwellings > 0)
            new_residents += completion.dwellings * completion.occupancy;
        else
            demolished -= completion.dwellings;
    }

    // Residents of demolished dwellings leave the area (the average occupancy of its stock).
    if (demolished > 0 && step.dwellings_start > 0) {
        const double present = std::accumulate(step.next.begin(), step.next.end(), 0.0);
        const double start = std::accumulate(step.start.begin(), step.start.end(), 0.0);
        const double displaced =
            std::min(present, demolished * start / std::max(step.dwellings_start, 1.0));
        if (present > 0 && displaced > 0) {
            const double keep = 1.0 - displaced / present;
            for (double& persons : step.next) persons *= keep;
            step.migration_out += displaced;
        }
    }

    const double inhabitants = std::accumulate(step.start.begin(), step.start.end(), 0.0);
    double arrived = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double persons = inhabitants * in_per_inhabitant_[at(s)][at(a)] +
                                   new_residents * new_dwelling_profile_[at(s)][at(a)];
            if (persons == 0) continue;
            const PositionShares& shares = rates_.position_shares[at(s)][at(std::max(a - 1, 0))];
            for (int p = 0; p < n_positions; ++p) step.next[cell(s, a, p)] += persons * shares[at(p)];
            arrived += persons;
        }
    }
    step.migration_in += arrived;
    step.values(in_new_dwellings_)[0] = new_residents;
}

}  // namespace socialtwin
