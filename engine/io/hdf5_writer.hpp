#pragma once
// The result file of a run, written as the run goes: an Observer that opens a temporary HDF5 file
// next to the target at construction (so a bad output path fails before a long run, not after),
// lays out every dataset at on_start, writes each year's values as they arrive (memory stays at
// one year), and renames the finished file onto the target at on_finish. A writer destroyed
// before on_finish (exception, interrupt) removes its temporary file and leaves the target alone.
//
// The layout is netCDF-4-like, so xarray.open_dataset(path, engine="h5netcdf") and h5py both see
// labelled arrays:
//
//   /                          attrs: title, history, socialtwin_result_version (int32)
//   /year      (year)          int32, dimension scale
//   /area      (area)          UTF-8 strings: area codes; dimension scale; attr level
//   /sex       (sex)           "male", "female"; dimension scale
//   /age_band  (age_band)      "0-4" ... "95+"; dimension scale
//   /<attr>    (area)          one UTF-8 string dataset per AreaTable attribute (buurt, wijk ...)
//   /<indicator>               float64 (year, area) or (year, area, sex, age_band); chunked by
//                              year, shuffle + deflate 4, NaN where never written; attrs units,
//                              description, source (when known), coordinates (area attributes)
//   /meta                      attrs (all strings): scenario_name, scenario_path, dataset, seed,
//                              core, base_year, horizon, area_level, engine_version, git_commit,
//                              created_utc, then every RunDescription::metadata entry
//   /meta/scenario_yaml        scalar UTF-8 string: the scenario's YAML after `extends:`
//   /meta/phase_timings/phase  (phase) strings, dimension scale
//   /meta/phase_timings/seconds (phase) float64 [s]; group attrs wall_seconds, person_years
//
// A replicate dimension will later lead the indicator dimensions; the writer addresses each
// year's block through its leading index so that only the index changes then.

#include <filesystem>
#include <memory>
#include <string_view>

#include "engine/core/observer.hpp"

namespace socialtwin {

namespace result_layout {
// Version of the layout above; readers refuse files newer than they know.
inline constexpr int version = 1;
inline constexpr std::string_view version_attribute = "socialtwin_result_version";
inline constexpr std::string_view year = "year";
inline constexpr std::string_view area = "area";
inline constexpr std::string_view sex = "sex";
inline constexpr std::string_view age_band = "age_band";
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view scenario_yaml = "scenario_yaml";
inline constexpr std::string_view phase_timings = "phase_timings";
}  // namespace result_layout

class Hdf5Writer final : public Observer {
public:
    // Creates the target's directory if missing and the temporary file in it; throws
    // std::runtime_error naming the target when it cannot.
    explicit Hdf5Writer(std::filesystem::path target);
    ~Hdf5Writer() override;
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary& summary) override;

    const std::filesystem::path& target() const noexcept { return target_; }
    // Where the file is written until on_finish: ".<target name>.tmp-<pid>" beside the target.
    const std::filesystem::path& temporary_path() const noexcept { return temporary_; }

private:
    struct State;
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    std::unique_ptr<State> state_;
    bool finished_ = false;
};

}  // namespace socialtwin
