#include "engine/output/aggregate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "engine/core/errors.hpp"
#include "engine/core/non_finite.hpp"
#include "engine/core/suggest.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/quantiles.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/output/result_values.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

AreaGrouping each_area(const std::vector<std::string>& areas,
                       const std::vector<AreaAttribute>& attributes, const std::string& level) {
    AreaGrouping g;
    g.level = level;
    g.codes = areas;
    g.group_of_area.resize(areas.size());
    for (std::size_t a = 0; a < areas.size(); ++a) g.group_of_area[a] = a;
    g.n_areas.assign(areas.size(), 1);
    g.labels = attributes;
    return g;
}

}  // namespace

std::vector<std::string> aggregate_levels(const ResultLayout& layout,
                                          const std::vector<std::string>& requested,
                                          const fs::path& path) {
    std::vector<std::string> levels;
    if (requested.empty()) {
        for (const auto& level : default_aggregate_levels)
            if (level != layout.area_level && layout.attribute(level) != nullptr)
                levels.push_back(level);
        return levels;
    }
    std::vector<std::string_view> available;
    for (const auto& a : layout.attributes) available.push_back(a.name);
    std::vector<InputProblem> problems;
    for (const auto& level : requested) {
        if (std::find(levels.begin(), levels.end(), level) != levels.end()) continue;
        if (level == layout.area_level || level == result_layout::area) {
            problems.push_back(problem_at(
                where_in(path.string(), 0, 0, "levels"),
                fmt::format("'{}' is the file's own area level: its indicators are already per {}",
                            level, level)));
        } else if (layout.attribute(level) == nullptr) {
            problems.push_back(problem_at(
                where_in(path.string(), 0, 0, "levels"),
                fmt::format("no area attribute '{}' to aggregate to; the file has: {}", level,
                            available.empty() ? std::string("none")
                                              : fmt::format("{}", fmt::join(available, ", "))),
                did_you_mean(level, available)));
        } else {
            levels.push_back(level);
        }
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return levels;
}

namespace {

struct GroupScales {
    hdf5::Dataset year, unit, replicate, quantile;
    std::map<std::string, hdf5::Dataset, std::less<>> catalog;
};

// Where write_level takes one year's aggregated values of an indicator from: the file's own
// values read back and aggregated (FileAggregates), or those aggregated as the run went
// (AggregateAccumulator).
class AggregateSource {
public:
    virtual ~AggregateSource() = default;
    // Before the values of `indicator` (weighted by `weight`, or nullptr) are asked for.
    virtual void begin(const ResultIndicator& indicator, const ResultIndicator* weight) = 0;
    // <indicator> (replicate nullopt) or one replicate of <indicator>_replicates in year index
    // `year`, aggregated by `grouping`.
    virtual std::vector<double> aggregated(const AreaGrouping& grouping,
                                           std::optional<std::size_t> replicate,
                                           std::size_t year) = 0;
};

class FileAggregates final : public AggregateSource {
public:
    explicit FileAggregates(hid_t root) : root_(root) {}
    void begin(const ResultIndicator& indicator, const ResultIndicator* weight) override {
        indicator_ = &indicator;
        weight_ = weight;
        mean_ = hdf5::open_dataset(root_, indicator.name);
        replicates_ = {};
        weight_mean_ = {};
        weight_replicates_ = {};
        if (indicator.has_replicates)
            replicates_ = hdf5::open_dataset(
                root_, indicator.name + std::string(result_layout::replicates_suffix));
        if (weight != nullptr) {
            weight_mean_ = hdf5::open_dataset(root_, weight->name);
            if (weight->has_replicates)
                weight_replicates_ = hdf5::open_dataset(
                    root_, weight->name + std::string(result_layout::replicates_suffix));
        }
    }
    std::vector<double> aggregated(const AreaGrouping& grouping,
                                   std::optional<std::size_t> replicate,
                                   std::size_t year) override {
        std::vector<double> values, weights;
        if (replicate) {
            const std::array<hsize_t, 2> at{*replicate, year};
            values = read_slab(replicates_.id(), at);
            // A weight without replicates weights every replicate by its mean.
            if (weight_ != nullptr)
                weights = weight_->has_replicates ? read_slab(weight_replicates_.id(), at)
                                                  : read_slab(weight_mean_.id(), std::array{at[1]});
        } else {
            const std::array<hsize_t, 1> at{year};
            values = read_slab(mean_.id(), at);
            if (weight_ != nullptr) weights = read_slab(weight_mean_.id(), at);
        }
        return aggregate_values(grouping, indicator_->kind, values, indicator_->values_per_area(),
                                weights, weight_ != nullptr ? weight_->values_per_area() : 1);
    }

private:
    hid_t root_;
    const ResultIndicator* indicator_ = nullptr;
    const ResultIndicator* weight_ = nullptr;
    hdf5::Dataset mean_, replicates_, weight_mean_, weight_replicates_;
};

class ComputedAggregates final : public AggregateSource {
public:
    explicit ComputedAggregates(const AggregateAccumulator& computed) : computed_(computed) {}
    void begin(const ResultIndicator& indicator, const ResultIndicator*) override {
        name_ = indicator.name;
    }
    std::vector<double> aggregated(const AreaGrouping& grouping,
                                   std::optional<std::size_t> replicate,
                                   std::size_t year) override {
        return computed_.values(grouping.level, name_, replicate, year);
    }

private:
    const AggregateAccumulator& computed_;
    std::string name_;
};

// A measure's weight: the named indicator, when the file has it with one value per area or one
// per cell of the measure.
const ResultIndicator* weight_of(const ResultLayout& layout, const ResultIndicator& indicator) {
    if (indicator.kind != IndicatorKind::measure) return nullptr;
    const auto* w = layout.find(indicator.weight);
    if (w != nullptr &&
        (w->values_per_area() == 1 || w->values_per_area() == indicator.values_per_area()))
        return w;
    return nullptr;
}

// Aggregates the companions of `indicator` (each replicate, then quantiles over those).
// The attributes that say what an indicator is (indicator_meaning_attributes), from its
// variable in the file or, for one the file keeps only per larger area, from the layout.
NamedValues meaning_of(hid_t root, const ResultIndicator& indicator) {
    NamedValues out;
    const bool in_file = indicator.attributes.empty();
    const hdf5::Dataset variable =
        in_file ? hdf5::open_dataset(root, indicator.name) : hdf5::Dataset{};
    for (const std::string_view name : indicator_meaning_attributes) {
        const std::string key(name);
        if (in_file) {
            if (hdf5::has_attribute(variable.id(), key))
                out.emplace_back(key, hdf5::attribute_text(variable.id(), key));
            continue;
        }
        for (const auto& [attribute, value] : indicator.attributes)
            if (attribute == key) out.emplace_back(key, value);
    }
    return out;
}

void aggregate_companions(hid_t root, hid_t group, const ResultLayout& layout,
                          const ResultIndicator& indicator, AggregateSource& source,
                          const AreaGrouping& grouping, const GroupScales& scales,
                          const std::string& coordinates, const std::string& aggregation) {
    const std::size_t n_years = layout.years.size();
    const std::size_t n_groups = grouping.codes.size();
    const std::size_t per_area = indicator.values_per_area();
    const std::size_t n_replicates = layout.replicates;
    const std::size_t cells = n_groups * per_area;
    std::vector<hid_t> rest_scales;
    std::vector<hsize_t> rest_shape;
    for (std::size_t axis = 2; axis < indicator.dims.size(); ++axis) {
        rest_scales.push_back(scales.catalog.at(indicator.dims[axis]).id());
        rest_shape.push_back(indicator.shape[axis]);
    }
    // A chunk holds every replicate (or all three quantiles) of one year and as many larger
    // areas as stay within chunk_values, and each year is written whole: a chunk per replicate
    // held a single value at the gemeente level, and the chunks' index then took more room than
    // the values (18 of a 20-replicate Zuid-West file's 119 MB).
    auto create = [&](const std::string& suffix, hid_t leading, hsize_t n_leading) {
        std::vector<hid_t> s{leading, scales.year.id(), scales.unit.id()};
        std::vector<hsize_t> shape{n_leading, n_years, n_groups};
        s.insert(s.end(), rest_scales.begin(), rest_scales.end());
        shape.insert(shape.end(), rest_shape.begin(), rest_shape.end());
        std::vector<hsize_t> chunk;
        if (cells > 0 && n_years > 0) {  // HDF5 cannot chunk an empty axis
            chunk = shape;
            chunk[1] = 1;
            chunk[2] = std::clamp<hsize_t>(
                result_layout::chunk_values / std::max<std::size_t>(1, n_leading * per_area), 1,
                n_groups);
        }
        const std::string name = indicator.name + suffix;
        auto out = create_variable(group, name, s, shape, 1, chunk);
        if (hdf5::link_exists(root, name)) {
            copy_string_attributes(hdf5::open_dataset(root, name).id(), out.id(),
                                   indicator_meaning_attributes);
        } else {
            // A result that keeps only the mean and quantiles per area (output.replicates_per_area:
            // percentiles), or not even those (output.breakdowns_per_area: none): described as
            // the mean is, saying what the companion holds.
            const NamedValues mean = meaning_of(root, indicator);
            for (const auto& [attribute, value] : mean)
                hdf5::write_attribute(out.id(), attribute, value);
            const auto qualifier = suffix == result_layout::replicates_suffix
                                       ? result_layout::replicates_qualifier
                                       : result_layout::quantiles_qualifier;
            for (const auto& [attribute, value] : mean)
                if (attribute == "long_name" || attribute == "description")
                    hdf5::write_attribute(
                        out.id(), attribute,
                        qualified(without_qualifier(value, result_layout::mean_qualifier),
                                  qualifier));
            if (suffix == result_layout::quantiles_suffix)
                hdf5::write_attribute(out.id(), std::string(indicator_attribute::quantile_method),
                                      result_layout::quantile_method);
        }
        hdf5::write_attribute(out.id(), "aggregation", aggregation);
        if (!coordinates.empty()) hdf5::write_attribute(out.id(), "coordinates", coordinates);
        return out;
    };
    auto replicates_out =
        create(std::string(result_layout::replicates_suffix), scales.replicate.id(), n_replicates);
    hdf5::Dataset quantiles_out;
    if (indicator.has_quantiles)
        quantiles_out = create(std::string(result_layout::quantiles_suffix), scales.quantile.id(),
                               result_layout::quantile_levels.size());

    std::vector<double> all(n_replicates * cells), cell(n_replicates),
        quantiles(result_layout::quantile_levels.size() * cells);
    // (leading, year, groups, rest...) blocks of one year.
    auto block = [&](std::size_t n_leading, std::size_t y) {
        std::pair<std::vector<hsize_t>, std::vector<hsize_t>> at{{0, y, 0},
                                                                 {n_leading, 1, n_groups}};
        for (hsize_t n : rest_shape) {
            at.first.push_back(0);
            at.second.push_back(n);
        }
        return at;
    };
    for (std::size_t y = 0; y < n_years; ++y) {
        for (std::size_t r = 0; r < n_replicates; ++r) {
            const auto aggregated = source.aggregated(grouping, r, y);
            if (aggregated.size() != cells)
                throw std::logic_error(
                    fmt::format("aggregates of '{}' replicate {}: {} values for {} cells",
                                indicator.name, r, aggregated.size(), cells));
            std::copy(aggregated.begin(), aggregated.end(),
                      all.begin() + static_cast<std::ptrdiff_t>(r * cells));
        }
        if (cells > 0) {
            const auto [start, count] = block(n_replicates, y);
            hdf5::write_block(replicates_out.id(), start, count, all);
        }
        if (!quantiles_out) continue;
        std::array<double, result_layout::quantile_levels.size()> q{};
        for (std::size_t c = 0; c < cells; ++c) {
            for (std::size_t r = 0; r < n_replicates; ++r) cell[r] = all[r * cells + c];
            replicate_quantiles(cell, result_layout::quantile_levels, q);
            for (std::size_t k = 0; k < q.size(); ++k) quantiles[k * cells + c] = q[k];
        }
        if (cells > 0) {
            const auto [start, count] = block(q.size(), y);
            hdf5::write_block(quantiles_out.id(), start, count, quantiles);
        }
    }
}

void write_level(hid_t root, hid_t aggregates, const ResultLayout& layout,
                 const AreaGrouping& grouping, DimensionNumbers& numbers, bool companions,
                 AggregateSource& source, int threads) {
    auto group = hdf5::create_group(aggregates, grouping.level);
    hdf5::write_attribute(
        group.id(), "description",
        fmt::format("the indicators of the file's {} areas ({}) aggregated to each {}: counts and "
                    "amounts summed, measures averaged weighted by their weight indicator",
                    grouping.group_of_area.size(), layout.area_level, grouping.level));
    GroupScales scales;
    scales.year = write_dimension(group.id(), std::string(result_layout::year), layout.years,
                                  numbers.next(), "calendar year");
    scales.unit = write_dimension(group.id(), grouping.level, grouping.codes, numbers.next(),
                                  fmt::format("{} code", grouping.level));
    for (const auto& dimension : layout.dimensions)
        scales.catalog.emplace(dimension.name,
                               write_dimension(group.id(), dimension.name, dimension.labels,
                                               numbers.next(), dimension.description));
    const bool with_companions =
        companions && layout.replicates > 1 &&
        std::any_of(layout.indicators.begin(), layout.indicators.end(),
                    [](const ResultIndicator& i) { return i.has_replicates; });
    if (with_companions) {
        std::vector<std::int32_t> replicates(layout.replicates);
        for (std::size_t r = 0; r < replicates.size(); ++r)
            replicates[r] = static_cast<std::int32_t>(r);
        scales.replicate = write_dimension(group.id(), std::string(result_layout::replicate),
                                           replicates, numbers.next(), "replicate number");
        scales.quantile =
            write_dimension(group.id(), std::string(result_layout::quantile),
                            std::span<const double>(result_layout::quantile_levels), numbers.next(),
                            "probability level of a quantile over replicates");
        hdf5::write_attribute(scales.quantile.id(), "quantile_method",
                              result_layout::quantile_method);
    }

    std::vector<std::int32_t> counts;
    for (std::size_t n : grouping.n_areas) counts.push_back(static_cast<std::int32_t>(n));
    {
        auto n_areas = write_values(group.id(), "n_areas", counts, scales.unit.id());
        hdf5::write_attribute(n_areas.id(), "units", "areas");
        hdf5::write_attribute(n_areas.id(), "description",
                              fmt::format("number of the file's {} areas in each {}",
                                          layout.area_level, grouping.level));
    }
    std::string coordinates = "n_areas";
    for (const auto& label : grouping.labels) {
        if (label.name == grouping.level) continue;
        write_labels(group.id(), label.name, label.values, scales.unit.id());
        coordinates += ' ' + label.name;
    }

    for (const auto& indicator : layout.indicators) {
        const std::size_t per_area = indicator.values_per_area();
        std::vector<hid_t> s{scales.year.id(), scales.unit.id()};
        std::vector<hsize_t> shape{layout.years.size(), grouping.codes.size()};
        for (std::size_t axis = 2; axis < indicator.dims.size(); ++axis) {
            const auto scale = scales.catalog.find(indicator.dims[axis]);
            if (scale == scales.catalog.end())
                throw hdf5::Error(
                    fmt::format("indicator '{}' has dimension '{}', which is not a "
                                "string dimension of the file",
                                indicator.name, indicator.dims[axis]));
            s.push_back(scale->second.id());
            shape.push_back(indicator.shape[axis]);
        }
        const ResultIndicator* weight = weight_of(layout, indicator);
        const std::string aggregation = aggregation_text(
            indicator.kind, grouping.level, weight != nullptr ? weight->name : std::string{});

        auto out = create_variable(group.id(), indicator.name, s, shape, 0);
        for (const auto& [attribute, value] : meaning_of(root, indicator))
            hdf5::write_attribute(out.id(), attribute, value);
        hdf5::write_attribute(out.id(), "aggregation", aggregation);
        hdf5::write_attribute(out.id(), "coordinates", coordinates);
        source.begin(indicator, weight);
        {
            YearSlabWriter years(out.id(), threads);
            for (std::size_t y = 0; y < layout.years.size(); ++y) {
                auto aggregated = source.aggregated(grouping, std::nullopt, y);
                if (aggregated.size() != grouping.codes.size() * per_area)
                    throw std::logic_error(fmt::format("aggregates of '{}': {} values for {} cells",
                                                       indicator.name, aggregated.size(),
                                                       grouping.codes.size() * per_area));
                years.add(y, std::move(aggregated));
            }
            years.flush();
        }
        if (with_companions && indicator.has_replicates)
            aggregate_companions(root, group.id(), layout, indicator, source, grouping, scales,
                                 coordinates, aggregation);
    }
}

}  // namespace

AreaGrouping group_areas(const std::vector<std::string>& areas, const std::string& area_level,
                         const std::vector<AreaAttribute>& attributes, const std::string& level,
                         const std::string& file) {
    if (level == result_layout::area || (!area_level.empty() && level == area_level))
        return each_area(areas, attributes, level);
    const auto found = std::find_if(attributes.begin(), attributes.end(),
                                    [&](const AreaAttribute& a) { return a.name == level; });
    if (found == attributes.end()) {
        std::vector<std::string_view> names;
        for (const auto& a : attributes) names.push_back(a.name);
        throw InputError(problem_at(
            where_in(file),
            fmt::format(
                "the areas ({}) have no attribute '{}' to aggregate to; they have: {}",
                area_level.empty() ? std::string("?") : area_level, level,
                names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))),
            did_you_mean(level, names)));
    }
    const auto& values = found->values;
    if (values.size() != areas.size())
        throw std::logic_error(fmt::format("area attribute '{}' has {} values for {} areas", level,
                                           values.size(), areas.size()));
    AreaGrouping g;
    g.level = level;
    g.codes = values;
    std::sort(g.codes.begin(), g.codes.end());
    g.codes.erase(std::unique(g.codes.begin(), g.codes.end()), g.codes.end());
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < g.codes.size(); ++i) index.emplace(g.codes[i], i);
    g.group_of_area.resize(areas.size());
    g.n_areas.assign(g.codes.size(), 0);
    for (std::size_t a = 0; a < areas.size(); ++a) {
        g.group_of_area[a] = index.at(values[a]);
        ++g.n_areas[g.group_of_area[a]];
    }
    for (const auto& attribute : attributes) {
        if (attribute.name == level || attribute.values.size() != areas.size()) continue;
        std::vector<std::optional<std::string>> per_group(g.codes.size());
        bool constant = true;
        for (std::size_t a = 0; a < areas.size() && constant; ++a) {
            auto& value = per_group[g.group_of_area[a]];
            if (!value)
                value = attribute.values[a];
            else if (*value != attribute.values[a])
                constant = false;
        }
        if (!constant) continue;
        AreaAttribute label{attribute.name, {}};
        for (auto& value : per_group) label.values.push_back(value.value_or(""));
        g.labels.push_back(std::move(label));
    }
    return g;
}

