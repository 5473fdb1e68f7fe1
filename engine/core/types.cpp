#include "engine/core/types.hpp"

#include <fmt/format.h>

namespace socialtwin {

std::string_view to_string(Sex s) noexcept { return sex_names(s); }

std::string_view to_string(Position p) noexcept { return position_names(p); }

std::string age_band_label(int band) {
    const int low = band * age_band_width;
    if (band >= n_age_bands - 1) return fmt::format("{}+", low);
    return fmt::format("{}-{}", low, low + age_band_width - 1);
}

}  // namespace socialtwin
