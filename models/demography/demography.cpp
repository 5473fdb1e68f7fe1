#include "models/demography/demography.hpp"

#include "models/housing/households.hpp"

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
    in_new_dwellings_ = catalog.add(
        {"migration_in_new_dwellings", "persons per year",
         "In-migrants who move into dwellings completed during the year (part of migration_in).",
         IndicatorShape::per_area, "scenario construction programme x occupancy"});
    in_unmet_ = catalog.add(
        {"migration_in_unmet", "persons per year",
         "Would-be in-migrants for whom the area's dwelling stock had no room during the year.",
         IndicatorShape::per_area, "in-migration rate x inhabitants, minus migration_in"});
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
    // How densely each area's dwellings are occupied is a fact of the base year (students
    // sharing, room rental, vacancy): keep it, within sane bounds, as the area's capacity.
    households_per_dwelling_.assign(n_areas, 1.0);
    for (std::size_t a = 0; a < n_areas; ++a) {
        const double dwellings = run.base_dwellings[a];
        if (dwellings <= 0) continue;
        const double households =
            count_households(run.base_persons.subspan(a * CohortCell::size, CohortCell::size),
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

void MigrationModel::apply(AreaStep& step) const {
    // Out-migration of the persons alive at year end, by their new age.
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p) {
                const double out = step.next[cell(s, a, p)] * out_rate_[at(s)][at(a)];
                step.next[cell(s, a, p)] -= out;
                step.migration_out += out;
            }

    double new_dwellings = 0, new_residents = 0, demolished = 0;
    for (const auto& [year, completion] : completions_[step.area]) {
        if (year != year_) continue;
        if (completion.dwellings > 0) {
            new_dwellings += completion.dwellings;
            new_residents += completion.dwellings * completion.occupancy;
        } else {
            demolished -= completion.dwellings;
        }
    }

    // Residents of demolished dwellings leave the area (the average occupancy of its stock).
    if (demolished > 0 && step.dwellings_start > 0) {
        const double present = std::accumulate(step.next.begin(), step.next.end(), 0.0);
        const double displaced =
            std::min(present, present * std::min(1.0, demolished / step.dwellings_start));
        if (present > 0 && displaced > 0) {
            const double keep = 1.0 - displaced / present;
            for (double& persons : step.next) persons *= keep;
            step.migration_out += displaced;
        }
    }

    // Room for in-migrant households in the existing stock (new dwellings are filled apart).
    const double existing_dwellings = std::max(0.0, step.dwellings_start - demolished);
    const double households =
        count_households(step.next, rates_.other_households_per_other_member).total();
    const double room =
        std::max(0.0, existing_dwellings * households_per_dwelling_[step.area] - households);
    const double inhabitants = std::accumulate(step.start.begin(), step.start.end(), 0.0);
    const double wanting = inhabitants * in_per_inhabitant_total_;
    const bool housing_led = scenario_->housing.migration == MigrationMode::housing_led;
    const double admitted = housing_led && households_per_in_migrant_ > 0
                                ? std::min(wanting, room / households_per_in_migrant_)
                                : wanting;
    const double admitted_share = wanting > 0 ? admitted / wanting : 0.0;

    double arrived = 0;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            const double persons = inhabitants * in_per_inhabitant_[at(s)][at(a)] * admitted_share +
                                   new_residents * rates_.in_migration_profile[at(s)][at(a)];
            if (persons == 0) continue;
            const PositionShares& shares = rates_.position_shares[at(s)][at(a)];
            for (int p = 0; p < n_positions; ++p)
                step.next[cell(s, a, p)] += persons * shares[at(p)];
            arrived += persons;
        }
    }
    step.migration_in += arrived;
    step.values(in_new_dwellings_)[0] = new_residents;
    step.values(in_unmet_)[0] = wanting - admitted;
}

}  // namespace socialtwin