AreaGrouping group_areas(const ResultLayout& layout, const std::string& level,
                         const std::string& file) {
    return group_areas(layout.areas, layout.area_level, layout.attributes, level, file);
}

AreaGrouping single_group(std::size_t n_areas, std::string code) {
    AreaGrouping g;
    g.level = code;
    g.codes = {std::move(code)};
    g.group_of_area.assign(n_areas, 0);
    g.n_areas = {n_areas};
    return g;
}

void aggregate_values(const AreaGrouping& grouping, IndicatorKind kind,
                      std::span<const double> values, std::size_t per_area,
                      std::span<const double> weights, std::size_t weights_per_area,
                      std::span<double> out) {
    const std::array<const AreaGrouping*, 1> one{&grouping};
    const std::array<std::span<double>, 1> into{out};
    aggregate_values(one, kind, values, per_area, weights, weights_per_area, into);
}

namespace {

// One value an area summed into the groups of M groupings at once, area after area. Each
// grouping's sum of its current group is kept in a register while the areas stay in that group
// (areas come in runs of a group: a PC4, a buurt): a sum in memory, loaded and stored again for
// every area, made each addition wait for the store before it (~9 cycles an area and grouping,
// half of `aggregate_values` in a PC6-density run). The M groupings' sums are independent, so
// they are added side by side. Every group's sum is still 0 + its areas' values in area order:
// a group met again later resumes from its stored sum. `sum[j]` starts at 0.
template <std::size_t M>
void sum_in_runs(const std::size_t* const* group_of, double* const* sum, const double* values,
                 std::size_t n_areas) {
    if (n_areas == 0) return;
    std::array<std::size_t, M> current;
    std::array<double, M> running;
    for (std::size_t j = 0; j < M; ++j) {
        current[j] = group_of[j][0];
        running[j] = sum[j][current[j]];
    }
    for (std::size_t a = 0; a < n_areas; ++a) {
        const double v = values[a];
        for (std::size_t j = 0; j < M; ++j) {
            const std::size_t g = group_of[j][a];
            if (g != current[j]) {
                sum[j][current[j]] = running[j];
                current[j] = g;
                running[j] = sum[j][g];
            }
            running[j] += v;
        }
    }
    for (std::size_t j = 0; j < M; ++j) sum[j][current[j]] = running[j];
}

}  // namespace

