#include "engine/output/hdf5_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/task_arena.h>

#include "engine/core/errors.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/types.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/bit_round.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/quantiles.hpp"
#include "engine/output/result_values.hpp"

namespace socialtwin {

namespace {

namespace fs = std::filesystem;

// Chunks hold one year (and one replicate) and as many areas as fit in ~250 KiB (at most 4096):
// small enough for HDF5's default 1 MiB chunk cache, so a reader slicing one area or one year
// decompresses little, and large enough that a 10 000-area year is a handful of chunks.
// Quantile chunks hold all three quantiles of such a block: after the shuffle filter, equal
// quantiles (replicates that agree, e.g. in empty cells) repeat within deflate's 32 KiB window
// (32 768 - 262 bytes), which holds one byte of each of the block's at most 32 000 values, and
// cost almost nothing.
constexpr std::size_t chunk_values = result_layout::chunk_values;
constexpr std::size_t max_chunk_areas = 4096;
// zlib's level for the indicators' chunks, in the datasets' creation properties and in the
// chunks on_year compresses itself.
constexpr int deflate_level = result_layout::deflate_level;

// netCDF-4 numbers dimensions file-wide, 0, 1, 2 ... in the order they are created; h5netcdf
// uses the numbers to keep them in order: year, area, then the catalog's dimensions (sex,
// age_band, ...), then replicate and quantile (only with several replicates), then phase. Each
// takes the next number, so there is no gap.
enum class DimId : int { year = 0, area = 1, first_catalog_dimension = 2 };

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text.data();
}

hdf5::Dataset write_string_dimension(hid_t parent, std::string_view name,
                                     const std::vector<std::string>& labels, int netcdf_dim_id) {
    const std::array<hsize_t, 1> dims{labels.size()};
    hdf5::Datatype type = hdf5::utf8_string_type();
    auto dataset = hdf5::create_dataset(parent, std::string(name), type.id(), dims);
    if (!labels.empty()) hdf5::write(dataset.id(), std::span<const std::string>(labels));
    hdf5::make_dimension_scale(dataset.id(), std::string(name), netcdf_dim_id);
    return dataset;
}

// Every name becomes a link at the root, and area attribute names also go into the
// space-separated `coordinates` attribute: reject what would collide or not parse back.
void check_names(const RunDescription& run) {
    std::set<std::string> taken{
        std::string(result_layout::year),      std::string(result_layout::area),
        std::string(result_layout::replicate), std::string(result_layout::quantile),
        std::string(result_layout::meta),      std::string(result_layout::quantization_container)};
    if (has_positions(*run.areas))
        taken.insert({std::string(cf::x), std::string(cf::y), std::string(cf::crs)});
    for (const auto& dimension : run.catalog->dimensions())
        if (!taken.insert(dimension.name).second)
            throw std::logic_error(
                fmt::format("dimension '{}' collides with a result name", dimension.name));
    std::vector<InputProblem> problems;
    for (const auto& attribute : run.areas->attributes()) {
        const auto& name = attribute.name;
        std::string why;
        if (name.empty() || name.find_first_of("/ \t\n.") != std::string::npos)
            why = "result names must be non-empty, without spaces, '/' or '.'";
        else if (!taken.insert(name).second)
            why = "the result file already uses this name for a dimension or another attribute";
        if (!why.empty()) {
            InputProblem problem;
            problem.where.key_path = "area attribute '" + name + "'";
            problem.message = "cannot be written to the result file: " + why;
            problems.push_back(std::move(problem));
        }
        if (attribute.values.size() != run.areas->size())
            throw std::logic_error(fmt::format("area attribute '{}' has {} values for {} areas",
                                               name, attribute.values.size(), run.areas->size()));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    for (const auto& spec : run.catalog->specs()) {
        if (spec.name.empty() || spec.name.find_first_of("/ .") != std::string::npos)
            throw std::logic_error(
                fmt::format("indicator name '{}' is not a valid result name", spec.name));
        for (const auto& name :
             {spec.name, spec.name + std::string(result_layout::replicates_suffix),
              spec.name + std::string(result_layout::quantiles_suffix)})
            if (!taken.insert(name).second)
                throw std::logic_error(fmt::format(
                    "indicator '{}': the result name '{}' is already taken by a dimension, an "
                    "area attribute or another indicator",
                    spec.name, name));
    }
}

// Reads the block of `dataset` starting at `start` (row-major over `count`) into `values`.
void read_block(hid_t dataset, std::span<const hsize_t> start, std::span<const hsize_t> count,
                std::span<double> values, std::string_view what) {
    hdf5::Dataspace file_space(hdf5::check_id(H5Dget_space(dataset), what));
    hdf5::check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr,
                                    count.data(), nullptr),
                what);
    hdf5::Dataspace memory_space = hdf5::simple_space(count);
    hsize_t n = 1;
    for (hsize_t c : count) n *= c;
    if (n != values.size())
        throw std::logic_error(
            fmt::format("{}: a block of {} values into {}", what, n, values.size()));
    hdf5::check(H5Dread(dataset, H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                        values.data()),
                what);
}

// An HDF5 file at `temporary`, for the result `target`; a failure names the target.
hdf5::File create_result_file(const fs::path& temporary, const fs::path& target) {
    try {
        return hdf5::create_file(temporary);
    } catch (const hdf5::Error& e) {
        throw std::runtime_error(
            fmt::format("cannot write result file '{}': {}", target.string(), e.what()));
    }
}

}  // namespace

