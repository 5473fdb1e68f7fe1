#include "engine/output/quantiles.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace socialtwin {

void replicate_quantiles(std::span<double> values, std::span<const double> levels,
                         std::span<double> out) {
    if (out.size() != levels.size())
        throw std::logic_error(fmt::format("replicate_quantiles: {} levels but room for {}",
                                           levels.size(), out.size()));
    const bool has_nan =
        std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
    if (values.empty() || has_nan) {
        std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
        return;
    }
    std::sort(values.begin(), values.end());
    const std::size_t last = values.size() - 1;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        // numpy 1.22+ _quantile, method 'linear', step by step: the virtual index h; its two
        // neighbours (from the last index on, both are the last value and numpy's weight is
        // then h + 1); and _lerp, which interpolates from whichever neighbour is nearer.
        const double h = static_cast<double>(last) * levels[i];
        std::size_t below = 0, above = 0;
        double weight = 0;
        if (h >= static_cast<double>(last)) {
            below = above = last;
            weight = h + 1;
        } else if (h < 0) {
            weight = h;
        } else {
            const double floor = std::floor(h);
            below = static_cast<std::size_t>(floor);
            above = below + 1;
            weight = h - floor;
        }
        const double a = values[below], b = values[above];
        const double difference = b - a;
        out[i] = weight >= 0.5 ? b - difference * (1 - weight) : a + difference * weight;
    }
}

}  // namespace socialtwin
