#include "engine/core/accounts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
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
                           .description = "Live births during the year.",
                           .quantity = Quantity::flow});
    deaths_ = catalog.add({.name = "deaths",
                           .units = "persons per year",
                           .description = "Deaths during the year.",
                           .quantity = Quantity::flow});
    migration_in_ = catalog.add(
        {.name = "migration_in",
         .units = "persons per year",
         .description =
             "Persons moving into the area during the year: from outside the municipality (new "
             "dwellings included) and from its other areas (moves_in).",
         .quantity = Quantity::flow});
    migration_out_ = catalog.add(
        {.name = "migration_out",
         .units = "persons per year",
         .description =
             "Persons leaving the area during the year: for outside the municipality and for its "
             "other areas (moves_out).",
         .quantity = Quantity::flow});
}

double PopulationAccounts::record(const AreaTable& areas, AreaStep& step, double tolerance) const {
    double population_start = 0, population_next = 0;
    std::array<double, n_sexes * n_age_bands> by_age_sex{};
    if (every_cell(step.occupied)) {
        // A table with persons everywhere (the cohort core): the totals in flat loops the
        // compiler vectorises (types.hpp, sum_cells), the age bands row by row; those on
        // 1 January as the core summed them by position (sum_cells adds the same seven sums).
        for (const double by_position : start_by_position_of(step)) population_start += by_position;
        population_next = sum_cells(step.next);
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age) {
                const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
                double row = 0;
                for (std::size_t c = first; c < first + n_positions; ++c) row += step.start[c];
                by_age_sex[static_cast<std::size_t>(s * n_age_bands + age_band_of(age))] += row;
            }
    } else {
        // A few occupied rows (the agent core's counts at PC6 density): only those, in one
        // pass; the totals are independent chains of additions, kept in registers.
        for_each_occupied_row_of(step, [&](int s, int age) {
            double& band = by_age_sex[static_cast<std::size_t>(s * n_age_bands + age_band_of(age))];
            const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
            for (std::size_t c = first; c < first + n_positions; ++c) {
                population_start += step.start[c];
                population_next += step.next[c];
                band += step.start[c];
            }
        });
    }
    const double expected =
        population_start + step.births - step.deaths + step.migration_in - step.migration_out;
    // Not finite (a NaN never compares greater): check_year_is_finite names the culprit after
    // the year, in the same order at any thread count, rather than the first thread here.
    // Rounding grows with the largest term, which need not be the population on 1 January
    // (a scenario with many births): the tolerance is relative to it.
    const double imbalance = population_next - expected;
    const double scale = std::max({1.0, population_start, population_next, step.births, step.deaths,
                                   step.migration_in, step.migration_out});
    if (std::isfinite(imbalance) && std::abs(imbalance) > tolerance * scale) {
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
    std::copy(by_age_sex.begin(), by_age_sex.end(), step.values(population_by_age_sex_).begin());
    return 0.5 * (population_start + population_next);
}

namespace {
// "NaN" as the indicators' descriptions write it; fmt would print "nan" or "-nan".
std::string value_text(double v) { return std::isnan(v) ? "NaN" : fmt::format("{}", v); }
}  // namespace

void check_year_is_finite(const YearResults& results, const AreaTable& areas,
                          std::span<const double> person_years) {
    const auto failed = [&](const std::string& what) {
        return RunFailed(fmt::format(
            "the run failed in {}{}: {}; this is a bug or an implausible scenario (check its "
            "rates, construction and settings)",
            results.year,
            results.replicate > 0 ? fmt::format(" (replicate {})", results.replicate) : "", what));
    };
    if (const auto bad = results.first_non_finite()) {
        const std::string labels = results.labels_at(bad->indicator, bad->index);
        throw failed(fmt::format("indicator '{}' is {} in area {}{}",
                                 results.catalog().spec(bad->indicator).name,
                                 value_text(bad->value), areas.code(bad->area),
                                 labels.empty() ? "" : fmt::format(" ({})", labels)));
    }
    for (std::size_t a = 0; a < person_years.size(); ++a)
        if (!std::isfinite(person_years[a]))
            throw failed(fmt::format("the population at the end of the year is {} in area {}",
                                     value_text(person_years[a]), areas.code(a)));
}

}  // namespace socialtwin
