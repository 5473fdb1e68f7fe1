#pragma once
// One area and one year of a single model, on hand-made populations: the fixture of the model
// unit tests. Fill `start` (1 January) and `next` (as the earlier phases left it), run a model,
// read its flows and indicators.

#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "engine/core/model.hpp"
#include "support/synthetic.hpp"

namespace socialtwin::testing {

struct OneArea {
    RateSet rates = synthetic_rates();
    Scenario scenario = synthetic_scenario();
    AreaTable areas = synthetic_areas(1);  // area "A0"
    IndicatorCatalog catalog;
    std::vector<double> start = std::vector<double>(CohortCell::size, 0.0);
    std::vector<double> next = std::vector<double>(CohortCell::size, 0.0);
    std::vector<double> base_dwellings = {100.0};
    std::vector<double> base_positions;
    AreaCells base_cells;
    double births = 0, deaths = 0, in = 0, out = 0;
    double dwellings_start = 100, dwellings_next = 100;
    // The cells the core lists as occupied (AreaStep::occupied); empty: every cell.
    std::vector<std::uint16_t> occupied;

    // Declares the model's indicators, runs begin_run, begin_year and apply for `year` (and,
    // for a model that settles across areas, settle and complete: this area is the market).
    template <class M>
    YearResults run(M& model, int year = 2020) {
        model.configure(scenario);
        model.declare_indicators(catalog);
        base_positions = positions_by_area(start, 1);
        RunContext context{&scenario, &areas, 2019, 2049, base_positions, base_dwellings};
        base_cells = AreaCells::from_dense(start);  // the base population is 1 January's
        context.base_cells = &base_cells;
        model.begin_run(context);
        model.begin_year(year);
        YearResults results(catalog, 1);
        AreaStep step{0,  year, start,           next,           births, deaths,
                      in, out,  dwellings_start, dwellings_next, results};
        if (!occupied.empty()) step.occupied = occupied;
        model.apply(step);
        if (model.settles_across_areas()) {
            model.settle();
            model.complete(step);
        }
        return results;
    }
    // The same for several models that run in one phase (e.g. the parts of migration, made
    // together by the registry), as the core runs them: every model's apply() in order, then
    // settle() and complete() of those that settle across areas.
    YearResults run(std::span<const std::unique_ptr<Model>> models, int year = 2020) {
        base_positions = positions_by_area(start, 1);
        for (const auto& model : models) {
            model->configure(scenario);
            model->declare_indicators(catalog);
        }
        RunContext context{&scenario, &areas, 2019, 2049, base_positions, base_dwellings};
        base_cells = AreaCells::from_dense(start);
        context.base_cells = &base_cells;
        for (const auto& model : models) model->begin_run(context);
        for (const auto& model : models) model->begin_year(year);
        YearResults results(catalog, 1);
        AreaStep step{0,  year, start,           next,           births, deaths,
                      in, out,  dwellings_start, dwellings_next, results};
        if (!occupied.empty()) step.occupied = occupied;
        for (const auto& model : models) model->apply(step);
        for (const auto& model : models)
            if (model->settles_across_areas()) model->settle();
        for (const auto& model : models)
            if (model->settles_across_areas()) model->complete(step);
        return results;
    }
    double value(const YearResults& results, const std::string& indicator) const {
        return results.area_values(catalog.id(indicator), 0)[0];
    }
    static std::size_t cell(int sex, int age, Position position) {
        return static_cast<std::size_t>(CohortCell::offset(sex, age, index(position)));
    }
    static double total(const std::vector<double>& persons) {
        return std::accumulate(persons.begin(), persons.end(), 0.0);
    }
};

}  // namespace socialtwin::testing
