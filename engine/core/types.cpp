#include "engine/core/types.hpp"

#include <fmt/format.h>

namespace socialtwin {

std::string_view to_string(Sex s) noexcept { return s == Sex::male ? "male" : "female"; }

std::string_view to_string(Position p) noexcept {
    switch (p) {
        case Position::child_at_home:
            return "child_at_home";
        case Position::living_alone:
            return "living_alone";
        case Position::partner_no_children:
            return "partner_no_children";
        case Position::partner_with_children:
            return "partner_with_children";
        case Position::single_parent:
            return "single_parent";
        case Position::other_member:
            return "other_member";
        case Position::institution:
            return "institution";
    }
    return "?";
}

std::string age_band_label(int band) {
    const int low = band * age_band_width;
    if (band >= n_age_bands - 1) return fmt::format("{}+", low);
    return fmt::format("{}-{}", low, low + age_band_width - 1);
}

}  // namespace socialtwin
