// BitRound (engine/output/bit_round.hpp): what a result file stored with
// output.significant_digits keeps exactly and how far anything else may move.
#include "engine/output/bit_round.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace socialtwin {
namespace {

TEST(BitRound, BitsForDigitsAreEnoughToTellThatManyDigitsApart) {
    EXPECT_EQ(bits_for_significant_digits(1), 4);
    EXPECT_EQ(bits_for_significant_digits(3), 10);
    EXPECT_EQ(bits_for_significant_digits(5), 17);
    EXPECT_EQ(bits_for_significant_digits(7), 24);
    EXPECT_EQ(bits_for_significant_digits(15), 50);
    for (int d = 1; d <= 15; ++d)
        EXPECT_GE(std::pow(2.0, bits_for_significant_digits(d)), std::pow(10.0, d)) << d;
}

TEST(BitRound, KeepsWholeNumbersBelowTwoToTheKeptBitsPlusOneExactly) {
    for (const int kept : {10, 17}) {
        const double limit = std::ldexp(1.0, kept + 1);
        for (double n = 0; n < limit; n += 1) ASSERT_EQ(bit_round(n, kept), n) << kept;
        for (float n = 0; n < static_cast<float>(limit); n += 1)
            ASSERT_EQ(bit_round(n, kept), n) << kept;
    }
}

TEST(BitRound, KeepsZeroInfinityAndNaN) {
    EXPECT_EQ(bit_round(0.0, 5), 0.0);
    EXPECT_TRUE(std::signbit(bit_round(-0.0, 5)));
    EXPECT_EQ(bit_round(std::numeric_limits<double>::infinity(), 5),
              std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(bit_round(std::numeric_limits<double>::quiet_NaN(), 5)));
    EXPECT_TRUE(std::isnan(bit_round(std::numeric_limits<float>::quiet_NaN(), 5)));
}

TEST(BitRound, MovesAValueByAtMostHalfItsLastKeptBitAndZeroesTheRest) {
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> magnitude(-30, 30);
    for (const int kept : {4, 10, 17, 30}) {
        for (int i = 0; i < 20000; ++i) {
            const double v = std::exp(magnitude(random)) * (i % 2 ? 1 : -1);
            const double r = bit_round(v, kept);
            ASSERT_LE(std::abs(r - v), std::ldexp(std::abs(v), -(kept + 1))) << v << " " << kept;
            const auto bits = std::bit_cast<std::uint64_t>(r);
            ASSERT_EQ(bits & ((std::uint64_t{1} << (52 - kept)) - 1), 0u) << v << " " << kept;
            const float f = static_cast<float>(v);
            const float rf = bit_round(f, kept);
            ASSERT_LE(std::abs(rf - f), std::ldexp(std::abs(f), -(kept + 1))) << f << " " << kept;
        }
    }
}

TEST(BitRound, RoundsToNearestWithTiesToEven) {
    // 1 + 2^-3 lies halfway between 1 and 1 + 2^-2 when 2 bits are kept: to the even one, 1.
    EXPECT_EQ(bit_round(1.125, 2), 1.0);
    // 1 + 3 x 2^-3 halfway between 1.25 and 1.5: to the even one, 1.5.
    EXPECT_EQ(bit_round(1.375, 2), 1.5);
    // Just above halfway rounds up; just below, down.
    EXPECT_EQ(bit_round(std::nextafter(1.125, 2.0), 2), 1.25);
    EXPECT_EQ(bit_round(std::nextafter(1.125, 0.0), 2), 1.0);
    // A carry out of the mantissa gives the next power of two.
    EXPECT_EQ(bit_round(std::nextafter(2.0, 0.0), 10), 2.0);
}

TEST(BitRound, KeepingAllBitsChangesNothing) {
    const double v = 0.1234567890123;
    EXPECT_EQ(bit_round(v, 52), v);
    EXPECT_EQ(bit_round(v, 60), v);
    const float f = 0.1234567f;
    EXPECT_EQ(bit_round(f, 23), f);
}

}  // namespace
}  // namespace socialtwin
