#pragma once
// Demographic vocabulary shared by every part of socialtwin: sexes, single ages, household
// positions and the age bands used in outputs. Nothing here knows about care or I/O.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/enum_names.hpp"

namespace socialtwin {

enum class Sex : std::uint8_t { male = 0, female = 1 };
inline constexpr EnumNames<Sex, 2> sex_names{{"male", "female"}};
inline constexpr int n_sexes = 2;
inline constexpr std::array<Sex, n_sexes> all_sexes{Sex::male, Sex::female};

// Single years of age 0..105; 105 is the open class "105 and older".
inline constexpr int max_age = 105;
inline constexpr int n_ages = max_age + 1;

// CBS household positions (71488ned / the PEARL household model).
enum class Position : std::uint8_t {
    child_at_home = 0,          // thuiswonend kind
    living_alone = 1,           // alleenstaande
    partner_no_children = 2,    // samenwonend zonder kinderen
    partner_with_children = 3,  // samenwonend met kinderen
    single_parent = 4,          // alleenstaande ouder
    other_member = 5,           // overig lid van een huishouden
    institution = 6,            // bewoner van een institutioneel huishouden
};
inline constexpr int n_positions = 7;
inline constexpr EnumNames<Position, n_positions> position_names{
    {"child_at_home", "living_alone", "partner_no_children", "partner_with_children",
     "single_parent", "other_member", "institution"}};

// Output age bands: 0-4, 5-9, ..., 90-94, 95+ (as the CBS PC4 tables publish them).
inline constexpr int age_band_width = 5;
inline constexpr int n_age_bands = 20;
constexpr int age_band_of(int age) noexcept {
    const int band = age / age_band_width;
    return band < n_age_bands ? band : n_age_bands - 1;
}

std::string_view to_string(Sex s) noexcept;
std::string_view to_string(Position p) noexcept;
std::string age_band_label(int band);

constexpr int index(Sex s) noexcept { return static_cast<int>(s); }
constexpr int index(Position p) noexcept { return static_cast<int>(p); }

// A person count per (sex, age, position) for one area. Counts are expected values in the
// cohort core (fractional) and whole persons in the agent core.
struct CohortCell {
    static constexpr int size = n_sexes * n_ages * n_positions;
    static constexpr int offset(int sex, int age, int position) noexcept {
        return (sex * n_ages + age) * n_positions + position;
    }
    // A cell's sex, age and position (the inverse of offset).
    static constexpr int sex_of(int cell) noexcept { return cell / (n_ages * n_positions); }
    static constexpr int age_of(int cell) noexcept { return cell / n_positions % n_ages; }
    static constexpr int position_of(int cell) noexcept { return cell % n_positions; }
};

// Sums over an area's table (CohortCell layout), for the flat loops over its cells that the
// compiler vectorises (the cohort core's tables hold persons in nearly every cell).
//
// sum_by_position_of(of) calls `of(c)` for every cell c in order and sums the values per
// position over every sex and age; sum_by_position(table) sums a table of CohortCell::size
// cells; sum_cells_of and sum_cells add those seven sums. Two rows at a time in fourteen running
// sums, which the compiler adds as seven pairs of doubles, independent of one another: a sum cell
// by cell in a single chain runs at one addition per ~4 cycles. The order is fixed (even rows,
// odd rows, then the two), so the sums are the same at any thread count; they differ from a sum
// row after row in their last bits.
template <class Of>
std::array<double, n_positions> sum_by_position_of(Of&& of) noexcept {
    static_assert(n_sexes * n_ages % 2 == 0, "rows are summed in pairs");
    constexpr std::size_t lanes = 2 * n_positions;
    std::array<double, lanes> sums{};
    for (std::size_t c = 0; c < CohortCell::size; c += lanes)
        for (std::size_t k = 0; k < lanes; ++k) sums[k] += of(c + k);
    std::array<double, n_positions> by_position{};
    for (std::size_t p = 0; p < by_position.size(); ++p)
        by_position[p] = sums[p] + sums[p + n_positions];
    return by_position;
}
// Several sums by position in one pass: `of(c)` returns N values of cell c, summed in N sets of
// running sums; each set adds the same terms in the same order as sum_by_position_of would.
template <std::size_t N, class Of>
std::array<std::array<double, n_positions>, N> sums_by_position_of(Of&& of) noexcept {
    constexpr std::size_t lanes = 2 * n_positions;
    std::array<std::array<double, lanes>, N> sums{};
    for (std::size_t c = 0; c < CohortCell::size; c += lanes)
        for (std::size_t k = 0; k < lanes; ++k) {
            const std::array<double, N> values = of(c + k);
            for (std::size_t n = 0; n < N; ++n) sums[n][k] += values[n];
        }
    std::array<std::array<double, n_positions>, N> by_position{};
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t p = 0; p < n_positions; ++p)
            by_position[n][p] = sums[n][p] + sums[n][p + n_positions];
    return by_position;
}
inline std::array<double, n_positions> sum_by_position(std::span<const double> table) noexcept {
    const double* cells = table.data();
    return sum_by_position_of([cells](std::size_t c) { return cells[c]; });
}

