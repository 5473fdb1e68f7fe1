#include "engine/results/monitor.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/core/errors.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/input/observations.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/results/compare.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// `name` from /aggregates/<level> of a result that keeps it only per larger area
// (output.breakdowns_per_area: none): years x units x values per unit, the units in the order of
// `grouping` (as the writer grouped them), and its layout as if the areas kept it. No values
// when that level lacks it or holds other units.
std::pair<std::vector<double>, ResultIndicator> level_aggregate(hid_t root,
                                                                const std::string& level,
                                                                const std::string& name,
                                                                const ResultLayout& layout,
                                                                const AreaGrouping& grouping) {
    const std::string aggregates(derived_layout::aggregates);
    if (!hdf5::link_exists(root, aggregates)) return {};
    const auto group = hdf5::open_group(root, aggregates);
    if (!hdf5::link_exists(group.id(), level) || !hdf5::is_group(group.id(), level)) return {};
    const auto at = hdf5::open_group(group.id(), level);
    if (!hdf5::link_exists(at.id(), name) || !hdf5::link_exists(at.id(), level)) return {};
    if (hdf5::read_strings(hdf5::open_dataset(at.id(), level).id()) != grouping.codes) return {};
    const auto dataset = hdf5::open_dataset(at.id(), name);
    const auto shape = hdf5::shape(dataset.id());
    auto indicator = as_if_per_area(dataset.id(), name, layout.areas.size());
    if (!indicator || shape[0] != layout.years.size() || shape[1] != grouping.codes.size())
        return {};
    return {hdf5::read_doubles(dataset.id()), std::move(*indicator)};
}

struct Compared {
    ObservedRow row;
    double projected = 0;
    std::size_t order = 0;  // the indicator's place in observable_indicators
    double projected_first_year = 0;
};

std::size_t index_of(const std::vector<std::string>& labels, const std::string& label) {
    return static_cast<std::size_t>(std::find(labels.begin(), labels.end(), label) -
                                    labels.begin());
}

double relative(double projected, double observed) {
    return observed != 0 ? (projected - observed) / observed : nan;
}