void aggregate_values(std::span<const AreaGrouping* const> groupings, IndicatorKind kind,
                      std::span<const double> values, std::size_t per_area,
                      std::span<const double> weights, std::size_t weights_per_area,
                      std::span<const std::span<double>> outs) {
    if (groupings.empty()) return;
    const std::size_t n_areas = groupings[0]->group_of_area.size();
    if (outs.size() != groupings.size() || values.size() != n_areas * per_area)
        throw std::logic_error(fmt::format(
            "aggregate_values: {} values and {} outputs for {} groupings of {} areas x {}",
            values.size(), outs.size(), groupings.size(), n_areas, per_area));
    for (std::size_t g = 0; g < groupings.size(); ++g)
        if (groupings[g]->group_of_area.size() != n_areas ||
            groupings[g]->n_areas.size() != groupings[g]->codes.size() ||
            outs[g].size() != groupings[g]->codes.size() * per_area)
            throw std::logic_error(
                fmt::format("aggregate_values: room for {} values for {} areas in {} groups x {}",
                            outs[g].size(), groupings[g]->group_of_area.size(),
                            groupings[g]->codes.size(), per_area));
    const bool weighted = kind == IndicatorKind::measure && !weights.empty();
    if (weighted && (weights_per_area == 0 || weights.size() != n_areas * weights_per_area ||
                     (weights_per_area != 1 && weights_per_area != per_area)))
        throw std::logic_error(
            fmt::format("aggregate_values: {} weights ({} per area) for {} areas of {} values",
                        weights.size(), weights_per_area, n_areas, per_area));
    // Without a NaN among the values (the projection's indicators have none unless they allow
    // it) and without weights, each cell is the plain sum over its group's areas, and as many
    // values were summed as the group has areas: no count is kept, and the additions run side by
    // side. Summing the cells' NaN-free values in the same order, this gives the same sums as
    // the general path below, which, with a count beside each sum, cost 14 instructions per value
    // and grouping (the largest function of a PC6-density run with `output.breakdowns_per_area:
    // none`).
    if (!weighted && !any_nan(values)) {
        for (std::size_t g = 0; g < groupings.size(); ++g)
            std::fill(outs[g].begin(), outs[g].end(), 0.0);
        if (per_area == 1) {
            // One value an area (most indicators): up to four groupings at a time.
            constexpr std::size_t pack = 4;
            for (std::size_t first = 0; first < groupings.size(); first += pack) {
                const std::size_t m = std::min(pack, groupings.size() - first);
                std::array<const std::size_t*, pack> group_of{};
                std::array<double*, pack> sum{};
                for (std::size_t j = 0; j < m; ++j) {
                    group_of[j] = groupings[first + j]->group_of_area.data();
                    sum[j] = outs[first + j].data();
                }
                switch (m) {
                    case 1:
                        sum_in_runs<1>(group_of.data(), sum.data(), values.data(), n_areas);
                        break;
                    case 2:
                        sum_in_runs<2>(group_of.data(), sum.data(), values.data(), n_areas);
                        break;
                    case 3:
                        sum_in_runs<3>(group_of.data(), sum.data(), values.data(), n_areas);
                        break;
                    default:
                        sum_in_runs<4>(group_of.data(), sum.data(), values.data(), n_areas);
                }
            }
        } else {
            // A breakdown: area after area, each area's values read once for every grouping.
            for (std::size_t a = 0; a < n_areas; ++a) {
                const double* area_values = values.data() + a * per_area;
                for (std::size_t g = 0; g < groupings.size(); ++g) {
                    double* sum = outs[g].data() + groupings[g]->group_of_area[a] * per_area;
                    for (std::size_t k = 0; k < per_area; ++k) sum[k] += area_values[k];
                }
            }
        }
        for (std::size_t g = 0; g < groupings.size(); ++g)
            for (std::size_t group = 0; group < groupings[g]->codes.size(); ++group) {
                const std::size_t n = groupings[g]->n_areas[group];
                for (std::size_t k = 0; k < per_area; ++k) {
                    double& out = outs[g][group * per_area + k];
                    if (n == 0)
                        out = nan;
                    else if (kind == IndicatorKind::measure)
                        out /= static_cast<double>(n);
                }
            }
        return;
    }
    // Per grouping and cell: the sum of the values and how many there were; for a measure also
    // the sums of the weights and of weight x value over the values that have a finite weight.
    // The thread's, reused indicator after indicator.
    struct Sums {
        std::vector<double> sum, weight_sum, weighted_sum;
        std::vector<std::uint32_t> n;
    };
    thread_local std::vector<Sums> by_grouping;
    if (by_grouping.size() < groupings.size()) by_grouping.resize(groupings.size());
    for (std::size_t g = 0; g < groupings.size(); ++g) {
        Sums& s = by_grouping[g];
        const std::size_t cells = outs[g].size();
        s.sum.assign(cells, 0.0);
        s.n.assign(cells, 0);
        if (weighted) {
            s.weight_sum.assign(cells, 0.0);
            s.weighted_sum.assign(cells, 0.0);
        }
    }
    // Area after area, each area's values read once and added to every grouping's cells.
    for (std::size_t a = 0; a < n_areas; ++a) {
        const double* area_values = values.data() + a * per_area;
        for (std::size_t g = 0; g < groupings.size(); ++g) {
            Sums& s = by_grouping[g];
            const std::size_t base = groupings[g]->group_of_area[a] * per_area;
            if (!weighted) {
                // A sum (the common case) without a branch per value: a NaN adds +0.0, which
                // changes no sum (they start at +0.0 and so are never -0.0), and counts 0. A
                // branch on each value was mispredicted wherever an indicator has NaN for some
                // areas.
                double* sum = s.sum.data() + base;
                std::uint32_t* n = s.n.data() + base;
                for (std::size_t k = 0; k < per_area; ++k) {
                    const double v = area_values[k];
                    const bool number = !std::isnan(v);
                    sum[k] += number ? v : 0.0;
                    n[k] += number ? 1u : 0u;
                }
                continue;
            }
            for (std::size_t k = 0; k < per_area; ++k) {
                const double v = area_values[k];
                if (std::isnan(v)) continue;
                s.sum[base + k] += v;
                ++s.n[base + k];
                const double w = weights[a * weights_per_area + (weights_per_area == 1 ? 0 : k)];
                if (!std::isfinite(w)) continue;
                s.weight_sum[base + k] += w;
                s.weighted_sum[base + k] += w * v;
            }
        }
    }
    for (std::size_t g = 0; g < groupings.size(); ++g) {
        const Sums& s = by_grouping[g];
        const std::span<double> out = outs[g];
        for (std::size_t c = 0; c < out.size(); ++c) {
            if (s.n[c] == 0)
                out[c] = nan;
            else if (kind != IndicatorKind::measure)
                out[c] = s.sum[c];
            else if (weighted && s.weight_sum[c] > 0)
                out[c] = s.weighted_sum[c] / s.weight_sum[c];
            else
                out[c] = s.sum[c] / static_cast<double>(s.n[c]);
        }
    }
}

