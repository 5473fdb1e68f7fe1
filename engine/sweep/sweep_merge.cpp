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
#include "engine/formats/csv.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/headline.hpp"
#include "engine/output/result_file.hpp"
#include "engine/sweep/sweep_run.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// ---- what a task's result holds --------------------------------------------------------------

struct GroupIndicator {
    std::string name;
    std::vector<std::string> dims;  // (year, place, catalog...)
    std::vector<hsize_t> shape;

    // Another task's indicator fits this one's place in the merged file: same dimensions and
    // lengths, the years aside (a varied horizon gives some tasks more).
    bool fits(const GroupIndicator& other) const {
        return dims == other.dims && std::equal(shape.begin() + 1, shape.end(),
                                                other.shape.begin() + 1, other.shape.end());
    }
};

// One group of a result: the root, a row per area, or an /aggregates/<level> group, a row per
// larger area (engine/output/aggregate.hpp). Read from its datasets alone, so the root and the
// levels are merged by the same code.
struct GroupLayout {
    std::string path;   // in the file: "" for the root, else "aggregates/<level>"
    std::string place;  // its area dimension: "area" or the level
    std::string level;  // the root area's `level` attribute (pc6, buurt ...)
    std::vector<std::int32_t> years;
    std::vector<std::string> codes;        // of the places
    std::vector<ResultDimension> catalog;  // sex, age_band ...: the other string dimensions
    std::vector<AreaAttribute> labels;     // text over the places (buurt_name, gemeente ...)
    std::vector<std::int32_t> n_areas;     // a level's areas per larger area
    std::vector<GroupIndicator> indicators;

    const GroupIndicator* find(std::string_view name) const {
        for (const auto& i : indicators)
            if (i.name == name) return &i;
        return nullptr;
    }
};

bool is_text(hid_t dataset) {
    const hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "getting a dataset's type"));
    return H5Tget_class(type.id()) == H5T_STRING;
}

std::string text_attribute_or(hid_t object, const std::string& name) {
    return hdf5::has_attribute(object, name) ? hdf5::attribute_text(object, name) : std::string{};
}

hdf5::Group open_group_path(hid_t root, const std::string& path) {
    return hdf5::open_group(root, path.empty() ? std::string(".") : path);
}

GroupLayout read_group(hid_t root, const std::string& path, const std::string& place) {
    GroupLayout layout{path, place, {}, {}, {}, {}, {}, {}, {}};
    const hdf5::Group group = open_group_path(root, path);
    for (const auto& name : hdf5::link_names(group.id())) {
        if (!hdf5::is_dataset(group.id(), name)) continue;
        const auto dataset = hdf5::open_dataset(group.id(), name);
        const auto dims = hdf5::dimension_names(dataset.id());
        if (hdf5::is_dimension_scale(dataset.id())) {
            if (name == result_layout::year)
                layout.years = hdf5::read_ints(dataset.id());
            else if (name == place) {
                layout.codes = hdf5::read_strings(dataset.id());
                layout.level = text_attribute_or(dataset.id(), "level");
            } else if (name != result_layout::replicate && name != result_layout::quantile &&
                       is_text(dataset.id()))
                layout.catalog.push_back({name, hdf5::read_strings(dataset.id()),
                                          text_attribute_or(dataset.id(), "description")});
        } else if (dims == std::vector<std::string>{place}) {
            if (is_text(dataset.id()))
                layout.labels.push_back({name, hdf5::read_strings(dataset.id())});
            else if (name == "n_areas")
                layout.n_areas = hdf5::read_ints(dataset.id());
        } else if (dims.size() >= 2 && dims[0] == result_layout::year && dims[1] == place) {
            layout.indicators.push_back({name, dims, hdf5::shape(dataset.id())});
        }
    }
    return layout;
}

