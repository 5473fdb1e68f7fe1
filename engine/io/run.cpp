#include "engine/io/run.hpp"

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/io/dataset.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "engine/io/scenario_loader.hpp"
#include "engine/io/start_population.hpp"
#include "engine/io/version.hpp"
#include "models/registry.hpp"

namespace socialtwin {

namespace {
struct Prepared {
    Scenario scenario;
    Dataset dataset;
};

Prepared prepare(const std::filesystem::path& scenario_path,
                 const std::optional<std::filesystem::path>& data_dir) {
    Scenario scenario = load_scenario(scenario_path);
    const auto dataset_dir = find_dataset(scenario.dataset, scenario_path.parent_path(), data_dir);
    if (!std::filesystem::exists(dataset_dir / "dataset.yaml")) {
        throw InputError(problem_at(where_in(scenario.source_path, 0, 0, "dataset"),
                                    "no dataset '" + scenario.dataset + "' (looked for " +
                                        (dataset_dir / "dataset.yaml").string() + ")",
                                    "see data/README.md for the shipped datasets"));
    }
    Dataset dataset = load_dataset(dataset_dir);
    bind_scenario_to_dataset(scenario, dataset);
    return {std::move(scenario), std::move(dataset)};
}
}  // namespace

std::size_t synthesise_start_population(const std::filesystem::path& scenario_path,
                                        const std::optional<std::filesystem::path>& data_dir,
                                        const std::filesystem::path& output) {
    const auto [scenario, dataset] = prepare(scenario_path, data_dir);
    const AgentPopulation persons =
        start_population(dataset.base, dataset.areas.size(), scenario.seed);
    save_start_population(output, persons, dataset.areas,
                          {dataset.name, dataset.base.year, scenario.seed});
    return persons.size();
}

void check_scenario(const std::filesystem::path& scenario,
                    const std::optional<std::filesystem::path>& data_dir) {
    prepare(scenario, data_dir);
}

RunReport run_scenario(const RunOptions& options) {
    auto [scenario, dataset] = prepare(options.scenario, options.data_dir);

    if (options.core) scenario.core = *options.core;
    if (options.replicates) scenario.replicates = *options.replicates;

    std::map<std::string, std::string> metadata = dataset.metadata;
    metadata["engine_version"] = std::string(engine_version());
    metadata["git_commit"] = std::string(engine_git_commit());

    std::vector<Observer*> observers = options.extra_observers;
    std::optional<Hdf5Writer> writer;
    if (!options.output.empty()) {
        writer.emplace(options.output, Hdf5WriterOptions{.aggregates = options.aggregates});
        observers.insert(observers.begin(), &*writer);
    }
    RunReport report{scenario.name, "", 1, dataset.name, dataset.areas.size(), {}};
    if (scenario.core == CoreKind::agent) {
        report.core = "agent";
        report.replicates = scenario.replicates;
        std::optional<AgentPopulation> saved;
        if (!options.start_population.empty()) {
            saved = load_start_population(options.start_population, dataset.areas,
                                          {dataset.name, dataset.base.year, scenario.seed});
            metadata["start_population"] = options.start_population.string();
        }
        AgentProjection projection(scenario, dataset.areas, dataset.base,
                                   create_models(dataset.rates),
                                   {.threads = options.threads,
                                    .replicates = scenario.replicates,
                                    .stop = options.stop,
                                    .start_population = saved ? &*saved : nullptr});
        report.summary = projection.run(observers, metadata);
    } else {
        report.core = "cohort";
        CohortProjection projection(scenario, dataset.areas, dataset.base,
                                    create_models(dataset.rates),
                                    {.threads = options.threads, .stop = options.stop});
        report.summary = projection.run(observers, metadata);
    }
    return report;
}

}  // namespace socialtwin