std::vector<double> aggregate_values(const AreaGrouping& grouping, IndicatorKind kind,
                                     std::span<const double> values, std::size_t per_area,
                                     std::span<const double> weights,
                                     std::size_t weights_per_area) {
    std::vector<double> out(grouping.codes.size() * per_area);
    aggregate_values(grouping, kind, values, per_area, weights, weights_per_area, out);
    return out;
}

std::string aggregation_text(IndicatorKind kind, const std::string& level,
                             const std::string& weight) {
    if (kind != IndicatorKind::measure) return fmt::format("sum over the areas of each {}", level);
    if (weight.empty()) return fmt::format("mean over the areas of each {}", level);
    return fmt::format(
        "mean over the areas of each {} weighted by {} (the plain mean where those weights sum "
        "to 0)",
        level, weight);
}

std::vector<std::string> write_aggregates(hid_t file, const AggregateOptions& options,
                                          const fs::path& path,
                                          const AggregateAccumulator* computed) {
    // With the aggregates computed, the structure and groupings they were computed for (the
    // file's, read when its indicators were laid out, with those kept only in /aggregates and
    // every replicate); otherwise the file's, read here.
    std::optional<ResultLayout> read;
    std::vector<AreaGrouping> grouped;
    if (computed == nullptr) {
        read.emplace(read_result_layout(file, path));
        for (const auto& level : aggregate_levels(*read, options.levels, path))
            grouped.push_back(group_areas(*read, level, path.string()));
    }
    const ResultLayout& layout = computed != nullptr ? computed->layout() : *read;
    const std::vector<AreaGrouping>& groupings =
        computed != nullptr ? computed->groupings() : grouped;
    std::vector<std::string> levels;
    for (const AreaGrouping& grouping : groupings) levels.push_back(grouping.level);
    const std::string name(derived_layout::aggregates);
    // The levels already there that were not asked for: kept unless only these are wanted, so
    // `aggregate FILE --levels buurt` adds buurt and leaves the pc4 aggregates a planner had.
    std::vector<std::string> kept;
    if (hdf5::link_exists(file, name)) {
        if (!options.only_these_levels) {
            auto existing = hdf5::open_group(file, name);
            for (const auto& level : hdf5::link_names(existing.id())) {
                if (!hdf5::is_group(existing.id(), level)) continue;
                if (std::find(levels.begin(), levels.end(), level) == levels.end())
                    kept.push_back(level);
                else
                    hdf5::delete_link(existing.id(), level);
            }
        }
        if (kept.empty()) hdf5::delete_link(file, name);
    }
    if (levels.empty() && kept.empty()) return levels;
    DimensionNumbers numbers(file);
    auto aggregates = kept.empty() ? hdf5::create_group(file, name) : hdf5::open_group(file, name);
    hdf5::write_attribute(
        aggregates.id(), "description",
        "indicators aggregated to larger areas: one group per level, counts and amounts summed "
        "over the member areas, measures averaged weighted by their weight indicator");
    std::vector<std::string> all = kept;
    all.insert(all.end(), levels.begin(), levels.end());
    hdf5::write_attribute(aggregates.id(), "levels", fmt::format("{}", fmt::join(all, ",")));
    FileAggregates from_file(file);
    std::optional<ComputedAggregates> from_memory;
    if (computed != nullptr) from_memory.emplace(*computed);
    AggregateSource& source = from_memory ? static_cast<AggregateSource&>(*from_memory) : from_file;
    for (const AreaGrouping& grouping : groupings)
        write_level(file, aggregates.id(), layout, grouping, numbers, options.companions, source,
                    options.threads);
    return levels;
}

