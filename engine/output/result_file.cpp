#include "engine/output/result_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <limits>
#include <optional>
#include <stdexcept>

#include <hdf5_hl.h>
#include <oneapi/tbb/task_arena.h>

#include "engine/core/errors.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/threads.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// Chunks of derived variables, as the result writer's: one year and at most this many values.
constexpr std::size_t chunk_values = result_layout::chunk_values;

[[noreturn]] void fail(const fs::path& path, std::string message, std::string hint = {}) {
    throw InputError(problem_at(where_in(path.string()), std::move(message), std::move(hint)));
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_string_dataset(hid_t dataset) {
    hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "getting a dataset's type"));
    return H5Tget_class(type.id()) == H5T_STRING;
}

std::string string_attribute_or(hid_t object, const std::string& name, std::string fallback = {}) {
    return hdf5::has_attribute(object, name) ? hdf5::attribute_text(object, name) : fallback;
}

H5T_class_t type_class(hid_t dataset) {
    hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "getting a dataset's type"));
    return H5Tget_class(type.id());
}

bool is_number(H5T_class_t type) { return type == H5T_INTEGER || type == H5T_FLOAT; }

// What a reader finds, in a planner's words: "found strings".
std::string values_of(H5T_class_t type) {
    switch (type) {
        case H5T_INTEGER:
            return "whole numbers";
        case H5T_FLOAT:
            return "decimal numbers";
        case H5T_STRING:
            return "strings";
        case H5T_COMPOUND:
            return "records (compound values)";
        default:
            return "values of another kind";
    }
}

std::string shape_text(std::span<const hsize_t> shape) {
    return fmt::format("({})", fmt::join(shape, ", "));
}

// The length of the dimension scale attached to each axis of `dataset` (the last attached, as
// dimension_names reads it); nullopt where none is.
std::vector<std::optional<hsize_t>> scale_lengths(hid_t dataset) {
    const auto rank = hdf5::shape(dataset).size();
    std::vector<std::optional<hsize_t>> lengths(rank);
    for (unsigned axis = 0; axis < rank; ++axis) {
        if (H5DSget_num_scales(dataset, axis) <= 0) continue;
        auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
            const auto shape = hdf5::shape(scale);
            *static_cast<std::optional<hsize_t>*>(data) = shape.empty() ? 1 : shape.front();
            return 0;
        };
        hdf5::check(H5DSiterate_scales(dataset, axis, nullptr, visit, &lengths[axis]),
                    "reading the dimensions of a variable");
    }
    return lengths;
}

// A coordinate every reader relies on (/year, /area): there, one-dimensional, of the right kind
// of values, and a dimension the variables are laid out over.
void check_coordinate(hid_t root, std::string_view name, bool numbers, std::string_view meaning,
                      const fs::path& path) {
    const std::string key = fmt::format("/{}", name);
    const std::string link(name);
    auto problem = [&](std::string message) -> InputProblem {
        return problem_at(where_in(path.string(), 0, 0, key), std::move(message),
                          "was the file written completely by socialtwin, and not edited?");
    };
    if (!hdf5::link_exists(root, link))
        throw InputError(problem(fmt::format("missing; expected {}", meaning)));
    if (!hdf5::is_dataset(root, link))
        throw InputError(problem(fmt::format("a group; expected a variable: {}", meaning)));
    auto dataset = hdf5::open_dataset(root, link);
    const H5T_class_t type = type_class(dataset.id());
    if (numbers ? type != H5T_INTEGER : type != H5T_STRING)
        throw InputError(problem(fmt::format("holds {}; expected {}", values_of(type), meaning)));
    const auto shape = hdf5::shape(dataset.id());
    if (shape.size() != 1)
        throw InputError(problem(fmt::format("has {} axes {}; expected one axis: {}", shape.size(),
                                             shape_text(shape), meaning)));
    if (!hdf5::is_dimension_scale(dataset.id()))
        throw InputError(problem(fmt::format(
            "is not a dimension (no dimension scale); expected {}, the dimension of every "
            "indicator",
            meaning)));
}

