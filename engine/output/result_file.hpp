#pragma once
// Reading socialtwin result files (the layout of engine/output/result_layout.hpp) for the commands
// that derive something from them (aggregate, compare, monitor, export, info), and the few
// writing helpers the derived files share: netCDF-4 dimensions numbered file-wide, indicator
// attributes, and an output that appears under its name only when complete.
//
// A result file is recognised by its root attribute socialtwin_result_version; what a derived
// file holds, by socialtwin_content (engine/output/result_layout.hpp).

#include <hdf5.h>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

// One indicator of a result file: the dataset /<name> (the mean over replicates).
struct ResultIndicator {
    std::string name;
    std::vector<std::string> dims;  // "year", "area", then e.g. "sex", "age_band"
    std::vector<hsize_t> shape;
    // The unit as tables print it: `unit_label` ("persons per year"), or in files written before
    // CF conformance `units`, which then held that label (unit_label_of).
    std::string units;
    std::string description;
    std::string source;
    IndicatorKind kind = IndicatorKind::count;
    std::string weight;  // for a measure: the indicator that weights it over areas
    bool has_replicates = false;
    bool has_quantiles = false;

    // Values per (year, area): the product of the dims after area (1 without any).
    std::size_t values_per_area() const;
    // As the model declared them (IndicatorSpec), read from the attributes `quantity` and `cost`;
    // for files written before those, from the units (quantity_of, cost_of below).
    Quantity quantity = Quantity::stock;
    bool cost = false;
    // Empty for an indicator read from the file. For one the result writer aggregates but does
    // not keep per area (output.breakdowns_per_area: none), the attributes its per-area variable
    // would have had: /aggregates describes it from these.
    std::vector<std::pair<std::string, std::string>> attributes{};
};

// A string dimension of the catalog (sex, age_band, ...): its labels.
struct ResultDimension {
    std::string name;
    std::vector<std::string> labels;
    std::string description;
};

struct ResultLayout {
    std::string content{derived_layout::result};
    std::vector<std::int32_t> years;
    std::vector<std::string> areas;
    std::string area_level;  // the `level` attribute of /area, e.g. "pc6" or "buurt"
    std::vector<AreaAttribute> attributes;
    std::vector<ResultDimension> dimensions;                // the catalog's, in the file's order
    std::vector<ResultIndicator> indicators;                // in the file's order
    std::vector<std::pair<std::string, std::string>> meta;  // /meta attributes, in order
    std::size_t replicates = 1;

    const ResultIndicator* find(std::string_view name) const;
    const ResultDimension* dimension(std::string_view name) const;
    const AreaAttribute* attribute(std::string_view name) const;
    std::string meta_value(std::string_view key) const;  // "" when absent
};

// A variable's unit as people read it: its `unit_label`, else (files written before the units
// became UDUNITS-2) its `units`; "" without either.
std::string unit_label_of(hid_t dataset);
// The IndicatorKind of a dataset: its `kind` attribute, or for files written before kinds, "amount"
// for units starting with EUR or FTE and "count" otherwise.
IndicatorKind dataset_kind(hid_t dataset);
// An indicator's quantity and cost as readers take them: its attribute (`quantity`: "stock" or
// "flow"; `cost`: "true" or "false"; nullopt when absent), or for files written before those
// attributes the unit rule they were written under: units containing "per year" are a flow,
// units starting with "EUR" a cost. Every indicator the engine declares today agrees with that
// rule (tests/engine/output/indicator_properties_test.cpp), so old and new files read alike.
Quantity quantity_of(const std::optional<std::string>& quantity_attribute, std::string_view units);
bool cost_of(const std::optional<std::string>& cost_attribute, std::string_view units);
// The same, read from an indicator's dataset.
Quantity dataset_quantity(hid_t dataset);
bool dataset_cost(hid_t dataset);

// Opens `path` read-only (or read-write) as an HDF5 file a command was given; throws InputError
// naming the file, and what was `expected` there (e.g. "a socialtwin result"), when it is missing,
// not a regular file, empty, not HDF5, or damaged or truncated so that HDF5 cannot open it.
hdf5::File open_hdf5_input(const std::filesystem::path& path, std::string_view expected,
                           bool writable = false);
// Opens `path` and checks it is a socialtwin result this build reads, whose content is one of
// `accepted` (default: a run's result or a published one). Throws InputError naming the file when
// it is missing, not HDF5, not a socialtwin result, of a newer layout, or another content.
hdf5::File open_result(const std::filesystem::path& path, bool writable = false,
                       std::span<const std::string_view> accepted = {});
// Reads the structure (labels, attributes, indicator list, /meta), never indicator values.
// Throws InputError naming `path` and the variable where a socialtwin result lacks what every
// reader relies on: /year (whole numbers), /area (strings) and /meta there; every variable (also
// in /aggregates) as long as its dimensions along each axis, and numbers where it runs over years.
ResultLayout read_result_layout(hid_t root, const std::filesystem::path& path);

