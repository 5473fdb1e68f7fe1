// Questions these benchmarks answer (answers in docs/performance.md):
//  1. What does a person-year cost in the agent core on the real default dataset (84,880
//     persons in 1,816 PC6 areas, all models), on 1 and on 2 threads?
//  2. The same on the national dataset (17.5 million persons in 4,054 PC4 areas): is the cost
//     per person-year independent of the population size?
//  3. And on a SYNTHETIC PC6-scale country (the national persons spread over ~450,000 made-up
//     areas, bench/synthetic_country.hpp): what does the number of areas cost?
//  4. At PC6 density, 1 M SYNTHETIC persons in ~33,700 made-up areas of ~30 (issue 13's yardstick
//     against LIAM2; bench/pc6_density_dataset.py, made into build/bench-data by
//     bench/whole_run.sh): person-years per CPU-second on 1 and 2 threads, and the scaling.
// Counters: person_years/s (simulated persons x years per wall second) and, where given,
// person_years/cpu_s (per CPU-second of the whole process, all threads).

#include <benchmark/benchmark.h>

#include <ctime>
#include <filesystem>

#include "engine/core/agent_projection.hpp"
#include "engine/input/dataset.hpp"
#include "models/registry.hpp"
#include "synthetic_country.hpp"

namespace socialtwin {
namespace {

const Dataset& dataset(const char* name) {
    static std::map<std::string, Dataset> loaded;
    auto it = loaded.find(name);
    if (it == loaded.end())
        it = loaded
                 .emplace(name, load_dataset(std::filesystem::path(SOCIALTWIN_SOURCE_DIR) /
                                             "data/datasets" / name))
                 .first;
    return it->second;
}

void project(benchmark::State& state, const char* name, int horizon) {
    const Dataset& d = dataset(name);
    Scenario scenario;
    scenario.name = "bench";
    scenario.base_year = d.base.year;
    scenario.horizon = horizon;
    double person_years = 0;
    for (auto _ : state) {
        AgentProjection projection(scenario, d.areas, d.base, create_models(d.rates),
                                   {.threads = static_cast<int>(state.range(0))});
        person_years += projection.run({}).person_years;
    }
    state.counters["person_years/s"] =
        benchmark::Counter(person_years, benchmark::Counter::kIsRate);
}

void BM_AgentYears_DefaultDataset(benchmark::State& state) {
    project(state, "denhaag-zuidwest-2019", 10);
}
BENCHMARK(BM_AgentYears_DefaultDataset)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_AgentYears_National(benchmark::State& state) { project(state, "nl-pc4-2021", 5); }
BENCHMARK(BM_AgentYears_National)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_AgentYears_SyntheticPC6Country(benchmark::State& state) {
    const Dataset& d = dataset("nl-pc4-2021");
    const SyntheticCountry country = synthetic_pc6_country(d, 111, 1);
    Scenario scenario;
    scenario.name = "bench";
    scenario.base_year = d.base.year;
    scenario.horizon = 5;
    double person_years = 0;
    for (auto _ : state) {
        AgentProjection projection(
            scenario, country.areas, country.base, create_models(d.rates),
            {.threads = static_cast<int>(state.range(0)), .start_population = &country.persons});
        person_years += projection.run({}).person_years;
    }
    state.counters["person_years/s"] =
        benchmark::Counter(person_years, benchmark::Counter::kIsRate);
    state.counters["areas"] = static_cast<double>(country.areas.size());
    state.counters["persons"] = static_cast<double>(country.persons.size());
}
BENCHMARK(BM_AgentYears_SyntheticPC6Country)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_AgentYears_PC6Density(benchmark::State& state) {
    const auto dir = std::filesystem::path(SOCIALTWIN_SOURCE_DIR) /
                     "build/bench-data/datasets/synthetic-pc6-density-1m";
    if (!std::filesystem::exists(dir / "dataset.yaml")) {
        state.SkipWithError(
            "no SYNTHETIC PC6-density dataset: make it with "
            "bench/pc6_density_dataset.py build/bench-data");
        return;
    }
    static const Dataset d = load_dataset(dir);
    Scenario scenario;
    scenario.name = "bench";
    scenario.base_year = d.base.year;
    scenario.horizon = 5;
    double person_years = 0;
    std::clock_t cpu = 0;
    for (auto _ : state) {
        const std::clock_t start = std::clock();
        AgentProjection projection(scenario, d.areas, d.base, create_models(d.rates),
                                   {.threads = static_cast<int>(state.range(0))});
        person_years += projection.run({}).person_years;
        cpu += std::clock() - start;
    }
    state.counters["person_years/s"] =
        benchmark::Counter(person_years, benchmark::Counter::kIsRate);
    state.counters["person_years/cpu_s"] =
        person_years / (static_cast<double>(cpu) / CLOCKS_PER_SEC);
    state.counters["areas"] = static_cast<double>(d.areas.size());
}
BENCHMARK(BM_AgentYears_PC6Density)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

}  // namespace
}  // namespace socialtwin

BENCHMARK_MAIN();