namespace {

// What on_start relies on; a description without it is a bug of the caller.
void check_run(const RunDescription& run) {
    if (run.scenario == nullptr || run.areas == nullptr || run.catalog == nullptr)
        throw std::logic_error(
            "Hdf5Writer::on_start: run description lacks scenario, areas or catalog");
    if (run.years.empty() || !std::is_sorted(run.years.begin(), run.years.end()) ||
        std::adjacent_find(run.years.begin(), run.years.end()) != run.years.end())
        throw std::logic_error("Hdf5Writer::on_start: years must be non-empty and increasing");
    if (run.replicates < 1)
        throw std::logic_error(fmt::format(
            "Hdf5Writer::on_start: {} replicates; a run has at least one", run.replicates));
}

// The root's title, history and layout version.
void write_identity(hid_t root, const RunDescription& run, const std::string& created) {
    const Scenario& scenario = *run.scenario;
    hdf5::write_attribute(root, "title", fmt::format("socialtwin projection: {}", scenario.name));
    hdf5::write_attribute(
        root, "history",
        fmt::format("{} socialtwin {}: {} core, scenario '{}', {}-{}", created, engine_version(),
                    run.core, scenario.name, run.years.front(), run.years.back()));
    // Conventions (CF-1.8) comes with the rest of CF at on_finish (apply_cf_conventions).
    hdf5::write_attribute(root, std::string(result_layout::version_attribute),
                          std::int32_t{result_layout::version});
}

// The dimension scales of the root, open while the indicators are laid out over them.
struct Scales {
    hdf5::Dataset year, area;
    std::vector<hdf5::Dataset> catalog;  // in the catalog's order
    std::map<std::string, hid_t, std::less<>> catalog_ids;
    // Only for runs with several replicates: invalid handles (no dataset) otherwise.
    hdf5::Dataset replicate, quantile;
    int next_dim_id = 0;  // the netCDF number the next dimension takes
};

hdf5::Dataset write_year_dimension(hid_t root, const std::vector<int>& years) {
    const std::array<hsize_t, 1> n{years.size()};
    auto year = hdf5::create_dataset(root, std::string(result_layout::year), H5T_STD_I32LE, n);
    hdf5::write(year.id(), std::span<const std::int32_t>(years));
    hdf5::make_dimension_scale(year.id(), std::string(result_layout::year),
                               static_cast<int>(DimId::year));
    return year;
}

// /replicate and /quantile, the leading dimensions of the companions of every indicator.
void write_replicate_dimensions(hid_t root, std::size_t n_replicates, Scales& scales) {
    std::vector<std::int32_t> replicates(n_replicates);
    for (std::size_t r = 0; r < replicates.size(); ++r)
        replicates[r] = static_cast<std::int32_t>(r);
    const std::array<hsize_t, 1> n{replicates.size()};
    scales.replicate =
        hdf5::create_dataset(root, std::string(result_layout::replicate), H5T_STD_I32LE, n);
    hdf5::write(scales.replicate.id(), std::span<const std::int32_t>(replicates));
    hdf5::make_dimension_scale(scales.replicate.id(), std::string(result_layout::replicate),
                               scales.next_dim_id++);
    hdf5::write_attribute(scales.replicate.id(), "description",
                          "replicate number: one run of the scenario with its own random "
                          "streams");

    const auto& levels = result_layout::quantile_levels;
    const std::array<hsize_t, 1> n_levels{levels.size()};
    scales.quantile =
        hdf5::create_dataset(root, std::string(result_layout::quantile), H5T_IEEE_F64LE, n_levels);
    hdf5::write(scales.quantile.id(), std::span<const double>(levels));
    hdf5::make_dimension_scale(scales.quantile.id(), std::string(result_layout::quantile),
                               scales.next_dim_id++);
    hdf5::write_attribute(scales.quantile.id(), "units", "1");
    hdf5::write_attribute(scales.quantile.id(), "description",
                          "probability level of a quantile over replicates");
    hdf5::write_attribute(scales.quantile.id(), std::string(indicator_attribute::quantile_method),
                          result_layout::quantile_method);
}

// Dimensions, each a coordinate variable with its labels, numbered as DimId says.
Scales write_dimensions(hid_t root, const RunDescription& run, const std::vector<int>& years,
                        std::size_t n_replicates) {
    Scales scales;
    scales.year = write_year_dimension(root, years);
    scales.area = write_string_dimension(root, result_layout::area, run.areas->codes(),
                                         static_cast<int>(DimId::area));
    hdf5::write_attribute(scales.area.id(), "level", run.areas->level());
    scales.next_dim_id = static_cast<int>(DimId::first_catalog_dimension);
    for (const auto& dimension : run.catalog->dimensions()) {
        scales.catalog.push_back(
            write_string_dimension(root, dimension.name, dimension.labels, scales.next_dim_id++));
        if (!dimension.description.empty())
            hdf5::write_attribute(scales.catalog.back().id(), "description", dimension.description);
        scales.catalog_ids[dimension.name] = scales.catalog.back().id();
    }
    if (n_replicates > 1) write_replicate_dimensions(root, n_replicates, scales);
    return scales;
}

// Area attributes: labels over `area`, and the areas' positions where the dataset has them.
// Returns their names for every indicator's `coordinates`, so xarray shows them as coordinates
// rather than data variables.
std::string write_area_attributes(hid_t root, const AreaTable& areas, hid_t area_scale) {
    for (const auto& attribute : areas.attributes()) {
        const std::array<hsize_t, 1> n{areas.size()};
        hdf5::Datatype type = hdf5::utf8_string_type();
        auto dataset = hdf5::create_dataset(root, attribute.name, type.id(), n);
        if (areas.size() > 0)
            hdf5::write(dataset.id(), std::span<const std::string>(attribute.values));
        hdf5::attach_dimension_scale(dataset.id(), area_scale, 0);
    }
    // Where the areas lie, so GIS tools and xarray draw maps (engine/output/cf_conventions.hpp).
    if (has_positions(areas))
        write_area_positions(root, areas.quantity("x_km")->values, areas.quantity("y_km")->values,
                             area_scale);
    return area_coordinates(areas);
}

// What an indicator is, on each of its datasets: what the model declared (IndicatorSpec), so a
// reader never guesses a cost or a flow from the units.
void write_indicator_attributes(hid_t dataset, const IndicatorSpec& spec,
                                std::string_view qualifier, const std::string& coordinates) {
    for (const auto& [name, value] : indicator_attributes(spec, qualifier, coordinates))
        hdf5::write_attribute(dataset, name, value);
}

// An indicator the file keeps only in /aggregates (output.breakdowns_per_area: none), as
// read_result_layout would read its per-area variable: the aggregates are described from it.
ResultIndicator aggregated_only_layout(const IndicatorSpec& spec, std::vector<hsize_t> shape,
                                       bool several_replicates, const std::string& coordinates) {
    ResultIndicator indicator;
    indicator.name = spec.name;
    indicator.dims = {std::string(result_layout::year), std::string(result_layout::area)};
    indicator.dims.insert(indicator.dims.end(), spec.dims.begin(), spec.dims.end());
    indicator.shape = std::move(shape);
    indicator.attributes = indicator_attributes(spec, result_layout::mean_qualifier, coordinates);
    for (const auto& [name, value] : indicator.attributes)
        if (name == indicator_attribute::description) indicator.description = value;
    indicator.units = spec.units;
    indicator.source = spec.source;
    indicator.kind = spec.kind;
    indicator.weight = spec.weight;
    indicator.quantity = spec.quantity;
    indicator.cost = spec.cost;
    indicator.has_replicates = several_replicates;
    indicator.has_quantiles = several_replicates;
    return indicator;
}

// Provenance. All strings: a uint64 seed or a path survive any reader unchanged.
void write_meta(hid_t root, const RunDescription& run, const std::string& created) {
    const Scenario& scenario = *run.scenario;
    auto meta = hdf5::create_group(root, std::string(result_layout::meta));
    for (const auto& [key, value] : result_meta(run, created))
        hdf5::write_attribute(meta.id(), key, value);
    // The YAML can be long: a dataset, not an attribute, so h5dump and h5py show it plainly.
    hdf5::Datatype string_type = hdf5::utf8_string_type();
    auto yaml = hdf5::create_dataset(meta.id(), std::string(result_layout::scenario_yaml),
                                     string_type.id(), {});
    hdf5::write(yaml.id(), std::string_view(scenario.source_text));
}

// CF 1.12 section 8.4: the container of how the values were rounded (output.significant_digits),
// which every rounded indicator names in its `quantization` attribute.
void write_quantization_container(hid_t root) {
    auto container = hdf5::create_dataset(root, std::string(result_layout::quantization_container),
                                          H5T_STD_I32LE, {});
    const std::array<std::int32_t, 1> zero{0};
    hdf5::write(container.id(), std::span<const std::int32_t>(zero));
    hdf5::write_attribute(container.id(), "algorithm", result_layout::quantization_algorithm);
    hdf5::write_attribute(container.id(), "implementation",
                          fmt::format("socialtwin version {}", engine_version()));
    hdf5::write_attribute(container.id(), "long_name",
                          std::string_view("how the indicators' values were rounded "
                                           "(scenario key output.significant_digits)"));
}

// A value as the file stores it: in the stored type (float32 converted as HDF5 does), rounded to
// `kept_bits` mantissa bits where output.significant_digits asks for it (0 = every bit).
template <class T>
T as_stored(double value, int kept_bits) {
    T stored;
    if constexpr (std::is_same_v<T, float>)
        stored = hdf5::to_stored_float32(value);
    else
        stored = value;
    return kept_bits > 0 ? bit_round(stored, kept_bits) : stored;
}

}  // namespace

