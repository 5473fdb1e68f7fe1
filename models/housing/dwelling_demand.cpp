#include "models/housing/dwelling_demand.hpp"

#include <cmath>
#include <numeric>

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr std::size_t n_cells = n_household_types * n_head_age_bands;

// p(type | cell) from the seed and one factor per dwelling type (the IPF column factors; the
// row factors cancel out of a share).
DwellingPreference preference(const std::array<double, n_dwelling_types>& factor) noexcept {
    DwellingPreference pref;
    for (int h = 0; h < n_household_types; ++h)
        for (int b = 0; b < n_head_age_bands; ++b) {
            const double seed = single_family_seed[at(h)][at(b)];
            const std::array<double, n_dwelling_types> w{seed * factor[0],
                                                         (1.0 - seed) * factor[1]};
            const double sum = w[0] + w[1];
            for (int t = 0; t < n_dwelling_types; ++t)
                pref.share[at(t)][type_head_age_cell(h, b)] = sum > 0 ? w[at(t)] / sum : 0.0;
        }
    return pref;
}
}  // namespace

DwellingPreference seed_preference() noexcept { return preference({1.0, 1.0}); }

DwellingPreference fit_preference(const HouseholdsByTypeAndHeadAge& households,
                                  const std::array<double, n_dwelling_types>& stock_by_type) {
    const double n_households = std::accumulate(households.begin(), households.end(), 0.0);
    const double n_dwellings = stock_by_type[0] + stock_by_type[1];
    if (n_households <= 0 || n_dwellings <= 0) return seed_preference();
    std::array<double, n_dwelling_types> target{};
    for (int t = 0; t < n_dwelling_types; ++t)
        target[at(t)] = n_households * stock_by_type[at(t)] / n_dwellings;

    // The table households x seed, raked to its column margins (target) and row margins
    // (households) in turn.
    std::array<std::array<double, n_cells>, n_dwelling_types> table{};
    for (std::size_t c = 0; c < n_cells; ++c) {
        const double seed = single_family_seed[c / n_head_age_bands][c % n_head_age_bands];
        table[0][c] = households[c] * seed;
        table[1][c] = households[c] * (1.0 - seed);
    }
    std::array<double, n_dwelling_types> factor{1.0, 1.0};
    constexpr int max_iterations = 10'000;
    int iteration = 0;
    for (; iteration < max_iterations; ++iteration) {
        double error = 0;
        for (int t = 0; t < n_dwelling_types; ++t) {
            const double sum = std::accumulate(table[at(t)].begin(), table[at(t)].end(), 0.0);
            const double f = sum > 0 ? target[at(t)] / sum : 0.0;
            error = std::max(error, std::abs(sum - target[at(t)]) / n_households);
            factor[at(t)] *= f;
            for (double& x : table[at(t)]) x *= f;
        }
        for (std::size_t c = 0; c < n_cells; ++c) {
            const double sum = table[0][c] + table[1][c];
            if (sum <= 0) continue;
            error = std::max(error, std::abs(sum - households[c]) / n_households);
            for (auto& column : table) column[c] *= households[c] / sum;
        }
        if (error < 1e-12) break;
    }
    DwellingPreference pref = preference(factor);
    pref.iterations = iteration + 1;
    return pref;
}

}  // namespace socialtwin
