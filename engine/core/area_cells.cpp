#include "engine/core/area_cells.hpp"

#include <algorithm>
#include <stdexcept>

namespace socialtwin {

AreaCells AreaCells::from_dense(std::span<const double> dense) {
    constexpr auto size = static_cast<std::size_t>(CohortCell::size);
    if (dense.size() % size != 0)
        throw std::logic_error("AreaCells::from_dense: not a whole number of areas");
    AreaCells table(dense.size() / size);
    for (std::size_t a = 0; a < table.n_areas(); ++a) {
        for (std::size_t c = 0; c < size; ++c) {
            const double n = dense[a * size + c];
            if (n == 0) continue;
            table.cells_.push_back(static_cast<std::uint16_t>(c));
            table.persons_.push_back(n);
        }
        table.first_[a + 1] = table.cells_.size();
    }
    return table;
}

void AreaCells::add(std::size_t area, int cell, double persons) {
    if (area >= n_areas() || cell < 0 || cell >= CohortCell::size)
        throw std::logic_error("AreaCells::add: no such area or cell");
    if (persons == 0) return;
    // After the last cell there is: in its place already (first_ of the areas in between is
    // set by done()).
    if (pending_.empty() &&
        (cells_.empty() || area > last_area_ || (area == last_area_ && cell > cells_.back()))) {
        cells_.push_back(static_cast<std::uint16_t>(cell));
        persons_.push_back(persons);
        first_[area + 1] = cells_.size();
        last_area_ = area;
        return;
    }
    pending_.push_back(
        {static_cast<std::uint32_t>(area), static_cast<std::uint16_t>(cell), persons});
}

void AreaCells::done() {
    // Areas without cells start where the one before them ends.
    for (std::size_t a = 1; a < first_.size(); ++a) first_[a] = std::max(first_[a], first_[a - 1]);
    if (!pending_.empty()) merge_pending();
    cells_.shrink_to_fit();
    persons_.shrink_to_fit();
}

void AreaCells::merge_pending() {
    // What was there, and what was added, merged area by area in cell order. Additions to the
    // same cell are summed in the order they were made (stable sort), as a dense table would.
    // Those already there first, so a cell's sum starts from its value, as `+=` would.
    std::vector<Pending> all;
    all.reserve(cells_.size() + pending_.size());
    for (std::size_t a = 0; a < n_areas(); ++a)
        for (std::size_t i = first_[a]; i < first_[a + 1]; ++i)
            all.push_back({static_cast<std::uint32_t>(a), cells_[i], persons_[i]});
    all.insert(all.end(), pending_.begin(), pending_.end());
    pending_ = std::move(all);
    std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& x, const Pending& y) {
        return x.area != y.area ? x.area < y.area : x.cell < y.cell;
    });
    cells_.clear();
    persons_.clear();
    std::fill(first_.begin(), first_.end(), 0);
    for (std::size_t i = 0; i < pending_.size();) {
        const Pending& p = pending_[i];
        double sum = 0;
        for (; i < pending_.size() && pending_[i].area == p.area && pending_[i].cell == p.cell; ++i)
            sum += pending_[i].persons;
        if (sum == 0) continue;
        cells_.push_back(p.cell);
        persons_.push_back(sum);
        first_[p.area + 1] = cells_.size();
        last_area_ = p.area;
    }
    for (std::size_t a = 1; a < first_.size(); ++a) first_[a] = std::max(first_[a], first_[a - 1]);
    std::vector<Pending>().swap(pending_);
}

double AreaCells::persons(std::size_t area, int cell) const noexcept {
    const auto c = cells(area);
    const auto it = std::lower_bound(c.begin(), c.end(), static_cast<std::uint16_t>(cell));
    return it != c.end() && *it == cell ? persons(area)[static_cast<std::size_t>(it - c.begin())]
                                        : 0.0;
}

double AreaCells::area_total(std::size_t area) const noexcept {
    double sum = 0;
    for (const double n : persons(area)) sum += n;
    return sum;
}

double AreaCells::total() const noexcept {
    double sum = 0;
    for (const double n : persons_) sum += n;
    return sum;
}

std::vector<double> AreaCells::dense() const {
    std::vector<double> table(n_areas() * static_cast<std::size_t>(CohortCell::size), 0.0);
    fill_dense(table);
    return table;
}

void AreaCells::fill_dense(std::span<double> table) const {
    constexpr auto size = static_cast<std::size_t>(CohortCell::size);
    if (table.size() != n_areas() * size)
        throw std::logic_error(
            "AreaCells::fill_dense: the table is not n_areas x CohortCell::size");
    for (std::size_t a = 0; a < n_areas(); ++a) {
        const auto c = cells(a);
        const auto n = persons(a);
        for (std::size_t i = 0; i < c.size(); ++i) table[a * size + c[i]] = n[i];
    }
}

}  // namespace socialtwin