namespace {
// `layout` without the areas' codes and attributes: the groupings hold what writing needs of them
// (copied whole, a PC6 country's 448,055 codes and as many values of each attribute were ~80 MB
// more at the run's peak).
ResultLayout without_areas(const ResultLayout& layout) {
    return ResultLayout{.content = layout.content,
                        .years = layout.years,
                        .areas = {},
                        .area_level = layout.area_level,
                        .attributes = {},
                        .dimensions = layout.dimensions,
                        .indicators = layout.indicators,
                        .meta = layout.meta,
                        .replicates = layout.replicates};
}
}  // namespace

AggregateAccumulator::AggregateAccumulator(const ResultLayout& layout,
                                           const AggregateOptions& options, const fs::path& path)
    : slots_(layout.replicates > 1 ? 1 + layout.replicates : 1),
      years_(layout.years.size()),
      layout_(without_areas(layout)) {
    for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
        indicator_index_.emplace(layout_.indicators[i].name, i);
        // Pointers into this copy: found by name, as write_level finds them in the file's layout.
        const ResultIndicator* weight = weight_of(layout, layout_.indicators[i]);
        weights_.push_back(
            weight == nullptr
                ? nullptr
                : &layout_.indicators[static_cast<std::size_t>(weight - layout.indicators.data())]);
    }
    for (const auto& level : aggregate_levels(layout, options.levels, path)) {
        level_index_.emplace(level, groupings_.size());
        groupings_.push_back(group_areas(layout, level, path.string()));
    }
    stored_.resize(groupings_.size() * layout_.indicators.size() * slots_ * years_);
}