double as_stored_value(double value, bool float32, int significant_bits) noexcept {
    return float32 ? as_stored<float>(value, significant_bits)
                   : as_stored<double>(value, significant_bits);
}

namespace {

// The axes of an indicator: (year, area[, its dims]) and their dimension scales.
struct Axes {
    std::vector<hsize_t> shape;
    std::vector<hid_t> scales;
};
// A dimension before an indicator's axes (replicate or quantile), chunked by `chunk` of its
// `size` values.
struct Leading {
    hid_t scale = H5I_INVALID_HID;
    hsize_t size = 0;
    hsize_t chunk = 1;
};

// /meta/phase_timings: where the run's time went, phase by phase.
void write_phase_timings(hid_t root, const RunSummary& summary, int phase_dim_id) {
    auto meta = hdf5::open_group(root, std::string(result_layout::meta));
    auto timings = hdf5::create_group(meta.id(), std::string(result_layout::phase_timings));
    std::vector<std::string> phases;
    std::vector<double> seconds;
    for (const auto& timing : summary.phase_timings) {
        phases.push_back(timing.phase);
        seconds.push_back(timing.seconds);
    }
    auto phase = write_string_dimension(timings.id(), "phase", phases, phase_dim_id);
    const std::array<hsize_t, 1> n{phases.size()};
    auto values = hdf5::create_dataset(timings.id(), "seconds", H5T_IEEE_F64LE, n);
    if (!seconds.empty()) hdf5::write(values.id(), std::span<const double>(seconds));
    hdf5::attach_dimension_scale(values.id(), phase.id(), 0);
    hdf5::write_attribute(values.id(), "units", "s");
    hdf5::write_attribute(values.id(), "description", "wall time per phase, summed over years");
    hdf5::write_attribute(timings.id(), "wall_seconds", summary.wall_seconds);
    hdf5::write_attribute(timings.id(), "person_years", summary.person_years);
}

// One (year, replicate) of every indicator as it goes into the file: cut into the chunks of the
// indicator's dataset (areas ascending), each filtered as HDF5 stores it. What on_year hands to
// the writer thread instead of the year's values.
struct EncodedYear {
    std::size_t year_index = 0;
    std::size_t replicate = 0;
    std::vector<std::vector<hdf5::StoredChunk>> chunks;  // [indicator id][chunk of areas]
    // Its aggregates, when they are kept in the scratch file (AggregateAccumulator::keep_in).
    std::optional<AggregateAccumulator::Year> aggregates;
};

}  // namespace