// `name` in the level of /aggregates with the fewest units that holds it, and that number of
// units: a dataset (year, unit, ...) of `n_years` years, or with `replicates` (replicate, year,
// unit, ...). Summed over its units it is the total over all areas of a count or amount, also
// of one the areas do not keep (output.breakdowns_per_area: none). nullopt when none holds it.
std::optional<std::pair<hdf5::Dataset, hsize_t>> fewest_aggregate(
    hid_t root, const std::string& name, std::size_t n_years,
    std::optional<std::size_t> replicates = std::nullopt);

// An indicator of /aggregates (`aggregate`: year, unit, ...) described as the areas would hold it:
// dims year, area, ... and the result's `n_areas`, its kind from its attribute; nullopt when its
// dimensions do not fit. For one a result keeps only per larger area
// (output.breakdowns_per_area: none), which readers then take from /aggregates.
std::optional<ResultIndicator> as_if_per_area(hid_t aggregate, const std::string& name,
                                              std::size_t n_areas);
// Whether a result keeps its breakdowns only per larger area (root attribute
// breakdowns_per_area "none").
bool breakdowns_only_per_larger_area(hid_t root);

// `all` (blocks x units x per values) summed over its units, the values that are not finite
// left out: blocks x per.
std::vector<double> sum_over_units(std::span<const double> all, std::size_t blocks,
                                   std::size_t units, std::size_t per);

// The block of `dataset` with its first prefix.size() axes fixed at `prefix` and the rest whole,
// row-major: e.g. prefix {year} of (year, area, sex, age_band) gives one year's areas x sexes x
// age bands.
std::vector<double> read_slab(hid_t dataset, std::span<const hsize_t> prefix);
void write_slab(hid_t dataset, std::span<const hsize_t> prefix, std::span<const double> values);

// Writes whole years of a float64 dataset made by create_variable with its year axis first
// (chunks of one year, some units, all of the rest; shuffle + deflate at
// result_layout::deflate_level; NaN fill): the chunks of the years added are deflated by
// libdeflate on `threads` threads (0: all the machine has) and stored as they are
// (hdf5::filter_chunk), in a fixed order. What write_slab would store, value for value, at a
// fraction of the time: through HDF5's zlib filter on one thread the aggregates of a PC6 run of
// the whole country (1.2 GB) made the run 11 s longer. Another layout goes through write_slab.
// The years held are written by flush(), which the last add() must be followed by.
class YearSlabWriter {
public:
    YearSlabWriter(hid_t dataset, int threads);
    // Years still held were never flushed: a bug of the caller (unless an error unwinds).
    ~YearSlabWriter() { assert(held_.empty() || std::uncaught_exceptions() > 0); }
    YearSlabWriter(const YearSlabWriter&) = delete;
    YearSlabWriter& operator=(const YearSlabWriter&) = delete;
    // The values of year index `year` (units x the rest, row-major); held until enough are.
    void add(hsize_t year, std::vector<double> values);
    void flush();

private:
    hid_t dataset_;
    int threads_;
    std::vector<hsize_t> shape_, chunk_;
    bool direct_ = false;  // the layout filter_chunk writes for
    std::vector<std::pair<hsize_t, std::vector<double>>> held_;
    std::size_t held_chunks_ = 0;
};

// ---- writing derived files ----------------------------------------------------------------

// netCDF-4 numbers dimensions file-wide (h5netcdf orders them by that number): new ones continue
// after the highest _Netcdf4Dimid already in the file.
class DimensionNumbers {
public:
    explicit DimensionNumbers(hid_t file);
    int next() { return next_++; }

private:
    int next_ = 0;
};

hdf5::Dataset write_dimension(hid_t parent, const std::string& name,
                              std::span<const std::string> labels, int id,
                              std::string_view description = {});
hdf5::Dataset write_dimension(hid_t parent, const std::string& name,
                              std::span<const std::int32_t> values, int id,
                              std::string_view description = {});
hdf5::Dataset write_dimension(hid_t parent, const std::string& name, std::span<const double> values,
                              int id, std::string_view description = {});
// A variable over one dimension (`scale`), e.g. buurt_name over buurt.
hdf5::Dataset write_labels(hid_t parent, const std::string& name,
                           std::span<const std::string> labels, hid_t scale);
hdf5::Dataset write_values(hid_t parent, const std::string& name,
                           std::span<const std::int32_t> values, hid_t scale);
hdf5::Dataset write_values(hid_t parent, const std::string& name, std::span<const double> values,
                           hid_t scale);
// A float64 variable over `scales` (one per axis, with their sizes in `shape`), NaN where never
// written. Chunked like the result writer's indicators when `year_axis` is given: one year (and
// one of each axis before it) and at most 32 000 values; shuffle + deflate 4. `chunk`, when
// given, is the chunk shape instead (a sweep's merge takes its tasks' chunks whole).
hdf5::Dataset create_variable(hid_t parent, const std::string& name, std::span<const hid_t> scales,
                              std::span<const hsize_t> shape,
                              std::optional<std::size_t> year_axis = std::nullopt,
                              std::span<const hsize_t> chunk = {});
// Copies the string attributes `names` of `from` that exist onto `to`.
void copy_string_attributes(hid_t from, hid_t to, std::span<const std::string_view> names);

// AtomicOutput, the way every derived file is written: engine/formats/output_file.hpp.

std::string utc_timestamp();  // e.g. "2025-01-31T12:00:00Z"

}  // namespace socialtwin
