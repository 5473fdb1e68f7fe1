// The C++ side of the `socialtwin` Python package (bindings/socialtwin/__init__.py turns what it
// returns into an xarray.Dataset). A run is `socialtwin run` in memory: the same RunOptions and
// checks, with an observer that keeps every indicator's values instead of (or as well as)
// writing the file. The values leave as numpy arrays that own the observer's buffers (no copy).
//
// The run releases the GIL: it runs on a thread of its own while the calling thread waits
// without the GIL, waking every 50 ms to let Python look at its signals; a KeyboardInterrupt
// (Ctrl-C) sets the run's stop flag, the run ends between two years, and the interrupt is
// raised in Python with nothing written.
//
// Sweeps (docs/sweeps.md) are driven the way `socialtwin sweep` drives them: the plan, the
// tasks' status, running them (child `socialtwin run` processes, the GIL released) and the merge.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/core/cohort_projection.hpp"
#include "engine/core/errors.hpp"
#include "engine/core/types.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/hdf5_writer.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/output/result_values.hpp"
#include "engine/run/run.hpp"
#include "engine/sweep/sweep_merge.hpp"
#include "engine/sweep/sweep_plan.hpp"
#include "engine/sweep/sweep_run.hpp"

namespace py = pybind11;
using namespace socialtwin;

namespace {

// Keeps every (replicate, year) of every indicator: values[indicator] holds replicates x years
// x areas x values per area, NaN where a year never came. Each value as the result file stores
// it (output.precision, output.significant_digits: an agent run's float32 by default), so a run
// in memory holds what its file holds.
class Collector final : public Observer {
public:
    struct Indicator {
        IndicatorSpec spec;
        std::vector<std::size_t> dim_sizes;
        std::size_t per_area = 1;
        std::vector<double> values;
        // Per area, as the file keeps it: not a breakdown with output.breakdowns_per_area none
        // (whose values are then never held: at PC6 they would be most of the memory).
        bool kept = true;
    };
    std::vector<int> years;
    std::vector<std::string> areas;
    std::vector<AreaAttribute> area_attributes;
    std::vector<double> x_m, y_m;  // empty without positions
    std::vector<Dimension> dimensions;
    std::string coordinates;
    int replicates = 1;
    NamedValues meta;
    std::string scenario_yaml;
    std::vector<Indicator> indicators;
    RunSummary summary;

    StoredValues stored;