// The writer's one thread: runs tasks in the order given, one at a time. The first task that
// throws is remembered; the tasks after it are skipped (the file is lost anyway) and run() and
// post() throw that exception again on the caller's thread, so the user sees the same message
// and exit code as when the writer wrote on the main thread.
class Hdf5Writer::Thread {
public:
    Thread() : thread_([this] { loop(); }) {}
    ~Thread() {
        finish([] {});
    }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    // Waits until fewer than `limit` tasks wait or run: the bound on the years in hand.
    void wait_for_room(std::size_t limit) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return pending() < limit || error_; });
        if (error_) std::rethrow_exception(error_);
    }
    // Queues `task`.
    void post(std::function<void()> task) {
        std::lock_guard lock(mutex_);
        if (error_) std::rethrow_exception(error_);
        queue_.push_back(std::move(task));
        changed_.notify_all();
    }
    // Runs `task` after everything queued and waits for it.
    void run(std::function<void()> task) {
        post(std::move(task));
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return pending() == 0; });
        if (error_) std::rethrow_exception(error_);
    }
    // Drops what waits, runs `last` (also after a failure: it closes the handles) and ends the
    // thread. Idempotent.
    void finish(std::function<void()> last) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (closing_) return;
            closing_ = true;
            queue_.clear();
            queue_.push_back(std::move(last));
            changed_.notify_all();
        }
        thread_.join();
    }

private:
    std::size_t pending() const { return queue_.size() + (busy_ ? 1 : 0); }
    void loop() {
        for (;;) {
            std::function<void()> task;
            bool skip = false;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return !queue_.empty(); });
                task = std::move(queue_.front());
                queue_.pop_front();
                busy_ = true;
                skip = error_ && !closing_;
            }
            std::exception_ptr failure;
            if (!skip) {
                try {
                    task();
                } catch (...) {
                    failure = std::current_exception();
                }
            }
            task = nullptr;  // frees what it held (a year's results) before waking the caller
            std::lock_guard lock(mutex_);
            busy_ = false;
            if (failure && !error_) error_ = failure;
            changed_.notify_all();
            if (closing_ && queue_.empty()) return;
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::function<void()>> queue_;
    bool busy_ = false;
    bool closing_ = false;
    std::exception_ptr error_;
    std::thread thread_;  // last: starts once the rest is ready
};

struct Hdf5Writer::State {
    // The datasets of one indicator (`indicators` is declared after `file`, so they close first).
    struct Indicator {
        std::string name;
        hdf5::Dataset mean;        // (year, area ...)
        hdf5::Dataset replicates;  // (replicate, year, area ...), only with several replicates
        hdf5::Dataset quantiles;   // (quantile, year, area ...), only with several replicates
        std::size_t values_per_area = 1;
        std::vector<hsize_t> dim_sizes;  // sizes of the dims after area
        std::size_t chunk_areas = 1;     // areas per chunk
        std::size_t n_chunks = 0;        // chunks of areas in one (year, replicate)
        // In the file per area; false for a breakdown with output.breakdowns_per_area none,
        // which has no dataset but its replicates in the scratch file (several replicates).
        bool per_area = true;
    };
    hdf5::File file;
    // Holds <indicator>_replicates until on_finish when the result does not keep them per area
    // (area_replicates false, or an indicator not kept per area); not open otherwise.
    hdf5::File scratch;
    bool replicates_in_scratch = false;  // scratch holds what lay_out puts there
    hdf5::Group aggregates_scratch;      // the group of scratch the aggregates are kept in
    std::vector<int> years;
    std::size_t n_replicates = 1;
    std::vector<bool> written;  // per (year, replicate), year-major
    int phase_dim_id = 0;       // netCDF dimension number of /meta/phase_timings/phase
    std::size_t n_areas = 0;
    std::vector<Indicator> indicators;  // per indicator id
    bool started = false;
    hid_t value_type = H5T_IEEE_F64LE;  // of the indicators in the file
    bool float32 = false;               // value_type is H5T_IEEE_F32LE
    int kept_bits = 0;                  // mantissa bits kept (BitRound), 0 = all
    bool area_replicates = true;        // <indicator>_replicates in the file, not in scratch
    bool area_breakdowns = true;        // indicators with dims after area kept per area
    // The indicators not kept per area, described for /aggregates as the file would have them.
    std::vector<ResultIndicator> aggregated_only;
    // The aggregates, computed as the years arrive; none with Hdf5WriterOptions::aggregates off.
    std::optional<AggregateAccumulator> aggregates;
    std::vector<IndicatorId> catalog_id;  // per indicator of the aggregates' layout

    // One year's values (of a replicate, or the mean) to the aggregates.
    void aggregate(std::size_t year, std::optional<std::size_t> replicate,
                   const std::function<std::span<const double>(IndicatorId)>& values_of) {
        if (!aggregates) return;
        std::vector<std::span<const double>> values;
        for (IndicatorId id : catalog_id) values.push_back(values_of(id));
        if (replicate)
            aggregates->add_replicate(year, *replicate, values);
        else
            aggregates->add_mean(year, values);
        if (aggregates->kept_elsewhere()) aggregates->store(aggregates->take(year, replicate));
    }
    // Writes one (year, replicate)'s compressed chunks into the file.
    void write_year(const EncodedYear& year) const;

    // Lays out the datasets of one indicator (the next in the catalog) and keeps them open.
    void lay_out(const IndicatorSpec& spec, const IndicatorCatalog& catalog, const Scales& scales,
                 const std::string& coordinates);
    // In the result file, or in `location` (the scratch file: no dimension scales there).
    hdf5::Dataset create(const std::string& name, const Axes& axes, std::size_t chunk_areas,
                         std::optional<Leading> leading,
                         std::optional<hid_t> location = std::nullopt) const;