// The groups of a result: the root, then each /aggregates level in the file's order.
std::vector<GroupLayout> read_groups(const fs::path& result) {
    const hdf5::File file = open_result(result);
    std::vector<GroupLayout> groups{read_group(file.id(), "", std::string(result_layout::area))};
    const std::string aggregates(result_layout::aggregates);
    if (hdf5::link_exists(file.id(), aggregates) && hdf5::is_group(file.id(), aggregates)) {
        const auto group = hdf5::open_group(file.id(), aggregates);
        for (const auto& level : hdf5::link_names(group.id()))
            if (hdf5::is_group(group.id(), level))
                groups.push_back(read_group(file.id(), aggregates + "/" + level, level));
    }
    return groups;
}

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

// What the merged file holds: of each group of the first task's result that every task has,
// the indicators every task has, over every task's years. The tasks are read one at a time, so a
// sweep of thousands of tasks never holds more than one file open.
struct MergePlan {
    std::vector<GroupLayout> groups;  // the first task's, indicators narrowed to the common ones
    std::vector<std::vector<std::int32_t>> task_years;  // per task: the root's years
    std::vector<std::int32_t> years;                    // the union
};

MergePlan plan_merge(const SweepPlan& plan) {
    MergePlan merge;
    std::set<std::int32_t> years;
    for (std::size_t t = 0; t < plan.tasks.size(); ++t) {
        const fs::path& path = plan.tasks[t].result;
        std::vector<GroupLayout> groups = read_groups(path);
        merge.task_years.push_back(groups.front().years);
        if (t == 0) {
            merge.groups = std::move(groups);
        } else {
            const auto& first = merge.groups.front();
            if (groups.front().codes != first.codes)
                throw InputError(problem_at(
                    where_in(plan.file.string()),
                    fmt::format("{} has other areas than {}: a sweep merges results of one "
                                "dataset",
                                path.string(), plan.tasks.front().result.string())));
            // Keep the groups and indicators this task has too, with the same places.
            std::erase_if(merge.groups, [&](GroupLayout& kept) {
                const auto other = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
                    return g.path == kept.path && g.codes == kept.codes;
                });
                if (other == groups.end()) return true;
                std::erase_if(kept.indicators, [&](const GroupIndicator& i) {
                    const GroupIndicator* theirs = other->find(i.name);
                    return !theirs || !i.fits(*theirs);
                });
                return false;
            });
        }
        years.insert(merge.task_years.back().begin(), merge.task_years.back().end());
    }
    merge.years.assign(years.begin(), years.end());
    return merge;
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
std::vector<std::string> summary_indicators(const ResultLayout& layout, bool terminal) {
    std::vector<std::string> shown;
    for (const HeadlineFigure& figure : headline_figures) {
        if (!(terminal ? figure.spread : figure.businesscase)) continue;
        const ResultIndicator* indicator = layout.find(figure.name);
        if (indicator && indicator->kind != IndicatorKind::measure) shown.emplace_back(figure.name);
    }
    return shown;
}

// A space-separated list of names, as netCDF's `coordinates` attribute takes them.
void add_name(std::string& names, const std::string& name) {
    if (!names.empty()) names += ' ';
    names += name;
}

// ---- writing the merged file ------------------------------------------------------------------

struct MergedGroup {
    const GroupLayout* layout;
    hdf5::Group group;  // where it is written (the root: not owned, id only)
    hid_t id = H5I_INVALID_HID;
    std::vector<hdf5::Dataset> indicators;  // as layout->indicators
    // Per indicator: the first task's chunk shape when the merged variable's chunks are the
    // tasks' chunks with the variant (and replicate) axes in front, so they are copied as stored
    // (copy_task_group); empty when values are copied year by year instead.
    std::vector<std::vector<hsize_t>> task_chunks;
};

