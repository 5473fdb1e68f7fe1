#include "engine/results/publish.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/core/errors.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view threshold_indicator = "population";

// Applies `rule` to every indicator dataset of `group` over (..., year, <unit>, ...): the
// indicators and their companions at the root (unit "area") or in an aggregates group.
DisclosureControl apply(hid_t group, const std::string& unit, const DisclosureRule& rule,
                        const fs::path& source) {
    const DisclosureControl control = disclosure_control(group, unit, rule, source);
    const std::size_t n_units = control.units();
    for (const auto& name : hdf5::link_names(group)) {
        if (!hdf5::is_dataset(group, name)) continue;
        auto dataset = hdf5::open_dataset(group, name);
        if (hdf5::is_dimension_scale(dataset.id())) continue;
        const auto dims = hdf5::dimension_names(dataset.id());
        std::size_t year_axis = dims.size();
        for (std::size_t axis = 0; axis + 1 < dims.size(); ++axis)
            if (dims[axis] == result_layout::year && dims[axis + 1] == unit) {
                year_axis = axis;
                break;
            }
        if (year_axis == dims.size()) continue;  // labels, counts of member areas ...
        const IndicatorKind kind = dataset_kind(dataset.id());
        const auto shape = hdf5::shape(dataset.id());
        if (shape[year_axis + 1] != n_units)
            throw std::logic_error(fmt::format("'{}' has {} {} but population has {}", name,
                                               shape[year_axis + 1], unit, n_units));
        // Every block of one year (and one of each axis before it: replicate or quantile).
        std::size_t n_blocks = 1;
        for (std::size_t axis = 0; axis <= year_axis; ++axis) n_blocks *= shape[axis];
        std::vector<hsize_t> prefix(year_axis + 1);
        for (std::size_t block = 0; block < n_blocks; ++block) {
            std::size_t rest = block;
            for (std::size_t axis = year_axis + 1; axis-- > 0;) {
                prefix[axis] = rest % shape[axis];
                rest /= shape[axis];
            }
            auto values = read_slab(dataset.id(), prefix);
            if (values.empty()) continue;
            control.apply(values, prefix[year_axis], kind);
            write_slab(dataset.id(), prefix, values);
        }
    }
    return control;
}

}  // namespace

DisclosureControl::DisclosureControl(DisclosureRule rule, std::span<const double> inhabitants,
                                     std::size_t n_units)
    : rule_(std::move(rule)), n_units_(n_units), suppressed_(inhabitants.size()) {
    for (std::size_t i = 0; i < inhabitants.size(); ++i) {
        suppressed_[i] = !(inhabitants[i] >= rule_.min_inhabitants);  // NaN: suppressed too
        if (suppressed_[i]) ++n_suppressed_;
    }
}

void DisclosureControl::apply(std::span<double> year_values, std::size_t year,
                              IndicatorKind kind) const {
    if (year_values.empty() || n_units_ == 0) return;
    const std::size_t per_unit = year_values.size() / n_units_;
    for (std::size_t u = 0; u < n_units_; ++u) {
        const bool hide = suppressed(year, u);
        for (std::size_t k = 0; k < per_unit; ++k) {
            double& v = year_values[u * per_unit + k];
            if (hide)
                v = nan;
            else if (kind == IndicatorKind::count)
                v = round_to_base(v, rule_.rounding_base);
        }
    }
}

DisclosureControl disclosure_control(hid_t group, const std::string& unit,
                                     const DisclosureRule& rule, const fs::path& source) {
    const std::string population(threshold_indicator);
    if (!hdf5::link_exists(group, population))
        throw InputError(problem_at(
            where_in(source.string()),
            fmt::format("no '{}' indicator{}: cannot tell which areas have fewer than {} "
                        "inhabitants",
                        population, unit == "area" ? "" : fmt::format(" for {}", unit),
                        rule.min_inhabitants)));
    auto dataset = hdf5::open_dataset(group, population);
    const auto shape = hdf5::shape(dataset.id());
    const auto dims = hdf5::dimension_names(dataset.id());
    if (shape.size() != 2 || dims.size() != 2 || dims[0] != result_layout::year || dims[1] != unit)
        throw InputError(problem_at(where_in(source.string()),
                                    fmt::format("'{}' has dimensions ({}); expected (year, {})",
                                                population, fmt::join(dims, ", "), unit)));
    return DisclosureControl(rule, hdf5::read_doubles(dataset.id()), shape[1]);
}