    // With several replicates the file holds <indicator>_replicates and <indicator>_quantiles;
    // with one, on_year writes straight into <indicator>.
    bool has_companions() const noexcept { return n_replicates > 1; }

    // The dims after the leading ones: (area) or (area, sex, age_band ...), from area `first`.
    void append_area_dims(const Indicator& indicator, std::size_t first, std::size_t n,
                          std::vector<hsize_t>& start, std::vector<hsize_t>& count) const {
        start.push_back(first);
        count.push_back(n);
        for (hsize_t size : indicator.dim_sizes) {
            start.push_back(0);
            count.push_back(size);
        }
    }

    // Values as the file stores them when output.significant_digits rounds them (BitRound of
    // the stored type's mantissa: float32's for a float32 file, as the chunk encoder does).
    void round_stored(std::span<double> values) const {
        if (kept_bits <= 0) return;
        for (double& v : values)
            v = float32 ? as_stored<float>(v, kept_bits) : as_stored<double>(v, kept_bits);
    }

    // Mean and quantiles over (several) replicates of every indicator, a block of one year and
    // one chunk of areas at a time; each year's means then go to the aggregates.
    void summarise() {
        std::vector<std::vector<double>> means(indicators.size());
        for (std::size_t y = 0; y < years.size(); ++y) {
            for (IndicatorId id = 0; id < indicators.size(); ++id) {
                means[id].resize(n_areas * indicators[id].values_per_area);
                summarise(indicators[id], y, means[id]);
            }
            aggregate(y, std::nullopt, [&](IndicatorId id) { return std::span(means[id]); });
        }
    }
    // One year of one indicator; its mean over replicates into `year_mean` (areas x values).
    void summarise(const Indicator& indicator, std::size_t y, std::span<double> year_mean) const {
        const std::size_t n = n_replicates;
        const std::string what =
            fmt::format("summarising '{}{}'", indicator.name, result_layout::replicates_suffix);
        const auto& levels = result_layout::quantile_levels;
        std::vector<double> block, mean, quantiles;
        {
            for (std::size_t first = 0; first < n_areas; first += indicator.chunk_areas) {
                const std::size_t areas = std::min(indicator.chunk_areas, n_areas - first);
                const std::size_t m = areas * indicator.values_per_area;  // values per replicate
                block.resize(n * m);
                mean.resize(m);
                quantiles.resize(levels.size() * m);
                std::vector<hsize_t> start{0, y}, count{n, 1};
                append_area_dims(indicator, first, areas, start, count);
                read_block(indicator.replicates.id(), start, count, block, what);
                summarise_replicates(block, n, mean, quantiles);
                std::copy(mean.begin(), mean.end(),
                          year_mean.begin() +
                              static_cast<std::ptrdiff_t>(first * indicator.values_per_area));
                start.erase(start.begin());
                count.erase(count.begin());
                if (!indicator.per_area) continue;  // its mean was for the aggregates only
                // The aggregates took the mean as computed; the file holds it rounded.
                round_stored(mean);
                round_stored(quantiles);
                hdf5::write_block(indicator.mean.id(), start, count, mean);
                start.insert(start.begin(), 0);
                count.insert(count.begin(), levels.size());
                hdf5::write_block(indicator.quantiles.id(), start, count, quantiles);
            }
        }
    }
};

Hdf5Writer::Hdf5Writer(fs::path target, Hdf5WriterOptions options)
    : target_(std::move(target)), options_(std::move(options)) {
    output_ = std::make_unique<AtomicOutput>(target_, options_.inputs);
    state_ = std::make_unique<State>();
    encoder_ = std::make_unique<Encoder>(options_.threads);
    thread_ = std::make_unique<Thread>();
    thread_->run([this] { state_->file = create_result_file(output_->temporary(), target_); });
}

Hdf5Writer::~Hdf5Writer() {
    // Years still waiting are dropped; every handle closes on the writer thread, before
    // AtomicOutput removes an unfinished file.
    thread_->finish([this] { state_.reset(); });
}

// Indicators: laid out whole now. With one replicate on_year fills <indicator> one year at a
// time. With several it fills <indicator>_replicates one (year, replicate) at a time, and
// on_finish derives the mean (<indicator>) and <indicator>_quantiles from it.
void Hdf5Writer::State::lay_out(const IndicatorSpec& spec, const IndicatorCatalog& catalog,
                                const Scales& scales, const std::string& coordinates) {
    Indicator indicator;
    indicator.name = spec.name;
    indicator.per_area = area_breakdowns || spec.dims.empty();
    indicator.values_per_area = catalog.values_per_area(indicators.size());
    indicator.chunk_areas =
        std::min({std::max<std::size_t>(1, n_areas), max_chunk_areas,
                  std::max<std::size_t>(1, chunk_values / indicator.values_per_area)});
    // Not kept per area, one replicate: nothing of it is stored (its aggregates are computed
    // from the year's values in memory). With several its replicates still wait in scratch.
    indicator.n_chunks = indicator.per_area || has_companions()
                             ? (n_areas + indicator.chunk_areas - 1) / indicator.chunk_areas
                             : 0;
    Axes axes{{years.size(), n_areas}, {scales.year.id(), scales.area.id()}};
    for (const auto& name : spec.dims) {
        indicator.dim_sizes.push_back(catalog.dimension(name).labels.size());
        axes.shape.push_back(indicator.dim_sizes.back());
        axes.scales.push_back(scales.catalog_ids.at(name));
    }
    if (indicator.per_area) {
        indicator.mean = create(spec.name, axes, indicator.chunk_areas, {});
        write_indicator_attributes(indicator.mean.id(), spec, result_layout::mean_qualifier,
                                   coordinates);
    } else {
        aggregated_only.push_back(
            aggregated_only_layout(spec, axes.shape, has_companions(), coordinates));
    }
    if (has_companions()) {
        const bool replicates_here = area_replicates && indicator.per_area;
        indicator.replicates =
            create(spec.name + std::string(result_layout::replicates_suffix), axes,
                   indicator.chunk_areas, Leading{scales.replicate.id(), n_replicates, 1},
                   replicates_here ? std::nullopt : std::optional<hid_t>(scratch.id()));
        if (replicates_here)
            write_indicator_attributes(indicator.replicates.id(), spec,
                                       result_layout::replicates_qualifier, coordinates);
    }
    if (has_companions() && indicator.per_area) {
        const hsize_t n_levels = result_layout::quantile_levels.size();
        indicator.quantiles =
            create(spec.name + std::string(result_layout::quantiles_suffix), axes,
                   indicator.chunk_areas, Leading{scales.quantile.id(), n_levels, n_levels});
        write_indicator_attributes(indicator.quantiles.id(), spec,
                                   result_layout::quantiles_qualifier, coordinates);
        hdf5::write_attribute(indicator.quantiles.id(),
                              std::string(indicator_attribute::quantile_method),
                              result_layout::quantile_method);
    }
    if (kept_bits > 0)
        for (const hdf5::Dataset* d :
             {&indicator.mean, &indicator.replicates, &indicator.quantiles})
            if (*d && (d != &indicator.replicates || (area_replicates && indicator.per_area))) {
                hdf5::write_attribute(d->id(), std::string(result_layout::quantization_attribute),
                                      result_layout::quantization_container);
                hdf5::write_attribute(d->id(),
                                      std::string(result_layout::quantization_bits_attribute),
                                      std::int32_t{kept_bits});
            }
    indicators.push_back(std::move(indicator));
}

