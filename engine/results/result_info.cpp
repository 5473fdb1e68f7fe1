#include "engine/results/result_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/output/result_values.hpp"

namespace socialtwin {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t yaml_lines_shown = 8;
constexpr std::size_t max_value_width = 100;  // [characters] longer meta values are cut

[[noreturn]] void fail(const fs::path& path, std::string message, std::string hint = {}) {
    InputProblem problem;
    problem.where.file = path.string();
    problem.message = std::move(message);
    problem.hint = std::move(hint);
    throw InputError(std::move(problem));
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// One line, at most max_value_width characters, so a table row stays a row.
std::string one_line(const std::string& value) {
    const auto lines = lines_of(value);
    std::string text = lines.empty() ? std::string{} : lines.front();
    const bool cut = lines.size() > 1 || text.size() > max_value_width;
    if (text.size() > max_value_width) text.resize(max_value_width);
    return cut ? text + " ..." : text;
}

std::string describe_years(const std::vector<std::int32_t>& years) {
    if (years.empty()) return "none";
    const bool consecutive =
        static_cast<std::size_t>(years.back() - years.front()) + 1 == years.size();
    const std::string count = fmt::format("{} year{}", years.size(), years.size() == 1 ? "" : "s");
    if (years.size() == 1) return fmt::format("{} ({})", years.front(), count);
    if (consecutive) return fmt::format("{}-{} ({})", years.front(), years.back(), count);
    return fmt::format("{} ({})", fmt::join(years, ", "), count);
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (widths.size() <= c) widths.push_back(0);
            widths[c] = std::max(widths[c], row[c].size());
        }
    for (const auto& row : rows) {
        std::string line = "  ";
        for (std::size_t c = 0; c < row.size(); ++c)
            line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
        line.erase(line.find_last_not_of(' ') + 1);  // an empty last cell leaves no padding
        out << line << '\n';
    }
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

struct DatasetInfo {
    std::string name;
    std::vector<std::string> dims;
    std::vector<hsize_t> shape;
    bool is_scale = false;
};

std::string text_attribute(hid_t object, const std::string& name) {
    return hdf5::has_attribute(object, name) ? hdf5::attribute_text(object, name) : std::string{};
}

// "socialtwin 0.1.0 (git 62843965f2e7), 2026-01-31T12:00:00Z", from a /meta's entries.
std::string engine_text(const std::string& version, const std::string& commit,
                        const std::string& created) {
    if (version.empty()) return "not recorded in the file";
    std::string text = fmt::format("socialtwin {}", one_line(version));
    if (!commit.empty()) text += fmt::format(" (git {})", one_line(commit));
    if (!created.empty()) text += fmt::format(", {}", one_line(created));
    return text;
}

// The variables of `group` that are not dimensions: name, dims, units and description.
std::vector<std::vector<std::string>> variable_rows(hid_t group) {
    std::vector<std::vector<std::string>> rows{{"name", "dims", "units", "description"}};
    for (const auto& name : hdf5::link_names(group)) {
        if (!hdf5::is_dataset(group, name)) continue;
        auto dataset = hdf5::open_dataset(group, name);
        if (hdf5::is_dimension_scale(dataset.id())) continue;
        auto dims = hdf5::dimension_names(dataset.id());
        const auto shape = hdf5::shape(dataset.id());
        for (std::size_t axis = 0; axis < dims.size(); ++axis)
            if (dims[axis].empty()) dims[axis] = fmt::format("{}", shape[axis]);
        rows.push_back({name, fmt::format("({})", fmt::join(dims, ", ")),
                        one_line(unit_label_of(dataset.id())),
                        one_line(text_attribute(dataset.id(), "description"))});
    }
    return rows;
}

// "year 3, area 2, sex 2": the dimensions (scales) of `group`, with their lengths.
std::string dimensions_of(hid_t group) {
    std::vector<std::string> dimensions;
    for (const auto& name : hdf5::link_names(group)) {
        if (!hdf5::is_dataset(group, name)) continue;
        auto dataset = hdf5::open_dataset(group, name);
        if (!hdf5::is_dimension_scale(dataset.id())) continue;
        const auto shape = hdf5::shape(dataset.id());
        dimensions.push_back(
            fmt::format("{} {}", name, shape.empty() ? hsize_t{1} : shape.front()));
    }
    return fmt::format("{}", fmt::join(dimensions, ", "));
}

void print_meta(hid_t root, std::ostream& out) {
    if (!hdf5::link_exists(root, std::string(result_layout::meta))) return;
    auto meta = hdf5::open_group(root, std::string(result_layout::meta));
    std::vector<std::vector<std::string>> rows;
    for (const auto& key : hdf5::attribute_names(meta.id()))
        rows.push_back({key, one_line(hdf5::attribute_text(meta.id(), key))});
    out << "\nmeta\n";
    print_table(out, rows);
}

std::string meta_entry(hid_t root, const std::string& key) {
    if (!hdf5::link_exists(root, std::string(result_layout::meta))) return {};
    auto meta = hdf5::open_group(root, std::string(result_layout::meta));
    return text_attribute(meta.id(), key);
}

// `socialtwin compare BASELINE SCENARIO -o DIFF.h5`
void describe_difference(const fs::path& path, hid_t root, const ResultLayout& layout,
                         std::ostream& out) {
    auto meta = [&](const char* key) { return one_line(layout.meta_value(key)); };
    std::vector<std::string> levels;
    const std::string aggregates(derived_layout::aggregates);
    if (hdf5::link_exists(root, aggregates)) {
        auto group = hdf5::open_group(root, aggregates);
        for (const auto& level : hdf5::link_names(group.id()))
            if (hdf5::is_group(group.id(), level)) levels.push_back(level);
    }
    out << fmt::format("socialtwin comparison {}\n", path.string());
    print_table(
        out,
        {{"kind",
          "scenario minus baseline (businesscase), written by `socialtwin compare "
          "BASELINE SCENARIO -o`"},
         {"baseline",
          fmt::format("{} ({})", meta("baseline_scenario_name"), meta("baseline_path"))},
         {"scenario", fmt::format("{} ({})", meta("scenario_name"), meta("scenario_path"))},
         {"engine", engine_text(layout.meta_value("engine_version"),
                                layout.meta_value("git_commit"), layout.meta_value("created_utc"))},
         {"dataset", meta("dataset")},
         {"years", describe_years(layout.years)},
         {"areas", fmt::format("{} ({})", layout.areas.size(), layout.area_level)},
         {"discount", fmt::format("{} a year, present values in {}", meta("discount_rate"),
                                  meta("present_value_year"))},
         {"dimensions", dimensions_of(root)},
         {"aggregates", levels.empty()
                            ? std::string("none")
                            : fmt::format("{} (in /{})", fmt::join(levels, ", "), aggregates)}});
    const auto rows = variable_rows(root);
    out << fmt::format(
        "\nvariables ({}): scenario minus baseline per area; the same per larger "
        "area in /{}/<level>\n",
        rows.size() - 1, aggregates);
    print_table(out, rows);
    print_meta(root, out);
}

// `socialtwin monitor RESULT OBSERVATIONS -o MONITOR.h5`
void describe_monitoring(const fs::path& path, hid_t root, std::ostream& out) {
    auto meta = [&](const char* key) { return one_line(meta_entry(root, key)); };
    out << fmt::format("socialtwin monitoring file {}\n", path.string());
    const std::string summary = "summary";
    const bool has_summary = hdf5::link_exists(root, summary) && hdf5::is_group(root, summary);
    std::string dimensions = dimensions_of(root);
    if (has_summary)
        dimensions +=
            fmt::format("; /{}: {}", summary, dimensions_of(hdf5::open_group(root, summary).id()));
    print_table(
        out,
        {{"kind",
          "a projection against observations, written by `socialtwin monitor RESULT "
          "OBSERVATIONS -o`"},
         {"projection",
          fmt::format("{} ({})", meta("projection_scenario_name"), meta("projection_path"))},
         {"observation",
          fmt::format("{} ({})", meta("observation_name"), meta("observation_path"))},
         {"level", meta("level")},
         {"engine", engine_text(meta_entry(root, "engine_version"), meta_entry(root, "git_commit"),
                                meta_entry(root, "created_utc"))},
         {"dimensions", dimensions}});
    const auto rows = variable_rows(root);
    out << fmt::format("\nvariables ({}): one row per observed value\n", rows.size() - 1);
    print_table(out, rows);
    if (has_summary) {
        auto group = hdf5::open_group(root, summary);
        const auto summary_rows = variable_rows(group.id());
        out << fmt::format("\n/{} ({}): {}\n", summary, summary_rows.size() - 1,
                           one_line(text_attribute(group.id(), "description")));
        print_table(out, summary_rows);
    }
    print_meta(root, out);
}

// `socialtwin sweep merge F`: every indicator along variant (and replicate), the varied keys
// as coordinates on variant. Said so first, since xarray, not `compare`, is how one reads it.
void describe_sweep(const fs::path& path, hid_t root, std::ostream& out) {
    auto meta = [&](const char* key) { return one_line(meta_entry(root, key)); };
    out << fmt::format("socialtwin merged sweep {}\n", path.string());
    std::vector<std::string> varied;
    for (const auto& line : lines_of(meta_entry(root, "varied_keys")))
        if (!line.empty()) varied.push_back(line);
    std::string aggregates = "none";
    const std::string group(derived_layout::aggregates);
    if (hdf5::link_exists(root, group) && hdf5::is_group(root, group)) {
        std::vector<std::string> levels;
        for (const auto& level : hdf5::link_names(hdf5::open_group(root, group).id()))
            levels.push_back(level);
        aggregates = fmt::format("/{}/: {}", group, fmt::join(levels, ", "));
    }
    print_table(
        out,
        {{"kind",
          "a sweep's results along a variant dimension, written by `socialtwin sweep merge`; "
          "open it with xarray (docs/sweeps.md)"},
         {"sweep", fmt::format("{} ({})", meta("sweep_name"), meta("sweep_file"))},
         {"base scenario", meta("base_scenario")},
         {"variants", fmt::format("{} x {} replicate(s)", meta("variants"), meta("replicates"))},
         {"varied",
          varied.empty() ? std::string("none") : fmt::format("{}", fmt::join(varied, "; "))},
         {"aggregates", aggregates},
         {"engine", engine_text(meta_entry(root, "engine_version"), {}, {})},
         {"dimensions", dimensions_of(root)}});
    const auto rows = variable_rows(root);
    out << fmt::format("\nvariables ({}): indicators and the varied keys' coordinates\n",
                       rows.size() - 1);
    print_table(out, rows);
}

// What each column of a start population holds: its writer (start_population.cpp) stores no
// units, so they are said here.
constexpr std::array<std::array<std::string_view, 3>, 8> person_columns{{
    {"birth_year", "calendar year", "year of birth"},
    {"sex", "code", "0 = male, 1 = female"},
    {"position", "code",
     "0 = child at home, 1 = living alone, 2/3 = partner without/with children, 4 = single "
     "parent, 5 = other member, 6 = institution"},
    {"presence", "code", "0 = present, 1 = dead, 2 = emigrated"},
    {"area", "index", "the person's area: a row of /area"},
    {"mother", "index", "the mother's row in /persons, -1 = none in the population"},
    {"partner", "index", "the partner's row in /persons, -1 = none"},
    {"household", "index", "the household's number, -1 = none"},
}};

// `socialtwin synthesise SCENARIO -o START.h5`
void describe_start_population(const fs::path& path, hid_t root, std::ostream& out) {
    std::size_t n_areas = 0, n_persons = 0;
    if (hdf5::link_exists(root, "area") && hdf5::is_dataset(root, "area")) {
        const auto shape = hdf5::shape(hdf5::open_dataset(root, "area").id());
        n_areas = shape.empty() ? 0 : shape.front();
    }
    std::vector<std::vector<std::string>> rows{
        {"name", "dims", "units", "description"},
        {"area", "(area)", "code", "the dataset's area codes"}};
    if (hdf5::link_exists(root, "persons") && hdf5::is_group(root, "persons")) {
        auto persons = hdf5::open_group(root, "persons");
        for (const auto& name : hdf5::link_names(persons.id())) {
            if (!hdf5::is_dataset(persons.id(), name)) continue;
            const auto shape = hdf5::shape(hdf5::open_dataset(persons.id(), name).id());
            if (!shape.empty()) n_persons = std::max<std::size_t>(n_persons, shape.front());
            std::string units, description;
            for (const auto& column : person_columns)
                if (column[0] == name) {
                    units = column[1];
                    description = column[2];
                }
            rows.push_back({"persons/" + name, "(person)", units, description});
        }
    }
    out << fmt::format("socialtwin start population {}\n", path.string());
    print_table(out, {{"kind",
                       "the agent core's persons on 1 January of the base year, written by "
                       "`socialtwin synthesise`; `socialtwin run --start-population` reads it"},
                      {"dataset", one_line(text_attribute(root, "dataset"))},
                      {"base year", one_line(text_attribute(root, "base_year"))},
                      {"seed", one_line(text_attribute(root, "seed"))},
                      {"engine", engine_text(text_attribute(root, "engine_version"),
                                             text_attribute(root, "git_commit"), {})},
                      {"dimensions", fmt::format("person {}, area {}", n_persons, n_areas)}});
    out << fmt::format("\nvariables ({})\n", rows.size() - 1);
    print_table(out, rows);
}

// Whether a level of /aggregates holds a breakdown: an indicator with a dimension beside the
// year, the level's units and the replicates or quantiles. A run with
// output.breakdowns_per_area: none keeps its breakdowns there only; with --no-aggregates it
// writes none, and `socialtwin aggregate` makes levels from the areas, without them.
bool aggregates_hold_breakdowns(hid_t root) {
    const std::string aggregates(result_layout::aggregates);
    if (!hdf5::link_exists(root, aggregates)) return false;
    const auto group = hdf5::open_group(root, aggregates);
    for (const auto& level : hdf5::link_names(group.id())) {
        if (!hdf5::is_group(group.id(), level)) continue;
        const auto in_level = hdf5::open_group(group.id(), level);
        for (const auto& name : hdf5::link_names(in_level.id())) {
            if (!hdf5::is_dataset(in_level.id(), name)) continue;
            const auto dataset = hdf5::open_dataset(in_level.id(), name);
            if (hdf5::is_dimension_scale(dataset.id())) continue;
            const auto dims = hdf5::dimension_names(dataset.id());
            if (std::find(dims.begin(), dims.end(), result_layout::year) == dims.end()) continue;
            for (const auto& dim : dims)
                if (dim != result_layout::year && dim != level && dim != result_layout::replicate &&
                    dim != result_layout::quantile)
                    return true;
        }
    }
    return false;
}

void describe(const fs::path& path, hid_t root, std::string_view content, std::ostream& out) {
    std::map<std::string, std::string> meta;
    std::vector<std::string> meta_order;
    std::string yaml;
    if (!hdf5::link_exists(root, std::string(result_layout::meta)))
        fail(path, "socialtwin result without its /meta group", "was the run interrupted?");
    auto meta_group = hdf5::open_group(root, std::string(result_layout::meta));
    for (const auto& name : hdf5::attribute_names(meta_group.id())) {
        meta[name] = hdf5::attribute_text(meta_group.id(), name);
        meta_order.push_back(name);
    }
    if (hdf5::link_exists(meta_group.id(), std::string(result_layout::scenario_yaml))) {
        auto dataset =
            hdf5::open_dataset(meta_group.id(), std::string(result_layout::scenario_yaml));
        const auto text = hdf5::read_strings(dataset.id());
        if (!text.empty()) yaml = text.front();
    }
    auto meta_value = [&](const std::string& key) {
        const auto found = meta.find(key);
        return found == meta.end() ? std::string("?") : one_line(found->second);
    };

    std::vector<DatasetInfo> datasets;
    for (const auto& name : hdf5::link_names(root)) {
        if (!hdf5::is_dataset(root, name)) continue;
        auto dataset = hdf5::open_dataset(root, name);
        datasets.push_back({name, hdf5::dimension_names(dataset.id()), hdf5::shape(dataset.id()),
                            hdf5::is_dimension_scale(dataset.id())});
    }
    auto find_dataset = [&](std::string_view name) -> const DatasetInfo* {
        for (const auto& d : datasets)
            if (d.name == name) return &d;
        return nullptr;
    };

    std::vector<std::int32_t> years;
    if (find_dataset(result_layout::year) != nullptr) {
        auto dataset = hdf5::open_dataset(root, std::string(result_layout::year));
        years = hdf5::read_ints(dataset.id());
    }
    const DatasetInfo* area = find_dataset(result_layout::area);
    const hsize_t n_areas = area != nullptr && !area->shape.empty() ? area->shape.front() : 0;
    // /meta says how many; a file from before replicates has no entry and, like every
    // one-replicate run, no /replicate dimension: a single run.
    std::string replicates = "1";
    if (const auto it = meta.find("replicates"); it != meta.end())
        replicates = one_line(it->second);
    else if (const DatasetInfo* r = find_dataset(result_layout::replicate);
             r != nullptr && !r->shape.empty())
        replicates = std::to_string(r->shape.front());
    std::vector<double> quantile_levels;
    if (find_dataset(result_layout::quantile) != nullptr) {
        auto dataset = hdf5::open_dataset(root, std::string(result_layout::quantile));
        quantile_levels = hdf5::read_doubles(dataset.id());
    }
    // <indicator>_replicates and <indicator>_quantiles, written only for runs with several
    // replicates: named once, below the indicators, when the file has them.
    auto is_companion = [&](const DatasetInfo& d, std::string_view dim, std::string_view suffix) {
        return !d.dims.empty() && d.dims.front() == dim && ends_with(d.name, suffix) &&
               find_dataset(d.name.substr(0, d.name.size() - suffix.size())) != nullptr;
    };
    std::size_t n_replicates = 0, n_quantiles = 0;  // companions of each kind

    std::vector<std::string> dimensions;
    std::vector<std::string> area_attributes;
    std::vector<std::vector<std::string>> indicators{{"name", "dims", "units", "description"}};
    std::string kept_bits;  // mantissa bits of rounded values (output.significant_digits)
    for (const auto& d : datasets) {
        if (d.is_scale) {
            dimensions.push_back(
                fmt::format("{} {}", d.name, d.shape.empty() ? hsize_t{1} : d.shape.front()));
        } else if (d.dims == std::vector<std::string>{std::string(result_layout::area)}) {
            area_attributes.push_back(d.name);
        } else if (is_companion(d, result_layout::replicate, result_layout::replicates_suffix)) {
            ++n_replicates;
        } else if (is_companion(d, result_layout::quantile, result_layout::quantiles_suffix)) {
            ++n_quantiles;
        } else if (std::find(d.dims.begin(), d.dims.end(), result_layout::year) != d.dims.end()) {
            auto dataset = hdf5::open_dataset(root, d.name);
            auto text = [&](const char* attribute) {
                return hdf5::has_attribute(dataset.id(), attribute)
                           ? one_line(without_mean_qualifier(
                                 hdf5::attribute_text(dataset.id(), attribute)))
                           : std::string{};
            };
            if (const std::string nsb(result_layout::quantization_bits_attribute);
                kept_bits.empty() && hdf5::has_attribute(dataset.id(), nsb))
                kept_bits = hdf5::attribute_text(dataset.id(), nsb);
            indicators.push_back({d.name, fmt::format("({})", fmt::join(d.dims, ", ")),
                                  one_line(unit_label_of(dataset.id())), text("description")});
        }
    }

    const bool published = content == derived_layout::published;
    out << fmt::format("socialtwin {} {}\n", published ? "published result" : "result",
                       path.string());
    std::string scenario = meta_value("scenario_name");
    if (const auto p = meta.find("scenario_path"); p != meta.end() && !p->second.empty())
        scenario += fmt::format(" ({})", one_line(p->second));
    std::string areas = fmt::format("{}", n_areas);
    if (const auto level = meta.find("area_level"); level != meta.end() && !level->second.empty())
        areas += fmt::format(" ({})", level->second);
    if (!area_attributes.empty())
        areas += fmt::format("; attributes {}", fmt::join(area_attributes, ", "));
    std::vector<std::vector<std::string>> rows_of_run;
    if (published)
        rows_of_run.push_back(
            {"kind", fmt::format("a result for publication, written by `socialtwin export` from "
                                 "{} under disclosure control: {}",
                                 meta_value("source_path"), meta_value("disclosure_control"))});
    else
        rows_of_run.push_back({"kind", "a projection, written by `socialtwin run`"});
    const auto meta_text = [&](const char* key) {
        const auto found = meta.find(key);
        return found == meta.end() ? std::string{} : found->second;
    };
    rows_of_run.push_back(
        {"engine", engine_text(meta_text("engine_version"), meta_text("git_commit"),
                               meta_text("created_utc"))});
    for (auto row : std::vector<std::vector<std::string>>{
             {"scenario", scenario},
             {"dataset", meta_value("dataset")},
             {"core", meta_value("core")},
             {"replicates", replicates},
             {"years", describe_years(years)},
             {"areas", areas},
             {"dimensions", fmt::format("{}", fmt::join(dimensions, ", "))}})
        rows_of_run.push_back(std::move(row));
    // Only where the values are not the full float64 every older file has (output.precision,
    // output.significant_digits).
    std::string precision(result_layout::value_precisions[0]);
    if (const std::string attribute(result_layout::value_precision_attribute);
        hdf5::has_attribute(root, attribute))
        precision = hdf5::read_string_attribute(root, attribute);
    if (!kept_bits.empty()) {
        // The digits the bits were chosen for: floor(bits x log10 2) undoes ceil(digits x log2 10).
        const int digits = static_cast<int>(std::stoi(kept_bits) * 0.30103);
        rows_of_run.push_back(
            {"values", fmt::format("{}, rounded to {} significant digits ({} mantissa bits, "
                                   "bitround; output.significant_digits)",
                                   precision, digits, kept_bits)});
    } else if (precision != result_layout::value_precisions[0]) {
        rows_of_run.push_back({"values", precision + " (~7 significant digits; output.precision)"});
    }
    print_table(out, rows_of_run);

    out << fmt::format("\nindicators ({})\n", indicators.size() - 1);
    print_table(out, indicators);
    std::vector<std::string> levels;
    for (double q : quantile_levels) levels.push_back(fmt::format("{}", q));
    if (n_replicates > 0) {
        out << fmt::format(
            "  Values are the mean over replicates ({} here). Every indicator X also comes as\n"
            "  X{} (replicate first: each replicate's values) and X{} (quantile first:\n"
            "  their {} quantiles over replicates).\n",
            replicates, result_layout::replicates_suffix, result_layout::quantiles_suffix,
            fmt::join(levels, ", "));
    } else if (n_quantiles > 0) {
        out << fmt::format(
            "  Values are the mean over replicates ({} here). Every indicator X also comes as\n"
            "  X{} (quantile first: their {} quantiles over replicates, per area);\n"
            "  each replicate is kept per larger area in /{} (output.replicates_per_area).\n",
            replicates, result_layout::quantiles_suffix, fmt::join(levels, ", "),
            result_layout::aggregates);
    }

    if (breakdowns_only_per_larger_area(root))
        out << fmt::format(
            "  Per area only the indicators without a breakdown; those by sex and age band,\n"
            "  household type, dwelling type and tenure are {}\n"
            "  (output.breakdowns_per_area: none).\n",
            aggregates_hold_breakdowns(root)
                ? fmt::format("per larger area in /{}", result_layout::aggregates)
            : hdf5::link_exists(root, std::string(result_layout::aggregates))
                ? fmt::format("nowhere: the run wrote no /{0}, and a /{0} made afterwards\n"
                              "  holds only what the areas keep",
                              result_layout::aggregates)
                : fmt::format("nowhere: the run wrote no /{}", result_layout::aggregates));

    out << "\nmeta\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& key : meta_order) rows.push_back({key, one_line(meta[key])});
    print_table(out, rows);
    const auto yaml_lines = lines_of(yaml);
    out << fmt::format("\nscenario YAML ({} lines{})\n", yaml_lines.size(),
                       yaml_lines.size() > yaml_lines_shown
                           ? fmt::format(", first {} shown", yaml_lines_shown)
                           : std::string{});
    for (std::size_t i = 0; i < std::min(yaml_lines.size(), yaml_lines_shown); ++i)
        out << "  " << yaml_lines[i] << '\n';
    if (yaml_lines.size() > yaml_lines_shown)
        out << fmt::format("  ... ({} more line{})\n", yaml_lines.size() - yaml_lines_shown,
                           yaml_lines.size() - yaml_lines_shown == 1 ? "" : "s");

    // Written at on_finish; a file always has them, but say so plainly if not.
    if (!hdf5::link_exists(meta_group.id(), std::string(result_layout::phase_timings))) return;
    auto timings = hdf5::open_group(meta_group.id(), std::string(result_layout::phase_timings));
    auto phase = hdf5::open_dataset(timings.id(), "phase");
    auto seconds = hdf5::open_dataset(timings.id(), "seconds");
    const auto phases = hdf5::read_strings(phase.id());
    const auto values = hdf5::read_doubles(seconds.id());
    std::string wall;
    if (hdf5::has_attribute(timings.id(), "wall_seconds"))
        wall = fmt::format(" (wall time {:.3f} s)",
                           std::stod(hdf5::attribute_text(timings.id(), "wall_seconds")));
    out << fmt::format("\nphase timings{}\n", wall);
    rows.clear();
    for (std::size_t i = 0; i < std::min(phases.size(), values.size()); ++i)
        rows.push_back({phases[i], fmt::format("{:.3f} s", values[i])});
    print_table(out, rows);
}

}  // namespace

std::string without_mean_qualifier(std::string description) {
    return without_qualifier(std::move(description), result_layout::mean_qualifier);
}

void describe_result_file(const fs::path& path, std::ostream& out) {
    // Which kind of file it is, from the root attribute each writer sets.
    std::string kind;
    {
        const hdf5::File file = open_hdf5_input(path, "a file written by socialtwin");
        for (const char* marker : {"socialtwin_result_version", "socialtwin_monitoring_version",
                                   "socialtwin_start_population"})
            if (kind.empty() && hdf5::has_attribute(file.id(), marker)) kind = marker;
    }
    if (kind.empty())
        fail(path,
             "an HDF5 file, but not a socialtwin file: none of the root attributes "
             "socialtwin_result_version (a result, a published result, a comparison or a merged "
             "sweep), "
             "socialtwin_monitoring_version (a monitoring file) or socialtwin_start_population "
             "(a start population) is there",
             "info describes the files socialtwin writes");
    try {
        if (kind == "socialtwin_monitoring_version") {
            const hdf5::File file = open_hdf5_input(path, "a socialtwin monitoring file");
            describe_monitoring(path, file.id(), out);
        } else if (kind == "socialtwin_start_population") {
            const hdf5::File file = open_hdf5_input(path, "a socialtwin start population");
            describe_start_population(path, file.id(), out);
        } else {
            // The same checks as every command that reads a result (file, HDF5, layout
            // version, every variable fitting its dimensions).
            static constexpr std::array<std::string_view, 4> kinds{
                derived_layout::result, derived_layout::published, derived_layout::difference,
                derived_layout::sweep};
            const hdf5::File file = open_result(path, false, kinds);
            if (text_attribute(file.id(), std::string(derived_layout::content_attribute)) ==
                derived_layout::sweep) {
                describe_sweep(path, file.id(), out);
                return;
            }
            const ResultLayout layout = read_result_layout(file.id(), path);
            if (layout.content == derived_layout::difference)
                describe_difference(path, file.id(), layout, out);
            else
                describe(path, file.id(), layout.content, out);
        }
    } catch (const hdf5::Error& e) {
        fail(path, fmt::format("a damaged socialtwin file: {}", e.what()),
             "was it written or copied completely, and not edited?");
    }
}

}  // namespace socialtwin