// One merged group's dimensions (variant, [replicate,] year, the places, the catalog's), its
// coordinates (the places' labels, the varied keys over variant) and an empty variable per
// indicator, described as the first task describes it. Every group has its own variant and
// coordinates, so `xr.open_dataset(f, group="aggregates/wijk")` can select by them too.
void write_group_structure(MergedGroup& out, const SweepPlan& plan, const MergePlan& merge,
                           const std::vector<std::string>& variant_ids, DimensionNumbers& numbers,
                           hid_t first_task) {
    const GroupLayout& g = *out.layout;
    const hid_t root = out.id;
    const bool with_replicates = plan.replicates > 1;
    auto variant = write_dimension(root, "variant", variant_ids, numbers.next(),
                                   "variant id: a hash of the variant's varied values");
    std::optional<hdf5::Dataset> replicate;
    if (with_replicates) {
        std::vector<std::int32_t> numbers_of(static_cast<std::size_t>(plan.replicates));
        for (std::size_t r = 0; r < numbers_of.size(); ++r)
            numbers_of[r] = static_cast<std::int32_t>(r);
        replicate =
            write_dimension(root, std::string(result_layout::replicate), numbers_of, numbers.next(),
                            "replicate r of a variant runs with its seed + r");
    }
    auto year = write_dimension(root, std::string(result_layout::year), merge.years, numbers.next(),
                                "calendar year");
    auto place = write_dimension(root, g.place, g.codes, numbers.next(),
                                 g.path.empty() ? "area" : fmt::format("{} code", g.place));
    if (!g.level.empty()) hdf5::write_attribute(place.id(), "level", g.level);
    std::map<std::string, hdf5::Dataset> catalog;
    for (const ResultDimension& d : g.catalog)
        catalog.emplace(d.name,
                        write_dimension(root, d.name, d.labels, numbers.next(), d.description));
    std::string coordinates;
    for (const AreaAttribute& a : g.labels) {
        write_labels(root, a.name, a.values, place.id());
        add_name(coordinates, a.name);
    }
    // The areas' positions (CF, RD New) as the tasks' results have them: a sweep maps like a
    // result. Larger areas (/aggregates) have none.
    const bool positions = g.path.empty() && copy_area_positions(first_task, root, place.id());
    if (positions) {
        add_name(coordinates, std::string(cf::x));
        add_name(coordinates, std::string(cf::y));
    }
    if (!g.n_areas.empty()) {
        const auto n_areas = write_values(root, "n_areas", g.n_areas, place.id());
        hdf5::write_attribute(n_areas.id(), "units", "areas");
        hdf5::write_attribute(n_areas.id(), "description",
                              fmt::format("how many of the result's areas each {} holds", g.place));
        add_name(coordinates, "n_areas");
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
        hdf5::write_attribute(values.id(), "description",
                              fmt::format("scenario key {} (varied by the sweep)", parameter.key));
        add_name(coordinates, parameter.coordinate);
    }

    static constexpr std::array<std::string_view, indicator_meaning_attributes.size() + 1>
        described = [] {
            std::array<std::string_view, indicator_meaning_attributes.size() + 1> names{};
            std::copy(indicator_meaning_attributes.begin(), indicator_meaning_attributes.end(),
                      names.begin());
            names.back() = indicator_attribute::aggregation;
            return names;
        }();
    const hdf5::Group source_group = open_group_path(first_task, g.path);
    for (const GroupIndicator& indicator : g.indicators) {
        std::vector<hid_t> scales{variant.id()};
        std::vector<hsize_t> shape{variant_ids.size()};
        if (with_replicates) {
            scales.push_back(replicate->id());
            shape.push_back(static_cast<hsize_t>(plan.replicates));
        }
        const std::size_t year_axis = scales.size();
        scales.push_back(year.id());
        shape.push_back(merge.years.size());
        scales.push_back(place.id());
        shape.push_back(g.codes.size());
        for (std::size_t axis = 2; axis < indicator.dims.size(); ++axis) {
            scales.push_back(catalog.at(indicator.dims[axis]).id());
            shape.push_back(indicator.shape[axis]);
        }
        const auto source = hdf5::open_dataset(source_group.id(), indicator.name);
        // One year per chunk in the task: a merged chunk is then one task's chunk, whatever
        // year of the union it lands on.
        std::vector<hsize_t> task_chunk = hdf5::chunk_shape(source.id());
        if (task_chunk.size() != indicator.dims.size() || task_chunk.front() != 1)
            task_chunk.clear();
        std::vector<hsize_t> chunk;
        if (!task_chunk.empty()) {
            chunk.assign(year_axis, 1);
            chunk.insert(chunk.end(), task_chunk.begin(), task_chunk.end());
        }
        out.indicators.push_back(
            create_variable(root, indicator.name, scales, shape, year_axis, chunk));
        out.task_chunks.push_back(std::move(task_chunk));
        copy_string_attributes(source.id(), out.indicators.back().id(), described);
        hdf5::write_attribute(out.indicators.back().id(),
                              std::string(indicator_attribute::coordinates), coordinates);
        if (positions)
            hdf5::write_attribute(out.indicators.back().id(), std::string(cf::grid_mapping),
                                  cf::crs);
    }
}

