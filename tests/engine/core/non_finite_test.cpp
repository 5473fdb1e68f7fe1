#include "engine/core/non_finite.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <vector>

namespace socialtwin {
namespace {

using limits = std::numeric_limits<double>;

// Finite values at every edge (the largest, the smallest, -0, negative) are finite and no NaN;
// an infinity is not finite but no NaN; every NaN is both, wherever it lies in the block.
TEST(NonFinite, EveryKindIsFoundWhereverItLiesAndNothingElse) {
    const std::vector<double> finite{limits::max(),
                                     -limits::max(),
                                     limits::denorm_min(),
                                     -limits::denorm_min(),
                                     limits::min(),
                                     -0.0,
                                     0.0,
                                     -1.5,
                                     0x1.fffffffffffffp+1022};
    std::vector<double> values;
    for (std::size_t k = 0; k < 37; ++k) values.push_back(finite[k % finite.size()]);
    EXPECT_FALSE(any_not_finite(values));
    EXPECT_FALSE(any_nan(values));
    EXPECT_FALSE(any_not_finite({}));
    EXPECT_FALSE(any_nan({}));
    const std::vector<double> infinities{limits::infinity(), -limits::infinity()};
    const std::vector<double> nans{limits::quiet_NaN(), -limits::quiet_NaN(),
                                   limits::signaling_NaN(), -limits::signaling_NaN()};
    for (const std::size_t at : {std::size_t{0}, std::size_t{18}, values.size() - 1}) {
        std::vector<double> with = values;
        for (const double inf : infinities) {
            with[at] = inf;
            EXPECT_TRUE(any_not_finite(with)) << inf << " at " << at;
            EXPECT_FALSE(any_nan(with)) << inf << " at " << at;
        }
        for (const double nan : nans) {
            with[at] = nan;
            EXPECT_TRUE(any_not_finite(with)) << "NaN at " << at;
            EXPECT_TRUE(any_nan(with)) << "NaN at " << at;
        }
    }
}

}  // namespace
}  // namespace socialtwin
