#include "engine/sweep/sweep_merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "engine/core/version.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/headline.hpp"
#include "engine/output/result_file.hpp"
#include "engine/sweep/sweep_run.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// A task's result, by its structure only: files are opened one at a time, so a sweep of
// thousands of tasks never holds more than one open.
struct TaskResult {
    ResultLayout layout;
    fs::path path;
};

// Every task done, or an InputError saying which are not and what to run.
void require_done(const SweepPlan& plan) {
    const auto status = sweep_status(plan);
    std::vector<std::string> not_done;
    for (std::size_t i = 0; i < status.size(); ++i)
        if (status[i].state != TaskState::done)
            not_done.push_back(
                fmt::format("{} {}", plan.tasks[i].id, task_state_name(status[i].state)));
    if (not_done.empty()) return;
    const std::size_t shown = std::min<std::size_t>(not_done.size(), 5);
    throw InputError(problem_at(
        where_in(plan.file.string()),
        fmt::format("{} of {} tasks are not done ({}{})", not_done.size(), plan.tasks.size(),
                    fmt::join(not_done.begin(), not_done.begin() + static_cast<long>(shown), ", "),
                    not_done.size() > shown ? ", ..." : ""),
        fmt::format("run `socialtwin sweep run {}` first", plan.file.string())));
}

// A parameter's values as numbers when every one is a plain number, else nullopt (text then).
std::optional<std::vector<double>> numeric_values(const SweepPlan& plan, std::size_t parameter) {
    std::vector<double> values;
    for (const SweepTask& t : plan.tasks) {
        if (t.replicate != 0) continue;
        DocNode node;
        node.kind = DocNode::Kind::scalar;
        node.text = t.values[parameter];
        const auto v = number_value(node);
        if (!v) return std::nullopt;
        values.push_back(*v);
    }
    return values;
}

// The headline figures the summary shows: indicators of the file that add up over areas.
std::vector<const ResultIndicator*> summary_indicators(const ResultLayout& layout, bool terminal) {
    std::vector<const ResultIndicator*> shown;
    for (const HeadlineFigure& figure : headline_figures) {
        if (!(terminal ? figure.spread : figure.businesscase)) continue;
        const ResultIndicator* indicator = layout.find(figure.name);
        if (indicator && indicator->kind != IndicatorKind::measure) shown.push_back(indicator);
    }
    return shown;
}

// A space-separated list of names, as netCDF's `coordinates` attribute takes them.
void add_name(std::string& names, const std::string& name) {
    if (!names.empty()) names += ' ';
    names += name;
}

std::string csv_cell(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

}  // namespace