// Every variable of `group` (the root, or an /aggregates level) fits its dimensions: as long as
// each along every axis, and numbers where it runs over years. Readers index values by those
// lengths, so a variable that does not fit would be read out of its bounds.
void check_variables(hid_t group, const std::string& prefix, const fs::path& path) {
    for (const auto& name : hdf5::link_names(group)) {
        if (!hdf5::is_dataset(group, name)) continue;
        auto dataset = hdf5::open_dataset(group, name);
        if (hdf5::is_dimension_scale(dataset.id())) continue;
        const auto dims = hdf5::dimension_names(dataset.id());
        const auto shape = hdf5::shape(dataset.id());
        const auto lengths = scale_lengths(dataset.id());
        const std::string key = prefix + name;
        std::vector<std::string> expected;
        bool fits = true;
        for (std::size_t axis = 0; axis < shape.size(); ++axis) {
            if (!lengths[axis]) {
                expected.push_back(fmt::format("{}", shape[axis]));
                continue;
            }
            expected.push_back(fmt::format("{} {}", dims[axis], *lengths[axis]));
            if (shape[axis] != *lengths[axis]) fits = false;
        }
        if (!fits)
            throw InputError(problem_at(
                where_in(path.string(), 0, 0, key),
                fmt::format("has shape {}, which does not fit its dimensions: expected ({})",
                            shape_text(shape), fmt::join(expected, ", ")),
                "was the file written completely by socialtwin, and not edited?"));
        const bool over_years =
            std::find(dims.begin(), dims.end(), result_layout::year) != dims.end();
        if (const H5T_class_t type = type_class(dataset.id()); over_years && !is_number(type))
            throw InputError(
                problem_at(where_in(path.string(), 0, 0, key),
                           fmt::format("holds {}; expected numbers (one value per {})",
                                       values_of(type), fmt::join(dims, " and ")),
                           "was the file written completely by socialtwin, and not edited?"));
    }
}

std::string describe_content(std::string_view content) {
    if (content == derived_layout::difference)
        return "a difference file written by `socialtwin compare` (scenario minus baseline)";
    if (content == derived_layout::monitoring)
        return "a monitoring file written by `socialtwin monitor` (projection against "
               "observations)";
    if (content == derived_layout::sweep)
        return "a merged sweep written by `socialtwin sweep merge` (results along a variant "
               "dimension)";
    if (content == derived_layout::published)
        return "a published file written by `socialtwin export` (disclosure control applied)";
    return fmt::format("a socialtwin file holding '{}'", content);
}

}  // namespace

std::size_t ResultIndicator::values_per_area() const {
    std::size_t n = 1;
    for (std::size_t axis = 2; axis < shape.size(); ++axis) n *= shape[axis];
    return n;
}

const ResultIndicator* ResultLayout::find(std::string_view name) const {
    for (const auto& indicator : indicators)
        if (indicator.name == name) return &indicator;
    return nullptr;
}

const ResultDimension* ResultLayout::dimension(std::string_view name) const {
    for (const auto& d : dimensions)
        if (d.name == name) return &d;
    return nullptr;
}

const AreaAttribute* ResultLayout::attribute(std::string_view name) const {
    for (const auto& a : attributes)
        if (a.name == name) return &a;
    return nullptr;
}

std::string ResultLayout::meta_value(std::string_view key) const {
    for (const auto& [k, v] : meta)
        if (k == key) return v;
    return {};
}

std::string unit_label_of(hid_t dataset) {
    const std::string label(indicator_attribute::unit_label);
    if (hdf5::has_attribute(dataset, label)) return hdf5::attribute_text(dataset, label);
    return string_attribute_or(dataset, std::string(indicator_attribute::units));
}

IndicatorKind dataset_kind(hid_t dataset) {
    const std::string kind = string_attribute_or(dataset, "kind");
    if (kind == "count") return IndicatorKind::count;
    if (kind == "amount") return IndicatorKind::amount;
    if (kind == "measure") return IndicatorKind::measure;
    const std::string units = unit_label_of(dataset);
    if (units.rfind("EUR", 0) == 0 || units.rfind("FTE", 0) == 0) return IndicatorKind::amount;
    return IndicatorKind::count;
}

Quantity quantity_of(const std::optional<std::string>& quantity_attribute, std::string_view units) {
    if (quantity_attribute)
        return *quantity_attribute == to_string(Quantity::flow) ? Quantity::flow : Quantity::stock;
    return units.find("per year") != std::string_view::npos ? Quantity::flow : Quantity::stock;
}

bool cost_of(const std::optional<std::string>& cost_attribute, std::string_view units) {
    if (cost_attribute) return *cost_attribute == indicator_attribute::yes;
    return units.rfind("EUR", 0) == 0;
}