    double as_stored(double value) const noexcept {
        return as_stored_value(value, stored.float32, stored.significant_bits);
    }
    void on_start(const RunDescription& run) override {
        stored = stored_values(*run.scenario);
        years = run.years;
        replicates = std::max(1, run.replicates);
        areas.clear();
        for (std::size_t a = 0; a < run.areas->size(); ++a) areas.push_back(run.areas->code(a));
        area_attributes = run.areas->attributes();
        // The areas' positions in metres (RD New), as the result file's /x, /y.
        x_m.clear();
        y_m.clear();
        if (has_positions(*run.areas)) {
            x_m = metres_of(run.areas->quantity("x_km")->values);
            y_m = metres_of(run.areas->quantity("y_km")->values);
        }
        dimensions = run.catalog->dimensions();
        coordinates = area_coordinates(*run.areas);
        std::time_t now = std::time(nullptr);
        char created[32] = {};
        std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        meta = result_meta(run, created);
        scenario_yaml = run.scenario->source_text;
        indicators.clear();
        for (IndicatorId id = 0; id < run.catalog->size(); ++id) {
            Indicator indicator{run.catalog->spec(id), {}, run.catalog->values_per_area(id), {}};
            for (const auto& name : indicator.spec.dims)
                indicator.dim_sizes.push_back(run.catalog->dimension(name).labels.size());
            indicator.kept = stored.area_breakdowns || indicator.spec.dims.empty();
            if (indicator.kept)
                indicator.values.assign(static_cast<std::size_t>(replicates) * years.size() *
                                            areas.size() * indicator.per_area,
                                        std::numeric_limits<double>::quiet_NaN());
            indicators.push_back(std::move(indicator));
        }
    }
    void on_year(const YearResults& results) override {
        const auto at = std::find(years.begin(), years.end(), results.year);
        if (at == years.end() || results.replicate < 0 || results.replicate >= replicates)
            throw std::logic_error(
                "socialtwin Python: a year or replicate the run did not announce");
        const std::size_t y = static_cast<std::size_t>(at - years.begin());
        for (IndicatorId id = 0; id < indicators.size(); ++id) {
            Indicator& indicator = indicators[id];
            if (!indicator.kept) continue;
            const std::size_t block = areas.size() * indicator.per_area;
            const auto values = results.values(id);
            std::transform(
                values.begin(), values.end(),
                indicator.values.begin() +
                    static_cast<std::ptrdiff_t>(
                        (static_cast<std::size_t>(results.replicate) * years.size() + y) * block),
                [&](double v) { return as_stored(v); });
        }
    }
    void on_finish(const RunSummary& run_summary) override { summary = run_summary; }
};

// A numpy array that owns `values` (moved, not copied).
py::array_t<double> owning_array(std::vector<double>&& values, std::vector<py::ssize_t> shape) {
    auto* owned = new std::vector<double>(std::move(values));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    return py::array_t<double>(shape, owned->data(), free_when_done);
}

py::dict named(const NamedValues& values) {
    py::dict out;
    for (const auto& [key, value] : values) out[py::str(key)] = value;
    return out;
}

// The InputError's problems as plain dicts (bindings/socialtwin/__init__.py makes them Problem
// objects and raises its InputError).
py::list problems_of(const InputError& error) {
    py::list out;
    for (const auto& p : error.problems()) {
        py::dict d;
        d["file"] = p.where.file;
        d["line"] = p.where.line;
        d["column"] = p.where.column;
        d["key"] = p.where.key_path;
        d["message"] = p.message;
        d["hint"] = p.hint;
        d["text"] = format(p);
        out.append(d);
    }
    return out;
}

// Runs `work` on its own thread without the GIL; Ctrl-C sets `stop`. Rethrows the run's
// exception, or the KeyboardInterrupt.
template <class Work>
void run_without_gil(Work work, std::atomic<bool>& stop) {
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    std::exception_ptr failure;
    std::thread runner([&] {
        try {
            work();
        } catch (...) {
            failure = std::current_exception();
        }
        std::lock_guard lock(mutex);
        done = true;
        done_signal.notify_all();
    });
    bool interrupted = false;
    for (;;) {
        {
            py::gil_scoped_release release;
            std::unique_lock lock(mutex);
            if (done_signal.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; }))
                break;
        }
        if (!interrupted && PyErr_CheckSignals() != 0) {
            interrupted = true;  // the error stays set; raised once the run has stopped
            stop = true;
        }
    }
    {
        py::gil_scoped_release release;
        runner.join();
    }
    if (interrupted) throw py::error_already_set();
    if (failure) std::rethrow_exception(failure);
}

