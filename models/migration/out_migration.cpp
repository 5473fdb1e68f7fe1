#include "models/migration/out_migration.hpp"

#include <algorithm>
#include <numeric>

namespace socialtwin {

namespace {
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

void OutMigrationModel::begin_year(int year) {
    year_ = year;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            out_rate_[at(s)][at(a)] =
                std::min(1.0, rates_.out_migration[at(s)][at(a)] *
                                  rate_multiplier(*scenario_, migration_out_lever, year, s, a));
}

double OutMigrationModel::displaced_share(double demolished, double dwellings_start) noexcept {
    if (demolished <= 0 || dwellings_start <= 0) return 0.0;
    return std::min(1.0, demolished / dwellings_start);
}

void OutMigrationModel::apply(AreaStep& step) const {
    // Out-migration of the persons alive at year end, by their new age.
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p) {
                const double out = step.next[cell(s, a, p)] * out_rate_[at(s)][at(a)];
                step.next[cell(s, a, p)] -= out;
                step.migration_out += out;
            }

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
// keyed by person id, so draws do not depend on the order in which persons are visited).
void OutMigrationModel::apply(AgentAreaStep& step) const {
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
    const double displaced = displaced_share(
        construction_.in_year(step.counts.area, year_).demolished, step.counts.dwellings_start);

    // Out-migration (and demolition) of everyone alive at year end, by the new age. Newborns
    // have no id yet: their draws are keyed by the mother and their place among the arrivals.
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        const bool leaves =
            step.draw(i, migration_out_lane) <
                out_rate_[at(index(persons.sex[id]))][at(persons.age_on_1_january(id, year + 1))] ||
            (displaced > 0 && step.random.uniforms(demolition_stream, id, year)[0] < displaced);
        if (leaves) {
            persons.presence[id] = Presence::emigrated;
            step.counts.migration_out += 1;
        }
    }
    auto leaves = [&](DrawStream stream, std::uint32_t entity, std::uint32_t draw, Sex sex,
                      int age) {
        const auto u = step.random.uniforms(stream, entity, year, draw);
        return u[0] < out_rate_[at(index(sex))][at(age)] || u[1] < displaced;
    };
    std::erase_if(step.arrivals, [&](const Arrival& newborn) {
        const auto order = static_cast<std::uint32_t>(&newborn - step.arrivals.data());
        if (!leaves(migration_out_stream, newborn.mother, 1 + order, newborn.sex, 0)) return false;
        step.counts.migration_out += 1;
        return true;
    });
}

}  // namespace socialtwin