// Each stored chunk of `source` (a task's variable, chunked as `chunk`) into `target`, the
// merged variable whose chunks are the same with `prefix` (variant[, replicate]) in front; the
// task's year y lands on the union's year years_at[y]. The bytes stay compressed.
void copy_stored_chunks(hid_t source, hid_t target, std::span<const hsize_t> chunk,
                        std::span<const hsize_t> prefix, std::span<const hsize_t> years_at) {
    const std::vector<hsize_t> shape = hdf5::shape(source);
    if (std::find(shape.begin(), shape.end(), hsize_t{0}) != shape.end()) return;
    std::vector<hsize_t> from(shape.size(), 0);  // the chunk's first element in the task
    std::vector<hsize_t> to(prefix.begin(), prefix.end());
    to.resize(prefix.size() + shape.size());
    hdf5::StoredChunk stored;
    for (;;) {
        if (hdf5::read_stored_chunk(source, from, stored)) {
            to[prefix.size()] = years_at[from[0]];
            std::copy(from.begin() + 1, from.end(),
                      to.begin() + static_cast<long>(prefix.size()) + 1);
            hdf5::write_stored_chunk(target, to, stored);
        }
        // The next chunk, last axis fastest.
        std::size_t axis = shape.size();
        while (axis > 0) {
            --axis;
            from[axis] += chunk[axis];
            if (from[axis] < shape[axis]) break;
            from[axis] = 0;
            if (axis == 0) return;
        }
    }
}

// A task's values of one group into the variant's (and replicate's) row: as stored chunks where
// the layouts allow (the tasks of a sweep are written alike), else year by year.
void copy_task_group(hid_t task_root, MergedGroup& out, const SweepTask& task,
                     const std::vector<std::int32_t>& task_years, const MergePlan& merge,
                     bool with_replicates) {
    const hdf5::Group group = open_group_path(task_root, out.layout->path);
    std::vector<hsize_t> years_at;
    for (const std::int32_t year : task_years)
        years_at.push_back(static_cast<hsize_t>(
            std::lower_bound(merge.years.begin(), merge.years.end(), year) - merge.years.begin()));
    std::vector<hsize_t> prefix{task.variant};
    if (with_replicates) prefix.push_back(static_cast<hsize_t>(task.replicate));
    for (std::size_t i = 0; i < out.indicators.size(); ++i) {
        const auto source = hdf5::open_dataset(group.id(), out.layout->indicators[i].name);
        const hid_t target = out.indicators[i].id();
        const auto& chunk = out.task_chunks[i];
        if (!chunk.empty() && hdf5::chunk_shape(source.id()) == chunk &&
            hdf5::same_filters(source.id(), target)) {
            copy_stored_chunks(source.id(), target, chunk, prefix, years_at);
            continue;
        }
        for (std::size_t y = 0; y < task_years.size(); ++y) {
            const std::vector<hsize_t> from{y};
            std::vector<hsize_t> to = prefix;
            to.push_back(years_at[y]);
            write_slab(target, to, read_slab(source.id(), from));
        }
    }
}

std::string joined_lines(const std::vector<std::string>& lines) {
    return fmt::format("{}", fmt::join(lines, "\n"));
}