namespace {
std::optional<std::string> attribute_if_any(hid_t object, std::string_view name) {
    const std::string key(name);
    if (!hdf5::has_attribute(object, key)) return std::nullopt;
    return hdf5::attribute_text(object, key);
}
}  // namespace

Quantity dataset_quantity(hid_t dataset) {
    return quantity_of(attribute_if_any(dataset, indicator_attribute::quantity),
                       unit_label_of(dataset));
}

bool dataset_cost(hid_t dataset) {
    return cost_of(attribute_if_any(dataset, indicator_attribute::cost), unit_label_of(dataset));
}

hdf5::File open_hdf5_input(const fs::path& path, std::string_view expected, bool writable) {
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        fail(path, fs::exists(path, error) ? fmt::format("not a file; expected {}", expected)
                                           : "no such file");
    if (fs::file_size(path, error) == 0 && !error)
        fail(path, fmt::format("an empty file; expected {}", expected),
             "was it written or copied completely?");
    if (!hdf5::is_hdf5_file(path))
        fail(path, fmt::format("not an HDF5 file; expected {}", expected));
    try {
        return writable ? hdf5::open_file_read_write(path) : hdf5::open_file_read_only(path);
    } catch (const hdf5::Error&) {
        // HDF5's own stack ("truncated file: eof = ...") helps nobody who has to act on it.
        fail(path,
             fmt::format("a damaged or truncated HDF5 file: it cannot be opened; expected {}",
                         expected),
             "was it written or copied completely?");
    }
}

hdf5::File open_result(const fs::path& path, bool writable,
                       std::span<const std::string_view> accepted) {
    static constexpr std::array<std::string_view, 2> results{derived_layout::result,
                                                             derived_layout::published};
    if (accepted.empty()) accepted = results;
    auto file = open_hdf5_input(path, "a socialtwin result", writable);
    try {
        const std::string version_name(result_layout::version_attribute);
        if (!hdf5::has_attribute(file.id(), version_name))
            fail(path, fmt::format("an HDF5 file, but not a socialtwin result (no root attribute "
                                   "'{}')",
                                   version_name));
        const std::string version = hdf5::attribute_text(file.id(), version_name);
        if (version != std::to_string(result_layout::version))
            fail(path,
                 fmt::format("socialtwin result layout version {}; this build reads version {}",
                             version, result_layout::version),
                 "use the socialtwin version that wrote it");
        const std::string content =
            string_attribute_or(file.id(), std::string(derived_layout::content_attribute),
                                std::string(derived_layout::result));
        if (std::find(accepted.begin(), accepted.end(), content) == accepted.end()) {
            std::vector<std::string> names;
            for (auto a : accepted) names.push_back(describe_content(a));
            if (content == derived_layout::result)
                fail(path, fmt::format("a result of `socialtwin run`; expected {}",
                                       fmt::join(names, " or ")));
            fail(path,
                 fmt::format("{}, not a result of `socialtwin run`", describe_content(content)));
        }
        return file;
    } catch (const hdf5::Error& e) {
        fail(path, fmt::format("a damaged socialtwin file: {}", e.what()),
             "was it written or copied completely, and not edited?");
    }
}

std::optional<std::pair<hdf5::Dataset, hsize_t>> fewest_aggregate(
    hid_t root, const std::string& name, std::size_t n_years,
    std::optional<std::size_t> replicates) {
    const std::string aggregates(derived_layout::aggregates);
    if (!hdf5::link_exists(root, aggregates) || !hdf5::is_group(root, aggregates))
        return std::nullopt;
    const auto group = hdf5::open_group(root, aggregates);
    const std::size_t unit_axis = replicates ? 2 : 1;
    std::optional<std::pair<hdf5::Dataset, hsize_t>> fewest;
    for (const auto& level : hdf5::link_names(group.id())) {
        if (!hdf5::is_group(group.id(), level)) continue;
        const auto at = hdf5::open_group(group.id(), level);
        if (!hdf5::link_exists(at.id(), name) || !hdf5::is_dataset(at.id(), name)) continue;
        auto dataset = hdf5::open_dataset(at.id(), name);
        const auto shape = hdf5::shape(dataset.id());
        if (shape.size() <= unit_axis || (replicates && shape[0] != *replicates) ||
            shape[unit_axis - 1] != n_years)
            continue;
        if (!fewest || shape[unit_axis] < fewest->second)
            fewest.emplace(std::move(dataset), shape[unit_axis]);
    }
    return fewest;
}

