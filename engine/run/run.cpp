#include "engine/run/run.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/facilities.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/version.hpp"
#include "engine/input/alignment_table.hpp"
#include "engine/input/dataset.hpp"
#include "engine/input/scenario_loader.hpp"
#include "engine/input/scenario_schema.hpp"
#include "engine/input/start_population.hpp"
#include "engine/output/bit_round.hpp"
#include "engine/output/hdf5_writer.hpp"
#include "engine/output/result_layout.hpp"
#include "models/care/care_settings.hpp"
#include "models/registry.hpp"

namespace socialtwin {

// The scenario keys output.precision, output.significant_digits, output.replicates_per_area and
// output.breakdowns_per_area, read from the resolved scenario text (after `extends` and --set),
// which the schema has already checked: no field of the core's Scenario holds how the result file
// is written. Digits become mantissa bits: ceil(digits x log2 10). Without output.precision an
// agent run stores float32: its values are draws, whose spread between replicates dwarfs float32's
// rounding (6e-8), and half the bytes is a sixth less CPU at PC6 density (docs/performance.md); the
// cohort core's expected values keep every digit. Without output.replicates_per_area an area keeps
// the mean and percentiles over replicates, not each replicate (three quarters of a 20-replicate
// file); without output.breakdowns_per_area it keeps every indicator.
StoredValues stored_values(const Scenario& scenario) {
    const StoredValues by_default{.float32 = scenario.core == CoreKind::agent};
    const YAML::Node doc = YAML::Load(scenario.source_text);
    if (!doc.IsMap() || !doc["output"] || !doc["output"].IsMap()) return by_default;
    const YAML::Node output = doc["output"];
    const YAML::Node precision = output["precision"], digits = output["significant_digits"],
                     per_area = output["replicates_per_area"],
                     breakdowns = output["breakdowns_per_area"];
    const int n = digits && digits.IsScalar() ? digits.as<int>() : 0;
    return {.float32 = precision && precision.IsScalar()
                           ? precision.Scalar() == result_layout::value_precisions[1]
                           : by_default.float32,
            .significant_bits = n > 0 ? bits_for_significant_digits(n) : 0,
            .area_replicates = per_area && per_area.IsScalar() &&
                               per_area.Scalar() == result_layout::replicates_per_area[1],
            .area_breakdowns = !(breakdowns && breakdowns.IsScalar() &&
                                 breakdowns.Scalar() == result_layout::breakdowns_per_area[1])};
}

namespace {

struct Prepared {
    Scenario scenario;
    Dataset dataset;
    std::vector<Facility> facilities;  // the dataset's with the scenario's changes
    std::filesystem::path dataset_dir;
};

// What a command reads, which its output must never replace (engine/formats/output_file.hpp).
std::vector<ProtectedInput> inputs_of(const std::filesystem::path& scenario_path,
                                      const Prepared& prepared,
                                      const std::filesystem::path& start_population = {}) {
    std::vector<ProtectedInput> inputs;
    bool first = true;
    for (const auto& file : scenario_files(scenario_path)) {
        inputs.push_back({file, first ? "the scenario" : "a file the scenario extends"});
        first = false;
    }
    inputs.push_back(
        {prepared.dataset_dir, fmt::format("a file of dataset '{}'", prepared.dataset.name)});
    for (const AlignmentTable& t : prepared.scenario.alignment)
        inputs.push_back({t.table, "an alignment table of the scenario"});
    if (!start_population.empty()) inputs.push_back({start_population, "the start population"});
    return inputs;
}

Prepared prepare(const std::filesystem::path& scenario_path,
                 const std::optional<std::filesystem::path>& data_dir,
                 std::span<const ScenarioOverride> overrides) {
    Scenario scenario = load_scenario(scenario_path, overrides);
    const auto dataset_dir = find_dataset(scenario.dataset, scenario_path.parent_path(), data_dir);
    if (!std::filesystem::exists(dataset_dir / "dataset.yaml")) {
        throw InputError(problem_at(where_in(scenario.source_path, 0, 0, "dataset"),
                                    "no dataset '" + scenario.dataset + "' (looked for " +
                                        (dataset_dir / "dataset.yaml").string() + ")",
                                    "see data/README.md for the shipped datasets"));
    }
    Dataset dataset = load_dataset(dataset_dir);
    bind_scenario_to_dataset(scenario, dataset);
    read_alignment_tables(scenario, dataset.areas);
    std::vector<Facility> facilities =
        facilities_in_scenario(dataset.facilities, scenario, dataset.areas);
    return {std::move(scenario), std::move(dataset), std::move(facilities), dataset_dir};
}
// The run's facilities as CSV text, for the result's metadata: which are observed, which
// modelled, which the scenario opened, closed or resized, and when.
std::string facilities_table(const std::vector<Facility>& facilities, const AreaTable& areas) {
    std::string text =
        "facility,type,area,capacity,capacity_units,status,open_year,close_year,"
        "capacity_changes,name\n";
    for (const Facility& f : facilities) {
        std::string changes;
        for (const auto& [year, capacity] : f.capacity_changes)
            changes += fmt::format("{}{}:{}", changes.empty() ? "" : " ", year, capacity);
        text += fmt::format("{},{},{},{},{},{},{},{},{},\"{}\"\n", f.id, f.type, areas.code(f.area),
                            f.capacity, f.capacity_units, f.status,
                            f.open_year ? fmt::format("{}", f.open_year) : "",
                            f.close_year ? fmt::format("{}", f.close_year) : "", changes, f.name);
    }
    return text;
}

// `run --replicates` stands for the scenario's `replicates:` and keeps to its bounds: a count
// far beyond them is a typo, and would allocate gigabytes before the first year.
void check_replicates_override(int replicates) {
    const SchemaKey& key = *find_schema_key("replicates");
    if (accepts_number(key, replicates)) return;
    throw InputError(
        problem_at(where_in("", 0, 0, "--replicates"),
                   fmt::format("expected {}, got {}", expected_value_text(key), replicates)));
}
}  // namespace

std::size_t synthesise_start_population(const std::filesystem::path& scenario_path,
                                        const std::optional<std::filesystem::path>& data_dir,
                                        const std::filesystem::path& output,
                                        std::span<const ScenarioOverride> overrides) {
    const Prepared prepared = prepare(scenario_path, data_dir, overrides);
    const auto& [scenario, dataset, facilities, dataset_dir] = prepared;
    // Checked before the synthesis, not after it.
    const auto inputs = inputs_of(scenario_path, prepared);
    check_output_target(output, inputs);
    const AgentPopulation persons =
        start_population(dataset.base, dataset.areas.size(), scenario.seed);
    save_start_population(output, persons, dataset.areas,
                          {dataset.name, dataset.base.year, scenario.seed}, inputs);
    return persons.size();
}

void check_scenario(const std::filesystem::path& scenario,
                    const std::optional<std::filesystem::path>& data_dir,
                    std::span<const ScenarioOverride> overrides) {
    prepare(scenario, data_dir, overrides);
}

namespace {
// The thread count a run uses: what was asked for, but never more than the machine has (the
// result is the same at any count; see engine/core/threads.hpp), and said so when it is less.
int thread_count(int requested) {
    if (requested < 0)
        throw InputError(problem_at(where_in("--threads"),
                                    fmt::format("is {}; expected 0 (all cores) or a number of "
                                                "threads",
                                                requested)));
    const int threads = worker_threads(requested);
    if (requested > threads)
        spdlog::info("--threads {}: this machine runs {} threads at once; using {}", requested,
                     available_threads(), threads);
    return threads;
}
}  // namespace

RunReport run_scenario(const RunOptions& options) {
    // Before anything is loaded: a bad command line needs no dataset to be found out.
    if (options.replicates) check_replicates_override(*options.replicates);
    const int threads = thread_count(options.threads);
    Prepared prepared = prepare(options.scenario, options.data_dir, options.overrides);
    auto& [scenario, dataset, facilities, dataset_dir] = prepared;

    if (options.core) scenario.core = *options.core;
    if (options.replicates) scenario.replicates = *options.replicates;

    std::map<std::string, std::string> metadata = dataset.metadata;
    metadata["engine_version"] = std::string(engine_version());
    metadata["git_commit"] = std::string(engine_git_commit());
    // What a sweep compares to tell a task's result from a stale one, and the overrides that
    // made the resolved scenario of /meta/scenario_yaml, one a line.
    metadata["scenario_hash"] = scenario_hash(scenario);
    std::string overrides;
    for (const ScenarioOverride& o : options.overrides) overrides += o.argument + "\n";
    metadata["overrides"] = overrides;
    // What `socialtwin compare` needs to price and discount differences.
    metadata["discount_rate"] = fmt::format("{}", scenario.discount_rate);
    metadata["price_year"] = std::to_string(dataset.rates.price_year);
    const CostSettings costs = cost_settings(scenario);
    metadata["prices"] = std::string(to_string(costs.prices));
    metadata["real_growth_per_year"] = fmt::format("{}", costs.real_growth_per_year);
    if (!facilities.empty()) metadata["facilities"] = facilities_table(facilities, dataset.areas);

    std::vector<Observer*> observers = options.extra_observers;
    std::optional<Hdf5Writer> writer;
    if (!options.output.empty()) {
        const StoredValues stored = stored_values(scenario);
        writer.emplace(options.output,
                       Hdf5WriterOptions{.aggregates = options.aggregates,
                                         .float32 = stored.float32,
                                         .significant_bits = stored.significant_bits,
                                         .area_replicates = stored.area_replicates,
                                         .area_breakdowns = stored.area_breakdowns,
                                         .inputs = inputs_of(options.scenario, prepared,
                                                             options.start_population),
                                         .threads = threads});
        observers.insert(observers.begin(), &*writer);
    }
    RunReport report{scenario.name, "", 1, dataset.name, dataset.areas.size(), {}};
    if (scenario.core == CoreKind::agent) {
        report.core = core_names(CoreKind::agent);
        report.replicates = scenario.replicates;
        std::optional<AgentPopulation> saved;
        if (!options.start_population.empty()) {
            saved = load_start_population(options.start_population, dataset.areas,
                                          {dataset.name, dataset.base.year, scenario.seed});
            metadata["start_population"] = options.start_population.string();
        }
        // The base population moves into the projection: nothing after needs it, and a copy
        // was the run's second one (8 MB at 1 M persons in PC6 areas).
        AgentProjection projection(scenario, dataset.areas, std::move(dataset.base),
                                   create_models({.rates = dataset.rates,
                                                  .facilities = facilities,
                                                  .baseline_stock = dataset.baseline_stock}),
                                   {.threads = threads,
                                    .replicates = scenario.replicates,
                                    .stop = options.stop,
                                    .start_population = saved ? &*saved : nullptr});
        report.summary = projection.run(observers, metadata);
    } else {
        report.core = core_names(CoreKind::cohort);
        CohortProjection projection(scenario, dataset.areas, std::move(dataset.base),
                                    create_models({.rates = dataset.rates,
                                                   .facilities = facilities,
                                                   .baseline_stock = dataset.baseline_stock}),
                                    {.threads = threads, .stop = options.stop});
        report.summary = projection.run(observers, metadata);
    }
    return report;
}

}  // namespace socialtwin
