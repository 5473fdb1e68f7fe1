#include "engine/core/accounts.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace socialtwin {

PopulationAccounts::PopulationAccounts(IndicatorCatalog& catalog) {
    population_ = catalog.add(
        {.name = "population",
         .units = "persons",
         .description = "Inhabitants on 1 January of the year (institutions included)."});
    population_by_age_sex_ =
        catalog.add({.name = "population_by_age_sex",
                     .units = "persons",
                     .description = "Inhabitants on 1 January by sex and 5-year age band.",
                     .dims = by_sex_and_age_band});
    births_ = catalog.add({.name = "births",
                           .units = "persons per year",
                           .description = "Live births during the year."});
    deaths_ = catalog.add(
        {.name = "deaths", .units = "persons per year", .description = "Deaths during the year."});
    migration_in_ = catalog.add(
        {.name = "migration_in",
         .units = "persons per year",
         .description =
             "Persons moving into the area during the year: from outside the municipality (new "
             "dwellings included) and from its other areas (moves_in)."});
    migration_out_ = catalog.add(
        {.name = "migration_out",
         .units = "persons per year",
         .description =
             "Persons leaving the area during the year: for outside the municipality and for its "
             "other areas (moves_out)."});
}

double PopulationAccounts::record(const AreaTable& areas, AreaStep& step, double tolerance) const {
    const double population_start = std::accumulate(step.start.begin(), step.start.end(), 0.0);
    const double population_next = std::accumulate(step.next.begin(), step.next.end(), 0.0);
    const double expected =
        population_start + step.births - step.deaths + step.migration_in - step.migration_out;
    if (std::abs(population_next - expected) > tolerance * std::max(1.0, population_start)) {
        throw std::logic_error(fmt::format(
            "population accounts do not balance in area {} year {}: {} + {} - {} + {} - {} = {} "
            "but {} persons remain",
            areas.code(step.area), step.year, population_start, step.births, step.deaths,
            step.migration_in, step.migration_out, expected, population_next));
    }
    step.values(population_)[0] = population_start;
    step.values(births_)[0] = step.births;
    step.values(deaths_)[0] = step.deaths;
    step.values(migration_in_)[0] = step.migration_in;
    step.values(migration_out_)[0] = step.migration_out;
    auto by_age_sex = step.values(population_by_age_sex_);
    for (int s = 0; s < n_sexes; ++s)
        for (int age = 0; age < n_ages; ++age)
            for (int pos = 0; pos < n_positions; ++pos)
                by_age_sex[static_cast<std::size_t>(s * n_age_bands + age_band_of(age))] +=
                    step.start[static_cast<std::size_t>(CohortCell::offset(s, age, pos))];
    return 0.5 * (population_start + population_next);
}

}  // namespace socialtwin