void AggregateAccumulator::add(std::size_t year, std::size_t slot,
                               std::span<const std::span<const double>> values) {
    for (std::size_t i = 0; i < layout_.indicators.size(); ++i) add(year, slot, values, i);
}

void AggregateAccumulator::add(std::size_t year, std::size_t slot,
                               std::span<const std::span<const double>> values, std::size_t i) {
    if (year >= years_ || slot >= slots_ || values.size() != layout_.indicators.size() ||
        i >= layout_.indicators.size())
        throw std::logic_error(fmt::format(
            "AggregateAccumulator: year index {} slot {} indicator {} with {} indicators; "
            "expected < {}, < {}, < {} and {}",
            year, slot, i, values.size(), years_, slots_, layout_.indicators.size(),
            layout_.indicators.size()));
    const ResultIndicator& indicator = layout_.indicators[i];
    // Replicates only of indicators that have <indicator>_replicates.
    if (slot > 0 && !indicator.has_replicates) return;
    const ResultIndicator* weight = weights_[i];
    std::span<const double> weights;
    if (weight != nullptr) {
        // A weight without replicates weights every replicate by its mean, which comes only at
        // the end: the file is read back for such a file (never one the writer makes, where
        // every indicator has its replicates).
        if (slot > 0 && !weight->has_replicates)
            throw std::logic_error(
                fmt::format("AggregateAccumulator: weight '{}' of '{}' has no replicates",
                            weight->name, indicator.name));
        weights = values[static_cast<std::size_t>(weight - layout_.indicators.data())];
    }
    // Every level in one pass over the values.
    std::vector<const AreaGrouping*> levels;
    std::vector<std::span<double>> outs;
    for (std::size_t l = 0; l < groupings_.size(); ++l) {
        std::vector<double>& out = stored_[index(l, i, slot, year)];
        out.assign(groupings_[l].codes.size() * indicator.values_per_area(), 0.0);
        levels.push_back(&groupings_[l]);
        outs.push_back(out);
    }
    aggregate_values(levels, indicator.kind, values[i], indicator.values_per_area(), weights,
                     weight != nullptr ? weight->values_per_area() : 1, outs);
}

