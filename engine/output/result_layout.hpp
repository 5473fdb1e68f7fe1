#pragma once
// The names of a socialtwin result file, shared by its writer (engine/output/hdf5_writer.hpp) and
// every reader (engine/output/result_file.hpp, the commands of engine/results, the dataset checks
// of engine/input), so a name is written in one place and a reader cannot drift from the writer.
//
// The layout is netCDF-4-like, so xarray.open_dataset(path, engine="h5netcdf") and h5py both see
// labelled arrays. Both cores write the same /<indicator> datasets; a run with replicates (the
// agent core with RunDescription::replicates = N > 1) adds the datasets marked [N > 1].
//
//   /                          attrs: Conventions ("CF-1.8"), title, history,
//                              socialtwin_result_version (int32)
//   /year      (year)          int32, dimension scale
//   /area      (area)          UTF-8 strings: area codes; dimension scale; attr level
//   /sex       (sex)           "male", "female"; dimension scale
//   /age_band  (age_band)      "0-4" ... "95+"; dimension scale
//   /replicate (replicate)     [N > 1] int32 0 .. N-1, dimension scale
//   /quantile  (quantile)      [N > 1] float64 0.05, 0.5, 0.95, dimension scale; attr
//                              quantile_method
//   /<attr>    (area)          one UTF-8 string dataset per AreaTable attribute (buurt, wijk ...)
//   /x, /y     (area)          float64 [m], RD New, where the dataset has positions; /crs the
//                              grid mapping (engine/output/cf_conventions.hpp)
//   /<indicator>               float64 (year, area) or (year, area, sex, age_band): the mean
//                              over replicates (with one replicate, its values as reported)
//   /<indicator>_replicates    [N > 1, replicates_per_area "all"] float64 (replicate,
//                              <indicator's dims>): every replicate's values
//   /<indicator>_quantiles     [N > 1] float64 (quantile, <indicator's dims>): 5th, 50th and
//                              95th percentile over replicates (engine/output/quantiles.hpp);
//                              attr quantile_method
//                              All three: chunked by one year (and one replicate or all
//                              quantiles), shuffle + deflate 4, NaN where never written
//                              (_FillValue NaN); attrs long_name, units (UDUNITS-2),
//                              unit_label, currency (money), description, source (when
//                              known), kind, weight (a measure's), quantity, cost
//                              (indicator_attribute below), coordinates (area attributes, x y),
//                              grid_mapping (crs, with positions). /<indicator> is the same
//                              whatever N.
//   /meta                      attrs (all strings): scenario_name, scenario_path, dataset, seed,
//                              core, replicates, base_year, horizon, area_level, engine_version,
//                              git_commit, created_utc, then every RunDescription::metadata entry
//   /meta/scenario_yaml        scalar UTF-8 string: the resolved scenario (`extends:` and every
//                              `--set` override applied); /meta attrs overrides (one a line)
//                              and scenario_hash (engine/input/scenario_loader.hpp)
//   /meta/phase_timings/phase  (phase) strings, dimension scale
//   /meta/phase_timings/seconds (phase) float64 [s]; group attrs wall_seconds, person_years
//   /aggregates/<level>/...    every indicator per pc4, buurt, wijk, gemeente
//                              (engine/output/aggregate.hpp), unless the run was told not to

// Files derived from results say what they are in the root attribute socialtwin_content:
// "result" (or no such attribute: what `socialtwin run` writes), "published" (`socialtwin
// export`: a result with disclosure control applied), "difference" (`socialtwin compare` of two
// results), "monitoring" (`socialtwin monitor`: a result against observations) or "sweep"
// (`socialtwin sweep merge`: a sweep's results along a variant dimension).

#include <array>
#include <cstddef>
#include <string_view>

#include "engine/core/indicators.hpp"

