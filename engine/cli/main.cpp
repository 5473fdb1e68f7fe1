// socialtwin: the command line. All work happens in engine/run, engine/results and below; this
// file only parses arguments (one add_<command> and one <command>_command function per command),
// reports, and maps failures to exit codes (0 ok, 2 bad input, 1 bug/other, 130 / 143
// interrupted by SIGINT / SIGTERM: engine/formats/output_file.hpp).

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/cli/command_line.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/errors.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/input/dataset.hpp"
#include "engine/input/dataset_listing.hpp"
#include "engine/input/scenario_loader.hpp"
#include "engine/input/scenario_schema.hpp"
#include "engine/output/console_progress.hpp"
#include "engine/output/console_summary.hpp"
#include "engine/results/aggregate_file.hpp"
#include "engine/results/backtest.hpp"
#include "engine/results/compare.hpp"
#include "engine/results/monitor.hpp"
#include "engine/results/publish.hpp"
#include "engine/results/report.hpp"
#include "engine/results/result_info.hpp"
#include "engine/results/spreadsheet_export.hpp"
#include "engine/run/indicator_reference.hpp"
#include "engine/run/run.hpp"
#include "engine/sweep/sweep_merge.hpp"
#include "engine/sweep/sweep_mpi.hpp"
#include "engine/sweep/sweep_plan.hpp"
#include "engine/sweep/sweep_run.hpp"

namespace fs = std::filesystem;
using namespace socialtwin;

namespace {

constexpr int exit_bad_input = 2;
constexpr int exit_interrupted = 130;  // the shell's code for Ctrl-C

// Bounds of the command line's numbers. More threads than this is a typo, not a machine (run.cpp
// also clamps to the cores there are); the replicates' bound is the scenario key's, read from
// the schema so that the file and the command line can never disagree.
constexpr std::int64_t max_threads = 1024;
std::int64_t max_replicates() {
    return static_cast<std::int64_t>(find_schema_key("replicates")->max.value);
}

// `--set KEY=VALUE`, repeatable, on every command that reads a scenario.
constexpr const char* set_help =
    "Set a scenario key, e.g. --set rates.fertility.factor=0.9 --set horizon=10; VALUE is YAML "
    "(flow lists and mappings work), checked like the file. Repeatable; applied in order";

std::vector<ScenarioOverride> parse_overrides(const std::vector<std::string>& arguments) {
    std::vector<ScenarioOverride> overrides;
    std::vector<InputProblem> problems;
    for (const std::string& argument : arguments) try {
            overrides.push_back(parse_override(argument));
        } catch (const InputError& e) {
            problems.insert(problems.end(), e.problems().begin(), e.problems().end());
        }
    if (!problems.empty()) throw InputError(std::move(problems));
    return overrides;
}

void report_input_error(const InputError& e) {
    for (const auto& p : e.problems()) std::cerr << "error: " << format(p) << '\n';
    std::cerr << fmt::format("{} problem{} found; nothing was run or written.\n",
                             e.problems().size(), e.problems().size() == 1 ? "" : "s");
}

// ---- run, synthesise, validate, schema ----------------------------------------------------

// What the command line gives `run`, `synthesise` and `validate`.
struct RunArguments {
    RunOptions options;
    std::string data_dir, core;
    int replicates = 0;
    bool quiet = false, no_aggregates = false;
    std::string scenario, output;   // of synthesise and validate
    std::vector<std::string> sets;  // --set KEY=VALUE

