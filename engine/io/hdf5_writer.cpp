#include "engine/io/hdf5_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <set>
#include <stdexcept>

#include "engine/core/errors.hpp"
#include "engine/core/types.hpp"
#include "engine/io/hdf5.hpp"
#include "engine/io/version.hpp"

namespace socialtwin {

namespace {

namespace fs = std::filesystem;

// Chunks hold one year and as many areas as fit in ~256 KiB (at most 4096): small enough for
// HDF5's default 1 MiB chunk cache, so a reader slicing one area or one year decompresses
// little, and large enough that a 10 000-area year is a handful of chunks.
constexpr std::size_t chunk_values = 32 * 1024;
constexpr std::size_t max_chunk_areas = 4096;

// netCDF-4 numbers dimensions file-wide; h5netcdf uses the numbers to keep them in order.
enum class DimId : int { year = 0, area = 1, sex = 2, age_band = 3, phase = 4 };

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text.data();
}

std::vector<std::string> sex_labels() {
    std::vector<std::string> labels;
    for (Sex s : all_sexes) labels.emplace_back(to_string(s));
    return labels;
}

std::vector<std::string> age_band_labels() {
    std::vector<std::string> labels;
    for (int band = 0; band < n_age_bands; ++band) labels.push_back(age_band_label(band));
    return labels;
}

hdf5::Dataset write_string_dimension(hid_t parent, std::string_view name,
                                     const std::vector<std::string>& labels, DimId id) {
    const std::array<hsize_t, 1> dims{labels.size()};
    hdf5::Datatype type = hdf5::utf8_string_type();
    auto dataset = hdf5::create_dataset(parent, std::string(name), type.id(), dims);
    if (!labels.empty()) hdf5::write(dataset.id(), std::span<const std::string>(labels));
    hdf5::make_dimension_scale(dataset.id(), std::string(name), static_cast<int>(id));
    return dataset;
}

// Every name becomes a link at the root, and area attribute names also go into the
// space-separated `coordinates` attribute: reject what would collide or not parse back.
void check_names(const RunDescription& run) {
    std::set<std::string> taken{std::string(result_layout::year), std::string(result_layout::area),
                                std::string(result_layout::sex),
                                std::string(result_layout::age_band),
                                std::string(result_layout::meta)};
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
        if (!taken.insert(spec.name).second)
            throw std::logic_error(fmt::format(
                "indicator '{}' has the name of a dimension or an area attribute", spec.name));
    }
}

void fsync_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    const bool ok = fd >= 0 && ::fsync(fd) == 0;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!ok)
        throw std::runtime_error(fmt::format("cannot flush result file '{}' to disk: {}",
                                             path.string(), std::strerror(error)));
}

}  // namespace

struct Hdf5Writer::State {
    hdf5::File file;
    std::vector<int> years;
    std::vector<bool> written;  // per year
    std::size_t n_areas = 0;
    // Per indicator id; declared after `file` so they close first.
    std::vector<hdf5::Dataset> indicators;
    std::vector<std::size_t> values_per_area;
    bool started = false;
};

Hdf5Writer::Hdf5Writer(fs::path target) : target_(std::move(target)) {
    if (!target_.has_filename() || fs::is_directory(target_))
        throw std::runtime_error(
            fmt::format("result file '{}' names a directory, not a file", target_.string()));
    const fs::path directory = target_.parent_path();
    if (!directory.empty()) {
        std::error_code error;
        fs::create_directories(directory, error);
        if (error)
            throw std::runtime_error(fmt::format("cannot create directory '{}' for result file: {}",
                                                 directory.string(), error.message()));
    }
    temporary_ = directory / fmt::format(".{}.tmp-{}", target_.filename().string(),
                                         static_cast<long>(getpid()));
    // Create the file once with plain POSIX for a crisp reason ("Permission denied") in the
    // message; HDF5 then truncates and takes it over.
    if (const int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666); fd >= 0)
        ::close(fd);
    else
        throw std::runtime_error(
            fmt::format("cannot write result file '{}': cannot create '{}': {}", target_.string(),
                        temporary_.string(), std::strerror(errno)));
    state_ = std::make_unique<State>();
    try {
        state_->file = hdf5::create_file(temporary_);
    } catch (const hdf5::Error& e) {
        std::error_code ignored;
        fs::remove(temporary_, ignored);
        throw std::runtime_error(
            fmt::format("cannot write result file '{}': {}", target_.string(), e.what()));
    }
}