// One float64 (or float32) dataset over `axes`, with `leading` (a dimension scale, e.g. replicate)
// before them when given, NaN where never written.
hdf5::Dataset Hdf5Writer::State::create(const std::string& name, const Axes& axes,
                                        std::size_t chunk_areas, std::optional<Leading> leading,
                                        std::optional<hid_t> location) const {
    std::vector<hsize_t> full = axes.shape;
    std::vector<hid_t> full_scales = axes.scales;
    if (leading) {
        full.insert(full.begin(), leading->size);
        full_scales.insert(full_scales.begin(), leading->scale);
    }
    hdf5::DatasetOptions options;
    options.fill = std::numeric_limits<double>::quiet_NaN();
    options.set_fill = true;
    options.deflate_level = deflate_level;
    // Every read and write of the writer covers whole chunks (on_year's chunks, and on_finish's
    // blocks of one chunk of areas): a cache per dataset (1 MiB each, ~80 MB at PC6 density)
    // would hold nothing that is used again.
    options.chunk_cache = false;
    // HDF5 cannot chunk an empty fixed-size dimension; an empty run stays contiguous.
    if (n_areas > 0) {
        // One year (and one replicate, or all quantiles) and a bounded number of areas.
        options.chunk = full;
        const std::size_t area_axis = leading ? 2 : 1;
        std::fill(options.chunk.begin(), options.chunk.begin() + area_axis, 1);
        if (leading) options.chunk[0] = leading->chunk;
        options.chunk[area_axis] = chunk_areas;
    }
    auto dataset =
        hdf5::create_dataset(location.value_or(file.id()), name, value_type, full, options);
    if (!location)
        for (unsigned axis = 0; axis < full_scales.size(); ++axis)
            hdf5::attach_dimension_scale(dataset.id(), full_scales[axis], axis);
    return dataset;
}

void Hdf5Writer::on_start(const RunDescription& run) {
    if (state_->started) throw std::logic_error("Hdf5Writer::on_start called twice");
    check_run(run);
    check_names(run);

    State& s = *state_;
    s.started = true;
    s.years = run.years;
    s.n_replicates = static_cast<std::size_t>(run.replicates);
    s.written.assign(run.years.size() * s.n_replicates, false);
    s.n_areas = run.areas->size();
    s.value_type = options_.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
    s.float32 = options_.float32;
    s.kept_bits = options_.significant_bits;
    s.area_replicates = options_.area_replicates || s.n_replicates == 1;
    s.area_breakdowns = options_.area_breakdowns;
    // Checked and registered now, on this thread, like the result's temporary file (an interrupt
    // removes both); HDF5 creates it on the writer thread below.
    // The aggregates may need it too, which only their layout tells (on the writer thread):
    // named now all the same, and made there only when wanted.
    s.replicates_in_scratch = s.n_replicates > 1 && (!s.area_replicates || !s.area_breakdowns);
    if (s.replicates_in_scratch || options_.aggregates)
        scratch_ = std::make_unique<AtomicOutput>(target_, options_.inputs);
    // Laid out on the writer thread while the run synthesises its persons (seconds for a PC6
    // country's 450,000 areas); the first year waits for it (on_year's wait for room), and a
    // failure shows there. The task keeps its own copy of the description.
    thread_->post([this, &s, run] {
        const hid_t root = s.file.id();
        const std::string created = utc_now();
        if (s.replicates_in_scratch) s.scratch = create_result_file(scratch_->temporary(), target_);

        write_identity(root, run, created);
        hdf5::write_attribute(root, std::string(result_layout::value_precision_attribute),
                              result_layout::value_precisions[options_.float32 ? 1 : 0]);
        if (s.n_replicates > 1)
            hdf5::write_attribute(root, std::string(result_layout::replicates_per_area_attribute),
                                  result_layout::replicates_per_area[s.area_replicates ? 1 : 0]);
        hdf5::write_attribute(root, std::string(result_layout::breakdowns_per_area_attribute),
                              result_layout::breakdowns_per_area[s.area_breakdowns ? 0 : 1]);
        if (s.kept_bits > 0) write_quantization_container(root);
        const Scales scales = write_dimensions(root, run, s.years, s.n_replicates);
        s.phase_dim_id = scales.next_dim_id;
        const std::string coordinates = write_area_attributes(root, *run.areas, scales.area.id());
        for (const auto& spec : run.catalog->specs())
            s.lay_out(spec, *run.catalog, scales, coordinates);
        write_meta(root, run, created);
        if (options_.aggregates && s.n_areas > 0) {
            // The structure the aggregates will be written from, as the file now declares it.
            // Every replicate of every indicator is aggregated, whether or not the file keeps
            // the replicates per area.
            ResultLayout layout = read_result_layout(root, target_);
            layout.indicators.insert(layout.indicators.end(), s.aggregated_only.begin(),
                                     s.aggregated_only.end());
            for (auto& indicator : layout.indicators) indicator.has_replicates = s.n_replicates > 1;
            s.aggregates.emplace(layout, AggregateOptions{}, target_);
            if (s.aggregates->bytes() > options_.aggregates_in_memory) {
                if (!s.scratch) s.scratch = create_result_file(scratch_->temporary(), target_);
                s.aggregates_scratch = hdf5::create_group(s.scratch.id(), "aggregates");
                s.aggregates->keep_in(s.aggregates_scratch.id());
            }
            for (const auto& indicator : layout.indicators) {
                const auto id = run.catalog->find(indicator.name);
                if (!id)
                    throw std::logic_error(
                        fmt::format("Hdf5Writer: indicator '{}' of the file is not in the catalog",
                                    indicator.name));
                s.catalog_id.push_back(*id);
            }
        }
    });
}