void write_monitor(const fs::path& temporary, const MonitorReport& report,
                   const ResultLayout& layout, const ObservationInfo& info,
                   const std::vector<Compared>& rows) {
    hdf5::File file = hdf5::create_file(temporary);
    const hid_t root = file.id();
    const std::string created = utc_timestamp();
    hdf5::write_attribute(root, "title",
                          fmt::format("socialtwin monitoring: projection '{}' against '{}'",
                                      report.scenario_name, report.observation_name));
    hdf5::write_attribute(
        root, "history",
        fmt::format("{} socialtwin {} monitor {} {}", created, engine_version(),
                    report.projection_path.string(), report.observation_path.string()));
    // Not socialtwin_result_version: a table of observations is no result (its `year` and `area`
    // are columns, not dimensions), and readers of results refuse it for want of that attribute.
    hdf5::write_attribute(root, "socialtwin_monitoring_version", std::int32_t{1});
    hdf5::write_attribute(root, std::string(derived_layout::content_attribute),
                          derived_layout::monitoring);
    DimensionNumbers numbers(root);

    {
        std::vector<std::int32_t> index(rows.size()), years;
        std::vector<std::string> indicator, area, sex, age_band;
        std::vector<double> projected, observed, difference, relative_difference;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            index[i] = static_cast<std::int32_t>(i);
            years.push_back(r.row.year);
            indicator.push_back(r.row.indicator);
            area.push_back(r.row.area);
            sex.push_back(r.row.sex);
            age_band.push_back(r.row.age_band);
            projected.push_back(r.projected);
            observed.push_back(r.row.value);
            difference.push_back(r.projected - r.row.value);
            relative_difference.push_back(relative(r.projected, r.row.value));
        }
        auto scale = write_dimension(root, "observation", index, numbers.next(),
                                     "row number: one observed value");
        const hid_t s = scale.id();
        auto describe = [](hdf5::Dataset dataset, std::string_view description,
                           std::string_view units = {}) {
            hdf5::write_attribute(dataset.id(), "description", description);
            if (!units.empty()) hdf5::write_attribute(dataset.id(), "units", units);
        };
        describe(write_labels(root, "indicator", indicator, s), "the indicator observed");
        describe(write_labels(root, "area", area, s),
                 fmt::format("{} code (the observation's level)", report.level));
        describe(write_values(root, "year", years, s),
                 "calendar year: stocks on 1 January of the year");
        describe(write_labels(root, "sex", sex, s),
                 "sex, for population_by_age_sex; empty otherwise");
        describe(
            write_labels(root, "age_band", age_band, s),
            "age band (5-year, or a range of them such as 0-14), for population_by_age_sex; empty "
            "otherwise");
        describe(write_values(root, "projected", projected, s),
                 fmt::format("the projection summed over the areas of each {}", report.level),
                 "persons, households or dwellings, as the indicator");
        describe(write_values(root, "observed", observed, s), "the observed value",
                 "as the indicator");
        describe(write_values(root, "difference", difference, s), "projected minus observed",
                 "as the indicator");
        describe(write_values(root, "relative_difference", relative_difference, s),
                 "(projected - observed) / observed; NaN where observed is 0", "1");
    }
    {
        auto summary = hdf5::create_group(root, "summary");
        hdf5::write_attribute(summary.id(), "description",
                              "one row per indicator and year: totals over the compared values "
                              "and the mean absolute percentage error (MAPE)");
        std::vector<std::int32_t> index, years, n_areas, n_values, mape_values;
        std::vector<std::string> indicator;
        std::vector<double> projected, observed, difference, relative_difference, mape;
        for (const auto& r : report.rows) {
            index.push_back(static_cast<std::int32_t>(index.size()));
            indicator.push_back(r.indicator);
            years.push_back(r.year);
            n_areas.push_back(static_cast<std::int32_t>(r.n_areas));
            n_values.push_back(static_cast<std::int32_t>(r.n_values));
            projected.push_back(r.projected);
            observed.push_back(r.observed);
            difference.push_back(r.projected - r.observed);
            relative_difference.push_back(relative(r.projected, r.observed));
            mape.push_back(r.mape_percent);
            mape_values.push_back(static_cast<std::int32_t>(r.mape_values));
        }
        const hid_t g = summary.id();
        auto scale = write_dimension(g, "row", index, numbers.next(), "row number");
        const hid_t s = scale.id();
        auto describe = [](hdf5::Dataset dataset, std::string_view description) {
            hdf5::write_attribute(dataset.id(), "description", description);
        };
        describe(write_labels(g, "indicator", indicator, s), "the indicator observed");
        describe(write_values(g, "year", years, s), "calendar year");
        describe(write_values(g, "n_areas", n_areas, s), "areas compared");
        describe(write_values(g, "n_values", n_values, s),
                 "values compared (areas x sexes x age bands for population_by_age_sex)");
        describe(write_values(g, "projected_total", projected, s),
                 "sum of the projected values compared");
        describe(write_values(g, "observed_total", observed, s),
                 "sum of the observed values compared");
        describe(write_values(g, "difference", difference, s), "projected_total - observed_total");
        describe(write_values(g, "relative_difference", relative_difference, s),
                 "difference / observed_total");
        describe(write_values(g, "mape_percent", mape, s),
                 "mean absolute percentage error: the mean over the values with observed > 0 of "
                 "|projected - observed| / observed x 100");
        describe(write_values(g, "mape_values", mape_values, s),
                 "values with observed > 0 (those the MAPE is over)");
    }
    {
        auto meta = hdf5::create_group(root, std::string(result_layout::meta));
        auto absolute = [](const fs::path& p) {
            std::error_code error;
            const auto a = fs::absolute(p, error);
            return error ? p.string() : a.lexically_normal().string();
        };
        const std::vector<std::pair<std::string, std::string>> entries{
            {"content",
             "a projection against observations: one row per observed value, with the "
             "projection aggregated to the observation's level"},
            {"projection_path", absolute(report.projection_path)},
            {"projection_scenario_name", layout.meta_value("scenario_name")},
            {"projection_dataset", layout.meta_value("dataset")},
            {"projection_git_commit", layout.meta_value("git_commit")},
            {"projection_created_utc", layout.meta_value("created_utc")},
            {"observation_path", absolute(report.observation_path)},
            {"observation_name", info.name},
            {"observation_title", info.title},
            {"observation_level", info.level},
            {"observation_dataset", info.dataset},
            {"observation_provenance", info.provenance},
            {"level", report.level},
            {"aggregation",
             fmt::format("projected = the projection's values summed over its {} areas in each "
                         "{} (the area attribute `{}`)",
                         layout.area_level, report.level, report.level)},
            {"not_projected", report.not_projected.empty()
                                  ? std::string("none")
                                  : fmt::format("{}", fmt::join(report.not_projected, ", "))},
            {"observed_years_outside_projection", std::to_string(report.n_outside_years)},
            {"reading",
             "xr.open_dataset(path, engine='h5netcdf').to_dataframe() gives the table; "
             "group='summary' the totals per indicator and year"},
            {"engine_version", std::string(engine_version())},
            {"git_commit", std::string(engine_git_commit())},
            {"created_utc", created},
        };
        for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
    }
    apply_cf_conventions(file.id());
    file.close(fmt::format("closing '{}'", temporary.string()));
}

}  // namespace

