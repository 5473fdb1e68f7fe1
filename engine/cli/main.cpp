// socialtwin: the command line. All work happens in engine/io and the core; this file only
// parses arguments, reports and maps failures to exit codes (0 ok, 2 bad input, 1 bug/other,
// 130 / 143 interrupted by SIGINT / SIGTERM: engine/formats/output_file.hpp).

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/cli/command_line.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/errors.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/results/compare.hpp"
#include "engine/output/console_summary.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/results/monitor.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/results/publish.hpp"
#include "engine/results/result_info.hpp"
#include "engine/run/run.hpp"
#include "engine/input/scenario_loader.hpp"
#include "engine/input/scenario_schema.hpp"
#include "engine/core/version.hpp"

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

void report_input_error(const InputError& e) {
    for (const auto& p : e.problems()) std::cerr << "error: " << format(p) << '\n';
    std::cerr << fmt::format("{} problem{} found; nothing was run or written.\n",
                             e.problems().size(), e.problems().size() == 1 ? "" : "s");
}

int run_command(const RunOptions& base, bool quiet) {
    RunOptions options = base;
    if (options.output.empty())
        options.output = fs::path("out") / (options.scenario.stem().string() + ".h5");
    ConsoleSummary summary;
    options.extra_observers.push_back(&summary);
    const RunReport report = run_scenario(options);
    if (!quiet) {
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

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{
        "socialtwin: scenario projections of population, households, housing and care demand "
        "per area (PC6, PC4, buurt) for Dutch municipalities."};
    app.name("socialtwin");
    app.set_version_flag("--version", std::string(engine_version()));
    app.require_subcommand(1);

    RunOptions run_options;
    std::string data_dir;
    bool quiet = false;
    auto* run = app.add_subcommand("run", "Run a scenario and write its HDF5 result.");
    run->add_option("scenario", run_options.scenario, "Scenario YAML file")->required();
    run->add_option("-o,--output", run_options.output,
                    "HDF5 result file (default: out/<scenario>.h5)");
    run->add_option("--data-dir", data_dir,
                    "Folder holding datasets/ (default: $SOCIALTWIN_DATA or the built-in data)")
        ->check(cli::existing_folder());
    run->add_option("-t,--threads", run_options.threads,
                    "Worker threads (0 = all cores; results do not depend on it)")
        ->check(cli::whole_number(0, max_threads, "all cores"));
    run->add_flag("-q,--quiet", quiet, "Print no summary table");
    std::string core;
    run->add_option("--core", core, "cohort or agent (overrides the scenario's `core`)")
        ->check(cli::one_of({core_names.all().begin(), core_names.all().end()}));
    int replicates = 0;
    run->add_option("--replicates", replicates,
                    "Replicates of the agent core (overrides the scenario's `replicates`)")
        ->check(cli::whole_number(1, max_replicates()));

    run->add_option("--start-population", run_options.start_population,
                    "Agent core: start from persons saved by `socialtwin synthesise`")
        ->check(cli::existing_file());
    bool no_aggregates = false;
    run->add_flag("--no-aggregates", no_aggregates,
                  "Do not write /aggregates (the indicators summed to pc4, buurt, wijk, "
                  "gemeente); `socialtwin aggregate` adds them later");

    // ---- businesscase, monitoring, publication (engine/io/aggregate, compare, monitor,
    // publish) ----
    std::string aggregate_path, aggregate_output;
    std::vector<std::string> levels;
    auto* aggregate = app.add_subcommand(
        "aggregate",
        "(Re)compute a result's /aggregates: every indicator summed (measures: weighted mean) "
        "over the areas of each pc4, buurt, wijk and gemeente.");
    aggregate->add_option("result", aggregate_path, "HDF5 result file")->required();
    aggregate
        ->add_option("--levels", levels,
                     "Area attributes to aggregate to, e.g. buurt,gemeente (default: pc4, "
                     "buurt, wijk, gemeente where present)")
        ->delimiter(',');
    aggregate->add_option("-o,--output", aggregate_output,
                          "Write to this file instead of replacing the result");
    bool only_levels = false;
    aggregate->add_flag("--only", only_levels,
                        "Keep only the --levels given: drop the other levels already in "
                        "/aggregates (by default they stay, so adding a level loses none)");

    std::string compare_first, compare_output, compare_level;
    std::vector<std::string> compare_others;
    std::optional<double> discount_rate;
    bool markdown = false;
    auto* compare = app.add_subcommand(
        "compare",
        "Businesscase: SCENARIO.h5 minus BASELINE.h5 per area, aggregated and in total, with "
        "cumulative and discounted (NPV) cost differences. Monitoring: with an observation "
        "folder (observation.yaml + observed.csv) or .csv as the second argument, the projection "
        "against the observed values.");
    compare->add_option("baseline", compare_first, "Baseline result, or the projection to monitor")
        ->required();
    compare
        ->add_option("scenario", compare_others,
                     "Scenario result, or an observation folder / observed .csv. Several "
                     "scenario results print one table with a column per scenario (no -o).")
        ->required();
    compare->add_option("-o,--output", compare_output,
                        "HDF5 file to write (DIFF.h5 or MONITOR.h5); without it only the table "
                        "is printed");
    compare
        ->add_option(
            "--discount-rate", discount_rate,
            fmt::format("Discount rate for the net present value, a real fraction a year. Default: "
                        "the scenario file's /meta discount_rate (scenario key "
                        "businesscase.discount_rate), else {} = {}",
                        default_discount_rate, default_discount_rate_source))
        ->check(cli::decimal_number("0.0225 for 2.25% a year"));
    compare
        ->add_option("--levels", levels,
                     "Area attributes to aggregate to (default: pc4, buurt, wijk, gemeente "
                     "where present)")
        ->delimiter(',');
    compare->add_option("--level", compare_level,
                        "Monitoring: the area attribute the observation's codes are at "
                        "(overrides observation.yaml's level)");
    compare->add_flag("--markdown", markdown, "Print the summary as a Markdown table");

    std::string export_path, export_output, disclosure;
    auto* export_command = app.add_subcommand(
        "export",
        "Write a copy of a result for publication under disclosure control (--disclosure cbs: "
        "areas with fewer than 5 inhabitants suppressed, counts rounded to multiples of 5). The "
        "run's own file is left exact.");
    export_command->add_option("result", export_path, "HDF5 result file")->required();
    export_command->add_option("-o,--output", export_output, "HDF5 file to publish")->required();
    export_command->add_option("--disclosure", disclosure,
                               "Disclosure control rule: cbs (required)");

    std::string synth_scenario, synth_output;
    auto* synth = app.add_subcommand(
        "synthesise", "Synthesise and save the agent core's start population of a scenario.");
    synth->add_option("scenario", synth_scenario, "Scenario YAML file")->required();
    synth->add_option("-o,--output", synth_output, "HDF5 file to write")->required();
    synth->add_option("--data-dir", data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());

    std::string validate_path;
    auto* validate = app.add_subcommand("validate", "Check a scenario file without running it.");
    validate->add_option("scenario", validate_path, "Scenario YAML file")->required();
    validate->add_option("--data-dir", data_dir, "Folder holding datasets/")
        ->check(cli::existing_folder());

    std::string info_path;
    auto* info = app.add_subcommand(
        "info",
        "Describe a file socialtwin wrote: a result, a published result, a comparison, a "
        "monitoring file or a start population.");
    info->add_option("file", info_path, "HDF5 file written by socialtwin")->required();

    auto* schema = app.add_subcommand(
        "schema", "Print the scenario reference (Markdown) generated from the schema.");

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
    if (quiet) spdlog::set_level(spdlog::level::warn);
    if (!data_dir.empty()) run_options.data_dir = data_dir;
    if (!core.empty()) run_options.core = core_names.from_string(core);
    if (replicates > 0) run_options.replicates = replicates;
    run_options.aggregates = !no_aggregates;

    try {
        if (*run) return run_command(run_options, quiet);
        if (*synth) {
            const std::size_t n =
                synthesise_start_population(synth_scenario, run_options.data_dir, synth_output);
            std::cout << fmt::format("{} persons written to {}\n", n, synth_output);
            return 0;
        }
        if (*validate) {
            const auto problems = validate_scenario_file(validate_path);
            if (!problems.empty()) {
                report_input_error(InputError(problems));
                return exit_bad_input;
            }
            check_scenario(validate_path, run_options.data_dir);
            std::cout << validate_path << ": valid\n";
            return 0;
        }
        if (*info) {
            describe_result_file(info_path, std::cout);
            return 0;
        }
        if (*aggregate) {
            const auto written = aggregate_result_file(
                aggregate_path, {.levels = levels, .only_these_levels = only_levels},
                aggregate_output);
            std::cout << fmt::format(
                "{}: {}\n", aggregate_output.empty() ? aggregate_path : aggregate_output,
                written.empty() ? std::string("no level to aggregate to (no /aggregates)")
                                : fmt::format("aggregates per {}", fmt::join(written, ", ")));
            return 0;
        }
        if (*compare) {
            if (compare_others.size() > 1) {
                if (!compare_output.empty())
                    throw InputError({problem_at(
                        where_in("", 0, 0, "-o"),
                        "-o writes the difference file of one scenario; give one scenario "
                        "result, or leave -o out to print the table of several")});
                std::vector<CompareReport> reports;
                for (const auto& scenario : compare_others) {
                    if (is_observation_path(scenario))
                        throw InputError({problem_at(
                            where_in("", 0, 0, scenario),
                            "an observation compares with one projection: give it alone")});
                    reports.push_back(compare_results({.baseline = compare_first,
                                                       .scenario = scenario,
                                                       .output = {},
                                                       .discount_rate = discount_rate,
                                                       .levels = levels}));
                }
                print_scenario_table(reports, std::cout, markdown);
                return 0;
            }
            const std::string& compare_second = compare_others.front();
            if (is_observation_path(compare_second)) {
                const auto report = monitor_projection({.projection = compare_first,
                                                        .observation = compare_second,
                                                        .output = compare_output,
                                                        .level = compare_level});
                print_monitoring(report, std::cout, markdown);
            } else {
                const auto report = compare_results({.baseline = compare_first,
                                                     .scenario = compare_second,
                                                     .output = compare_output,
                                                     .discount_rate = discount_rate,
                                                     .levels = levels});
                print_comparison(report, std::cout, markdown);
            }
            if (!compare_output.empty()) std::cout << "\nWritten to " << compare_output << '\n';
            return 0;
        }
        if (*export_command) {
            const auto report = publish_result(
                {.source = export_path, .output = export_output, .disclosure = disclosure});
            std::cout << fmt::format(
                "{} written from {} under disclosure control ({}): {} of {} area-years "
                "suppressed{}\n",
                export_output, export_path, report.rule.description, report.suppressed_area_years,
                report.area_years,
                report.levels.empty()
                    ? std::string{}
                    : fmt::format("; aggregates per {}{}", fmt::join(report.levels, ", "),
                                  report.computed_aggregates ? " (computed)" : ""));
            return 0;
        }
        if (*schema) {
            std::cout << scenario_reference_markdown();
            return 0;
        }
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