void Hdf5Writer::State::write_year(const EncodedYear& year) const {
    // Straight into the year's block of <indicator> (one replicate) or the (replicate, year)
    // block of <indicator>_replicates (several), chunk by chunk in a fixed order (indicators,
    // then areas), so the file's bytes do not depend on the threads that compressed them.
    std::vector<hsize_t> offset;
    for (IndicatorId id = 0; id < indicators.size(); ++id) {
        const auto& indicator = indicators[id];
        const hid_t dataset = has_companions() ? indicator.replicates.id() : indicator.mean.id();
        for (std::size_t c = 0; c < indicator.n_chunks; ++c) {
            offset.clear();
            if (has_companions()) offset.push_back(year.replicate);
            offset.push_back(year.year_index);
            offset.push_back(c * indicator.chunk_areas);
            offset.resize(offset.size() + indicator.dim_sizes.size(), 0);
            hdf5::write_stored_chunk(dataset, offset, year.chunks[id][c]);
        }
    }
}

// on_year's work before the writer thread: every chunk of the year compressed, and the
// aggregates added, as one parallel loop on an arena of the run's threads. The tasks are the
// aggregates of each indicator, then each (indicator, chunk); each task writes only its own
// result, so the order they run in changes nothing.
class Hdf5Writer::Encoder {
public:
    explicit Encoder(int threads) : arena_(worker_threads(threads)) {}

    std::shared_ptr<EncodedYear> encode(const State& s, const YearResults& results,
                                        std::size_t year_index, AggregateAccumulator* aggregates,
                                        const std::vector<IndicatorId>& catalog_id) {
        auto year = std::make_shared<EncodedYear>();
        year->year_index = year_index;
        year->replicate = static_cast<std::size_t>(results.replicate);
        year->chunks.resize(s.indicators.size());
        chunk_tasks_.clear();
        for (IndicatorId id = 0; id < s.indicators.size(); ++id) {
            year->chunks[id].resize(s.indicators[id].n_chunks);
            for (std::size_t c = 0; c < s.indicators[id].n_chunks; ++c)
                chunk_tasks_.emplace_back(id, c);
        }
        aggregate_values_.clear();
        if (aggregates != nullptr)
            for (IndicatorId id : catalog_id) aggregate_values_.push_back(results.values(id));
        const std::size_t n_aggregate_tasks = aggregate_values_.size();
        arena_.execute([&] {
            parallel_for_each_index(n_aggregate_tasks + chunk_tasks_.size(), [&](std::size_t t) {
                if (t < n_aggregate_tasks) {
                    aggregates->add_replicate(year_index, year->replicate, aggregate_values_, t);
                    return;
                }
                const auto [id, c] = chunk_tasks_[t - n_aggregate_tasks];
                encode_chunk(s.indicators[id], s.float32, s.kept_bits, results.values(id), c,
                             year->chunks[id][c]);
            });
        });
        if (aggregates != nullptr && aggregates->kept_elsewhere())
            year->aggregates = aggregates->take(year_index, year->replicate);
        return year;
    }

private:
    // Chunk `c` of one indicator's year `values` (areas x values per area), as stored: the
    // stored type, an edge chunk padded with the fill value (NaN) to the full chunk shape as
    // H5Dwrite_chunk requires, shuffled and deflated.
    void encode_chunk(const State::Indicator& indicator, bool float32, int kept_bits,
                      std::span<const double> values, std::size_t c, hdf5::StoredChunk& out) {
        Scratch& scratch = scratch_.local();
        const std::size_t per_chunk = indicator.chunk_areas * indicator.values_per_area;
        const auto part =
            values.subspan(c * per_chunk, std::min(per_chunk, values.size() - c * per_chunk));
        std::span<const unsigned char> raw;
        if (float32)
            raw = staged(scratch.floats, part, per_chunk, kept_bits);
        else if (kept_bits > 0 || part.size() < per_chunk)
            raw = staged(scratch.doubles, part, per_chunk, kept_bits);
        else
            raw = as_bytes(part);  // a full float64 chunk as computed is the values themselves
        hdf5::filter_chunk(raw, float32 ? sizeof(float) : sizeof(double), deflate_level,
                           scratch.shuffled, out);
    }
    // `part` as stored, in `buffer`, padded to the chunk's `per_chunk` values with the fill value.
    template <class T>
    static std::span<const unsigned char> staged(std::vector<T>& buffer,
                                                 std::span<const double> part,
                                                 std::size_t per_chunk, int kept_bits) {
        buffer.resize(per_chunk);
        // as_stored's two steps, each over the whole part (the conversion vectorised).
        if constexpr (std::is_same_v<T, float>)
            hdf5::to_stored_float32(part, buffer.data());
        else
            std::copy(part.begin(), part.end(), buffer.begin());
        if (kept_bits > 0)
            for (std::size_t i = 0; i < part.size(); ++i)
                buffer[i] = bit_round(buffer[i], kept_bits);
        std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(part.size()), buffer.end(),
                  std::numeric_limits<T>::quiet_NaN());
        return as_bytes(std::span<const T>(buffer));
    }
    template <class T>
    static std::span<const unsigned char> as_bytes(std::span<const T> values) {
        return {reinterpret_cast<const unsigned char*>(values.data()), values.size_bytes()};
    }

    struct Scratch {
        std::vector<float> floats;
        std::vector<double> doubles;
        std::vector<unsigned char> shuffled;
    };
    tbb::task_arena arena_;
    tbb::enumerable_thread_specific<Scratch> scratch_;
    std::vector<std::pair<IndicatorId, std::size_t>> chunk_tasks_;  // (indicator, chunk)
    std::vector<std::span<const double>> aggregate_values_;  // per indicator of the aggregates
};

