#include "engine/io/result_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "engine/core/errors.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// Chunks of derived variables, as the result writer's: one year and at most this many values.
constexpr std::size_t chunk_values = 32000;

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

std::string describe_content(std::string_view content) {
    if (content == derived_layout::difference)
        return "a difference file written by `socialtwin compare` (scenario minus baseline)";
    if (content == derived_layout::monitoring)
        return "a monitoring file written by `socialtwin compare` (projection against "
               "observations)";
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

IndicatorKind dataset_kind(hid_t dataset) {
    const std::string kind = string_attribute_or(dataset, "kind");
    if (kind == "count") return IndicatorKind::count;
    if (kind == "amount") return IndicatorKind::amount;
    if (kind == "measure") return IndicatorKind::measure;
    const std::string units = string_attribute_or(dataset, "units");
    if (units.rfind("EUR", 0) == 0 || units.rfind("FTE", 0) == 0) return IndicatorKind::amount;
    return IndicatorKind::count;
}

hdf5::File open_result(const fs::path& path, bool writable,
                       std::span<const std::string_view> accepted) {
    static constexpr std::array<std::string_view, 2> results{derived_layout::result,
                                                             derived_layout::published};
    if (accepted.empty()) accepted = results;
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        fail(path, fs::exists(path, error) ? "not a file" : "no such file");
    if (!hdf5::is_hdf5_file(path)) fail(path, "not an HDF5 file");
    try {
        auto file = writable ? hdf5::open_file_read_write(path) : hdf5::open_file_read_only(path);
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
        fail(path, fmt::format("cannot read result: {}", e.what()));
    }
}

ResultLayout read_result_layout(hid_t root, const fs::path& path) {
    ResultLayout layout;
    try {
        layout.content = string_attribute_or(root, std::string(derived_layout::content_attribute),
                                             std::string(derived_layout::result));
        for (const char* required : {"year", "area", "meta"})
            if (!hdf5::link_exists(root, required))
                fail(path, fmt::format("socialtwin result without '/{}'", required),
                     "was the run interrupted?");
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
                indicator.units = string_attribute_or(dataset.id(), "units");
                indicator.description = string_attribute_or(dataset.id(), "description");
                indicator.source = string_attribute_or(dataset.id(), "source");
                indicator.kind = dataset_kind(dataset.id());
                indicator.weight = string_attribute_or(dataset.id(), "weight");
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
        fail(path, fmt::format("cannot read result: {}", e.what()));
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
                              std::span<const hsize_t> shape,
                              std::optional<std::size_t> year_axis) {
    if (scales.size() != shape.size())
        throw std::logic_error(fmt::format("create_variable '{}': {} scales for {} axes", name,
                                           scales.size(), shape.size()));
    hdf5::DatasetOptions options;
    options.fill = std::numeric_limits<double>::quiet_NaN();
    options.set_fill = true;
    const bool empty = std::find(shape.begin(), shape.end(), hsize_t{0}) != shape.end();
    if (year_axis && !empty && !shape.empty()) {
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

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code error;
    return fs::exists(a, error) && fs::exists(b, error) && fs::equivalent(a, b, error);
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