std::optional<ResultIndicator> as_if_per_area(hid_t aggregate, const std::string& name,
                                              std::size_t n_areas) {
    ResultIndicator indicator;
    indicator.name = name;
    indicator.dims = hdf5::dimension_names(aggregate);
    indicator.shape = hdf5::shape(aggregate);
    if (indicator.dims.size() != indicator.shape.size() || indicator.shape.size() < 2)
        return std::nullopt;
    indicator.dims[1] = std::string(result_layout::area);
    indicator.shape[1] = n_areas;
    indicator.kind = dataset_kind(aggregate);
    return indicator;
}

bool breakdowns_only_per_larger_area(hid_t root) {
    const std::string attribute(result_layout::breakdowns_per_area_attribute);
    return hdf5::has_attribute(root, attribute) &&
           hdf5::attribute_text(root, attribute) == result_layout::breakdowns_per_area[1];
}

std::vector<double> sum_over_units(std::span<const double> all, std::size_t blocks,
                                   std::size_t units, std::size_t per) {
    std::vector<double> out(blocks * per, 0.0);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t u = 0; u < units; ++u)
            for (std::size_t k = 0; k < per; ++k) {
                const double v = all[(b * units + u) * per + k];
                if (std::isfinite(v)) out[b * per + k] += v;
            }
    return out;
}

ResultLayout read_result_layout(hid_t root, const fs::path& path) {
    ResultLayout layout;
    try {
        layout.content = string_attribute_or(root, std::string(derived_layout::content_attribute),
                                             std::string(derived_layout::result));
        // What every reader relies on, checked once here, before anything is read.
        check_coordinate(root, result_layout::year, true,
                         "the calendar years of the result (whole numbers, one axis)", path);
        check_coordinate(root, result_layout::area, false,
                         "the codes of the result's areas (strings, one axis)", path);
        if (!hdf5::link_exists(root, std::string(result_layout::meta)) ||
            !hdf5::is_group(root, std::string(result_layout::meta)))
            throw InputError(
                problem_at(where_in(path.string(), 0, 0, "/meta"),
                           "missing; expected the group of the run's description (scenario, "
                           "dataset, engine version)",
                           "was the run interrupted?"));
        check_variables(root, "/", path);
        const std::string aggregates(derived_layout::aggregates);
        if (hdf5::link_exists(root, aggregates) && hdf5::is_group(root, aggregates)) {
            auto group = hdf5::open_group(root, aggregates);
            for (const auto& level : hdf5::link_names(group.id()))
                if (hdf5::is_group(group.id(), level))
                    check_variables(hdf5::open_group(group.id(), level).id(),
                                    fmt::format("/{}/{}/", aggregates, level), path);
        }
        auto meta = hdf5::open_group(root, std::string(result_layout::meta));
        for (const auto& name : hdf5::attribute_names(meta.id()))
            layout.meta.emplace_back(name, hdf5::attribute_text(meta.id(), name));

        std::vector<std::string> names;
        for (const auto& name : hdf5::link_names(root))
            if (hdf5::is_dataset(root, name)) names.push_back(name);
        auto is_companion = [&](const std::string& name, const std::vector<std::string>& dims) {
            return (!dims.empty() && dims.front() == result_layout::replicate &&
                    ends_with(name, result_layout::replicates_suffix)) ||
                   (!dims.empty() && dims.front() == result_layout::quantile &&
                    ends_with(name, result_layout::quantiles_suffix));
        };
        for (const auto& name : names) {
            auto dataset = hdf5::open_dataset(root, name);
            const auto dims = hdf5::dimension_names(dataset.id());
            if (hdf5::is_dimension_scale(dataset.id())) {
                if (name == result_layout::year) {
                    layout.years = hdf5::read_ints(dataset.id());
                } else if (name == result_layout::area) {
                    layout.areas = hdf5::read_strings(dataset.id());
                    layout.area_level = string_attribute_or(dataset.id(), "level");
                } else if (name == result_layout::replicate) {
                    const auto shape = hdf5::shape(dataset.id());
                    layout.replicates = shape.empty() ? 1 : shape.front();
                } else if (name != result_layout::quantile && is_string_dataset(dataset.id())) {
                    layout.dimensions.push_back({name, hdf5::read_strings(dataset.id()),
                                                 string_attribute_or(dataset.id(), "description")});
                }
            } else if (dims == std::vector<std::string>{std::string(result_layout::area)} &&
                       is_string_dataset(dataset.id())) {
                layout.attributes.push_back({name, hdf5::read_strings(dataset.id())});
            } else if (dims.size() >= 2 && dims[0] == result_layout::year &&
                       dims[1] == result_layout::area && !is_companion(name, dims)) {
                ResultIndicator indicator;
                indicator.name = name;
                indicator.dims = dims;
                indicator.shape = hdf5::shape(dataset.id());
                indicator.units = unit_label_of(dataset.id());
                indicator.description = string_attribute_or(dataset.id(), "description");
                indicator.source = string_attribute_or(dataset.id(), "source");
                indicator.kind = dataset_kind(dataset.id());
                indicator.weight = string_attribute_or(dataset.id(), "weight");
                indicator.quantity = dataset_quantity(dataset.id());
                indicator.cost = dataset_cost(dataset.id());
                layout.indicators.push_back(std::move(indicator));
            }
        }
        for (auto& indicator : layout.indicators) {
            const auto has = [&](std::string_view suffix) {
                const std::string name = indicator.name + std::string(suffix);
                return std::find(names.begin(), names.end(), name) != names.end();
            };
            indicator.has_replicates = has(result_layout::replicates_suffix);
            indicator.has_quantiles = has(result_layout::quantiles_suffix);
        }
    } catch (const hdf5::Error& e) {
        fail(path, fmt::format("a damaged socialtwin file: {}", e.what()),
             "was it written or copied completely, and not edited?");
    }
    for (const auto& attribute : layout.attributes)
        if (attribute.values.size() != layout.areas.size())
            fail(path, fmt::format("area attribute '{}' has {} values for {} areas", attribute.name,
                                   attribute.values.size(), layout.areas.size()));
    return layout;
}