DisclosureRule disclosure_rule(const std::string& name) {
    if (name == "cbs")
        return {.name = "cbs",
                .min_inhabitants = 5,
                .rounding_base = 5,
                .description =
                    "CBS: suppress areas with fewer than 5 inhabitants; counts "
                    "rounded to multiples of 5"};
    throw InputError(problem_at(
        where_in("--disclosure"),
        name.empty() ? std::string("missing: export writes a file for publication and needs a "
                                   "disclosure rule, e.g. --disclosure cbs")
                     : fmt::format("unknown disclosure rule '{}'; expected cbs", name),
        "the run's own file is the complete, exact result: copy that for internal use"));
}

double round_to_base(double value, double base) {
    if (!std::isfinite(value)) return value;
    return std::round(value / base) * base + 0.0;  // + 0.0: no -0 for small negatives
}

PublishReport publish_result(const PublishOptions& options) {
    PublishReport report;
    report.rule = disclosure_rule(options.disclosure);
    static constexpr std::array<std::string_view, 1> results{derived_layout::result};
    {
        // Checked whole (every variable fits its dimensions) before anything is copied or read.
        const auto file = open_result(options.source, false, results);
        read_result_layout(file.id(), options.source);
    }
    if (options.output.empty())
        throw InputError(problem_at(where_in("-o"), "missing: the published file to write"));
    const std::array<ProtectedInput, 1> inputs{
        ProtectedInput{options.source, "the run's own file (it stays exact and untouched)"}};
    AtomicOutput out(options.output, inputs);
    std::error_code error;
    fs::copy_file(options.source, out.temporary(), fs::copy_options::overwrite_existing, error);
    if (error)
        throw std::runtime_error(fmt::format("cannot copy '{}' to '{}': {}",
                                             options.source.string(), out.temporary().string(),
                                             error.message()));
    {
        auto file = hdf5::open_file_read_write(out.temporary());
        const hid_t root = file.id();
        const ResultLayout layout = read_result_layout(root, options.source);
        const std::string aggregates(derived_layout::aggregates);
        if (!hdf5::link_exists(root, aggregates)) {
            report.levels = write_aggregates(root, {}, options.source);
            report.computed_aggregates = true;
        }
        const DisclosureControl control =
            apply(root, std::string(result_layout::area), report.rule, options.source);
        report.area_years = control.area_years();
        report.suppressed_area_years = control.suppressed_area_years();
        if (hdf5::link_exists(root, aggregates)) {
            auto group = hdf5::open_group(root, aggregates);
            report.levels.clear();
            for (const auto& level : hdf5::link_names(group.id())) {
                if (!hdf5::is_group(group.id(), level)) continue;
                auto level_group = hdf5::open_group(group.id(), level);
                apply(level_group.id(), level, report.rule, options.source);
                report.levels.push_back(level);
            }
        }

        const DisclosureRule& rule = report.rule;
        hdf5::write_attribute(root, std::string(derived_layout::content_attribute),
                              derived_layout::published);
        hdf5::write_attribute(root, "title",
                              fmt::format("socialtwin projection for publication: {} ({})",
                                          layout.meta_value("scenario_name"), rule.description));
        auto meta = hdf5::open_group(root, std::string(result_layout::meta));
        auto absolute = fs::absolute(options.source, error).lexically_normal().string();
        const std::vector<std::pair<std::string, std::string>> entries{
            {"disclosure_control", rule.description},
            {"disclosure_rule", rule.name},
            {"disclosure_threshold", fmt::format("{}", rule.min_inhabitants)},
            {"disclosure_threshold_indicator", std::string(threshold_indicator)},
            {"disclosure_rounding_base", fmt::format("{}", rule.rounding_base)},
            {"disclosure_details",
             fmt::format("an area (and a larger area in /aggregates) whose {} of a year is below "
                         "{} has NaN for every indicator of that year, companions included; "
                         "values of kind count are rounded to the nearest multiple of {} "
                         "(halves away from zero), amounts and measures are not rounded. "
                         "Aggregates were computed from the exact values before suppression "
                         "and rounding{}.",
                         threshold_indicator, rule.min_inhabitants, rule.rounding_base,
                         report.computed_aggregates ? " (by export: the run had none)" : "")},
            {"source_path", absolute},
            {"source_git_commit", layout.meta_value("git_commit")},
            {"source_created_utc", layout.meta_value("created_utc")},
            {"published_utc", utc_timestamp()},
            {"published_engine_version", std::string(engine_version())},
            {"published_git_commit", std::string(engine_git_commit())},
        };
        for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
        apply_cf_conventions(file.id());  // the aggregates export computed, and older runs
        file.close(fmt::format("closing '{}'", out.temporary().string()));
    }
    out.commit();
    return report;
}

}  // namespace socialtwin