py::dict run(const std::string& scenario, std::optional<std::string> data_dir,
             std::optional<std::string> output, std::optional<std::string> core,
             std::optional<int> replicates, int threads, bool aggregates,
             const std::vector<std::string>& set_arguments) {
    Collector collector;
    std::atomic<bool> stop{false};
    RunOptions options;
    options.scenario = scenario;
    for (const std::string& argument : set_arguments)
        options.overrides.push_back(parse_override(argument));
    if (output) options.output = *output;
    if (data_dir) options.data_dir = *data_dir;
    options.threads = threads;
    options.stop = &stop;
    if (core) {
        if (*core == "cohort")
            options.core = CoreKind::cohort;
        else if (*core == "agent")
            options.core = CoreKind::agent;
        else
            throw py::value_error("core: expected 'cohort' or 'agent', got '" + *core + "'");
    }
    options.replicates = replicates;
    options.aggregates = aggregates;
    options.extra_observers.push_back(&collector);
    RunReport report;
    run_without_gil([&] { report = run_scenario(options); }, stop);

    py::dict out;
    out["years"] = collector.years;
    out["areas"] = collector.areas;
    py::dict attributes;
    for (const auto& a : collector.area_attributes) attributes[py::str(a.name)] = a.values;
    out["area_attributes"] = attributes;
    // CF (engine/output/cf_conventions.hpp): /x, /y and /crs, or None without positions.
    if (!collector.x_m.empty()) {
        py::dict positions;
        positions["x"] = collector.x_m;
        positions["y"] = collector.y_m;
        positions["x_attrs"] = named(position_attributes(cf::x));
        positions["y_attrs"] = named(position_attributes(cf::y));
        py::dict crs = named(crs_text_attributes());
        for (const auto& [key, value] : crs_number_attributes()) crs[py::str(key)] = value;
        positions["crs_attrs"] = crs;
        out["positions"] = positions;
    } else {
        out["positions"] = py::none();
    }
    py::dict dimensions;
    for (const auto& d : collector.dimensions) {
        py::dict dim;
        dim["labels"] = d.labels;
        dim["description"] = d.description;
        dimensions[py::str(d.name)] = dim;
    }
    out["dimensions"] = dimensions;
    out["replicates"] = collector.replicates;
    out["quantile_levels"] = std::vector<double>(result_layout::quantile_levels.begin(),
                                                 result_layout::quantile_levels.end());
    out["quantile_method"] = std::string(result_layout::quantile_method);
    out["meta"] = named(collector.meta);
    out["scenario_yaml"] = collector.scenario_yaml;
    py::list indicators;
    const auto n_years = static_cast<py::ssize_t>(collector.years.size());
    const auto n_areas = static_cast<py::ssize_t>(collector.areas.size());
    const auto n = static_cast<std::size_t>(collector.replicates);
    for (auto& indicator : collector.indicators) {
        if (!indicator.kept) continue;
        std::vector<py::ssize_t> shape{n_years, n_areas};
        for (const auto size : indicator.dim_sizes) shape.push_back(static_cast<py::ssize_t>(size));
        py::dict d;
        d["name"] = indicator.spec.name;
        d["dims"] = indicator.spec.dims;
        if (n == 1) {
            d["values"] = owning_array(std::move(indicator.values), shape);
            d["attrs"] = named(indicator_attributes(indicator.spec, result_layout::mean_qualifier,
                                                    collector.coordinates));
        } else {
            const std::size_t m = indicator.values.size() / n;
            std::vector<double> mean(m), quantiles(result_layout::quantile_levels.size() * m);
            summarise_replicates(indicator.values, n, mean, quantiles);
            // As the file: mean and quantiles of the stored replicates, stored alike.
            for (double& v : mean) v = collector.as_stored(v);
            for (double& v : quantiles) v = collector.as_stored(v);
            d["values"] = owning_array(std::move(mean), shape);
            d["attrs"] = named(indicator_attributes(indicator.spec, result_layout::mean_qualifier,
                                                    collector.coordinates));
            std::vector<py::ssize_t> leading = shape;
            leading.insert(leading.begin(), static_cast<py::ssize_t>(n));
            // Every replicate per area only where the file keeps them
            // (output.replicates_per_area: all).
            if (collector.stored.area_replicates) {
                d["replicates"] = owning_array(std::move(indicator.values), leading);
                d["replicates_attrs"] = named(indicator_attributes(
                    indicator.spec, result_layout::replicates_qualifier, collector.coordinates));
            }
            leading.front() = static_cast<py::ssize_t>(result_layout::quantile_levels.size());
            d["quantiles"] = owning_array(std::move(quantiles), leading);
            d["quantiles_attrs"] = named(indicator_attributes(
                indicator.spec, result_layout::quantiles_qualifier, collector.coordinates));
        }
        indicators.append(d);
    }
    out["indicators"] = indicators;
    py::dict summary;
    summary["wall_seconds"] = collector.summary.wall_seconds;
    summary["person_years"] = collector.summary.person_years;
    py::dict phases;
    for (const auto& p : collector.summary.phase_timings) phases[py::str(p.phase)] = p.seconds;
    summary["phase_seconds"] = phases;
    out["summary"] = summary;
    out["core"] = report.core;
    return out;
}

// Every problem the checks of `socialtwin run` find, without running: [] when none.
py::list validate(const std::string& scenario, std::optional<std::string> data_dir,
                  const std::vector<std::string>& set_arguments) {
    try {
        std::optional<std::filesystem::path> dir;
        if (data_dir) dir = *data_dir;
        std::vector<ScenarioOverride> overrides;
        for (const std::string& argument : set_arguments)
            overrides.push_back(parse_override(argument));
        py::gil_scoped_release release;
        check_scenario(scenario, dir, overrides);
    } catch (const InputError& error) {
        return problems_of(error);
    }
    return py::list();
}

// ---- sweeps -------------------------------------------------------------------------------