Hdf5Writer::~Hdf5Writer() {
    if (finished_) return;
    state_.reset();  // closes every handle, so the file can go
    std::error_code ignored;
    fs::remove(temporary_, ignored);
}

void Hdf5Writer::on_start(const RunDescription& run) {
    if (state_->started) throw std::logic_error("Hdf5Writer::on_start called twice");
    if (run.scenario == nullptr || run.areas == nullptr || run.catalog == nullptr)
        throw std::logic_error(
            "Hdf5Writer::on_start: run description lacks scenario, areas or catalog");
    if (run.years.empty() || !std::is_sorted(run.years.begin(), run.years.end()) ||
        std::adjacent_find(run.years.begin(), run.years.end()) != run.years.end())
        throw std::logic_error("Hdf5Writer::on_start: years must be non-empty and increasing");
    // The replicate dimension is planned (see the header) but not written yet.
    if (run.replicates != 1)
        throw std::logic_error(fmt::format(
            "Hdf5Writer cannot write {} replicates yet: only single runs", run.replicates));
    check_names(run);

    State& s = *state_;
    s.started = true;
    s.years = run.years;
    s.written.assign(run.years.size(), false);
    s.n_areas = run.areas->size();
    const hid_t root = s.file.id();
    const Scenario& scenario = *run.scenario;
    const std::string created = utc_now();

    hdf5::write_attribute(root, "title", fmt::format("socialtwin projection: {}", scenario.name));
    hdf5::write_attribute(
        root, "history",
        fmt::format("{} socialtwin {}: {} core, scenario '{}', {}-{}", created, engine_version(),
                    run.core, scenario.name, run.years.front(), run.years.back()));
    // Not CF: units such as "contacts per year" are not UDUNITS, so no Conventions attribute.
    hdf5::write_attribute(root, std::string(result_layout::version_attribute),
                          std::int32_t{result_layout::version});

    // Dimensions, each a coordinate variable with its labels.
    std::vector<hdf5::Dataset> dims;
    {
        const std::array<hsize_t, 1> n{s.years.size()};
        auto year = hdf5::create_dataset(root, std::string(result_layout::year), H5T_STD_I32LE, n);
        hdf5::write(year.id(), std::span<const std::int32_t>(s.years));
        hdf5::make_dimension_scale(year.id(), std::string(result_layout::year),
                                   static_cast<int>(DimId::year));
        dims.push_back(std::move(year));
    }
    dims.push_back(
        write_string_dimension(root, result_layout::area, run.areas->codes(), DimId::area));
    hdf5::write_attribute(dims.back().id(), "level", run.areas->level());
    dims.push_back(write_string_dimension(root, result_layout::sex, sex_labels(), DimId::sex));
    dims.push_back(
        write_string_dimension(root, result_layout::age_band, age_band_labels(), DimId::age_band));
    const hid_t area_scale = dims[1].id();

    // Area attributes: labels over `area`, named in every indicator's `coordinates` so xarray
    // shows them as coordinates rather than data variables.
    std::string coordinates;
    for (const auto& attribute : run.areas->attributes()) {
        const std::array<hsize_t, 1> n{s.n_areas};
        hdf5::Datatype type = hdf5::utf8_string_type();
        auto dataset = hdf5::create_dataset(root, attribute.name, type.id(), n);
        if (s.n_areas > 0)
            hdf5::write(dataset.id(), std::span<const std::string>(attribute.values));
        hdf5::attach_dimension_scale(dataset.id(), area_scale, 0);
        if (!coordinates.empty()) coordinates += ' ';
        coordinates += attribute.name;
    }

    // Indicators: laid out whole now, filled one year at a time by on_year.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& spec : run.catalog->specs()) {
        const std::size_t per_area = values_per_area(spec.shape);
        const bool by_sex_age = spec.shape == IndicatorShape::per_area_sex_age_band;
        std::vector<hsize_t> shape{s.years.size(), s.n_areas};
        std::vector<hid_t> scales{dims[0].id(), dims[1].id()};
        if (by_sex_age) {
            shape.insert(shape.end(), {hsize_t{n_sexes}, hsize_t{n_age_bands}});
            scales.insert(scales.end(), {dims[2].id(), dims[3].id()});
        }
        hdf5::DatasetOptions options;
        options.fill = nan;
        options.set_fill = true;
        // HDF5 cannot chunk an empty fixed-size dimension; an empty run stays contiguous.
        if (s.n_areas > 0) {
            options.chunk = shape;
            options.chunk[0] = 1;
            options.chunk[1] = std::min(
                {s.n_areas, max_chunk_areas, std::max<std::size_t>(1, chunk_values / per_area)});
        }
        auto dataset = hdf5::create_dataset(root, spec.name, H5T_IEEE_F64LE, shape, options);
        for (unsigned axis = 0; axis < scales.size(); ++axis)
            hdf5::attach_dimension_scale(dataset.id(), scales[axis], axis);
        hdf5::write_attribute(dataset.id(), "units", spec.units);
        hdf5::write_attribute(dataset.id(), "description", spec.description);
        if (!spec.source.empty()) hdf5::write_attribute(dataset.id(), "source", spec.source);
        if (!coordinates.empty()) hdf5::write_attribute(dataset.id(), "coordinates", coordinates);
        s.indicators.push_back(std::move(dataset));
        s.values_per_area.push_back(per_area);
    }

    // Provenance. All strings: a uint64 seed or a path survive any reader unchanged.
    auto meta = hdf5::create_group(root, std::string(result_layout::meta));
    std::vector<std::pair<std::string, std::string>> entries{
        {"scenario_name", scenario.name},
        {"scenario_path", scenario.source_path},
        {"dataset", scenario.dataset},
        {"seed", std::to_string(scenario.seed)},
        {"core", run.core},
        {"base_year", std::to_string(run.years.front())},
        {"horizon", std::to_string(scenario.horizon)},
        {"area_level", run.areas->level()},
        {"engine_version", std::string(engine_version())},
        {"git_commit", std::string(engine_git_commit())},
        {"created_utc", created},
    };
    // The caller knows best (e.g. the resolved dataset path): its entries replace ours in place;
    // the rest follow ours, so the file lists the run's identity first.
    for (const auto& [key, value] : run.metadata) {
        auto same = std::find_if(entries.begin(), entries.end(),
                                 [&](const auto& entry) { return entry.first == key; });
        if (same != entries.end())
            same->second = value;
        else
            entries.emplace_back(key, value);
    }
    for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
    // The YAML can be long: a dataset, not an attribute, so h5dump and h5py show it plainly.
    hdf5::Datatype string_type = hdf5::utf8_string_type();
    auto yaml = hdf5::create_dataset(meta.id(), std::string(result_layout::scenario_yaml),
                                     string_type.id(), {});
    hdf5::write(yaml.id(), std::string_view(scenario.source_text));
}