namespace socialtwin {

namespace result_layout {
// Version of the layout above; readers refuse files newer than they know.
inline constexpr int version = 1;
inline constexpr std::string_view version_attribute = "socialtwin_result_version";
// How the indicators' values are stored (root attribute; the scenario key output.precision):
// "float64" (IEEE double, as computed) or "float32" (IEEE single: ~7 significant digits, a
// relative error of at most 6e-8 per value). Readers read either into doubles.
inline constexpr std::string_view value_precision_attribute = "value_precision";
inline constexpr std::array<std::string_view, 2> value_precisions{"float64", "float32"};
// Values rounded to a number of mantissa bits (output.significant_digits) say so as CF 1.12
// quantization (section 8.4): a scalar container variable naming the algorithm, and on each
// indicator dataset the container's name and the bits kept.
inline constexpr std::string_view quantization_container = "quantization_info";
inline constexpr std::string_view quantization_algorithm = "bitround";
inline constexpr std::string_view quantization_attribute = "quantization";
inline constexpr std::string_view quantization_bits_attribute = "quantization_nsb";
// The deflate level (HDF5's deflate filter, after shuffle) for every chunked variable socialtwin
// writes: a run's indicators (deflated by libdeflate, hdf5::filter_chunk) and everything derived
// from them (aggregates, compare, monitor, sweep merge: zlib, through HDF5), so a merge copies a
// task's stored chunks as they are. Level 1, not 4: with zlib, at PC6 density 15-18% less CPU for
// the whole run for a 4-5% larger file (docs/performance.md, "Chunks compressed in parallel");
// inflating is as fast at either level.
inline constexpr int deflate_level = 1;
// The most values a chunk holds (256 KB at float64): a chunk of one year and a block of areas fits
// HDF5's default 1 MiB chunk cache, so a reader slicing one area or one year decompresses little.
inline constexpr std::size_t chunk_values = 32000;
inline constexpr std::string_view year = "year";
inline constexpr std::string_view area = "area";
inline constexpr std::string_view sex = "sex";
inline constexpr std::string_view age_band = "age_band";
inline constexpr std::string_view replicate = "replicate";
// Where a run with several replicates keeps each replicate's values (root attribute; the
// scenario key output.replicates_per_area): "percentiles" -- per area only the mean (<indicator>)
// and <indicator>_quantiles, each replicate per larger area in /aggregates -- or "all": also
// <indicator>_replicates per area. Readers look for <indicator>_replicates, not at this.
inline constexpr std::string_view replicates_per_area_attribute = "replicates_per_area";
inline constexpr std::array<std::string_view, 2> replicates_per_area{"percentiles", "all"};
// Which indicators each area keeps (root attribute; the scenario key output.breakdowns_per_area):
// "all" -- every indicator -- or "none": per area only the indicators without a breakdown
// (dims year, area); those by sex and age band, household type, dwelling type ... are in
// /aggregates only, per pc4, buurt, wijk and gemeente. At PC6 density (~30 persons an area) the
// breakdowns are 160 of an area's 219 values a year, mostly 0 and 1, and compressing them is a
// sixth of the run's CPU (docs/performance.md). Readers look for the datasets, not at this.
inline constexpr std::string_view breakdowns_per_area_attribute = "breakdowns_per_area";
inline constexpr std::array<std::string_view, 2> breakdowns_per_area{"all", "none"};
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
// /aggregates/<level>/: the indicators summed (or averaged) over the areas of each larger area.
inline constexpr std::string_view aggregates = "aggregates";
}  // namespace result_layout

namespace derived_layout {
inline constexpr std::string_view content_attribute = "socialtwin_content";
inline constexpr std::string_view result = "result";
inline constexpr std::string_view published = "published";
inline constexpr std::string_view difference = "difference";
inline constexpr std::string_view monitoring = "monitoring";
// `socialtwin sweep merge`: a sweep's results with a variant dimension (docs/sweeps.md).
inline constexpr std::string_view sweep = "sweep";
// Derived files keep the result's /aggregates name.
inline constexpr std::string_view aggregates = result_layout::aggregates;
}  // namespace derived_layout

// The attributes of every indicator variable (strings).
namespace indicator_attribute {
// UDUNITS-2 (CF): "1", "year-1", "h year-1", "km". Files written before CF conformance have the
// label here ("persons per year") and no unit_label; readers take unit_label, else units.
inline constexpr std::string_view units = "units";
// The unit as tables print it: "persons per year", "EUR per year (constant prices of 2022)".
inline constexpr std::string_view unit_label = "unit_label";
inline constexpr std::string_view description = "description";
inline constexpr std::string_view source = "source";
inline constexpr std::string_view kind = "kind";      // IndicatorKind: count, amount, measure
inline constexpr std::string_view weight = "weight";  // a measure's weight indicator
// Quantity: "stock" or "flow" (summed over years). Written since the layout carried it; files
// written before lack it (engine/output/result_file.hpp says how those are read).
inline constexpr std::string_view quantity = "quantity";
// "true" for money spent (cumulated and discounted by `compare`), "false" otherwise.
inline constexpr std::string_view cost = "cost";
inline constexpr std::string_view coordinates = "coordinates";
inline constexpr std::string_view aggregation = "aggregation";  // in /aggregates and derived files
inline constexpr std::string_view quantile_method = "quantile_method";
inline constexpr std::string_view yes = "true";
inline constexpr std::string_view no = "false";
}  // namespace indicator_attribute

// The attributes that describe what an indicator is (not where it lies): copied with its values
// into /aggregates and derived files.
// long_name, unit_label and currency are CF's (engine/output/cf_conventions.hpp).
inline constexpr std::array<std::string_view, 11> indicator_meaning_attributes{
    "long_name",
    indicator_attribute::units,
    indicator_attribute::unit_label,
    "currency",
    indicator_attribute::description,
    indicator_attribute::source,
    indicator_attribute::kind,
    indicator_attribute::weight,
    indicator_attribute::quantity,
    indicator_attribute::cost,
    indicator_attribute::quantile_method};

}  // namespace socialtwin
