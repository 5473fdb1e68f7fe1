#include "engine/core/types.hpp"

#include <gtest/gtest.h>

#include <array>
#include <utility>
#include <vector>

namespace socialtwin {
namespace {

std::vector<std::pair<int, int>> rows_visited(std::span<const std::uint16_t> occupied) {
    std::vector<std::pair<int, int>> rows;
    for_each_occupied_row(occupied, [&](int sex, int age) { rows.emplace_back(sex, age); });
    return rows;
}

TEST(OccupiedRows, EachRowWithAListedCellOnceAndInOrder) {
    const std::vector<std::uint16_t> occupied{
        static_cast<std::uint16_t>(CohortCell::offset(0, 3, 0)),
        static_cast<std::uint16_t>(CohortCell::offset(0, 3, 6)),  // the same row
        static_cast<std::uint16_t>(CohortCell::offset(0, 40, 1)),
        static_cast<std::uint16_t>(CohortCell::offset(1, 0, 2)),
        static_cast<std::uint16_t>(CohortCell::offset(1, max_age, 6))};
    const std::vector<std::pair<int, int>> expected{{0, 3}, {0, 40}, {1, 0}, {1, max_age}};
    EXPECT_EQ(rows_visited(occupied), expected);
    EXPECT_TRUE(rows_visited({}).empty());
}

TEST(OccupiedRows, ListedOnceAreTheRowsTheCellsGive) {
    const std::vector<std::uint16_t> occupied{
        static_cast<std::uint16_t>(CohortCell::offset(0, 0, 0)),
        static_cast<std::uint16_t>(CohortCell::offset(0, 3, 0)),
        static_cast<std::uint16_t>(CohortCell::offset(0, 3, 4)),
        static_cast<std::uint16_t>(CohortCell::offset(0, 3, 6)),
        static_cast<std::uint16_t>(CohortCell::offset(0, 4, 0)),
        static_cast<std::uint16_t>(CohortCell::offset(1, max_age, 6))};
    for (std::size_t n = 0; n <= occupied.size(); ++n) {
        const std::span<const std::uint16_t> cells(occupied.data(), n);
        std::vector<std::uint16_t> rows{999};  // whatever a thread's list held before
        list_occupied_rows(cells, rows);
        std::vector<std::pair<int, int>> listed;
        for (const std::uint16_t row : rows) listed.emplace_back(row / n_ages, row % n_ages);
        EXPECT_EQ(listed, rows_visited(cells)) << n << " cells";
    }
}

TEST(OccupiedRows, EveryRowInOrderWhenEveryCellIsListed) {
    const std::vector<std::pair<int, int>> rows = rows_visited(all_cohort_cells);
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(n_sexes * n_ages));
    for (std::size_t i = 0; i < rows.size(); ++i)
        EXPECT_EQ(rows[i],
                  std::make_pair(static_cast<int>(i) / n_ages, static_cast<int>(i) % n_ages));
}

// An area's table whose cell c holds `value(c)`.
template <class Value>
std::vector<double> table_of(Value value) {
    std::vector<double> table(CohortCell::size);
    for (std::size_t c = 0; c < table.size(); ++c) table[c] = value(c);
    return table;
}

TEST(SumsByPosition, AddEachPositionsCellsOverEverySexAndAge) {
    // Whole numbers add exactly in any order: the sums are exactly the sums per position.
    const auto table = table_of([](std::size_t c) { return static_cast<double>(c % 97); });
    std::array<double, n_positions> expected{};
    for (std::size_t c = 0; c < table.size(); ++c)
        expected[static_cast<std::size_t>(CohortCell::position_of(static_cast<int>(c)))] +=
            table[c];
    EXPECT_EQ(sum_by_position(table), expected);
    double total = 0;
    for (const double sum : expected) total += sum;
    EXPECT_EQ(sum_cells(table), total);
}

TEST(SumsByPosition, OfFractionsDifferFromACellByCellSumOnlyInTheLastBits) {
    // Another order of the same additions: the same total to rounding, and always the same bits.
    const auto table = table_of([](std::size_t c) { return 1.0 / static_cast<double>(c + 3); });
    double cell_by_cell = 0;
    for (const double v : table) cell_by_cell += v;
    EXPECT_NEAR(sum_cells(table), cell_by_cell, 1e-14 * cell_by_cell);
    EXPECT_EQ(sum_cells(table), sum_cells(table));
}

TEST(SumsByPosition, OfValuesComputedCellByCellVisitEveryCellOnceInOrder) {
    std::vector<std::size_t> visited;
    const double total = sum_cells_of([&](std::size_t c) {
        visited.push_back(c);
        return 1.0;
    });
    EXPECT_EQ(total, static_cast<double>(CohortCell::size));
    ASSERT_EQ(visited.size(), static_cast<std::size_t>(CohortCell::size));
    for (std::size_t c = 0; c < visited.size(); ++c) EXPECT_EQ(visited[c], c);
}

TEST(SumsByPosition, SeveralInOnePassAreBitForBitEachSumAlone) {
    // Fractions, whose sums depend on the order of the additions: one pass over two tables
    // gives each table's sums as a pass over it alone would.
    const auto first = table_of([](std::size_t c) { return 1.0 / static_cast<double>(c + 3); });
    const auto second = table_of([](std::size_t c) { return 0.1 * static_cast<double>(c % 13); });
    const auto [of_first, of_second] = sums_by_position_of<2>([&](std::size_t c) {
        return std::array<double, 2>{first[c], second[c]};
    });
    EXPECT_EQ(of_first, sum_by_position(first));
    EXPECT_EQ(of_second, sum_by_position(second));
}

TEST(SpreadOverCells, PutsEachSexAndAgesValueInEveryPositionOfItsRow) {
    std::array<std::array<double, n_ages>, n_sexes> by_sex_age{};
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            by_sex_age[static_cast<std::size_t>(s)][static_cast<std::size_t>(a)] = 1000 * s + a;
    std::array<double, CohortCell::size> cells{};
    spread_over_cells(by_sex_age, cells);
    for (int c = 0; c < CohortCell::size; ++c)
        EXPECT_EQ(cells[static_cast<std::size_t>(c)],
                  1000 * CohortCell::sex_of(c) + CohortCell::age_of(c));
}

}  // namespace
}  // namespace socialtwin
