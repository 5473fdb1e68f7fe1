#pragma once
// Persons by area and cell (the CohortCell layout: sex x single age x household position),
// keeping only the cells that hold persons. A PC6 area of ~40 residents fills ~35 of its 1,484
// cells, so the dense table (12 KB per area, 5 GB for the 450,000 PC6 areas of the country)
// would be almost all zeros; this holds ~12 bytes per filled cell. The base population of a
// dataset is kept this way; the cohort core expands it into its dense state.
//
// Cells are kept in ascending order within each area, so visiting them adds in the same order as
// a sweep over the dense table would (skipping only exact zeros, which leaves sums unchanged).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/core/types.hpp"

namespace socialtwin {

class AreaCells {
public:
    AreaCells() = default;
    // `n_areas` areas, no persons.
    explicit AreaCells(std::size_t n_areas) : first_(n_areas + 1, 0) {}
    // From a dense table of n_areas x CohortCell::size values (zeros are dropped).
    static AreaCells from_dense(std::span<const double> dense);

    // One cell's persons; added up where the same cell is given twice. Any order: the cells are
    // sorted when done() is called, which must be before the table is read. Cells given in order
    // (area by area, ascending cells, as a dataset's table comes) go straight into place.
    void add(std::size_t area, int cell, double persons);
    void done();

    std::size_t n_areas() const noexcept { return first_.empty() ? 0 : first_.size() - 1; }
    // The filled cells of an area (ascending) and their persons.
    std::span<const std::uint16_t> cells(std::size_t area) const noexcept {
        return {cells_.data() + first_[area], first_[area + 1] - first_[area]};
    }
    std::span<const double> persons(std::size_t area) const noexcept {
        return {persons_.data() + first_[area], first_[area + 1] - first_[area]};
    }
    double persons(std::size_t area, int cell) const noexcept;
    double area_total(std::size_t area) const noexcept;
    double total() const noexcept;
    std::size_t filled_cells() const noexcept { return cells_.size(); }
    // The dense table, n_areas x CohortCell::size (the cohort core's state).
    std::vector<double> dense() const;
    // Writes the filled cells into `table` (n_areas x CohortCell::size, zeros elsewhere: e.g.
    // from zeroed_large_table); the other cells are left as they are.
    void fill_dense(std::span<double> table) const;
    std::size_t bytes() const noexcept {
        return first_.capacity() * sizeof(std::size_t) + cells_.capacity() * sizeof(std::uint16_t) +
               persons_.capacity() * sizeof(double);
    }

private:
    struct Pending {
        std::uint32_t area;
        std::uint16_t cell;
        double persons;
    };
    void merge_pending();

    std::vector<std::size_t> first_;  // area a's cells are [first_[a], first_[a + 1])
    std::vector<std::uint16_t> cells_;
    std::vector<double> persons_;
    std::vector<Pending> pending_;  // added out of order, not yet sorted in (see done())
    // The area of the last of cells_, while cells_ ends with the highest (area, cell) there is.
    std::size_t last_area_ = 0;
};

}  // namespace socialtwin
