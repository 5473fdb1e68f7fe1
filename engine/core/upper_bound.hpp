#pragma once
// std::upper_bound over sorted doubles without a branch per step: where a uniform number picks
// an entry of a long cumulative table (a market's areas, thousands of PC6 areas a municipality),
// each step of the standard search goes one way or the other at random, and about every other
// one is a mispredicted branch. Here each step is a conditional move; the answer is the same
// index (the first entry greater than x; the size when there is none), ties included.

#include <cstddef>
#include <span>

namespace socialtwin {

inline std::size_t upper_bound_index(std::span<const double> sorted, double x) noexcept {
    if (sorted.empty()) return 0;
    // The answer lies in [first, first + n]: halved until one entry is left to ask.
    const double* first = sorted.data();
    std::size_t n = sorted.size();
    while (n > 1) {
        const std::size_t half = n / 2;
        first = first[half] <= x ? first + half : first;
        n -= half;
    }
    return static_cast<std::size_t>(first - sorted.data()) + (*first <= x ? 1 : 0);
}

}  // namespace socialtwin
