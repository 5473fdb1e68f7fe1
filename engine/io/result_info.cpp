#include "engine/io/result_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/io/hdf5.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "engine/io/result_file.hpp"

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

// The indicator's own description, without the writer's " (mean over replicates)": the note
// under the table says it once.
std::string without_mean_qualifier(std::string description) {
    const std::string qualifier = fmt::format(" ({})", result_layout::mean_qualifier);
    const bool stop = !description.empty() && description.back() == '.';
    const std::size_t end = description.size() - (stop ? 1 : 0);
    if (end >= qualifier.size() &&
        description.compare(end - qualifier.size(), qualifier.size(), qualifier) == 0)
        description.erase(end - qualifier.size(), qualifier.size());
    return description;
}

struct DatasetInfo {
    std::string name;
    std::vector<std::string> dims;
    std::vector<hsize_t> shape;
    bool is_scale = false;
};

void describe(const fs::path& path, hid_t root, std::ostream& out) {
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
    auto is_companion = [&](const DatasetInfo& d) {
        for (const auto& [dim, suffix] :
             {std::pair{result_layout::replicate, result_layout::replicates_suffix},
              std::pair{result_layout::quantile, result_layout::quantiles_suffix}})
            if (!d.dims.empty() && d.dims.front() == dim && ends_with(d.name, suffix) &&
                find_dataset(d.name.substr(0, d.name.size() - suffix.size())) != nullptr)
                return true;
        return false;
    };
    std::size_t n_companions = 0;

    std::vector<std::string> dimensions;
    std::vector<std::string> area_attributes;
    std::vector<std::vector<std::string>> indicators{{"name", "dims", "units", "description"}};
    for (const auto& d : datasets) {
        if (d.is_scale) {
            dimensions.push_back(
                fmt::format("{} {}", d.name, d.shape.empty() ? hsize_t{1} : d.shape.front()));
        } else if (d.dims == std::vector<std::string>{std::string(result_layout::area)}) {
            area_attributes.push_back(d.name);
        } else if (is_companion(d)) {
            ++n_companions;
        } else if (std::find(d.dims.begin(), d.dims.end(), result_layout::year) != d.dims.end()) {
            auto dataset = hdf5::open_dataset(root, d.name);
            auto text = [&](const char* attribute) {
                return hdf5::has_attribute(dataset.id(), attribute)
                           ? one_line(without_mean_qualifier(
                                 hdf5::attribute_text(dataset.id(), attribute)))
                           : std::string{};
            };
            indicators.push_back({d.name, fmt::format("({})", fmt::join(d.dims, ", ")),
                                  text("units"), text("description")});
        }
    }

    out << fmt::format("socialtwin result {}\n", path.string());
    std::string scenario = meta_value("scenario_name");
    if (const auto p = meta.find("scenario_path"); p != meta.end() && !p->second.empty())
        scenario += fmt::format(" ({})", one_line(p->second));
    std::string areas = fmt::format("{}", n_areas);
    if (const auto level = meta.find("area_level"); level != meta.end() && !level->second.empty())
        areas += fmt::format(" ({})", level->second);
    if (!area_attributes.empty())
        areas += fmt::format("; attributes {}", fmt::join(area_attributes, ", "));
    print_table(out, {{"scenario", scenario},
                      {"dataset", meta_value("dataset")},
                      {"core", meta_value("core")},
                      {"replicates", replicates},
                      {"years", describe_years(years)},
                      {"areas", areas},
                      {"dimensions", fmt::format("{}", fmt::join(dimensions, ", "))}});

    out << fmt::format("\nindicators ({})\n", indicators.size() - 1);
    print_table(out, indicators);
    if (n_companions > 0) {
        std::vector<std::string> levels;
        for (double q : quantile_levels) levels.push_back(fmt::format("{}", q));
        out << fmt::format(
            "  Values are the mean over replicates ({} here). Every indicator X also comes as\n"
            "  X{} (replicate first: each replicate's values) and X{} (quantile first:\n"
            "  their {} quantiles over replicates).\n",
            replicates, result_layout::replicates_suffix, result_layout::quantiles_suffix,
            fmt::join(levels, ", "));
    }

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

void describe_result_file(const fs::path& path, std::ostream& out) {
    // The same checks as every command that reads a result (file, HDF5, layout version).
    hdf5::File file = open_result(path);
    try {
        describe(path, file.id(), out);
    } catch (const hdf5::Error& e) {
        fail(path, fmt::format("cannot read result: {}", e.what()));
    }
}

}  // namespace socialtwin