std::size_t AggregateAccumulator::bytes() const noexcept {
    std::size_t values = 0;
    for (const AreaGrouping& grouping : groupings_)
        for (const ResultIndicator& indicator : layout_.indicators)
            values += grouping.codes.size() * indicator.values_per_area() *
                      (indicator.has_replicates ? slots_ : 1) * years_;
    return values * sizeof(double);
}

void AggregateAccumulator::keep_in(hid_t location) {
    kept_.clear();
    stored_elsewhere_.assign(stored_.size(), 0);
    for (std::size_t l = 0; l < groupings_.size(); ++l)
        for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
            const std::size_t cells =
                groupings_[l].codes.size() * layout_.indicators[i].values_per_area();
            const std::array<hsize_t, 3> shape{slots_, years_, cells};
            hdf5::DatasetOptions options;
            options.deflate_level = 0;  // read back once, soon: not worth compressing
            // Written and read a whole chunk at a time: a chunk cache per dataset (1 MiB each)
            // only held every year's chunks until the end, some 40 MB at PC6 density.
            options.chunk_cache = false;
            if (cells > 0 && years_ > 0) options.chunk = {1, 1, cells};
            kept_.push_back(hdf5::create_dataset(location, fmt::format("{}.{}", l, i),
                                                 H5T_IEEE_F64LE, shape, options));
        }
}

