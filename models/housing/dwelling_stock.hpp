#pragma once
// The dwelling stock of an area by type (single-family / multi-family) and tenure (owner,
// social rent from a woningcorporatie, private rent), and how a construction programme changes
// it. A dataset's dwellings.csv gives it per area (the loader puts it in the area table as
// quantities named by stock_quantity_name); a dataset without that file gets every area's
// dwellings split by one stated national mix (national_type_share x national_tenure_share).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// In the order of DwellingType and Tenure; their names are dwelling_type_names and
// tenure_names (engine/core/scenario.hpp).
inline constexpr int n_dwelling_types = static_cast<int>(dwelling_type_names.size());
inline constexpr int n_tenures = static_cast<int>(tenure_names.size());

// [dwellings] by type x tenure, type-major.
using DwellingStock = std::array<double, n_dwelling_types * n_tenures>;
constexpr std::size_t stock_cell(int type, int tenure) noexcept {
    return static_cast<std::size_t>(type * n_tenures + tenure);
}
double type_total(const DwellingStock& stock, int type) noexcept;
double total(const DwellingStock& stock) noexcept;

// The area-table quantity holding one cell of the base stock: "dwellings_<type>_<tenure>",
// e.g. "dwellings_multi_family_social_rent"; the columns of dwellings.csv without the prefix.
std::string stock_quantity_name(int type, int tenure);
// Whether the dataset gave the stock by type and tenure (all six quantities).
bool has_dwelling_types(const AreaTable& areas);

// The national mix for datasets without dwellings.csv, assumed independent of each other:
// type, CBS dwelling stock on 1 January 2020, 5.06 million single-family and 2.83 million
// multi-family dwellings; tenure, CBS 82900NED on 1 January 2019, 4,487,894 owner-occupied,
// 2,300,031 owned by housing corporations and 999,608 by other landlords (27,379 of unknown
// ownership left out).
inline constexpr std::array<double, n_dwelling_types> national_type_share{5.06 / (5.06 + 2.83),
                                                                          2.83 / (5.06 + 2.83)};
inline constexpr std::array<double, n_tenures> national_tenure_share{
    4487894.0 / 7787533.0, 2300031.0 / 7787533.0, 999608.0 / 7787533.0};
DwellingStock national_mix(double dwellings) noexcept;

// The stock of every area on 1 January of the base year: the dataset's, or the national mix of
// the area's dwellings.
std::vector<DwellingStock> base_dwelling_stock(const AreaTable& areas,
                                               std::span<const double> base_dwellings);

// One project's change to an area's stock in its year.
struct StockChange {
    double dwellings = 0;  // [dwellings] negative: demolished
    DwellingType type = DwellingType::multi_family;
    std::optional<Tenure> tenure;  // none: see build()
};

// Applies one year's projects to an area's stock: additions first, then demolitions, so a year
// that builds and demolishes ends with max(0, stock + built - demolished) dwellings, as the
// total stock does.
// - New dwellings without a tenure take the area's current tenure mix of their type; if the
//   area has none of that type, its tenure mix of all types; if it has no dwellings, the
//   tenure mix of that type in `dataset` (all areas' stock), then of all types.
// - Demolition takes the dwellings of its type (and tenure, if given) in proportion to their
//   tenures; if the area has fewer of them, the rest in proportion from all its other
//   dwellings; never below zero.
void build(DwellingStock& stock, std::span<const StockChange> changes,
           const DwellingStock& dataset);

}  // namespace socialtwin
