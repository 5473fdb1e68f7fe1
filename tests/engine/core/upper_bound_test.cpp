#include "engine/core/upper_bound.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

namespace socialtwin {
namespace {

// The same index as std::upper_bound for every table size from 0 to 70, with runs of equal
// entries (areas without weight keep the cumulative sum where it was), for every entry, the
// values between and beyond them, and the infinities.
TEST(UpperBound, IsStdUpperBoundWhereverXFallsTiesIncluded) {
    std::mt19937 draws(7);
    for (std::size_t size = 0; size <= 70; ++size) {
        std::vector<double> table(size);
        double sum = 0;
        for (double& entry : table) entry = sum += static_cast<double>(draws() % 3);
        std::vector<double> xs{-std::numeric_limits<double>::infinity(), -1.0,
                               std::numeric_limits<double>::infinity()};
        for (const double entry : table) {
            xs.push_back(entry);
            xs.push_back(entry - 0.5);
            xs.push_back(entry + 0.5);
        }
        for (const double x : xs) {
            SCOPED_TRACE(testing::Message() << size << " entries, x " << x);
            const auto expected = static_cast<std::size_t>(
                std::upper_bound(table.begin(), table.end(), x) - table.begin());
            EXPECT_EQ(upper_bound_index(table, x), expected);
        }
    }
}

}  // namespace
}  // namespace socialtwin
