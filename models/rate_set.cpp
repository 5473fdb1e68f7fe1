#include "models/rate_set.hpp"

#include <array>

namespace socialtwin {

namespace {
constexpr std::array<std::string_view, n_household_events> event_names{
    "leaving_home",     "partnering", "separation",  "widowhood",
    "family_formation", "empty_nest", "institution", "other"};
}

std::string_view to_string(HouseholdEvent event) noexcept {
    return event_names[static_cast<std::size_t>(event)];
}

std::optional<HouseholdEvent> household_event_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < event_names.size(); ++i)
        if (event_names[i] == name) return static_cast<HouseholdEvent>(i);
    return std::nullopt;
}

}  // namespace socialtwin