bool is_observation_path(const fs::path& path) {
    std::error_code error;
    if (fs::is_directory(path, error)) return true;
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".csv";
}

MonitorReport monitor_projection(const MonitorOptions& options) {
    MonitorReport report;
    report.projection_path = options.projection;
    report.observation_path = options.observation;
    report.output = options.output;

    // Every input problem before anything is written: the projection, observation.yaml, the
    // level, then each row of observed.csv.
    std::vector<InputProblem> problems;
    hdf5::File file;
    ResultLayout layout;
    try {
        file = open_result(options.projection);
        layout = read_result_layout(file.id(), options.projection);
    } catch (const InputError& e) {
        problems = e.problems();
    }
    ObservationInfo info;
    try {
        info = read_observation_info(options.observation, options.level);
    } catch (const InputError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    // The target is checked now, before the work (engine/formats/output_file.hpp).
    if (!options.output.empty()) {
        const std::array<ProtectedInput, 3> inputs{
            ProtectedInput{options.projection, "the projection"},
            ProtectedInput{info.yaml, "the observation's description"},
            ProtectedInput{info.csv, "the observed values"}};
        try {
            check_output_target(options.output, inputs);
        } catch (const InputError& e) {
            problems.insert(problems.end(), e.problems().begin(), e.problems().end());
        }
    }
    if (!problems.empty()) throw InputError(std::move(problems));

    AreaGrouping grouping;
    try {
        grouping = group_areas(layout, info.level, options.projection.string());
    } catch (const InputError& e) {
        auto problem = e.problems().front();
        problem.where = info.level_at;
        problem.message = fmt::format("level '{}': {} ({})", info.level, problem.message,
                                      options.projection.string());
        throw InputError(std::move(problem));
    }
    ObservationVocabulary vocabulary;
    vocabulary.areas = grouping.codes;
    if (const auto* sex = layout.dimension("sex")) vocabulary.sexes = sex->labels;
    if (const auto* bands = layout.dimension("age_band")) vocabulary.age_bands = bands->labels;
    const std::vector<ObservedRow> observed = read_observed(
        info, vocabulary, options.allow_unmatched_areas ? &report.unmatched_areas : nullptr);
    report.first_year = layout.years.empty() ? 0 : layout.years.front();

    report.scenario_name = layout.meta_value("scenario_name");
    report.observation_name = info.name;
    report.observation_title = info.title;
    report.level = info.level;
    if (const std::string dataset = layout.meta_value("dataset");
        !info.dataset.empty() && dataset != info.dataset &&
        std::find(info.also_matches.begin(), info.also_matches.end(), dataset) ==
            info.also_matches.end())
        report.warnings.push_back(
            fmt::format("the observation is for dataset '{}', the projection is of '{}': areas "
                        "with the same code may not cover the same ground",
                        info.dataset, dataset));

    // The projection at the observation's level, per indicator observed.
    std::unordered_map<std::string, std::size_t> group_index, year_index;
    for (std::size_t g = 0; g < grouping.codes.size(); ++g) group_index[grouping.codes[g]] = g;
    for (std::size_t y = 0; y < layout.years.size(); ++y)
        year_index[std::to_string(layout.years[y])] = y;
    std::vector<Compared> compared;
    std::set<std::string> missing;
    for (std::size_t order = 0; order < observable_indicators.size(); ++order) {
        const std::string name(observable_indicators[order]);
        const bool observed_here = std::any_of(observed.begin(), observed.end(),
                                               [&](const auto& r) { return r.indicator == name; });
        if (!observed_here) continue;
        const ResultIndicator* indicator = layout.find(name);
        const std::size_t n_areas = layout.areas.size(), n_groups = grouping.codes.size();
        std::vector<double> aggregated;
        ResultIndicator kept_larger;  // one the areas do not keep, as they would have it
        if (indicator == nullptr) {
            // Kept only per larger area (output.breakdowns_per_area: none): the observation's
            // level of /aggregates holds the same sums over its areas.
            auto [values, described] =
                level_aggregate(file.id(), info.level, name, layout, grouping);
            if (values.empty()) {
                missing.insert(name);
                continue;
            }
            aggregated = std::move(values);
            kept_larger = std::move(described);
            indicator = &kept_larger;
        } else {
            const std::size_t per_area = indicator->values_per_area();
            auto dataset = hdf5::open_dataset(file.id(), name);
            const auto values = hdf5::read_doubles(dataset.id());
            aggregated.resize(layout.years.size() * n_groups * per_area);
            for (std::size_t y = 0; y < layout.years.size(); ++y)
                aggregate_values(grouping, IndicatorKind::count,
                                 std::span<const double>(values).subspan(y * n_areas * per_area,
                                                                         n_areas * per_area),
                                 per_area, {}, 1,
                                 std::span<double>(aggregated)
                                     .subspan(y * n_groups * per_area, n_groups * per_area));
        }
        const std::size_t per_area = indicator->values_per_area();
        // The cells of a (sex, age band) within an area's values, row-major over the dims after
        // area: an empty sex is every sex, a broad age band (0-14) the 5-year bands it spans.
        auto cells_of = [&](const ObservedRow& row) {
            std::vector<std::size_t> cells{0};
            for (std::size_t axis = 2; axis < indicator->dims.size(); ++axis) {
                const auto* dimension = layout.dimension(indicator->dims[axis]);
                std::vector<std::size_t> at{0};
                if (dimension != nullptr) {
                    const std::string& label = indicator->dims[axis] == "sex" ? row.sex
                                               : indicator->dims[axis] == "age_band"
                                                   ? row.age_band
                                                   : std::string{};
                    if (label.empty()) {
                        at.resize(indicator->shape[axis]);
                        for (std::size_t i = 0; i < at.size(); ++i) at[i] = i;
                    } else if (indicator->dims[axis] == "age_band") {
                        at = age_band_members(label, dimension->labels);
                    } else {
                        at = {index_of(dimension->labels, label)};
                    }
                }
                std::vector<std::size_t> next;
                for (const std::size_t cell : cells)
                    for (const std::size_t i : at)
                        next.push_back(cell * indicator->shape[axis] +
                                       std::min<std::size_t>(i, indicator->shape[axis] - 1));
                cells = std::move(next);
            }
            return cells;
        };
        auto value_at = [&](std::size_t y, std::size_t g, const std::vector<std::size_t>& cells) {
            double sum = 0;
            for (const std::size_t cell : cells)
                sum += aggregated[(y * n_groups + g) * per_area + cell];
            return sum;
        };
        for (const auto& row : observed) {
            if (row.indicator != name) continue;
            const auto y = year_index.find(std::to_string(row.year));
            if (y == year_index.end()) {
                ++report.n_outside_years;
                report.outside_years.push_back(row);
                continue;
            }
            const std::size_t g = group_index.at(row.area);
            const auto cells = cells_of(row);
            compared.push_back({row, value_at(y->second, g, cells), order, value_at(0, g, cells)});
        }
    }
    report.not_projected.assign(missing.begin(), missing.end());
    report.n_compared = compared.size();
    std::stable_sort(compared.begin(), compared.end(), [](const Compared& a, const Compared& b) {
        return std::tie(a.order, a.row.area, a.row.sex, a.row.age_band, a.row.year) <
               std::tie(b.order, b.row.area, b.row.sex, b.row.age_band, b.row.year);
    });

    for (const auto& c : compared)
        report.values.push_back({c.row, c.projected, c.projected_first_year});

    // The summary per indicator and year.
    std::map<std::pair<std::size_t, int>, std::size_t> summary_index;
    std::vector<std::set<std::string>> areas;
    std::vector<double> ape_sum;
    for (const auto& c : compared) {
        const auto key = std::pair{c.order, c.row.year};
        auto [it, inserted] = summary_index.emplace(key, report.rows.size());
        if (inserted) {
            MonitorSummaryRow row;
            row.indicator = c.row.indicator;
            row.year = c.row.year;
            report.rows.push_back(row);
            areas.emplace_back();
            ape_sum.push_back(0);
        }
        auto& row = report.rows[it->second];
        areas[it->second].insert(c.row.area);
        ++row.n_values;
        row.projected += c.projected;
        row.observed += c.row.value;
        if (c.row.value > 0) {
            ape_sum[it->second] += std::abs(c.projected - c.row.value) / c.row.value * 100;
            ++row.mape_values;
        }
    }
    for (std::size_t i = 0; i < report.rows.size(); ++i) {
        report.rows[i].n_areas = areas[i].size();
        report.rows[i].mape_percent =
            report.rows[i].mape_values > 0
                ? ape_sum[i] / static_cast<double>(report.rows[i].mape_values)
                : nan;
    }
    std::sort(report.rows.begin(), report.rows.end(), [](const auto& a, const auto& b) {
        const auto order = [](const std::string& name) {
            return std::find(observable_indicators.begin(), observable_indicators.end(), name) -
                   observable_indicators.begin();
        };
        return std::pair{order(a.indicator), a.year} < std::pair{order(b.indicator), b.year};
    });

    if (!options.output.empty()) {
        AtomicOutput out(options.output);
        write_monitor(out.temporary(), report, layout, info, compared);
        out.commit();
    }
    return report;
}

void print_monitoring(const MonitorReport& report, std::ostream& out, bool markdown) {
    const std::string heading = fmt::format(
        "Monitoring: projection '{}' ({}) against observation '{}'{}, per {}", report.scenario_name,
        report.projection_path.string(), report.observation_name,
        report.observation_title.empty() ? std::string{}
                                         : fmt::format(" ({})", report.observation_title),
        report.level);
    out << (markdown ? "**" + heading + "**" : heading) << "\n\n";
    for (const auto& warning : report.warnings) out << "warning: " << warning << '\n';
    if (!report.warnings.empty()) out << '\n';
    std::vector<std::vector<std::string>> rows{{"indicator", "year", "areas", "values", "projected",
                                                "observed", "difference", "relative", "MAPE"}};
    for (const auto& row : report.rows) {
        const double diff = row.projected - row.observed;
        rows.push_back(
            {row.indicator, std::to_string(row.year), std::to_string(row.n_areas),
             std::to_string(row.n_values), format_number(row.projected, 0),
             format_number(row.observed, 0), format_number(diff, 0, true),
             row.observed != 0 ? format_percent(100 * diff / row.observed) : std::string{},
             std::isnan(row.mape_percent) ? std::string{}
                                          : format_number(row.mape_percent, 1) + "%"});
    }
    if (report.rows.empty())
        out << "No observed value falls in the projection's years.\n";
    else
        print_table(out, rows, 2, markdown);
    out << fmt::format(
        "\n{} observed values compared. MAPE: the mean over areas (and sexes and age bands) of "
        "|projected - observed| / observed.\n",
        report.n_compared);
    if (report.n_outside_years > 0)
        out << fmt::format("{} observed values lie in years the projection does not have.\n",
                           report.n_outside_years);
    if (!report.not_projected.empty())
        out << fmt::format("Not in the projection (not compared): {}\n",
                           fmt::join(report.not_projected, ", "));
}

}  // namespace socialtwin
