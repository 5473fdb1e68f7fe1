// Questions these benchmarks answer (answers in docs/performance.md):
//  1. What does one projected year cost per area on the real default dataset (1,816 PC6
//     areas of Den Haag Zuid-West, all models), on 1 and on 2 threads?
//  2. Does the cost per area-year stay flat when the number of areas grows (PC6 scale: the
//     default areas repeated 8 and 32 times: 14,528 and 58,112 areas)?
// Counters: area_years/s and person_years/s (expected persons, cohort core).

#include <benchmark/benchmark.h>

#include "engine/core/cohort_projection.hpp"
#include "engine/input/dataset.hpp"
#include "models/registry.hpp"

namespace socialtwin {
namespace {

const Dataset& default_dataset() {
    static const Dataset d = load_dataset(std::filesystem::path(SOCIALTWIN_SOURCE_DIR) /
                                          "data/datasets/denhaag-zuidwest-2019");
    return d;
}

// The default dataset's areas repeated `copies` times: codes made unique, and the codes of the
// larger areas too (each copy its own buurten and gemeente, so its own housing market), with the
// areas' quantities (e.g. the Wmo client factor) as the dataset has them.
struct Scaled {
    AreaTable areas;
    BasePopulation base;
};
Scaled scaled(int copies) {
    const Dataset& d = default_dataset();
    auto repeated = [&](const std::vector<std::string>& values) {
        std::vector<std::string> out;
        for (int c = 0; c < copies; ++c)
            for (const auto& value : values) out.push_back(value + "#" + std::to_string(c));
        return out;
    };
    Scaled s;
    s.base.year = d.base.year;
    const std::vector<double> one_copy = d.base.persons.dense();
    std::vector<double> persons;
    for (int c = 0; c < copies; ++c) {
        persons.insert(persons.end(), one_copy.begin(), one_copy.end());
        s.base.dwellings.insert(s.base.dwellings.end(), d.base.dwellings.begin(),
                                d.base.dwellings.end());
    }
    s.base.persons = AreaCells::from_dense(persons);
    s.areas = AreaTable(d.areas.level(), repeated(d.areas.codes()));
    for (const AreaAttribute& attribute : d.areas.attributes())
        s.areas.add_attribute({attribute.name, repeated(attribute.values)});
    for (const AreaQuantity& quantity : d.areas.quantities()) {
        AreaQuantity q{quantity.name, {}};
        for (int c = 0; c < copies; ++c)
            q.values.insert(q.values.end(), quantity.values.begin(), quantity.values.end());
        s.areas.add_quantity(std::move(q));
    }
    return s;
}

void project(benchmark::State& state, int copies, int threads) {
    const Dataset& d = default_dataset();
    const Scaled s = scaled(copies);
    Scenario scenario;
    scenario.name = "bench";
    scenario.base_year = d.base.year;
    scenario.horizon = 10;
    double person_years = 0;
    for (auto _ : state) {
        CohortProjection projection(scenario, s.areas, s.base, create_models(d.rates),
                                    {.threads = threads});
        const RunSummary summary = projection.run({});
        person_years += summary.person_years;
    }
    const double area_years = static_cast<double>(state.iterations()) *
                              static_cast<double>(s.areas.size()) * (scenario.horizon + 1);
    state.counters["area_years/s"] = benchmark::Counter(area_years, benchmark::Counter::kIsRate);
    state.counters["person_years/s"] =
        benchmark::Counter(person_years, benchmark::Counter::kIsRate);
    state.counters["areas"] = static_cast<double>(s.areas.size());
}

void BM_CohortYear_DefaultDataset(benchmark::State& state) {
    project(state, 1, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_CohortYear_DefaultDataset)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_CohortYear_Scaled(benchmark::State& state) {
    project(state, static_cast<int>(state.range(0)), 2);
}
BENCHMARK(BM_CohortYear_Scaled)
    ->Arg(8)
    ->Arg(32)
    ->ArgName("copies")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace socialtwin