void write_merged_meta(hid_t root, const SweepPlan& plan) {
    std::vector<std::string> keys, hashes;
    for (const auto& p : plan.parameters) keys.push_back(p.key + " -> " + p.coordinate);
    for (const auto& t : plan.tasks) hashes.push_back(t.id + " " + t.scenario_hash);
    auto meta = hdf5::create_group(root, std::string(result_layout::meta));
    const std::vector<std::pair<std::string, std::string>> entries{
        {"sweep_name", plan.name},
        {"sweep_file", plan.file.filename().string()},
        {"base_scenario", plan.base.filename().string()},
        {"variants", std::to_string(plan.variants)},
        {"replicates", std::to_string(plan.replicates)},
        {"varied_keys", joined_lines(keys)},
        {"engine_version", std::string(engine_version())},
        {"scenario_hashes", joined_lines(hashes)},
    };
    for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
}

// ---- the summary ------------------------------------------------------------------------------

// Each variant's headline totals over all areas in its last projected year (mean over
// replicates): the CSV has every businesscase figure, the terminal the few it has room for.
struct Summary {
    std::vector<std::string> head;                   // variant, the varied keys, year
    std::vector<std::vector<std::string>> prefixes;  // per variant: its cells of head
    std::vector<std::string> figures;                // the indicators summed
    std::vector<std::vector<double>> totals;         // per variant, per figure
};

std::string summary_csv(const Summary& summary) {
    std::vector<std::string> header = summary.head;
    header.insert(header.end(), summary.figures.begin(), summary.figures.end());
    std::vector<std::string> cells;
    for (const auto& cell : header) cells.push_back(csv_cell(cell));
    std::string csv = fmt::format("{}\n", fmt::join(cells, ","));
    for (std::size_t v = 0; v < summary.totals.size(); ++v) {
        cells.clear();
        for (const auto& cell : summary.prefixes[v]) cells.push_back(csv_cell(cell));
        for (const double x : summary.totals[v]) cells.push_back(fmt::format("{}", x));
        csv += fmt::format("{}\n", fmt::join(cells, ","));
    }
    return csv;
}

std::string summary_table(const Summary& summary, const std::vector<std::string>& shown) {
    std::vector<std::string> header = summary.head;
    header.insert(header.end(), shown.begin(), shown.end());
    std::vector<std::vector<std::string>> rows;
    for (std::size_t v = 0; v < summary.totals.size(); ++v) {
        std::vector<std::string> row = summary.prefixes[v];
        for (const auto& name : shown) {
            const auto c = static_cast<std::size_t>(
                std::find(summary.figures.begin(), summary.figures.end(), name) -
                summary.figures.begin());
            row.push_back(c < summary.figures.size() ? fmt::format("{:.0f}", summary.totals[v][c])
                                                     : "nan");
        }
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
            const bool number = c + 1 >= summary.head.size();
            if (c) text += "  ";
            text += number ? fmt::format("{:>{}}", cells[c], width[c])
                           : fmt::format("{:<{}}", cells[c], width[c]);
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        return text + "\n";
    };
    std::string table = line(header);
    for (const auto& row : rows) table += line(row);
    return table;
}

}  // namespace

