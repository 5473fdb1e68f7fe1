#include "engine/core/types.hpp"

#include <gtest/gtest.h>

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

TEST(OccupiedRows, EveryRowInOrderWhenEveryCellIsListed) {
    const std::vector<std::pair<int, int>> rows = rows_visited(all_cohort_cells);
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(n_sexes * n_ages));
    for (std::size_t i = 0; i < rows.size(); ++i)
        EXPECT_EQ(rows[i],
                  std::make_pair(static_cast<int>(i) / n_ages, static_cast<int>(i) % n_ages));
}

}  // namespace
}  // namespace socialtwin
