#include "engine/core/scenario.hpp"

#include <cmath>

namespace socialtwin {

std::string_view to_string(DwellingType t) noexcept { return dwelling_type_names(t); }

std::string_view to_string(Tenure t) noexcept { return tenure_names(t); }

const Parameters<Scenario>& scenario_parameters() {
    static const Parameters<Scenario> parameters = [] {
        Parameters<Scenario> p;
        p.block({.path = "businesscase",
                 .meaning = "Settings for comparing this scenario with a baseline (`socialtwin "
                            "compare`)."});
        p.number(&Scenario::discount_rate,
                 {.path = "businesscase.discount_rate",
                  .default_number = default_discount_rate,
                  .unit = "per year",
                  .min = at_least(0),
                  .max = at_most(0.2),
                  .expected = "a yearly rate in {min}..{max} (a fraction a year: 0.0225 = 2.25% a "
                              "year)",
                  .fraction = true,
                  .meaning = "Real discount rate for the present value (NPV) of cost differences "
                             "with the baseline: 2.25%, the rate the Dutch government prescribes "
                             "for social cost-benefit analyses (Werkgroep discontovoet 2020). At "
                             "most 20%: beyond, nothing after the first few years counts."});
        return p;
    }();
    return parameters;
}

double rate_multiplier(const Scenario& scenario, const RateLever& lever, int year, int sex,
                       int age) {
    const auto it = scenario.rate_changes.find(lever.name);
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