SweepMergeReport merge_sweep(const SweepPlan& plan, const fs::path& output) {
    require_done(plan);
    SweepMergeReport report;
    report.output = output.empty() ? plan.output / "merged.h5" : output;
    report.summary = fs::path(report.output).replace_extension("").string() + "_summary.csv";

    std::vector<TaskResult> results;
    for (const SweepTask& task : plan.tasks) {
        const hdf5::File file = open_result(task.result);
        results.push_back({read_result_layout(file.id(), task.result), task.result});
    }
    const ResultLayout& first = results.front().layout;
    // Years: every task's (a varied horizon gives some tasks more), NaN where a task has none.
    std::set<std::int32_t> year_set;
    for (const TaskResult& r : results) {
        year_set.insert(r.layout.years.begin(), r.layout.years.end());
        if (r.layout.areas != first.areas)
            throw InputError(problem_at(
                where_in(plan.file.string()),
                fmt::format("{} has other areas than {}: a sweep merges results of one dataset",
                            r.path.string(), results.front().path.string())));
    }
    const std::vector<std::int32_t> years(year_set.begin(), year_set.end());
    // Indicators every task has, in the first task's order.
    std::vector<const ResultIndicator*> indicators;
    for (const ResultIndicator& indicator : first.indicators)
        if (std::all_of(results.begin(), results.end(), [&](const TaskResult& r) {
                const ResultIndicator* other = r.layout.find(indicator.name);
                return other && other->dims == indicator.dims &&
                       std::equal(other->shape.begin() + 1, other->shape.end(),
                                  indicator.shape.begin() + 1, indicator.shape.end());
            }))
            indicators.push_back(&indicator);
    for (const SweepParameter& p : plan.parameters)
        if (first.find(p.coordinate) || first.dimension(p.coordinate) ||
            first.attribute(p.coordinate) || p.coordinate == "variant" ||
            p.coordinate == "replicate" || p.coordinate == "year" || p.coordinate == "area")
            throw InputError(problem_at(
                p.where, fmt::format("its coordinate name '{}' is a name the results use already",
                                     p.coordinate)));

    // The summary: each variant's totals over areas (mean over replicates) of the headline
    // figures in its last projected year (a varied horizon gives variants other last years),
    // all of them in the CSV, the few a terminal has room for in the table.
    const auto summarised = summary_indicators(first, false);
    std::vector<std::vector<double>> totals(plan.variants,
                                            std::vector<double>(summarised.size(), 0));

    const bool with_replicates = plan.replicates > 1;
    const auto replicates = static_cast<std::size_t>(plan.replicates);
    std::vector<std::string> variant_ids;
    for (const SweepTask& t : plan.tasks)
        if (t.replicate == 0) variant_ids.push_back(t.variant_id);

    const std::vector<ProtectedInput> inputs{{plan.file, "the sweep file"},
                                             {tasks_folder(plan), "a result of the sweep's tasks"},
                                             {plan.base, "the sweep's base scenario"}};
    AtomicOutput out(report.output, inputs);
    {
        hdf5::File file = hdf5::create_file(out.temporary());
        const hid_t root = file.id();
        hdf5::write_attribute(root, "title", fmt::format("socialtwin sweep: {}", plan.name));
        // No time: the same tasks give the same bytes however they were run.
        hdf5::write_attribute(root, "history",
                              fmt::format("socialtwin {} sweep merge {}", engine_version(),
                                          plan.file.filename().string()));
        hdf5::write_attribute(root, std::string(result_layout::version_attribute),
                              std::int32_t{result_layout::version});
        hdf5::write_attribute(root, std::string(derived_layout::content_attribute),
                              derived_layout::sweep);

        DimensionNumbers numbers(root);
        auto variant = write_dimension(root, "variant", variant_ids, numbers.next(),
                                       "variant id: a hash of the variant's varied values");
        std::optional<hdf5::Dataset> replicate;
        if (with_replicates) {
            std::vector<std::int32_t> numbers_of(replicates);
            for (std::size_t r = 0; r < replicates; ++r)
                numbers_of[r] = static_cast<std::int32_t>(r);
            replicate =
                write_dimension(root, std::string(result_layout::replicate), numbers_of,
                                numbers.next(), "replicate r of a variant runs with its seed + r");
        }
        auto year = write_dimension(root, std::string(result_layout::year), years, numbers.next(),
                                    "calendar year");
        auto area = write_dimension(root, std::string(result_layout::area), first.areas,
                                    numbers.next(), "area");
        hdf5::write_attribute(area.id(), "level", first.area_level);
        std::map<std::string, hdf5::Dataset> catalog;
        for (const ResultDimension& d : first.dimensions)
            catalog.emplace(d.name,
                            write_dimension(root, d.name, d.labels, numbers.next(), d.description));
        std::string coordinates;
        for (const AreaAttribute& a : first.attributes) {
            write_labels(root, a.name, a.values, area.id());
            add_name(coordinates, a.name);
        }
        for (std::size_t p = 0; p < plan.parameters.size(); ++p) {
            const SweepParameter& parameter = plan.parameters[p];
            hdf5::Dataset values = [&] {
                if (const auto numeric = numeric_values(plan, p))
                    return write_values(root, parameter.coordinate, *numeric, variant.id());
                std::vector<std::string> texts;
                for (const SweepTask& t : plan.tasks)
                    if (t.replicate == 0) texts.push_back(t.values[p]);
                return write_labels(root, parameter.coordinate, texts, variant.id());
            }();
            hdf5::write_attribute(
                values.id(), "description",
                fmt::format("scenario key {} (varied by the sweep)", parameter.key));
            add_name(coordinates, parameter.coordinate);
        }

        std::vector<hdf5::Dataset> merged;
        for (const ResultIndicator* indicator : indicators) {
            std::vector<hid_t> scales{variant.id()};
            std::vector<hsize_t> shape{variant_ids.size()};
            if (with_replicates) {
                scales.push_back(replicate->id());
                shape.push_back(replicates);
            }
            const std::size_t year_axis = scales.size();
            scales.push_back(year.id());
            shape.push_back(years.size());
            scales.push_back(area.id());
            shape.push_back(first.areas.size());
            for (std::size_t axis = 2; axis < indicator->dims.size(); ++axis) {
                scales.push_back(catalog.at(indicator->dims[axis]).id());
                shape.push_back(indicator->shape[axis]);
            }
            merged.push_back(create_variable(root, indicator->name, scales, shape, year_axis));
            {
                const hdf5::File task = hdf5::open_file_read_only(results.front().path);
                const auto source = hdf5::open_dataset(task.id(), indicator->name);
                copy_string_attributes(source.id(), merged.back().id(),
                                       indicator_meaning_attributes);
            }
            hdf5::write_attribute(merged.back().id(), std::string(indicator_attribute::coordinates),
                                  coordinates);
            ++report.indicators;
        }
        // Task by task: each result opened once, every indicator copied year by year, and the
        // summary's totals of its last year taken on the way.
        for (std::size_t t = 0; t < plan.tasks.size(); ++t) {
            const SweepTask& task = plan.tasks[t];
            const TaskResult& r = results[t];
            const hdf5::File task_file = hdf5::open_file_read_only(r.path);
            for (std::size_t i = 0; i < indicators.size(); ++i) {
                const auto source = hdf5::open_dataset(task_file.id(), indicators[i]->name);
                for (std::size_t y = 0; y < r.layout.years.size(); ++y) {
                    const hsize_t at = static_cast<hsize_t>(
                        std::lower_bound(years.begin(), years.end(), r.layout.years[y]) -
                        years.begin());
                    const std::vector<hsize_t> from{y};
                    const std::vector<double> values = read_slab(source.id(), from);
                    std::vector<hsize_t> to{task.variant};
                    if (with_replicates) to.push_back(static_cast<hsize_t>(task.replicate));
                    to.push_back(at);
                    write_slab(merged[i].id(), to, values);
                }
            }
            const std::vector<hsize_t> last{r.layout.years.size() - 1};
            for (std::size_t c = 0; c < summarised.size(); ++c) {
                const auto source = hdf5::open_dataset(task_file.id(), summarised[c]->name);
                double total = 0;
                for (const double v : read_slab(source.id(), last)) total += v;
                totals[task.variant][c] += total / static_cast<double>(plan.replicates);
            }
        }

        auto meta = hdf5::create_group(root, std::string(result_layout::meta));
        const std::vector<std::pair<std::string, std::string>> entries{
            {"sweep_name", plan.name},
            {"sweep_file", plan.file.filename().string()},
            {"base_scenario", plan.base.filename().string()},
            {"variants", std::to_string(plan.variants)},
            {"replicates", std::to_string(plan.replicates)},
            {"varied_keys", fmt::format("{}", fmt::join(
                                                  [&] {
                                                      std::vector<std::string> keys;
                                                      for (const auto& p : plan.parameters)
                                                          keys.push_back(p.key + " -> " +
                                                                         p.coordinate);
                                                      return keys;
                                                  }(),
                                                  "\n"))},
            {"engine_version", std::string(engine_version())},
            {"scenario_hashes", fmt::format("{}", fmt::join(
                                                      [&] {
                                                          std::vector<std::string> hashes;
                                                          for (const auto& t : plan.tasks)
                                                              hashes.push_back(t.id + " " +
                                                                               t.scenario_hash);
                                                          return hashes;
                                                      }(),
                                                      "\n"))},
        };
        for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
        file.close(fmt::format("closing '{}'", out.temporary().string()));
    }

    std::vector<std::int32_t> last_year(plan.variants, 0);
    for (std::size_t t = 0; t < plan.tasks.size(); ++t)
        last_year[plan.tasks[t].variant] = results[t].layout.years.back();
    std::vector<std::string> head{"variant"};
    for (const SweepParameter& p : plan.parameters) head.push_back(p.coordinate);
    head.push_back("year");
    std::vector<std::vector<std::string>> prefix_cells;
    for (const SweepTask& t : plan.tasks) {
        if (t.replicate != 0) continue;
        std::vector<std::string> row{t.variant_id};
        row.insert(row.end(), t.values.begin(), t.values.end());
        row.push_back(std::to_string(last_year[t.variant]));
        prefix_cells.push_back(std::move(row));
    }
    {
        const auto& shown = summarised;
        const auto& table = totals;
        std::string csv;
        std::vector<std::string> header = head;
        for (const auto* i : shown) header.push_back(i->name);
        for (std::size_t c = 0; c < header.size(); ++c) {
            if (c) csv += ',';
            csv += csv_cell(header[c]);
        }
        csv += "\n";
        for (std::size_t v = 0; v < plan.variants; ++v) {
            for (std::size_t c = 0; c < prefix_cells[v].size(); ++c) {
                if (c) csv += ',';
                csv += csv_cell(prefix_cells[v][c]);
            }
            for (const double x : table[v]) csv += fmt::format(",{}", x);
            csv += "\n";
        }
        AtomicOutput summary(report.summary, inputs);
        {
            std::ofstream file(summary.temporary(), std::ios::binary | std::ios::trunc);
            file << csv;
            file.close();
            if (!file) throw std::runtime_error("cannot write " + report.summary.string());
        }
        summary.commit();
    }
    {
        // The terminal's figures are among the CSV's: their columns of the totals.
        const auto shown = summary_indicators(first, true);
        std::vector<std::vector<double>> table(plan.variants);
        for (const ResultIndicator* i : shown) {
            const std::size_t c = static_cast<std::size_t>(
                std::find(summarised.begin(), summarised.end(), i) - summarised.begin());
            for (std::size_t v = 0; v < plan.variants; ++v)
                table[v].push_back(c < summarised.size() ? totals[v][c] : std::nan(""));
        }
        std::vector<std::string> header = head;
        for (const auto* i : shown) header.push_back(i->name);
        std::vector<std::vector<std::string>> rows;
        for (std::size_t v = 0; v < plan.variants; ++v) {
            std::vector<std::string> row = prefix_cells[v];
            for (const double x : table[v]) row.push_back(fmt::format("{:.0f}", x));
            rows.push_back(std::move(row));
        }
        std::vector<std::size_t> width(header.size());
        for (std::size_t c = 0; c < header.size(); ++c) {
            width[c] = header[c].size();
            for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
        }
        const auto line = [&](const std::vector<std::string>& cells) {
            std::string text;
            for (std::size_t c = 0; c < cells.size(); ++c) {
                const bool number = c + 1 >= head.size();
                if (c) text += "  ";
                text += number ? fmt::format("{:>{}}", cells[c], width[c])
                               : fmt::format("{:<{}}", cells[c], width[c]);
            }
            while (!text.empty() && text.back() == ' ') text.pop_back();
            return text + "\n";
        };
        report.table = fmt::format(
            "sweep '{}': {} variants x {} replicate{}; totals over all areas in the last "
            "projected year{}\n\n",
            plan.name, plan.variants, plan.replicates, plan.replicates == 1 ? "" : "s",
            plan.replicates > 1 ? ", mean over replicates" : "");
        report.table += line(header);
        for (const auto& row : rows) report.table += line(row);
    }
    out.commit();
    return report;
}

}  // namespace socialtwin
