#include "engine/core/area_cells.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "engine/core/large_table.hpp"

namespace socialtwin {
namespace {

constexpr auto size = static_cast<std::size_t>(CohortCell::size);

TEST(AreaCells, KeepsOnlyTheFilledCellsOfEachAreaInCellOrder) {
    std::vector<double> dense(3 * size, 0.0);
    dense[0 * size + 700] = 2;
    dense[0 * size + 5] = 1;
    dense[2 * size + 1483] = 4;
    const AreaCells table = AreaCells::from_dense(dense);
    ASSERT_EQ(table.n_areas(), 3u);
    EXPECT_EQ(table.filled_cells(), 3u);
    EXPECT_EQ(std::vector<std::uint16_t>(table.cells(0).begin(), table.cells(0).end()),
              (std::vector<std::uint16_t>{5, 700}));
    EXPECT_TRUE(table.cells(1).empty());  // an empty area between filled ones
    EXPECT_EQ(table.persons(2, 1483), 4);
    EXPECT_EQ(table.persons(0, 6), 0);
    EXPECT_EQ(table.area_total(0), 3);
    EXPECT_EQ(table.total(), 7);
    EXPECT_EQ(table.dense(), dense);
}

TEST(AreaCells, CellsAddedInAnyOrderAreSummedAndSortedAsADenseTableWouldBe) {
    AreaCells table(2);
    table.add(1, CohortCell::offset(1, 80, 3), 2);
    table.add(0, CohortCell::offset(0, 30, 1), 1);
    table.add(1, CohortCell::offset(0, 0, 0), 5);
    table.add(1, CohortCell::offset(1, 80, 3), 0.5);  // the same cell again: added up
    table.add(0, 10, 0);                              // nothing: not a filled cell
    table.done();
    EXPECT_EQ(table.filled_cells(), 3u);
    EXPECT_EQ(table.cells(1)[0], CohortCell::offset(0, 0, 0));
    EXPECT_EQ(table.persons(1, CohortCell::offset(1, 80, 3)), 2.5);
    EXPECT_EQ(table.area_total(0), 1);
    // More cells after done(): merged with those already there.
    table.add(0, CohortCell::offset(0, 30, 1), 1);
    table.add(0, 2, 3);
    table.done();
    EXPECT_EQ(table.persons(0, CohortCell::offset(0, 30, 1)), 2);
    EXPECT_EQ(table.cells(0)[0], 2);
    EXPECT_EQ(table.total(), 12.5);
}

// A dataset's table comes in order and goes straight into place; cells that then come out of
// order, or again, are merged as in any other case. Either way the table is the dense one.
TEST(AreaCells, CellsAddedInOrderThenOutOfOrderGiveTheDenseTable) {
    std::vector<double> dense(4 * size, 0.0);
    AreaCells table(4);
    auto add = [&](std::size_t area, int cell, double persons) {
        table.add(area, cell, persons);
        dense[area * size + static_cast<std::size_t>(cell)] += persons;
    };
    add(0, 3, 1);
    add(0, 900, 2);
    add(2, 0, 4);  // area 1 stays empty
    add(2, 1483, 1);
    table.done();
    EXPECT_TRUE(table.cells(1).empty());
    EXPECT_TRUE(table.cells(3).empty());
    EXPECT_EQ(table.dense(), dense);
    add(3, 7, 2);     // after the last: still in place
    add(2, 1483, 3);  // again: summed
    add(1, 5, 6);     // before the last: merged in
    add(3, 8, 1);
    table.done();
    EXPECT_EQ(table.dense(), dense);
    EXPECT_EQ(table.filled_cells(), 7u);
    EXPECT_EQ(table.persons(2, 1483), 4);
}

TEST(AreaCells, CellsDecodeIntoSexAgeAndPosition) {
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; a += 7)
            for (int p = 0; p < n_positions; ++p) {
                const int cell = CohortCell::offset(s, a, p);
                EXPECT_EQ(CohortCell::sex_of(cell), s);
                EXPECT_EQ(CohortCell::age_of(cell), a);
                EXPECT_EQ(CohortCell::position_of(cell), p);
            }
}

// The cohort core fills its state, a large table of zeros on 2 MB pages, from the base
// population: the same table as dense(), whatever the table's size (here more than one 2 MB
// page, so the advised part is not empty).
TEST(AreaCells, FilledIntoALargeTableTheyGiveTheDenseTable) {
    constexpr std::size_t n_areas = 400;  // 4.7 MB
    std::vector<double> dense(n_areas * size, 0.0);
    for (std::size_t a = 0; a < n_areas; a += 7)
        dense[a * size + (a * 31) % size] = 1.0 + static_cast<double>(a);
    const AreaCells table = AreaCells::from_dense(dense);
    std::vector<double> state = zeroed_large_table(n_areas * size);
    ASSERT_EQ(state.size(), n_areas * size);
    EXPECT_TRUE(std::all_of(state.begin(), state.end(), [](double v) { return v == 0.0; }));
    table.fill_dense(state);
    EXPECT_EQ(state, dense);
    std::vector<double> too_small(size);
    EXPECT_THROW(table.fill_dense(too_small), std::logic_error);
}

TEST(AreaCells, AnAreaOrCellOutsideTheTableIsABug) {
    AreaCells table(1);
    EXPECT_THROW(table.add(1, 0, 1), std::logic_error);
    EXPECT_THROW(table.add(0, CohortCell::size, 1), std::logic_error);
    EXPECT_THROW(AreaCells::from_dense(std::vector<double>(size + 1)), std::logic_error);
}

}  // namespace
}  // namespace socialtwin
