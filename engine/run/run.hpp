#pragma once
// One run from files to files: scenario YAML + dataset folder -> projection -> HDF5 result.
// Used by the CLI, the tests and the Python bindings alike.

#include <atomic>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/observer.hpp"
#include "engine/core/scenario.hpp"
#include "engine/input/scenario_loader.hpp"

namespace socialtwin {

struct RunOptions {
    std::filesystem::path scenario;
    std::vector<ScenarioOverride> overrides;  // `--set`: applied to the scenario before checks
    std::filesystem::path output;             // HDF5 result; empty = no file
    std::optional<std::filesystem::path> data_dir;
    int threads = 0;                          // 0 = all cores
    const std::atomic<bool>* stop = nullptr;  // set to stop between two years (Ctrl-C)
    std::optional<CoreKind> core;             // overrides the scenario's `core`
    std::optional<int> replicates;            // overrides the scenario's `replicates`
    std::filesystem::path start_population;   // agent core: start from these saved persons
    std::vector<Observer*> extra_observers;   // e.g. a console summary
    bool aggregates = true;  // write /aggregates into the result (run --no-aggregates: false)
};

struct RunReport {
    std::string scenario_name;
    std::string core;  // "cohort" or "agent"
    int replicates = 1;
    std::string dataset;
    std::size_t areas = 0;
    RunSummary summary;
};

// How a run's result stores its values (scenario keys output.precision,
// output.significant_digits, output.replicates_per_area and output.breakdowns_per_area,
// docs/output-schema.md): what the result
// file holds, and what the Python package hands back in memory.
struct StoredValues {
    bool float32 = false;      // float32, not float64
    int significant_bits = 0;  // mantissa bits kept (BitRound); 0 = every bit
    // With several replicates, every replicate of every area too (output.replicates_per_area:
    // all), not only the mean and percentiles per area.
    bool area_replicates = false;
    // Every indicator per area (output.breakdowns_per_area: all); false keeps the breakdowns
    // (dims after area) only per larger area, in /aggregates.
    bool area_breakdowns = true;
};
StoredValues stored_values(const Scenario& scenario);

// Loads and checks everything before the first year runs; throws InputError for bad input.
RunReport run_scenario(const RunOptions& options);

// Synthesises the agent core's start population of a scenario (its dataset and seed) and
// saves it for `run` with RunOptions::start_population. Returns the number of persons.
std::size_t synthesise_start_population(const std::filesystem::path& scenario,
                                        const std::optional<std::filesystem::path>& data_dir,
                                        const std::filesystem::path& output,
                                        std::span<const ScenarioOverride> overrides = {});

// The checks of run_scenario without running: the scenario file, its dataset, and the
// scenario against the dataset (areas, years). Throws InputError with every problem found.
void check_scenario(const std::filesystem::path& scenario,
                    const std::optional<std::filesystem::path>& data_dir,
                    std::span<const ScenarioOverride> overrides = {});

}  // namespace socialtwin