template <class Of>
double sum_cells_of(Of&& of) noexcept {
    double sum = 0;
    for (const double by_position : sum_by_position_of(of)) sum += by_position;
    return sum;
}
inline double sum_cells(std::span<const double> table) noexcept {
    const double* cells = table.data();
    return sum_cells_of([cells](std::size_t c) { return cells[c]; });
}

// A value per sex and age (`by_sex_age[sex][age]`) in every cell of its row: for the flat loops
// over an area's cells that the compiler vectorises.
template <class BySexAgeTable>
void spread_over_cells(const BySexAgeTable& by_sex_age,
                       std::array<double, CohortCell::size>& cells) noexcept {
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                cells[static_cast<std::size_t>(CohortCell::offset(s, a, p))] =
                    by_sex_age[static_cast<std::size_t>(s)][static_cast<std::size_t>(a)];
}

// Every cell of the CohortCell layout, ascending: the occupied cells (AreaStep::occupied) of a
// table that may hold persons anywhere (the cohort core's expected counts fill nearly all).
// every_cell(occupied) tells such a table from the agent core's few occupied rows.
inline constexpr std::array<std::uint16_t, CohortCell::size> all_cohort_cells = [] {
    std::array<std::uint16_t, CohortCell::size> cells{};
    for (std::size_t c = 0; c < cells.size(); ++c) cells[c] = static_cast<std::uint16_t>(c);
    return cells;
}();
inline bool every_cell(std::span<const std::uint16_t> occupied) noexcept {
    return occupied.size() == CohortCell::size;
}

// Calls visit(sex, age) for every row (sex, age) of the CohortCell layout in which `occupied`
// (ascending cell offsets, e.g. AreaStep::occupied) lists a cell, in order. A caller then reads
// the row's n_positions cells, so sums still add cell by cell in the layout's order; every row
// when every cell is listed (the compiler then sees a plain loop over the table).
template <class Visit>
void for_each_occupied_row(std::span<const std::uint16_t> occupied, Visit&& visit) {
    if (every_cell(occupied)) {
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age) visit(s, age);
        return;
    }
    int previous = -1;
    for (const std::uint16_t cell : occupied) {
        const int row = cell / n_positions;
        if (row == previous) continue;
        previous = row;
        visit(row / n_ages, row % n_ages);
    }
}

// The rows (sex * n_ages + age) for_each_occupied_row visits, listed into `rows`: for a core
// that lists them once for every model. Each row is written, the next one over it unless it
// is a new row: no branch on where a row ends.
inline void list_occupied_rows(std::span<const std::uint16_t> occupied,
                               std::vector<std::uint16_t>& rows) {
    rows.resize(occupied.size());
    std::size_t n = 0;
    int previous = -1;
    for (const std::uint16_t cell : occupied) {
        const int row = cell / n_positions;
        rows[n] = static_cast<std::uint16_t>(row);
        n += row != previous ? 1 : 0;
        previous = row;
    }
    rows.resize(n);
}

}  // namespace socialtwin
