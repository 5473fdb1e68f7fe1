#pragma once
// Draws that several processes of the agent core make the same way: a position from a row of
// shares, and a whole number of persons with a given expectation.

#include <bit>
#include <cmath>
#include <cstdint>

#include "engine/core/types.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The position drawn from a row of shares with one uniform number: the first whose cumulative
// share exceeds it (the last if none does). Found without a branch per position, as a mask of
// the comparisons and its lowest set bit: where a walk along the row stops depends on the draw,
// so its branch was mispredicted draw after draw (12% of in-migration's time, national run).
inline Position draw_position(const PositionShares& shares, double u) noexcept {
    double cumulative = 0;
    unsigned exceeds = 1u << (n_positions - 1);
    for (int p = 0; p < n_positions - 1; ++p) {
        cumulative += shares[static_cast<std::size_t>(p)];
        exceeds |= static_cast<unsigned>(u < cumulative) << p;
    }
    return static_cast<Position>(std::countr_zero(exceeds));
}

// A whole number whose expectation is `expected`: its integer part, plus one with probability
// equal to the fraction.
inline std::uint32_t draw_count(double expected, double u) noexcept {
    const double whole = std::floor(expected);
    return static_cast<std::uint32_t>(whole) + (u < expected - whole ? 1u : 0u);
}

}  // namespace socialtwin
