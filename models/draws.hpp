#pragma once
// Draws that several processes of the agent core make the same way: a position from a row of
// shares, and a whole number of persons with a given expectation.

#include <cmath>
#include <cstdint>

#include "engine/core/types.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The position drawn from a row of shares with one uniform number.
inline Position draw_position(const PositionShares& shares, double u) noexcept {
    double cumulative = 0;
    for (int p = 0; p < n_positions - 1; ++p) {
        cumulative += shares[static_cast<std::size_t>(p)];
        if (u < cumulative) return static_cast<Position>(p);
    }
    return static_cast<Position>(n_positions - 1);
}

// A whole number whose expectation is `expected`: its integer part, plus one with probability
// equal to the fraction.
inline std::uint32_t draw_count(double expected, double u) noexcept {
    const double whole = std::floor(expected);
    return static_cast<std::uint32_t>(whole) + (u < expected - whole ? 1u : 0u);
}

}  // namespace socialtwin
