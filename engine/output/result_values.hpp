#pragma once
// What a result says besides its numbers, and the numbers it derives over replicates, as plain
// values: the HDF5 writer (engine/output/hdf5_writer.hpp) writes them into the file, and the
// Python bindings (bindings/) put the same into an xarray.Dataset in memory. One definition, so
// that a Dataset from memory and one opened from the file agree name for name and bit for bit.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/observer.hpp"

namespace socialtwin {

using NamedValues = std::vector<std::pair<std::string, std::string>>;

// "<description> (<qualifier>)", keeping a final full stop at the end.
std::string qualified(std::string description, std::string_view qualifier);
// `description` without a " (<qualifier>)" that qualified() added; unchanged without one.
std::string without_qualifier(std::string description, std::string_view qualifier);

// /meta's attributes: the run's identity (scenario, dataset, seed, core, years, engine) and then
// every RunDescription::metadata entry (the caller's replace ours of the same name in place).
NamedValues result_meta(const RunDescription& run, const std::string& created_utc);

// Whether the areas have positions (the dataset's x_km, y_km): the result then has /x, /y, /crs.
bool has_positions(const AreaTable& areas);
// The names of the area attributes, space-separated, and "x y" when the areas have positions:
// every indicator's `coordinates`.
std::string area_coordinates(const AreaTable& areas);

// An indicator variable's attributes (result_layout.hpp, indicator_attribute): long_name,
// units (UDUNITS-2) with unit_label (the declared label) and currency (money), its description
// with `qualifier`, source, kind, weight, quantity, cost, coordinates, and grid_mapping when the
// coordinates include the positions x, y (engine/output/cf_conventions.hpp); the empty ones
// left out.
NamedValues indicator_attributes(const IndicatorSpec& spec, std::string_view qualifier,
                                 const std::string& coordinates);

// Over the `n` replicates of a block of values (replicate-major: n x m values), each value's
// mean -- summed in replicate order, so one replicate's mean is its value to the bit -- into
// `mean` (m values) and its quantiles at result_layout::quantile_levels into `quantiles`
// (levels x m).
void summarise_replicates(std::span<const double> block, std::size_t n, std::span<double> mean,
                          std::span<double> quantiles);

}  // namespace socialtwin