SweepMergeReport merge_sweep(const SweepPlan& plan, const fs::path& output) {
    require_done(plan);
    SweepMergeReport report;
    report.output = output.empty() ? plan.output / "merged.h5" : output;
    report.summary = fs::path(report.output).replace_extension("").string() + "_summary.csv";

    const MergePlan merge = plan_merge(plan);
    const GroupLayout& areas = merge.groups.front();
    for (const SweepParameter& p : plan.parameters)
        for (const GroupLayout& g : merge.groups)
            if (g.find(p.coordinate) || p.coordinate == g.place ||
                std::any_of(g.catalog.begin(), g.catalog.end(),
                            [&](const auto& d) { return d.name == p.coordinate; }) ||
                std::any_of(g.labels.begin(), g.labels.end(),
                            [&](const auto& a) { return a.name == p.coordinate; }) ||
                p.coordinate == "variant" || p.coordinate == "replicate" ||
                p.coordinate == "year" || p.coordinate == "n_areas")
                throw InputError(problem_at(
                    p.where, fmt::format("its coordinate name '{}' is a name the results use "
                                         "already",
                                         p.coordinate)));

    Summary summary;
    {
        const hdf5::File first = open_result(plan.tasks.front().result);
        summary.figures =
            summary_indicators(read_result_layout(first.id(), plan.tasks.front().result), false);
    }
    std::erase_if(summary.figures, [&](const std::string& name) { return !areas.find(name); });
    summary.totals.assign(plan.variants, std::vector<double>(summary.figures.size(), 0));
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
        std::vector<MergedGroup> groups;
        hdf5::Group aggregates;  // created with the first level
        {
            const hdf5::File first = hdf5::open_file_read_only(plan.tasks.front().result);
            for (const GroupLayout& g : merge.groups) {
                MergedGroup merged{&g, {}, root, {}, {}};
                if (!g.path.empty()) {
                    if (!aggregates) {
                        aggregates =
                            hdf5::create_group(root, std::string(result_layout::aggregates));
                        hdf5::write_attribute(
                            aggregates.id(), "description",
                            "each variant's results aggregated to larger areas, as in each "
                            "task's result (engine/output/aggregate.hpp)");
                    }
                    merged.group = hdf5::create_group(aggregates.id(), g.place);
                    merged.id = merged.group.id();
                }
                write_group_structure(merged, plan, merge, variant_ids, numbers, first.id());
                report.indicators += g.path.empty() ? merged.indicators.size() : 0;
                groups.push_back(std::move(merged));
            }
        }
        // Task by task: each result opened once, every group copied year by year, and the
        // summary's totals of its last year taken on the way.
        for (std::size_t t = 0; t < plan.tasks.size(); ++t) {
            const SweepTask& task = plan.tasks[t];
            const hdf5::File task_file = hdf5::open_file_read_only(task.result);
            for (MergedGroup& g : groups)
                copy_task_group(task_file.id(), g, task, merge.task_years[t], merge,
                                plan.replicates > 1);
            const std::vector<hsize_t> last{merge.task_years[t].size() - 1};
            for (std::size_t c = 0; c < summary.figures.size(); ++c) {
                const auto source = hdf5::open_dataset(task_file.id(), summary.figures[c]);
                double total = 0;
                for (const double v : read_slab(source.id(), last)) total += v;
                summary.totals[task.variant][c] += total / static_cast<double>(plan.replicates);
            }
        }
        write_merged_meta(root, plan);
        apply_cf_conventions(root);
        groups.clear();
        aggregates.close("closing /aggregates");
        file.close(fmt::format("closing '{}'", out.temporary().string()));
    }

    summary.head.push_back("variant");
    for (const SweepParameter& p : plan.parameters) summary.head.push_back(p.coordinate);
    summary.head.push_back("year");
    for (std::size_t t = 0; t < plan.tasks.size(); ++t) {
        const SweepTask& task = plan.tasks[t];
        if (task.replicate != 0) continue;
        std::vector<std::string> row{task.variant_id};
        row.insert(row.end(), task.values.begin(), task.values.end());
        row.push_back(std::to_string(merge.task_years[t].back()));
        summary.prefixes.push_back(std::move(row));
    }
    AtomicOutput csv(report.summary, inputs);
    {
        std::ofstream file(csv.temporary(), std::ios::binary | std::ios::trunc);
        file << summary_csv(summary);
        file.close();
        if (!file) throw std::runtime_error("cannot write " + report.summary.string());
    }
    csv.commit();
    {
        const hdf5::File first = open_result(plan.tasks.front().result);
        report.table = fmt::format(
            "sweep '{}': {} variants x {} replicate{}; totals over all areas in the last "
            "projected year{}\n\n",
            plan.name, plan.variants, plan.replicates, plan.replicates == 1 ? "" : "s",
            plan.replicates > 1 ? ", mean over replicates" : "");
        report.table += summary_table(
            summary,
            summary_indicators(read_result_layout(first.id(), plan.tasks.front().result), true));
    }
    out.commit();
    return report;
}

}  // namespace socialtwin