std::vector<double> read_slab(hid_t dataset, std::span<const hsize_t> prefix) {
    const auto shape = hdf5::shape(dataset);
    if (prefix.size() > shape.size())
        throw std::logic_error(fmt::format("read_slab: {} fixed axes of a rank-{} dataset",
                                           prefix.size(), shape.size()));
    std::vector<hsize_t> start(shape.size(), 0), count = shape;
    std::size_t n = 1;
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
        if (axis < prefix.size()) {
            start[axis] = prefix[axis];
            count[axis] = 1;
        }
        n *= count[axis];
    }
    std::vector<double> values(n);
    if (n > 0) hdf5::read_block(dataset, start, count, values);
    return values;
}

void write_slab(hid_t dataset, std::span<const hsize_t> prefix, std::span<const double> values) {
    const auto shape = hdf5::shape(dataset);
    if (prefix.size() > shape.size())
        throw std::logic_error(fmt::format("write_slab: {} fixed axes of a rank-{} dataset",
                                           prefix.size(), shape.size()));
    std::vector<hsize_t> start(shape.size(), 0), count = shape;
    for (std::size_t axis = 0; axis < prefix.size(); ++axis) {
        start[axis] = prefix[axis];
        count[axis] = 1;
    }
    if (!values.empty()) hdf5::write_block(dataset, start, count, values);
}

YearSlabWriter::YearSlabWriter(hid_t dataset, int threads)
    : dataset_(dataset),
      threads_(threads),
      shape_(hdf5::shape(dataset)),
      chunk_(hdf5::chunk_shape(dataset)) {
    const hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "the type of a year slab"));
    direct_ = H5Tequal(type.id(), H5T_IEEE_F64LE) > 0 && shape_.size() >= 2 &&
              chunk_.size() == shape_.size() && chunk_[0] == 1 && chunk_[1] > 0 &&
              std::equal(chunk_.begin() + 2, chunk_.end(), shape_.begin() + 2);
}

void YearSlabWriter::add(hsize_t year, std::vector<double> values) {
    if (!direct_) {
        const std::array<hsize_t, 1> at{year};
        write_slab(dataset_, at, values);
        return;
    }
    held_.emplace_back(year, std::move(values));
    // Enough years for some sixteen chunks, a few for each thread: at most 4 MB held (chunks of
    // up to 32,000 values), against some 20% more CPU for a slab at a time.
    held_chunks_ += (shape_[1] + chunk_[1] - 1) / chunk_[1];
    if (held_chunks_ >= 16) flush();
}

