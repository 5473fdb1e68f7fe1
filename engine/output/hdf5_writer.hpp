#pragma once
// The result file of a run, written as the run goes: an Observer that opens a temporary HDF5 file
// next to the target at construction (so a bad output path fails before a long run, not after),
// lays out every dataset at on_start, writes each (year, replicate)'s values as they arrive, and
// at on_finish (with several replicates) derives the mean and quantiles over replicates and
// renames the finished file onto the target (engine/formats/output_file.hpp). A writer destroyed before
// on_finish (exception, interrupt) removes its temporary file and leaves the target alone.
//
// The layout is netCDF-4-like, so xarray.open_dataset(path, engine="h5netcdf") and h5py both see
// labelled arrays. Both cores write the same /<indicator> datasets; a run with replicates (the
// agent core with RunDescription::replicates = N > 1) adds the datasets marked [N > 1].
//
//   /                          attrs: title, history, socialtwin_result_version (int32)
//   /year      (year)          int32, dimension scale
//   /area      (area)          UTF-8 strings: area codes; dimension scale; attr level
//   /sex       (sex)           "male", "female"; dimension scale
//   /age_band  (age_band)      "0-4" ... "95+"; dimension scale
//   /replicate (replicate)     [N > 1] int32 0 .. N-1, dimension scale
//   /quantile  (quantile)      [N > 1] float64 0.05, 0.5, 0.95, dimension scale; attr
//                              quantile_method
//   /<attr>    (area)          one UTF-8 string dataset per AreaTable attribute (buurt, wijk ...)
//   /<indicator>               float64 (year, area) or (year, area, sex, age_band): the mean
//                              over replicates (with one replicate, its values as reported)
//   /<indicator>_replicates    [N > 1] float64 (replicate, <indicator's dims>): every
//                              replicate's values
//   /<indicator>_quantiles     [N > 1] float64 (quantile, <indicator's dims>): 5th, 50th and
//                              95th percentile over replicates (replicate_quantiles below);
//                              attr quantile_method
//                              All three: chunked by one year (and one replicate or all
//                              quantiles), shuffle + deflate 4, NaN where never written; attrs
//                              units, description, source (when known), coordinates (area
//                              attributes). /<indicator> is the same whatever N.
//   /meta                      attrs (all strings): scenario_name, scenario_path, dataset, seed,
//                              core, replicates, base_year, horizon, area_level, engine_version,
//                              git_commit, created_utc, then every RunDescription::metadata entry
//   /meta/scenario_yaml        scalar UTF-8 string: the scenario's YAML after `extends:`
//   /meta/phase_timings/phase  (phase) strings, dimension scale
//   /meta/phase_timings/seconds (phase) float64 [s]; group attrs wall_seconds, person_years
//   /aggregates/<level>/...    at on_finish unless Hdf5WriterOptions::aggregates is false: every
//                              indicator per pc4, buurt, wijk, gemeente (engine/output/aggregate.hpp)
//
// Memory stays bounded: on_year writes its block at once (into <indicator> with one replicate,
// into <indicator>_replicates with several), and with several replicates on_finish reads back
// one year and one chunk of areas of all replicates at a time (at most replicates x 32 Ki
// values), writes their mean and quantiles, and moves on. The companion names are reserved
// whatever N, so a catalog that writes with one replicate writes with any number.

#include <array>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/core/observer.hpp"
#include "engine/formats/output_file.hpp"

namespace socialtwin {

namespace result_layout {
// Version of the layout above; readers refuse files newer than they know.
inline constexpr int version = 1;
inline constexpr std::string_view version_attribute = "socialtwin_result_version";
inline constexpr std::string_view year = "year";
inline constexpr std::string_view area = "area";
inline constexpr std::string_view sex = "sex";
inline constexpr std::string_view age_band = "age_band";
inline constexpr std::string_view replicate = "replicate";
inline constexpr std::string_view quantile = "quantile";
// <indicator><suffix> names the companions of each indicator.
inline constexpr std::string_view replicates_suffix = "_replicates";
inline constexpr std::string_view quantiles_suffix = "_quantiles";
// The probability levels of <indicator>_quantiles, in this order.
inline constexpr std::array<double, 3> quantile_levels{0.05, 0.5, 0.95};
// What each dataset holds, added to the indicator's description as "<description> (<what>)",
// before its final full stop if it has one.
inline constexpr std::string_view mean_qualifier = "mean over replicates";
inline constexpr std::string_view replicates_qualifier = "each replicate";
inline constexpr std::string_view quantiles_qualifier =
    "5th, 50th, 95th percentile over replicates";
inline constexpr std::string_view quantile_method =
    "linear interpolation between order statistics (Hyndman and Fan type 7, numpy.quantile "
    "method 'linear'): with the n replicate values sorted x[0] <= ... <= x[n-1], the "
    "q-quantile is x[j] + (x[j+1] - x[j]) * g with h = (n - 1) * q, j = floor(h), g = h - j; "
    "NaN if any value is NaN";
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view scenario_yaml = "scenario_yaml";
inline constexpr std::string_view phase_timings = "phase_timings";
}  // namespace result_layout

// The quantiles of `values` at each of `levels` (in [0, 1]) into `out`, as
// result_layout::quantile_method says, with numpy.quantile's own arithmetic so that
// np.quantile(values, levels) gives the same doubles. Sorts `values` in place. All NaN when
// `values` is empty or holds a NaN.
void replicate_quantiles(std::span<double> values, std::span<const double> levels,
                         std::span<double> out);

struct Hdf5WriterOptions {
    // At on_finish, aggregate every indicator to the larger areas (pc4, buurt, wijk, gemeente)
    // into /aggregates (engine/output/aggregate.hpp); `socialtwin run --no-aggregates` turns it off.
    bool aggregates = true;
    // The run's input files (scenario, dataset folder, start population): the result never
    // replaces one of them (engine/formats/output_file.hpp).
    std::vector<ProtectedInput> inputs{};
};

class Hdf5Writer final : public Observer {
public:
    // Checks the target (engine/formats/output_file.hpp: a regular file or none, none of
    // options.inputs), creates its directory if missing and the temporary file in it; throws
    // InputError for a target it must not write and std::runtime_error naming the target when it
    // cannot.
    explicit Hdf5Writer(std::filesystem::path target, Hdf5WriterOptions options = {});
    ~Hdf5Writer() override;
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary& summary) override;

    const std::filesystem::path& target() const noexcept { return target_; }
    // Where the file is written until on_finish: ".socialtwin-<pid>-<random>.tmp" beside the
    // target (AtomicOutput).
    const std::filesystem::path& temporary_path() const noexcept { return output_->temporary(); }

private:
    struct State;
    std::filesystem::path target_;
    std::unique_ptr<AtomicOutput> output_;
    std::unique_ptr<State> state_;
    Hdf5WriterOptions options_;
    bool finished_ = false;
};

}  // namespace socialtwin
