// The person store's columns (engine/core/growing_column.hpp): they behave as the std::vector
// they replace for what the store does with them, and growing keeps every value.
#include "engine/core/growing_column.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace socialtwin {
namespace {

TEST(GrowingColumn, StartsEmptyAndAppends) {
    GrowingColumn<std::uint32_t> column;
    EXPECT_TRUE(column.empty());
    EXPECT_EQ(column.size(), 0u);
    column.push_back(7);
    column.push_back(9);
    ASSERT_EQ(column.size(), 2u);
    EXPECT_EQ(column[0], 7u);
    EXPECT_EQ(column.front(), 7u);
    EXPECT_EQ(column.back(), 9u);
    column.back() = 11;
    EXPECT_EQ(column[1], 11u);
}

TEST(GrowingColumn, KeepsEveryValueWhileGrowingFarPastItsFirstMapping) {
    // A few million elements: the mapping is moved by the kernel several times on the way.
    GrowingColumn<std::uint32_t> column;
    constexpr std::uint32_t n = 3'000'000;
    for (std::uint32_t i = 0; i < n; ++i) column.push_back(i * 3u);
    ASSERT_EQ(column.size(), n);
    EXPECT_GE(column.capacity(), column.size());
    bool all = true;
    for (std::uint32_t i = 0; i < n; ++i) all = all && column[i] == i * 3u;
    EXPECT_TRUE(all);
}

TEST(GrowingColumn, ReserveMakesRoomWithoutChangingTheValues) {
    GrowingColumn<std::int16_t> column;
    for (std::int16_t y = 1900; y < 2000; ++y) column.push_back(y);
    column.reserve(1'000'000);
    EXPECT_GE(column.capacity(), 1'000'000u);
    ASSERT_EQ(column.size(), 100u);
    EXPECT_EQ(column.front(), 1900);
    EXPECT_EQ(column.back(), 1999);
    column.reserve(10);  // never shrinks
    EXPECT_GE(column.capacity(), 1'000'000u);
}

TEST(GrowingColumn, CopiesAreIndependentAndCompareByValue) {
    GrowingColumn<std::uint8_t> a;
    for (int i = 0; i < 5000; ++i) a.push_back(static_cast<std::uint8_t>(i % 251));
    GrowingColumn<std::uint8_t> b = a;
    EXPECT_EQ(a, b);
    b[4999] = 0;
    EXPECT_FALSE(a == b);
    EXPECT_EQ(a[4999], static_cast<std::uint8_t>(4999 % 251));
    b = a;  // copy-assigned over a column that already holds values
    EXPECT_EQ(a, b);
    GrowingColumn<std::uint8_t> shorter;
    shorter.push_back(a[0]);
    EXPECT_FALSE(a == shorter);
}

TEST(GrowingColumn, MovingHandsTheValuesOverAndLeavesTheSourceEmpty) {
    GrowingColumn<std::uint32_t> a;
    for (std::uint32_t i = 0; i < 10; ++i) a.push_back(i);
    GrowingColumn<std::uint32_t> b = std::move(a);
    EXPECT_EQ(b.size(), 10u);
    EXPECT_EQ(b[9], 9u);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    a.push_back(1);          // and usable again
    EXPECT_EQ(a.size(), 1u);
    b = std::move(a);
    EXPECT_EQ(b.size(), 1u);
}

TEST(GrowingColumn, IteratesLikeAVector) {
    GrowingColumn<std::uint32_t> column;
    for (std::uint32_t i = 1; i <= 100; ++i) column.push_back(i);
    EXPECT_EQ(std::accumulate(column.begin(), column.end(), 0u), 5050u);
    const std::vector<std::uint32_t> copy(column.begin(), column.end());
    EXPECT_EQ(copy.size(), 100u);
    column.clear();
    EXPECT_TRUE(column.empty());
    EXPECT_EQ(column.begin(), column.end());
}

}  // namespace
}  // namespace socialtwin
