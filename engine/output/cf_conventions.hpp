#pragma once
// What makes socialtwin's files CF-1.8 conformant (docs/output-schema.md, "CF conventions";
// checked by tools/cf_check.py): UDUNITS-2 units beside the human unit label the tables print, a
// long_name on every variable, _FillValue where values can be missing, and the areas' positions
// in RD New (EPSG:28992) with a grid mapping, so GIS tools and xarray draw maps directly.
//
// The writers write what they know (the result writer: indicator attributes, positions); every
// writer of a file (result, aggregate, compare, monitor, export, sweep merge) then calls
// apply_cf_conventions on it before closing, which fills in what CF asks and a writer did not
// say, the same way for every kind of file.

#include <hdf5.h>

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socialtwin {

namespace cf {
inline constexpr std::string_view conventions = "CF-1.8";
// The unit as people read it ("persons per year", "EUR per year (constant prices of 2022)"):
// what tables print. `units` holds its UDUNITS-2 form ("year-1").
inline constexpr std::string_view unit_label = "unit_label";
inline constexpr std::string_view long_name = "long_name";
// Money has no UDUNITS-2 unit: its `units` are those of a number of currency units ("1", or
// "year-1" for a flow) and `currency` names the currency (ISO 4217), as CF practice does.
inline constexpr std::string_view currency = "currency";
inline constexpr std::string_view grid_mapping = "grid_mapping";
// The area positions (over `area`, metres in RD New) and the grid-mapping variable.
inline constexpr std::string_view x = "x";
inline constexpr std::string_view y = "y";
inline constexpr std::string_view crs = "crs";
}  // namespace cf

// The UDUNITS-2 form of a unit label: counts ("persons", "dwellings", "FTE", "EUR") are
// dimensionless "1", "<count> per year" is "year-1", "hours per year" "h year-1", a ratio of
// counts ("households per dwelling", "share of stock") "1", "km" stays "km"; a qualification in
// brackets or after a comma ("(constant prices of 2022)") is left to the label. A UDUNITS string
// this returns is returned unchanged, so applying it twice is applying it once.
std::string udunits_of(std::string_view label);
// "EUR" for money (a label starting with "EUR"), "" otherwise.
std::string currency_of(std::string_view label);
// A variable's name in plain words: "gp_contacts" -> "gp contacts".
std::string long_name_of(std::string_view name);

// Positions in whole metres from the dataset's kilometres (x_km is written to 3 decimals).
std::vector<double> metres_of(std::span<const double> km);
// The attributes of /crs (RD New), text and numbers, in the order written; shared with the
// Python bindings so that a Dataset in memory and the file agree.
std::vector<std::pair<std::string, std::string>> crs_text_attributes();
std::vector<std::pair<std::string, double>> crs_number_attributes();
// The attributes of /x and /y.
std::vector<std::pair<std::string, std::string>> position_attributes(std::string_view axis);

// /x, /y over `area_scale` (metres, RD New: the dataset's x_km, y_km x 1000) and the scalar /crs
// describing RD New; indicators name them in `coordinates` and `grid_mapping`.
void write_area_positions(hid_t parent, std::span<const double> x_km, std::span<const double> y_km,
                          hid_t area_scale);

// Copies /x, /y (and writes /crs) of the result `from` into `to` over `area_scale`, when `from`
// has them; returns whether it did.
bool copy_area_positions(hid_t from, hid_t to, hid_t area_scale);

// Walks every dataset of `file` (all groups) and adds what CF-1.8 asks that its writer left out:
// the root's Conventions; a long_name (known names such as year, area; else the name in plain
// words); units as UDUNITS-2 (a label in `units` moves to unit_label, money gains currency);
// units "1" on numeric dimension scales without units; _FillValue NaN on float64 variables that
// are not dimension scales (NaN marks what was never computed or was suppressed). Deterministic:
// the same file gives the same attributes in the same order.
void apply_cf_conventions(hid_t file);

}  // namespace socialtwin
