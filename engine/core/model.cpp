#include "engine/core/model.hpp"

#include "engine/core/observer.hpp"

namespace socialtwin {

std::string_view to_string(Phase phase) noexcept {
    switch (phase) {
        case Phase::ageing_and_survival:
            return "ageing_and_survival";
        case Phase::births:
            return "births";
        case Phase::household_positions:
            return "household_positions";
        case Phase::migration:
            return "migration";
        case Phase::alignment:
            return "alignment";
        case Phase::housing:
            return "housing";
        case Phase::care:
            return "care";
        case Phase::accounting:
            return "accounting";
        case Phase::accessibility:
            return "accessibility";
    }
    return "?";
}

RunDescription describe_run(const Scenario& scenario, const AreaTable& areas,
                            const IndicatorCatalog& catalog, int base_year, std::string core,
                            int replicates) {
    RunDescription run;
    run.scenario = &scenario;
    run.areas = &areas;
    run.catalog = &catalog;
    run.core = std::move(core);
    run.replicates = replicates;
    for (int y = base_year; y <= base_year + scenario.horizon; ++y) run.years.push_back(y);
    return run;
}

std::vector<double> positions_by_area(std::span<const double> persons, std::size_t n_areas) {
    std::vector<double> positions(n_areas * n_positions, 0.0);
    for (std::size_t a = 0; a < n_areas; ++a)
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age)
                for (int p = 0; p < n_positions; ++p)
                    positions[a * n_positions + static_cast<std::size_t>(p)] +=
                        persons[a * CohortCell::size +
                                static_cast<std::size_t>(CohortCell::offset(s, age, p))];
    return positions;
}

std::vector<double> positions_by_area(const AreaCells& persons) {
    std::vector<double> positions(persons.n_areas() * n_positions, 0.0);
    for (std::size_t a = 0; a < persons.n_areas(); ++a) {
        const auto cells = persons.cells(a);
        const auto counts = persons.persons(a);
        for (std::size_t i = 0; i < cells.size(); ++i)
            positions[a * n_positions +
                      static_cast<std::size_t>(CohortCell::position_of(cells[i]))] += counts[i];
    }
    return positions;
}

}  // namespace socialtwin