AggregateAccumulator::Year AggregateAccumulator::take(std::size_t year,
                                                      std::optional<std::size_t> replicate) {
    Year taken{year, slot_of(replicate), {}};
    if (year >= years_) throw std::logic_error("AggregateAccumulator::take: no such year");
    taken.values.reserve(groupings_.size() * layout_.indicators.size());
    for (std::size_t l = 0; l < groupings_.size(); ++l)
        for (std::size_t i = 0; i < layout_.indicators.size(); ++i)
            taken.values.push_back(std::move(stored_[index(l, i, taken.slot, year)]));
    return taken;
}

void AggregateAccumulator::store(const Year& taken) {
    if (kept_.empty()) throw std::logic_error("AggregateAccumulator::store before keep_in");
    for (std::size_t l = 0; l < groupings_.size(); ++l)
        for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
            const std::vector<double>& values = taken.values[l * layout_.indicators.size() + i];
            if (values.empty()) continue;  // not added (a replicate of an indicator without)
            const std::array<hsize_t, 3> start{taken.slot, taken.year, 0},
                count{1, 1, values.size()};
            hdf5::write_block(kept_[l * layout_.indicators.size() + i].id(), start, count, values);
            stored_elsewhere_[index(l, i, taken.slot, taken.year)] = 1;
        }
}

void AggregateAccumulator::add_replicate(std::size_t year, std::size_t replicate,
                                         std::span<const std::span<const double>> values) {
    add(year, slots_ == 1 ? 0 : 1 + replicate, values);
}

void AggregateAccumulator::add_replicate(std::size_t year, std::size_t replicate,
                                         std::span<const std::span<const double>> values,
                                         std::size_t indicator) {
    add(year, slots_ == 1 ? 0 : 1 + replicate, values, indicator);
}

void AggregateAccumulator::add_mean(std::size_t year,
                                    std::span<const std::span<const double>> values) {
    add(year, 0, values);
}

bool AggregateAccumulator::has_replicates(std::string_view indicator) const {
    const auto i = indicator_index_.find(indicator);
    return slots_ > 1 && i != indicator_index_.end() &&
           layout_.indicators[i->second].has_replicates;
}

std::vector<double> AggregateAccumulator::values(const std::string& level,
                                                 const std::string& indicator,
                                                 std::optional<std::size_t> replicate,
                                                 std::size_t year) const {
    const auto l = level_index_.find(level);
    const auto i = indicator_index_.find(indicator);
    const std::size_t slot = replicate ? 1 + *replicate : 0;
    if (l == level_index_.end() || i == indicator_index_.end() || slot >= slots_ || year >= years_)
        throw std::logic_error(fmt::format(
            "AggregateAccumulator: no aggregates of '{}' at level '{}' (replicate {}, year index "
            "{})",
            indicator, level, replicate ? std::to_string(*replicate) : "mean", year));
    const std::size_t at = index(l->second, i->second, slot, year);
    if (kept_.empty() || !stored_elsewhere_[at]) return stored_[at];
    std::vector<double> values(groupings_[l->second].codes.size() *
                               layout_.indicators[i->second].values_per_area());
    const std::array<hsize_t, 3> start{slot, year, 0}, count{1, 1, values.size()};
    hdf5::read_block(kept_[l->second * layout_.indicators.size() + i->second].id(), start, count,
                     values);
    return values;
}

}  // namespace socialtwin