    // The options as run_scenario takes them: the command line's overrides applied.
    RunOptions resolved() const {
        RunOptions resolved_options = options;
        resolved_options.overrides = parse_overrides(sets);
        if (!data_dir.empty()) resolved_options.data_dir = data_dir;
        if (!core.empty()) resolved_options.core = core_names.from_string(core);
        if (replicates > 0) resolved_options.replicates = replicates;
        resolved_options.aggregates = !no_aggregates;
        return resolved_options;
    }
};

CLI::App* add_run(CLI::App& app, RunArguments& args) {
    auto* run = app.add_subcommand("run", "Run a scenario and write its HDF5 result.");
    run->add_option("scenario", args.options.scenario, "Scenario YAML file")->required();
    run->add_option("--set", args.sets, set_help)->allow_extra_args(false);
    run->add_option("-o,--output", args.options.output,
                    "HDF5 result file (default: out/<scenario>.h5)");
    run->add_option("--data-dir", args.data_dir,
                    "Folder holding datasets/ (default: $SOCIALTWIN_DATA or the built-in data)")
        ->check(cli::existing_folder());
    run->add_option("-t,--threads", args.options.threads,
                    "Worker threads (0 = all cores; results do not depend on it)")
        ->check(cli::whole_number(0, max_threads, "all cores"));
    run->add_flag("-q,--quiet", args.quiet, "Print no summary table");
    run->add_option("--core", args.core, "cohort or agent (overrides the scenario's `core`)")
        ->check(cli::one_of({core_names.all().begin(), core_names.all().end()}));
    run->add_option("--replicates", args.replicates,
                    "Replicates of the agent core (overrides the scenario's `replicates`)")
        ->check(cli::whole_number(1, max_replicates()));
    run->add_option("--start-population", args.options.start_population,
                    "Agent core: start from persons saved by `socialtwin synthesise`")
        ->check(cli::existing_file());
    run->add_flag("--no-aggregates", args.no_aggregates,
                  "Do not write /aggregates (the indicators summed to pc4, buurt, wijk, "
                  "gemeente); `socialtwin aggregate` adds them later (with several replicates "
                  "only their means, unless output.replicates_per_area is all)");
    return run;
}

int run_command(const RunArguments& args) {
    RunOptions options = args.resolved();
    if (options.output.empty())
        options.output = fs::path("out") / (options.scenario.stem().string() + ".h5");
    ConsoleSummary summary;
    options.extra_observers.push_back(&summary);
    // Only on a terminal: logs and pipes get what they always got.
    ConsoleProgress progress(stderr);
    if (::isatty(STDERR_FILENO) == 1) options.extra_observers.push_back(&progress);
    const RunReport report = run_scenario(options);
    if (!args.quiet) {
        std::cout << fmt::format(
            "socialtwin {}: scenario '{}' on dataset '{}' ({} areas), {} core{}\n\n",
            engine_version(), report.scenario_name, report.dataset, report.areas, report.core,
            report.replicates > 1 ? fmt::format(", {} replicates (means shown)", report.replicates)
                                  : "");
        summary.print(std::cout);
        std::cout << '\n';
    }
    for (const auto& t : report.summary.phase_timings)
        spdlog::info("phase {:<20} {:8.3f} s", t.phase, t.seconds);
    spdlog::info("{:.0f} person-years in {:.2f} s ({:.2f} million person-years/s)",
                 report.summary.person_years, report.summary.wall_seconds,
                 report.summary.person_years / report.summary.wall_seconds / 1e6);
    std::cout << "Result written to " << options.output.string() << '\n';
    return 0;
}

CLI::App* add_synthesise(CLI::App& app, RunArguments& args) {
    auto* synth = app.add_subcommand(
        "synthesise", "Synthesise and save the agent core's start population of a scenario.");
    synth->add_option("scenario", args.scenario, "Scenario YAML file")->required();
    synth->add_option("--set", args.sets, set_help)->allow_extra_args(false);
    synth->add_option("-o,--output", args.output, "HDF5 file to write")->required();
    synth->add_option("--data-dir", args.data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());
    return synth;
}

int synthesise_command(const RunArguments& args) {
    const RunOptions options = args.resolved();
    const std::size_t n = synthesise_start_population(args.scenario, options.data_dir, args.output,
                                                      options.overrides);
    std::cout << fmt::format("{} persons written to {}\n", n, args.output);
    return 0;
}

CLI::App* add_validate(CLI::App& app, RunArguments& args) {
    auto* validate = app.add_subcommand("validate", "Check a scenario file without running it.");
    validate->add_option("scenario", args.scenario, "Scenario YAML file")->required();
    validate->add_option("--set", args.sets, set_help)->allow_extra_args(false);
    validate->add_option("--data-dir", args.data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());
    return validate;
}

int validate_command(const RunArguments& args) {
    const RunOptions options = args.resolved();
    const auto problems = validate_scenario_file(args.scenario, options.overrides);
    if (!problems.empty()) {
        report_input_error(InputError(problems));
        return exit_bad_input;
    }
    check_scenario(args.scenario, options.data_dir, options.overrides);
    std::cout << args.scenario << ": valid\n";
    return 0;
}

// ---- commands on result files (engine/results) -------------------------------------------

struct AggregateArguments {
    std::string result, output;
    std::vector<std::string> levels;
    bool only = false;
};

CLI::App* add_aggregate(CLI::App& app, AggregateArguments& args) {
    auto* aggregate = app.add_subcommand(
        "aggregate",
        "(Re)compute a result's /aggregates: every indicator summed (measures: weighted mean) "
        "over the areas of each pc4, buurt, wijk and gemeente.");
    aggregate->add_option("result", args.result, "HDF5 result file")->required();
    aggregate
        ->add_option("--levels", args.levels,
                     "Area attributes to aggregate to, e.g. buurt,gemeente (default: pc4, "
                     "buurt, wijk, gemeente where present)")
        ->delimiter(',');
    aggregate->add_option("-o,--output", args.output,
                          "Write to this file instead of replacing the result");
    aggregate->add_flag("--only", args.only,
                        "Keep only the --levels given: drop the other levels already in "
                        "/aggregates (by default they stay, so adding a level loses none)");
    return aggregate;
}

int aggregate_command(const AggregateArguments& args) {
    const auto written = aggregate_result_file(
        args.result, {.levels = args.levels, .only_these_levels = args.only}, args.output);
    std::cout << fmt::format("{}: {}\n", args.output.empty() ? args.result : args.output,
                             written.empty()
                                 ? std::string("no level to aggregate to (no /aggregates)")
                                 : fmt::format("aggregates per {}", fmt::join(written, ", ")));
    return 0;
}

struct CompareArguments {
    std::string baseline, output;
    std::vector<std::string> scenarios;
    std::optional<double> discount_rate;
    std::vector<std::string> levels;
    bool markdown = false;
};

CLI::App* add_compare(CLI::App& app, CompareArguments& args) {
    auto* compare = app.add_subcommand(
        "compare",
        "Businesscase: SCENARIO.h5 minus BASELINE.h5 per area, aggregated and in total, with "
        "cumulative and discounted (NPV) cost differences. (A projection against observations "
        "is `socialtwin monitor`.)");
    compare->add_option("baseline", args.baseline, "Baseline result")->required();
    compare
        ->add_option("scenario", args.scenarios,
                     "Scenario result. Several scenario results print one table with a column "
                     "per scenario (no -o).")
        ->required();
    compare->add_option("-o,--output", args.output,
                        "HDF5 difference file to write (DIFF.h5); without it only the table is "
                        "printed");
    compare
        ->add_option(
            "--discount-rate", args.discount_rate,
            fmt::format("Discount rate for the net present value, a real fraction a year. Default: "
                        "the scenario file's /meta discount_rate (scenario key "
                        "businesscase.discount_rate), else {} = {}",
                        default_discount_rate, default_discount_rate_source))
        ->check(cli::decimal_number("0.0225 for 2.25% a year"));
    compare
        ->add_option("--levels", args.levels,
                     "Area attributes to aggregate to (default: pc4, buurt, wijk, gemeente "
                     "where present)")
        ->delimiter(',');
    compare->add_flag("--markdown", args.markdown, "Print the summary as a Markdown table");
    return compare;
}

// `compare` once also set a projection against observations; that is `monitor` now, and an old
// command must fail with the new one named rather than read the observations as a result.
void refuse_observations(const CompareArguments& args) {
    std::vector<InputProblem> problems;
    for (const auto& scenario : args.scenarios)
        if (is_observation_path(scenario))
            problems.push_back(problem_at(
                where_in(scenario),
                "observations, not a result: `socialtwin compare` compares results",
                fmt::format("to set a projection against observations, run `socialtwin monitor "
                            "{} {}`",
                            args.baseline, scenario)));
    if (!problems.empty()) throw InputError(std::move(problems));
}

int compare_command(const CompareArguments& args) {
    refuse_observations(args);
    if (args.scenarios.size() > 1) {
        if (!args.output.empty())
            throw InputError(
                {problem_at(where_in("", 0, 0, "-o"),
                            "-o writes the difference file of one scenario; give one scenario "
                            "result, or leave -o out to print the table of several")});
        std::vector<CompareReport> reports;
        for (const auto& scenario : args.scenarios)
            reports.push_back(compare_results({.baseline = args.baseline,
                                               .scenario = scenario,
                                               .output = {},
                                               .discount_rate = args.discount_rate,
                                               .levels = args.levels}));
        print_scenario_table(reports, std::cout, args.markdown);
        return 0;
    }
    const auto report = compare_results({.baseline = args.baseline,
                                         .scenario = args.scenarios.front(),
                                         .output = args.output,
                                         .discount_rate = args.discount_rate,
                                         .levels = args.levels});
    print_comparison(report, std::cout, args.markdown);
    if (!args.output.empty()) std::cout << "\nWritten to " << args.output << '\n';
    return 0;
}

struct MonitorArguments {
    std::string projection, observation, output, level;
    bool markdown = false;
};

CLI::App* add_monitor(CLI::App& app, MonitorArguments& args) {
    auto* monitor = app.add_subcommand(
        "monitor",
        "Monitoring: a projection against observed values (an observation folder with "
        "observation.yaml + observed.csv, or an observed .csv), aggregated to the "
        "observation's level.");
    monitor->add_option("result", args.projection, "The projection: a result of `socialtwin run`")
        ->required();
    monitor
        ->add_option("observations", args.observation,
                     "Observation folder (observation.yaml + observed.csv) or observed .csv")
        ->required();
    monitor->add_option("-o,--output", args.output,
                        "HDF5 monitoring file to write (MONITOR.h5); without it only the table "
                        "is printed");
    monitor->add_option("--level", args.level,
                        "The area attribute the observation's codes are at (overrides "
                        "observation.yaml's level)");
    monitor->add_flag("--markdown", args.markdown, "Print the summary as a Markdown table");
    return monitor;
}

int monitor_command(const MonitorArguments& args) {
    const auto report = monitor_projection({.projection = args.projection,
                                            .observation = args.observation,
                                            .output = args.output,
                                            .level = args.level});
    print_monitoring(report, std::cout, args.markdown);
    if (!args.output.empty()) std::cout << "\nWritten to " << args.output << '\n';
    return 0;
}

struct BacktestArguments {
    std::string observation, dataset, scenario, core = "cohort", output, level, data_dir;
    std::vector<std::string> sets;
    int threads = 0;
    bool markdown = false;
};

CLI::App* add_backtest(CLI::App& app, BacktestArguments& args) {
    auto* backtest = app.add_subcommand(
        "backtest",
        "Project from the dataset's base year to the last observed year and set the projection "
        "against every later observed value, next to two naive forecasts (no change, last "
        "observed trend): an error table (-o CSV) and its summary.");
    backtest
        ->add_option("observations", args.observation,
                     "Observation folder (observation.yaml + observed.csv) or observed .csv")
        ->required();
    backtest->add_option("--dataset", args.dataset,
                         "Dataset to project (default: the observation's `dataset`)");
    backtest
        ->add_option("--scenario", args.scenario,
                     "Scenario to project instead of the dataset's baseline (its horizon is "
                     "set to reach the last observed year)")
        ->check(cli::existing_file());
    backtest->add_option("--set", args.sets, set_help)->allow_extra_args(false);
    backtest->add_option("--core", args.core, "cohort (default) or agent")
        ->check(cli::one_of({core_names.all().begin(), core_names.all().end()}));
    backtest->add_option("-o,--output", args.output,
                         "CSV error table to write: one row per observed value after the base "
                         "year");
    backtest->add_option("--level", args.level,
                         "The area attribute the observation's codes are at (overrides "
                         "observation.yaml's level)");
    backtest->add_option("--data-dir", args.data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());
    backtest
        ->add_option("-t,--threads", args.threads,
                     "Worker threads (0 = all cores; results do not depend on it)")
        ->check(cli::whole_number(0, max_threads, "all cores"));
    backtest->add_flag("--markdown", args.markdown, "Print the summary as Markdown tables");
    return backtest;
}

// A folder removed with everything in it when the command ends, however it ends.
struct TemporaryFolder {
    fs::path path;
    TemporaryFolder() {
        path = temporary_name_in(fs::temp_directory_path());
        fs::create_directories(path);
    }
    ~TemporaryFolder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
};

int backtest_command(const BacktestArguments& args) {
    const std::vector<ScenarioOverride> overrides = parse_overrides(args.sets);
    const BacktestPlan plan = plan_backtest(args.observation, args.level);
    const std::string dataset = args.dataset.empty() ? plan.dataset : args.dataset;
    if (dataset.empty() && args.scenario.empty())
        throw InputError({problem_at(where_in(args.observation, 0, 0, "dataset"),
                                     "the observation names no dataset: give --dataset NAME or "
                                     "--scenario FILE")});
    std::optional<fs::path> data_dir;
    if (!args.data_dir.empty()) data_dir = args.data_dir;
    const fs::path dataset_dir = fs::absolute(find_dataset(dataset, fs::current_path(), data_dir));
    const int base_year = dataset_base_year(dataset_dir);
    const int last_year = plan.years.empty() ? 0 : plan.years.back();
    if (last_year <= base_year)
        throw InputError({problem_at(
            where_in(args.observation, 0, 0, "year"),
            fmt::format("no observed year after the dataset's base year {} (observed: {}); a "
                        "backtest projects from the base year to a later observed year",
                        base_year, fmt::join(plan.years, ", ")))});

    // The projection in a temporary folder, removed afterwards: the scenario is the dataset's
    // baseline (or the given scenario), with the horizon that reaches the last observed year.
    TemporaryFolder folder;
    const fs::path scenario = folder.path / "backtest.yaml";
    {
        std::ofstream file(scenario);
        file << "name: backtest\n";
        if (!args.scenario.empty())
            file << fmt::format("extends: \"{}\"\n", fs::absolute(args.scenario).string());
        if (args.scenario.empty() || !args.dataset.empty())
            file << fmt::format("dataset: \"{}\"\n", dataset_dir.string());
        file << fmt::format("base_year: {}\nhorizon: {}\n", base_year, last_year - base_year);
    }
    RunOptions options;
    options.scenario = scenario;
    options.overrides = overrides;
    options.output = folder.path / "projection.h5";
    options.data_dir = data_dir;
    options.threads = args.threads;
    options.core = core_names.from_string(args.core);
    options.aggregates = false;
    // The run's own log would mix with the tables on standard output.
    spdlog::set_level(spdlog::level::warn);
    run_scenario(options);

    const auto report = backtest_projection({.projection = options.output,
                                             .observation = args.observation,
                                             .level = args.level,
                                             .dataset = dataset,
                                             .core = args.core});
    if (!args.output.empty()) write_backtest_csv(report, args.output);
    print_backtest(report, std::cout, args.markdown);
    if (!args.output.empty()) std::cout << "\nWritten to " << args.output << '\n';
    return 0;
}

struct ExportArguments {
    std::string result, output, disclosure, format, language = "nl";
    std::vector<std::string> levels;
    bool dutch = false;
};

CLI::App* add_export(CLI::App& app, ExportArguments& args) {
    auto* export_command = app.add_subcommand(
        "export",
        "Write a result as a copy for publication (HDF5, --disclosure cbs: areas with fewer than "
        "5 inhabitants suppressed, counts rounded to multiples of 5) or as spreadsheets (xlsx: "
        "a sheet per level and theme, units in the headers, a sheet of sources; csv: a file per "
        "level). The run's own file is left exact (docs/export.md).");
    export_command->add_option("result", args.result, "HDF5 result file")->required();
    export_command
        ->add_option("-o,--output", args.output,
                     "File to write: .h5/.nc, .xlsx or .csv (csv: the first level; "
                     "FILE_<level>.csv for each other)")
        ->required();
    export_command->add_option("--format", args.format,
                               "hdf5, xlsx or csv (default: from the output's extension)");
    export_command->add_option("--disclosure", args.disclosure,
                               "Disclosure control rule: cbs (required for hdf5; optional for "
                               "xlsx and csv, which then hold exactly the published values)");
    export_command->add_option("--lang", args.language,
                               "Sheet names and fixed labels: nl (default) or en");
    export_command
        ->add_option("--levels", args.levels,
                     "xlsx/csv: only these levels, e.g. buurt,gemeente (default: all in the file)")
        ->delimiter(',');
    export_command->add_flag("--dutch", args.dutch,
                             "csv for Excel with Dutch settings: ';' separator, decimal comma, "
                             "UTF-8 byte order mark");
    return export_command;
}

int export_command(const ExportArguments& args) {
    const ExportFormat format = export_format(args.format, args.output);
    const SheetLanguage language = sheet_language(args.language);
    if ((format != ExportFormat::csv && args.dutch) ||
        (format == ExportFormat::hdf5 && !args.levels.empty()))
        throw InputError(problem_at(where_in(args.dutch ? "--dutch" : "--levels"),
                                    args.dutch ? "applies to csv only" : "applies to xlsx and csv",
                                    "the HDF5 copy keeps every level"));
    if (format != ExportFormat::hdf5) {
        const auto report = export_spreadsheet({.source = args.result,
                                                .output = args.output,
                                                .format = format,
                                                .disclosure = args.disclosure,
                                                .language = language,
                                                .csv = args.dutch ? csv_dutch : csv_international,
                                                .levels = args.levels});
        std::cout << spreadsheet_summary(report, args.result) << '\n';
        return 0;
    }
    const auto report = publish_result(
        {.source = args.result, .output = args.output, .disclosure = args.disclosure});
    std::cout << fmt::format(
        "{} written from {} under disclosure control ({}): {} of {} area-years "
        "suppressed{}\n",
        args.output, args.result, report.rule.description, report.suppressed_area_years,
        report.area_years,
        report.levels.empty() ? std::string{}
                              : fmt::format("; aggregates per {}{}", fmt::join(report.levels, ", "),
                                            report.computed_aggregates ? " (computed)" : ""));
    return 0;
}

// ---- sweep (engine/sweep) -----------------------------------------------------------------

struct SweepArguments {
    std::string file, data_dir, output;
    int jobs = 0, threads = 0;
    std::optional<int> task_index, task_count;
    CLI::App *plan = nullptr, *run = nullptr, *status = nullptr, *merge = nullptr;
};

CLI::App* add_sweep(CLI::App& app, SweepArguments& args) {
    auto* sweep = app.add_subcommand(
        "sweep",
        "Run one scenario many times with keys varied (a sweep file: docs/sweeps.md): plan, run, "
        "status, merge.");
    sweep->require_subcommand(1);
    const auto file = [&](CLI::App* command) {
        command->add_option("sweep_file", args.file, "Sweep YAML file")
            ->required()
            ->check(cli::existing_file());
    };
    args.plan = sweep->add_subcommand("plan", "Print the sweep's fixed task list.");
    file(args.plan);
    args.run = sweep->add_subcommand(
        "run",
        "Run the tasks that are not done (done: a complete result of the task's resolved "
        "scenario), several at once; under `mpirun -n N` rank 0 hands them out to every rank "
        "(docs/sweeps.md).");
    file(args.run);
    args.run
        ->add_option("-j,--jobs", args.jobs,
                     "Tasks at once (0 = the cores divided by --threads); tasks x threads never "
                     "exceed the cores")
        ->check(cli::whole_number(0, max_threads, "as many as the cores allow"));
    args.run
        ->add_option("-t,--threads", args.threads,
                     "Threads of each task (0 = the cores shared over the jobs; 1 with neither "
                     "given)")
        ->check(cli::whole_number(0, max_threads, "shared"));
    args.run
        ->add_option("--task-index", args.task_index,
                     "Job array: run the share of slot I (0-based) of --task-count; default "
                     "$SLURM_ARRAY_TASK_ID minus $SLURM_ARRAY_TASK_MIN")
        ->check(cli::whole_number(0, 1000000));
    args.run
        ->add_option("--task-count", args.task_count,
                     "Job array: the number of slots; default $SLURM_ARRAY_TASK_COUNT")
        ->check(cli::whole_number(1, 1000000));
    args.run->add_option("--data-dir", args.data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());
    args.status =
        sweep->add_subcommand("status", "Which tasks are done, missing, stale or failed.");
    file(args.status);
    args.merge = sweep->add_subcommand(
        "merge",
        "Merge the tasks' results into one HDF5 file with a variant dimension (the varied keys "
        "as coordinates) and print a summary table (also written as CSV).");
    file(args.merge);
    args.merge->add_option("-o,--output", args.output,
                           "Merged HDF5 file (default: <output>/merged.h5 of the sweep file)");
    return sweep;
}

// A whole number from the environment, or nullopt when unset; bad input when not a number.
std::optional<int> environment_number(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    try {
        std::size_t used = 0;
        const int n = std::stoi(value, &used);
        if (used == std::strlen(value) && n >= 0) return n;
    } catch (const std::exception&) {
    }
    throw InputError(problem_at(where_in(fmt::format("${}", name)),
                                fmt::format("expected a whole number, got '{}'", value)));
}

// The job-array slot this process is: --task-index / --task-count, else Slurm's array variables
// (SLURM_ARRAY_TASK_ID counts from the array's lowest index, SLURM_ARRAY_TASK_MIN, which
// `--array=1-3` makes 1: the slot is the difference).
std::pair<std::size_t, std::size_t> array_slot(const SweepArguments& args) {
    std::optional<int> index = args.task_index, count = args.task_count;
    if (!index && !count) {
        const auto id = environment_number("SLURM_ARRAY_TASK_ID");
        const auto slurm_count = environment_number("SLURM_ARRAY_TASK_COUNT");
        if (id && slurm_count) {
            index = *id - environment_number("SLURM_ARRAY_TASK_MIN").value_or(0);
            count = slurm_count;
        }
    }
    if (!index && !count) return {0, 1};
    if (!index || !count)
        throw InputError(problem_at(where_in("", 0, 0, index ? "--task-count" : "--task-index"),
                                    "missing: --task-index and --task-count go together"));
    if (*index < 0 || *index >= *count)
        throw InputError(
            problem_at(where_in("", 0, 0, "--task-index"),
                       fmt::format("expected a slot from 0 to {} (--task-count {}), got {}",
                                   *count - 1, *count, *index)));
    return {static_cast<std::size_t>(*index), static_cast<std::size_t>(*count)};
}

int sweep_command(const SweepArguments& args) {
    const SweepPlan plan = plan_sweep(args.file);
    if (*args.plan) {
        std::cout << plan_table(plan);
        return 0;
    }
    if (*args.status) {
        std::cout << status_report(plan, sweep_status(plan));
        return 0;
    }
    if (*args.merge) {
        const SweepMergeReport report = merge_sweep(plan, args.output);
        std::cout << report.table
                  << fmt::format("\nMerged {} indicators into {}\nSummary in {}\n",
                                 report.indicators, report.output.string(),
                                 report.summary.string());
        return 0;
    }
    const auto [index, count] = array_slot(args);
    // Under mpirun (or srun) with several processes the MPI driver hands the tasks out; only
    // then is MPI initialised, never for a task or any other command. A launch whose size the
    // environment does not tell (PMIx under srun) is asked of MPI itself, where it is built.
    const std::optional<MpiLaunch> launch = mpi_launch(std::getenv);
    const bool over_mpi = launch && (launch->several() || (!launch->size && mpi_driver_built()));
    if (over_mpi) require_mpi_driver(*launch);
    // The dataset is checked once here, so a wrong dataset is bad input (exit 2), not every
    // task failing.
    std::optional<fs::path> data_dir;
    if (!args.data_dir.empty()) data_dir = args.data_dir;
    check_scenario(plan.base, data_dir);
    const auto share = array_share(plan.tasks.size(), index, count);
    const SweepRunOptions options{.executable = fs::read_symlink("/proc/self/exe"),
                                  .jobs = args.jobs,
                                  .threads = args.threads,
                                  .data_dir = data_dir,
                                  .progress = ::isatty(STDERR_FILENO) == 1};
    SweepRunReport report;
    std::string where = count > 1 ? fmt::format(" slot {} of {}", index, count) : "";
    if (over_mpi) {
        const MpiSweepReport mpi = run_sweep_over_mpi(plan, share, options);
        // Rank 0 alone reports, every failure included, and alone exits 1 for a failed task:
        // the launcher passes its code on. Another rank exiting 1 first would have mpirun end
        // the job before rank 0 has printed the report.
        if (!mpi.root) return 0;
        report = mpi.report;
        where += fmt::format(" over {} MPI processes", mpi.processes);
    } else
        report = run_sweep_tasks(plan, share, options);
    std::cout << fmt::format(
        "sweep '{}'{}: {} run, {} done before, {} failed (of {} tasks; {} at once, {} thread{} "
        "each{})\n",
        plan.name, where, report.ran, report.skipped, report.failed.size(), share.size(),
        report.jobs, report.threads, report.threads == 1 ? "" : "s", over_mpi ? " on rank 0" : "");
    return report.failed.empty() ? 0 : 1;
}

// ---- areas: what a dataset's scenario can name -----------------------------------------------

struct AreasArguments {
    std::string dataset;
    std::string level;
    bool facilities = false;
    bool csv = false;
    std::string data_dir;
};

CLI::App* add_areas(CLI::App& app, AreasArguments& args) {
    auto* areas = app.add_subcommand(
        "areas",
        "List a dataset's areas (at its own level or per pc4, buurt, wijk, gemeente) or its "
        "facilities, real or modelled: the codes a scenario's construction and facilities name.");
    areas->add_option("dataset", args.dataset, "Dataset name (data/datasets/NAME) or folder")
        ->required();
    areas->add_option("--level", args.level,
                      "pc4, buurt, wijk or gemeente (default: the dataset's own areas)");
    areas->add_flag("--facilities", args.facilities,
                    "List the facilities (GP practices ...) instead, each real or modelled");
    areas->add_flag("--csv", args.csv, "CSV instead of an aligned table");
    areas->add_option("--data-dir", args.data_dir,
                      "Folder holding datasets/ (default: $SOCIALTWIN_DATA, else the build's)");
    return areas;
}

int areas_command(const AreasArguments& args) {
    std::optional<fs::path> data_dir;
    if (!args.data_dir.empty()) data_dir = args.data_dir;
    const fs::path folder = find_dataset(args.dataset, fs::current_path(), data_dir);
    if (std::error_code ec; !fs::exists(folder / "dataset.yaml", ec))
        throw InputError(problem_at(
            where_in("", 0, 0, "dataset"),
            fmt::format("no dataset '{}': {} holds no dataset.yaml", args.dataset, folder.string()),
            "give a dataset name under the data folder's datasets/ (--data-dir) or a folder"));
    const Dataset dataset = load_dataset(folder);
    const Listing listing =
        args.facilities ? list_facilities(dataset) : list_areas(dataset, args.level);
    if (!args.csv) std::cout << dataset_overview(dataset) << "\n";
    std::cout << format_listing(listing, args.csv);
    return 0;
}

// `socialtwin report`: engine/results/report.hpp (docs/report.md).
struct ReportArguments {
    std::vector<std::string> results;
    std::string output, pdf, language = "nl", level, map_indicator = "population";
};

CLI::App* add_report(CLI::App& app, ReportArguments& args) {
    auto* report = app.add_subcommand(
        "report",
        "A self-contained HTML report for a council (Dutch by default): the scenarios against the "
        "baseline, pyramids, trajectories, a map and what was assumed; --pdf prints it to PDF "
        "with headless Chromium.");
    report->add_option("results", args.results, "BASE.h5 [SCENARIO.h5 ...]: the baseline first")
        ->required();
    report->add_option("-o,--output", args.output, "The HTML file to write (report.html)")
        ->required();
    report->add_option("--lang", args.language, "Language: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}));
    report->add_option("--pdf", args.pdf,
                       "Also print the report to this PDF (needs the Debian package chromium)");
    report->add_option("--level", args.level,
                       "Areas of the map and its table: buurt, wijk, pc4 (default: the first the "
                       "results have)");
    report->add_option("--map-indicator", args.map_indicator,
                       "The indicator whose change the map shows (default population)");
    return report;
}

int report_command(const ReportArguments& args) {
    ReportOptions options;
    options.results.assign(args.results.begin(), args.results.end());
    options.output = args.output;
    options.pdf = args.pdf;
    options.language = report_language(args.language).value_or(ReportLanguage::nl);
    options.level = args.level;
    options.map_indicator = args.map_indicator;
    const ReportSummary summary = write_report(options);
    std::cout << fmt::format("Report written to {} ({} charts)\n", summary.html.string(),
                             summary.charts);
    if (!summary.not_drawn.empty())
        std::cout << fmt::format("Not drawn, the results lack their indicators: {}\n",
                                 fmt::join(summary.not_drawn, "; "));
    if (!summary.pdf.empty()) std::cout << "PDF written to " << summary.pdf.string() << '\n';
    return 0;
}

CLI::App* add_info(CLI::App& app, std::string& path) {
    auto* info = app.add_subcommand(
        "info",
        "Describe a file socialtwin wrote: a result, a published result, a comparison, a "
        "monitoring file, a merged sweep or a start population.");
    info->add_option("file", path, "HDF5 file written by socialtwin")->required();
    return info;
}

// `schema` prints the scenario reference; with --indicators, the indicator table of
// docs/output-schema.md, both generated from what the core and the models declare.
CLI::App* add_schema(CLI::App& app, bool& indicators) {
    auto* schema = app.add_subcommand(
        "schema", "Print the scenario reference (Markdown) generated from the schema.");
    schema->add_flag("--indicators", indicators,
                     "Print instead the indicator table of docs/output-schema.md, generated "
                     "from the indicators the core and the models declare.");
    return schema;
}

// Runs `command`, mapping its failures to exit codes and messages.
int run_reporting_failures(const std::function<int()>& command) {
    try {
        return command();
    } catch (const Interrupted&) {
        std::cerr << "interrupted: nothing was written\n";
        return exit_interrupted;
    } catch (const InputError& e) {
        report_input_error(e);
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{
        "socialtwin: scenario projections of population, households, housing and care demand "
        "per area (PC6, PC4, buurt) for Dutch municipalities."};
    app.name("socialtwin");
    app.set_version_flag("--version", std::string(engine_version()));
    app.require_subcommand(1);

    RunArguments run_args;
    AggregateArguments aggregate_args;
    CompareArguments compare_args;
    MonitorArguments monitor_args;
    BacktestArguments backtest_args;
    ExportArguments export_args;
    ReportArguments report_args;
    SweepArguments sweep_args;
    AreasArguments areas_args;
    std::string info_path;
    bool schema_indicators = false;
    // Each command and what it does once its arguments are parsed, in the order of --help.
    const std::vector<std::pair<CLI::App*, std::function<int()>>> commands{
        {add_run(app, run_args), [&] { return run_command(run_args); }},
        {add_aggregate(app, aggregate_args), [&] { return aggregate_command(aggregate_args); }},
        {add_compare(app, compare_args), [&] { return compare_command(compare_args); }},
        {add_monitor(app, monitor_args), [&] { return monitor_command(monitor_args); }},
        {add_backtest(app, backtest_args), [&] { return backtest_command(backtest_args); }},
        {add_export(app, export_args), [&] { return export_command(export_args); }},
        {add_report(app, report_args), [&] { return report_command(report_args); }},
        {add_sweep(app, sweep_args), [&] { return sweep_command(sweep_args); }},
        {add_synthesise(app, run_args), [&] { return synthesise_command(run_args); }},
        {add_validate(app, run_args), [&] { return validate_command(run_args); }},
        {add_areas(app, areas_args), [&] { return areas_command(areas_args); }},
        {add_info(app, info_path),
         [&] {
             describe_result_file(info_path, std::cout);
             return 0;
         }},
        {add_schema(app, schema_indicators),
         [&] {
             std::cout << (schema_indicators ? indicator_reference_markdown()
                                             : scenario_reference_markdown());
             return 0;
         }},
    };

    // Usage errors are bad input like any other: exit 2 with what was expected (CLI11's own
    // exit codes and messages are not for users); --help and --version exit 0.
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
        return cli::report_usage_error(app, e, args, std::cerr);
    }
    spdlog::set_pattern("[%H:%M:%S.%e] %v");
    if (run_args.quiet) spdlog::set_level(spdlog::level::warn);
    for (const auto& [command, action] : commands)
        if (*command) return run_reporting_failures(action);
    return 0;
}

namespace {

// Standard output is checked at the end: `socialtwin schema > /dev/full`, or output to a closed
// descriptor, must not report success. A reader that went away (`socialtwin schema | head -1`):
// SIGPIPE keeps its default action, so the command ends quietly as other Unix tools do (the shell
// sees 141); where the parent ignored SIGPIPE the write fails with EPIPE instead, and the exit is
// a quiet 1, since the reader left on purpose and there is nothing to tell.
int check_standard_output(int code) {
    std::cout.flush();
    if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout) return code;
    // stdio drops the reason of a write that failed earlier; one more byte finds it (ENOSPC,
    // EBADF, EPIPE ...), and the output is broken already.
    const int reason = ::write(STDOUT_FILENO, "\n", 1) < 0 ? errno : 0;
    if (reason != EPIPE)
        std::cerr << "error: cannot write to standard output"
                  << (reason != 0 ? fmt::format(": {}", std::strerror(reason)) : std::string{})
                  << '\n';
    return code == 0 ? 1 : code;
}

// A descriptor 0, 1 or 2 closed by the caller (`socialtwin schema >&-`) would be reused by the
// first file opened, and the summary table would go into the result file. Hold each such number
// with /dev/null opened read-only: reading gives end of file, writing fails (EBADF) and is
// reported as a failed write.
void reserve_standard_descriptors() {
    for (int fd = 0; fd <= 2; ++fd)
        if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            const int held = ::open("/dev/null", O_RDONLY);
            if (held >= 0 && held != fd) {
                ::dup2(held, fd);
                ::close(held);
            }
        }
}

}  // namespace

int main(int argc, char** argv) {
    // First, before any thread starts: SIGINT and SIGTERM remove unfinished files and end every
    // command with 130 / 143 (engine/formats/output_file.hpp), and HDF5 must not crash at exit on a
    // file a failed write left open (engine/formats/hdf5.hpp).
    reserve_standard_descriptors();
    install_interrupt_handling();
    hdf5::skip_library_shutdown_at_exit();
    return check_standard_output(run_cli(argc, argv));
}