void Hdf5Writer::on_year(const YearResults& results) {
    State& s = *state_;
    if (!s.started) throw std::logic_error("Hdf5Writer::on_year called before on_start");
    const auto year = std::lower_bound(s.years.begin(), s.years.end(), results.year);
    if (year == s.years.end() || *year != results.year)
        throw std::logic_error(
            fmt::format("Hdf5Writer: year {} is not one of the run's years {}-{}", results.year,
                        s.years.front(), s.years.back()));
    if (results.replicate != 0)
        throw std::logic_error("Hdf5Writer: replicates other than 0 are not written yet");
    const auto year_index = static_cast<std::size_t>(year - s.years.begin());
    if (s.written[year_index])
        throw std::logic_error(fmt::format("Hdf5Writer: year {} written twice", results.year));
    if (results.n_areas() != s.n_areas || results.catalog().size() != s.indicators.size())
        throw std::logic_error(fmt::format(
            "Hdf5Writer: year {} has {} areas and {} indicators, the run declared {} and {}",
            results.year, results.n_areas(), results.catalog().size(), s.n_areas,
            s.indicators.size()));
    if (s.n_areas == 0) {
        s.written[year_index] = true;
        return;
    }

    // The leading index selects the block; a replicate index will be prepended here.
    const std::vector<hsize_t> leading{year_index};
    for (IndicatorId id = 0; id < s.indicators.size(); ++id) {
        std::vector<hsize_t> start = leading;
        std::vector<hsize_t> count(leading.size(), 1);
        start.push_back(0);
        count.push_back(s.n_areas);
        if (s.values_per_area[id] > 1) {
            start.insert(start.end(), {0, 0});
            count.insert(count.end(), {hsize_t{n_sexes}, hsize_t{n_age_bands}});
        }
        hdf5::write_block(s.indicators[id].id(), start, count, results.values(id));
    }
    s.written[year_index] = true;
}