void YearSlabWriter::flush() {
    if (held_.empty()) return;
    std::size_t rest = 1;
    for (std::size_t axis = 2; axis < shape_.size(); ++axis) rest *= shape_[axis];
    const std::size_t units = shape_[1], per_chunk_units = chunk_[1];
    const std::size_t n_chunks = (units + per_chunk_units - 1) / per_chunk_units;
    const std::size_t chunk_values = per_chunk_units * rest;
    for (const auto& [year, values] : held_)
        if (values.size() != units * rest)
            throw std::logic_error(fmt::format("YearSlabWriter: {} values for a year of {} x {}",
                                               values.size(), units, rest));
    std::vector<hdf5::StoredChunk> stored(held_.size() * n_chunks);
    tbb::task_arena arena(worker_threads(threads_));
    arena.execute([&] {
        parallel_for_each_index(stored.size(), [&](std::size_t t) {
            thread_local std::vector<double> padded;
            thread_local std::vector<unsigned char> scratch;
            const auto& values = held_[t / n_chunks].second;
            const std::size_t first = (t % n_chunks) * chunk_values;
            const std::size_t n = std::min(chunk_values, values.size() - first);
            // An edge chunk is padded with the fill value to the full chunk, as HDF5 stores it.
            padded.assign(chunk_values, std::numeric_limits<double>::quiet_NaN());
            std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(first), n, padded.begin());
            hdf5::filter_chunk({reinterpret_cast<const unsigned char*>(padded.data()),
                                padded.size() * sizeof(double)},
                               sizeof(double), result_layout::deflate_level, scratch, stored[t]);
        });
    });
    std::vector<hsize_t> offset(shape_.size(), 0);
    for (std::size_t t = 0; t < stored.size(); ++t) {
        offset[0] = held_[t / n_chunks].first;
        offset[1] = (t % n_chunks) * per_chunk_units;
        hdf5::write_stored_chunk(dataset_, offset, stored[t]);
    }
    held_.clear();
    held_chunks_ = 0;
}

// ---- writing --------------------------------------------------------------------------------

DimensionNumbers::DimensionNumbers(hid_t file) {
    int highest = -1;
    struct Visit {
        int* highest;
    } visit{&highest};
    hdf5::check(H5Lvisit(
                    file, H5_INDEX_NAME, H5_ITER_INC,
                    [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
                        auto& v = *static_cast<Visit*>(data);
                        if (H5Aexists_by_name(group, name, "_Netcdf4Dimid", H5P_DEFAULT) <= 0)
                            return 0;
                        hdf5::Attribute attribute(H5Aopen_by_name(group, name, "_Netcdf4Dimid",
                                                                  H5P_DEFAULT, H5P_DEFAULT));
                        int id = -1;
                        if (attribute && H5Aread(attribute.id(), H5T_NATIVE_INT, &id) >= 0)
                            *v.highest = std::max(*v.highest, id);
                        return 0;
                    },
                    &visit),
                "numbering the file's dimensions");
    next_ = highest + 1;
}

namespace {
hdf5::Dataset finish_dimension(hdf5::Dataset dataset, const std::string& name, int id,
                               std::string_view description) {
    hdf5::make_dimension_scale(dataset.id(), name, id);
    if (!description.empty()) hdf5::write_attribute(dataset.id(), "description", description);
    return dataset;
}
}  // namespace

hdf5::Dataset write_dimension(hid_t parent, const std::string& name,
                              std::span<const std::string> labels, int id,
                              std::string_view description) {
    const std::array<hsize_t, 1> n{labels.size()};
    hdf5::Datatype type = hdf5::utf8_string_type();
    auto dataset = hdf5::create_dataset(parent, name, type.id(), n);
    if (!labels.empty()) hdf5::write(dataset.id(), labels);
    return finish_dimension(std::move(dataset), name, id, description);
}

hdf5::Dataset write_dimension(hid_t parent, const std::string& name,
                              std::span<const std::int32_t> values, int id,
                              std::string_view description) {
    const std::array<hsize_t, 1> n{values.size()};
    auto dataset = hdf5::create_dataset(parent, name, H5T_STD_I32LE, n);
    if (!values.empty()) hdf5::write(dataset.id(), values);
    return finish_dimension(std::move(dataset), name, id, description);
}