py::dict sweep_plan(const std::string& file) {
    const SweepPlan plan = plan_sweep(file);
    py::dict out;
    out["name"] = plan.name;
    out["base"] = plan.base.string();
    out["output"] = plan.output.string();
    out["replicates"] = plan.replicates;
    out["variants"] = plan.variants;
    py::list parameters;
    for (const SweepParameter& p : plan.parameters) {
        py::dict d;
        d["key"] = p.key;
        d["coordinate"] = p.coordinate;
        parameters.append(d);
    }
    out["parameters"] = parameters;
    py::list tasks;
    for (const SweepTask& t : plan.tasks) {
        py::dict d;
        d["id"] = t.id;
        d["variant"] = t.variant_id;
        d["replicate"] = t.replicate;
        d["values"] = t.values;
        d["result"] = t.result.string();
        tasks.append(d);
    }
    out["tasks"] = tasks;
    return out;
}

py::list status_of_sweep(const std::string& file) {
    const SweepPlan plan = plan_sweep(file);
    const auto status = sweep_status(plan);
    py::list out;
    for (std::size_t i = 0; i < status.size(); ++i) {
        py::dict d;
        d["id"] = plan.tasks[i].id;
        d["state"] = std::string(task_state_name(status[i].state));
        d["detail"] = status[i].detail;
        out.append(d);
    }
    return out;
}

// Runs the tasks not done, as `socialtwin sweep run FILE` does, with `executable` as each task's
// `socialtwin`. The dataset is checked first, so a wrong one is an InputError, not every task
// failing. Ctrl-C stops the running tasks (SIGTERM: they leave no file) and raises
// KeyboardInterrupt; the finished ones stay done.
py::dict sweep_run(const std::string& file, const std::string& executable, int jobs, int threads,
                   std::optional<std::string> data_dir) {
    const SweepPlan plan = plan_sweep(file);
    std::optional<std::filesystem::path> dir;
    if (data_dir) dir = *data_dir;
    {
        py::gil_scoped_release release;
        check_scenario(plan.base, dir);
    }
    SweepRunReport report;
    std::atomic<bool> stop{false};
    std::vector<std::size_t> all(plan.tasks.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    // As a run: on its own thread, Ctrl-C stopping the tasks (KeyboardInterrupt once they have).
    run_without_gil(
        [&] {
            report = run_sweep_tasks(plan, all,
                                     {.executable = executable,
                                      .jobs = jobs,
                                      .threads = threads,
                                      .data_dir = dir,
                                      .stop = &stop});
        },
        stop);
    py::dict out;
    out["ran"] = report.ran;
    out["skipped"] = report.skipped;
    out["failed"] = report.failed;
    out["jobs"] = report.jobs;
    out["threads"] = report.threads;
    return out;
}

py::dict sweep_merge(const std::string& file, std::optional<std::string> output) {
    const SweepPlan plan = plan_sweep(file);
    SweepMergeReport report;
    {
        py::gil_scoped_release release;
        report =
            merge_sweep(plan, output ? std::filesystem::path(*output) : std::filesystem::path{});
    }
    py::dict out;
    out["output"] = report.output.string();
    out["summary"] = report.summary.string();
    out["table"] = report.table;
    return out;
}

}  // namespace

PYBIND11_MODULE(_socialtwin, m) {
    m.doc() = "socialtwin's engine (use the `socialtwin` package, not this module)";
    static py::exception<InputError> input_error(m, "_InputError", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const InputError& e) {
            const py::tuple args = py::make_tuple(e.what(), problems_of(e));
            PyErr_SetObject(input_error.ptr(), args.ptr());
        } catch (const Interrupted& e) {
            PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
        } catch (const RunFailed& e) {
            PyErr_SetString(PyExc_RuntimeError, e.what());
        }
    });
    m.def("run", &run, py::arg("scenario"), py::arg("data_dir") = py::none(),
          py::arg("output") = py::none(), py::arg("core") = py::none(),
          py::arg("replicates") = py::none(), py::arg("threads") = 0, py::arg("aggregates") = true,
          py::arg("set_arguments") = std::vector<std::string>{});
    m.def("validate", &validate, py::arg("scenario"), py::arg("data_dir") = py::none(),
          py::arg("set_arguments") = std::vector<std::string>{});
    m.def("sweep_plan", &sweep_plan, py::arg("file"));
    m.def("sweep_status", &status_of_sweep, py::arg("file"));
    m.def("sweep_run", &sweep_run, py::arg("file"), py::arg("executable"), py::arg("jobs") = 0,
          py::arg("threads") = 0, py::arg("data_dir") = py::none());
    m.def("sweep_merge", &sweep_merge, py::arg("file"), py::arg("output") = py::none());
}