void Hdf5Writer::on_finish(const RunSummary& summary) {
    State& s = *state_;
    if (!s.started) throw std::logic_error("Hdf5Writer::on_finish called before on_start");
    if (finished_) throw std::logic_error("Hdf5Writer::on_finish called twice");
    std::vector<int> missing;
    for (std::size_t i = 0; i < s.years.size(); ++i)
        if (!s.written[i]) missing.push_back(s.years[i]);
    if (!missing.empty())
        throw std::logic_error(
            fmt::format("Hdf5Writer: no results for year(s) {}", fmt::join(missing, ", ")));

    {
        auto meta = hdf5::open_group(s.file.id(), std::string(result_layout::meta));
        auto timings = hdf5::create_group(meta.id(), std::string(result_layout::phase_timings));
        std::vector<std::string> phases;
        std::vector<double> seconds;
        for (const auto& timing : summary.phase_timings) {
            phases.push_back(timing.phase);
            seconds.push_back(timing.seconds);
        }
        auto phase = write_string_dimension(timings.id(), "phase", phases, DimId::phase);
        const std::array<hsize_t, 1> n{phases.size()};
        auto values = hdf5::create_dataset(timings.id(), "seconds", H5T_IEEE_F64LE, n);
        if (!seconds.empty()) hdf5::write(values.id(), std::span<const double>(seconds));
        hdf5::attach_dimension_scale(values.id(), phase.id(), 0);
        hdf5::write_attribute(values.id(), "units", "s");
        hdf5::write_attribute(values.id(), "description", "wall time per phase, summed over years");
        hdf5::write_attribute(timings.id(), "wall_seconds", summary.wall_seconds);
        hdf5::write_attribute(timings.id(), "person_years", summary.person_years);
    }

    // Close everything before the rename: HDF5 writes its last metadata when the file closes.
    s.indicators.clear();
    s.file.close(fmt::format("closing result file '{}'", temporary_.string()));
    fsync_file(temporary_);
    std::error_code error;
    fs::rename(temporary_, target_, error);
    if (error)
        throw std::runtime_error(fmt::format("cannot move finished result file '{}' to '{}': {}",
                                             temporary_.string(), target_.string(),
                                             error.message()));
    finished_ = true;
}

}  // namespace socialtwin