hdf5::Dataset write_dimension(hid_t parent, const std::string& name, std::span<const double> values,
                              int id, std::string_view description) {
    const std::array<hsize_t, 1> n{values.size()};
    auto dataset = hdf5::create_dataset(parent, name, H5T_IEEE_F64LE, n);
    if (!values.empty()) hdf5::write(dataset.id(), values);
    return finish_dimension(std::move(dataset), name, id, description);
}

hdf5::Dataset write_labels(hid_t parent, const std::string& name,
                           std::span<const std::string> labels, hid_t scale) {
    const std::array<hsize_t, 1> n{labels.size()};
    hdf5::Datatype type = hdf5::utf8_string_type();
    auto dataset = hdf5::create_dataset(parent, name, type.id(), n);
    if (!labels.empty()) hdf5::write(dataset.id(), labels);
    hdf5::attach_dimension_scale(dataset.id(), scale, 0);
    return dataset;
}

hdf5::Dataset write_values(hid_t parent, const std::string& name,
                           std::span<const std::int32_t> values, hid_t scale) {
    const std::array<hsize_t, 1> n{values.size()};
    auto dataset = hdf5::create_dataset(parent, name, H5T_STD_I32LE, n);
    if (!values.empty()) hdf5::write(dataset.id(), values);
    hdf5::attach_dimension_scale(dataset.id(), scale, 0);
    return dataset;
}

hdf5::Dataset write_values(hid_t parent, const std::string& name, std::span<const double> values,
                           hid_t scale) {
    const std::array<hsize_t, 1> n{values.size()};
    auto dataset = hdf5::create_dataset(parent, name, H5T_IEEE_F64LE, n);
    if (!values.empty()) hdf5::write(dataset.id(), values);
    hdf5::attach_dimension_scale(dataset.id(), scale, 0);
    return dataset;
}

hdf5::Dataset create_variable(hid_t parent, const std::string& name, std::span<const hid_t> scales,
                              std::span<const hsize_t> shape, std::optional<std::size_t> year_axis,
                              std::span<const hsize_t> chunk) {
    if (scales.size() != shape.size())
        throw std::logic_error(fmt::format("create_variable '{}': {} scales for {} axes", name,
                                           scales.size(), shape.size()));
    hdf5::DatasetOptions options;
    options.fill = std::numeric_limits<double>::quiet_NaN();
    options.set_fill = true;
    options.deflate_level = result_layout::deflate_level;
    const bool empty = std::find(shape.begin(), shape.end(), hsize_t{0}) != shape.end();
    if (!chunk.empty() && !empty) {
        if (chunk.size() != shape.size())
            throw std::logic_error(fmt::format("create_variable '{}': a chunk of {} axes for {}",
                                               name, chunk.size(), shape.size()));
        options.chunk.assign(chunk.begin(), chunk.end());
    } else if (year_axis && !empty && !shape.empty()) {
        // One year (and one of each axis before it), then as many of the next axis (areas) as
        // keep the chunk within chunk_values.
        options.chunk.assign(shape.begin(), shape.end());
        for (std::size_t axis = 0; axis <= *year_axis && axis < shape.size(); ++axis)
            options.chunk[axis] = 1;
        const std::size_t area_axis = *year_axis + 1;
        if (area_axis < shape.size()) {
            std::size_t rest = 1;
            for (std::size_t axis = area_axis + 1; axis < shape.size(); ++axis) rest *= shape[axis];
            options.chunk[area_axis] = std::clamp<hsize_t>(
                chunk_values / std::max<std::size_t>(1, rest), 1, shape[area_axis]);
        }
    }
    auto dataset = hdf5::create_dataset(parent, name, H5T_IEEE_F64LE, shape, options);
    for (unsigned axis = 0; axis < scales.size(); ++axis)
        hdf5::attach_dimension_scale(dataset.id(), scales[axis], axis);
    return dataset;
}

void copy_string_attributes(hid_t from, hid_t to, std::span<const std::string_view> names) {
    for (auto name : names) {
        const std::string key(name);
        if (hdf5::has_attribute(from, key))
            hdf5::write_attribute(to, key, hdf5::attribute_text(from, key));
    }
}

std::string utc_timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text.data();
}

}  // namespace socialtwin