void Hdf5Writer::on_year(const YearResults& results) {
    State& s = *state_;
    if (!s.started) throw std::logic_error("Hdf5Writer::on_year called before on_start");
    // One year in hand: the writer thread writes year y's chunks while the projection computes
    // year y + 1, and the next year waits here until it is done, so one compressed year is all
    // the memory this costs (a second year in hand gained nothing measurable at PC6 density:
    // docs/performance.md, Output). Waiting first also waits for on_start's layout, which the
    // checks below read, and throws a failed write now.
    constexpr std::size_t years_in_hand = 1;
    thread_->wait_for_room(years_in_hand);
    const auto year = std::lower_bound(s.years.begin(), s.years.end(), results.year);
    if (year == s.years.end() || *year != results.year)
        throw std::logic_error(
            fmt::format("Hdf5Writer: year {} is not one of the run's years {}-{}", results.year,
                        s.years.front(), s.years.back()));
    if (results.replicate < 0 || static_cast<std::size_t>(results.replicate) >= s.n_replicates)
        throw std::logic_error(fmt::format("Hdf5Writer: replicate {} is not one of the run's 0-{}",
                                           results.replicate, s.n_replicates - 1));
    const auto year_index = static_cast<std::size_t>(year - s.years.begin());
    const auto replicate = static_cast<std::size_t>(results.replicate);
    const std::size_t slot = year_index * s.n_replicates + replicate;
    if (s.written[slot])
        throw std::logic_error(fmt::format("Hdf5Writer: year {} replicate {} written twice",
                                           results.year, results.replicate));
    if (results.n_areas() != s.n_areas || results.catalog().size() != s.indicators.size())
        throw std::logic_error(fmt::format(
            "Hdf5Writer: year {} has {} areas and {} indicators, the run declared {} and {}",
            results.year, results.n_areas(), results.catalog().size(), s.n_areas,
            s.indicators.size()));
    if (s.n_areas == 0) {
        s.written[slot] = true;
        return;
    }

    auto encoded = encoder_->encode(s, results, year_index, s.aggregates ? &*s.aggregates : nullptr,
                                    s.catalog_id);
    thread_->post([&s, encoded = std::move(encoded)] {
        s.write_year(*encoded);
        if (encoded->aggregates) s.aggregates->store(*encoded->aggregates);
    });
    s.written[slot] = true;
}

void Hdf5Writer::on_finish(const RunSummary& summary) {
    State& s = *state_;
    if (!s.started) throw std::logic_error("Hdf5Writer::on_finish called before on_start");
    if (finished_) throw std::logic_error("Hdf5Writer::on_finish called twice");
    std::vector<std::string> missing;
    for (std::size_t y = 0; y < s.years.size(); ++y) {
        std::vector<std::size_t> replicates;
        for (std::size_t r = 0; r < s.n_replicates; ++r)
            if (!s.written[y * s.n_replicates + r]) replicates.push_back(r);
        if (replicates.empty()) continue;
        if (replicates.size() == s.n_replicates)
            missing.push_back(std::to_string(s.years[y]));
        else
            missing.push_back(
                fmt::format("{} (replicate {})", s.years[y], fmt::join(replicates, ", ")));
    }
    if (!missing.empty())
        throw std::logic_error(
            fmt::format("Hdf5Writer: no results for year(s) {}", fmt::join(missing, ", ")));

    thread_->run([&] {
        if (s.has_companions() && s.n_areas > 0) s.summarise();

        write_phase_timings(s.file.id(), summary, s.phase_dim_id);

        // The indicators aggregated to the larger areas, as computed year by year
        // (engine/output/aggregate.hpp).
        if (options_.aggregates) {
            AggregateOptions aggregate_options;
            aggregate_options.threads = options_.threads;
            write_aggregates(s.file.id(), aggregate_options, target_,
                             s.aggregates ? &*s.aggregates : nullptr);
        }
        if (s.scratch) {
            // Read back: the replicates and aggregates are done with, and the scratch file goes
            // with scratch_.
            for (auto& indicator : s.indicators) indicator.replicates = {};
            s.aggregates.reset();
            s.aggregates_scratch = {};
            s.scratch.close(
                fmt::format("closing scratch file '{}'", scratch_->temporary().string()));
        }
        // What CF-1.8 asks and the layout above did not say (long_name of the dimensions, ...).
        apply_cf_conventions(s.file.id());

        // Close everything before the rename: HDF5 writes its last metadata when the file
        // closes.
        s.indicators.clear();
        s.file.close(fmt::format("closing result file '{}'", output_->temporary().string()));
    });
    scratch_.reset();  // removes the scratch file
    output_->commit();
    finished_ = true;
}

}  // namespace socialtwin
