#include "engine/core/scenario.hpp"

#include <array>
#include <cmath>

namespace socialtwin {

namespace {
constexpr std::array<std::string_view, n_rate_targets> rate_target_names{
    "mortality",     "fertility",   "migration_in",     "migration_out",   "leaving_home",
    "partnering",    "separation",  "family_formation", "institution",     "gp_contacts",
    "wmo_home_help", "wmo_support", "wmo_aids",         "district_nursing"};
}

std::string_view to_string(RateTarget t) noexcept {
    return rate_target_names[static_cast<std::size_t>(t)];
}

std::optional<RateTarget> rate_target_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < rate_target_names.size(); ++i)
        if (rate_target_names[i] == name) return static_cast<RateTarget>(i);
    return std::nullopt;
}

std::string_view to_string(DwellingType t) noexcept {
    return t == DwellingType::single_family ? "single_family" : "multi_family";
}

std::string_view to_string(Tenure t) noexcept {
    return t == Tenure::owner ? "owner" : t == Tenure::social_rent ? "social_rent" : "private_rent";
}

std::string_view to_string(PriceBasis p) noexcept {
    return p == PriceBasis::nominal ? "nominal" : "constant";
}

double rate_multiplier(const Scenario& scenario, RateTarget target, int year, int sex, int age) {
    const auto it = scenario.rate_changes.find(target);
    if (it == scenario.rate_changes.end()) return 1.0;
    // Flows are projected from the base year on (stocks are observed on 1 January of it).
    const int first_year = scenario.base_year;
    const int last_year = scenario.base_year + scenario.horizon;
    double multiplier = 1.0;
    for (const RateChange& change : it->second) {
        if (age < change.age_min || age > change.age_max) continue;
        if (change.sex == SexFilter::male && sex != 0) continue;
        if (change.sex == SexFilter::female && sex != 1) continue;
        const int from = change.from_year > 0 ? change.from_year : first_year;
        const int to = change.to_year > 0 ? change.to_year : last_year;
        if (year < from) continue;
        // Trends compound from the first year on and the level reached at `to` is held.
        const int years_of_trend = (year < to ? year : to) - from;
        multiplier *= change.factor * std::pow(1.0 + change.trend, years_of_trend);
    }
    return multiplier;
}

}  // namespace socialtwin
