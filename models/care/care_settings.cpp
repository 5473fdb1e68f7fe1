#include "models/care/care_settings.hpp"

namespace socialtwin {

std::string_view to_string(PriceBasis p) noexcept { return price_basis_names(p); }

const Parameters<CareSettings>& care_parameters() {
    static const Parameters<CareSettings> parameters = [] {
        Parameters<CareSettings> p;
        p.block({.path = "care", .meaning = "Settings of the care models."});
        p.number(&CareSettings::gp_normpraktijk,
                 {.path = "care.gp_normpraktijk",
                  .default_number = 2095,
                  .unit = "patients per FTE",
                  .min = at_least(500),
                  .max = at_most(5000),
                  .expected = "patients per full-time GP in {min}..{max}",
                  .meaning = "Patients one full-time GP (huisarts) serves: the normpraktijk of "
                             "the LHV (Landelijke Huisartsen Vereniging), 2,095 patients per "
                             "FTE. With `gp_contacts_per_patient` it gives the contacts one FTE "
                             "provides, which turn projected contacts into the GP FTE needed. "
                             "500..5,000: Dutch practices range around 1,500..3,000 patients per "
                             "FTE."});
        p.number(&CareSettings::gp_contacts_per_patient,
                 {.path = "care.gp_contacts_per_patient",
                  .default_number = 5,
                  .unit = "contacts per patient per year",
                  .min = at_least(1),
                  .max = at_most(20),
                  .expected = "GP contacts per patient per year in {min}..{max}",
                  .meaning = "Mean GP contacts of a patient in the normpraktijk (NIVEL: about 5 a "
                             "year). An older population with more contacts per person needs "
                             "more FTE than its head count says. 1..20: even the oldest age "
                             "groups average well below 20."});
        p.number(&CareSettings::gp_contacts_per_fte,
                 {.path = "care.gp_contacts_per_fte",
                  .default_number = 0,
                  .default_text = "`gp_normpraktijk` x `gp_contacts_per_patient`",
                  .unit = "contacts per FTE per year",
                  .min = at_least(500),
                  .max = at_most(100'000),
                  .expected = "GP contacts per full-time GP per year in {min}..{max}",
                  .meaning = "GP contacts one full-time GP provides in a year, given directly; "
                             "overrides the normpraktijk. 500..100,000: the products of the "
                             "bounds of the two keys above."});
        p.number(&CareSettings::district_nursing_eur_per_hour,
                 {.path = "care.district_nursing_eur_per_hour",
                  .default_number = 75,
                  .unit = "EUR per hour (price year of the rate set)",
                  .min = at_least(10),
                  .max = at_most(500),
                  .expected = "EUR per hour in {min}..{max}",
                  .meaning = "Cost of one hour of district nursing (wijkverpleging): turns its "
                             "Zvw spending into hours. The default is an assumption near the NZa "
                             "maximum tariffs of 2022 for personal care and nursing; use your "
                             "contracted tariff. 10..500 spans any contract."});
        p.number(&CareSettings::child_nearby_share,
                 {.path = "care.child_nearby_share",
                  .default_number = -1,
                  .default_text = "the rate set's value",
                  .unit = "share",
                  .min = at_least(0),
                  .max = at_most(1),
                  .expected = "a share in {min}..{max} (0.4 = 40%)",
                  .fraction = true,
                  .meaning = "Share of persons living alone who have a child nearby to give "
                             "informal care (mantelzorg). Those without one use more Wmo "
                             "support."});
        return p;
    }();
    return parameters;
}

const Parameters<CostSettings>& cost_parameters() {
    static const Parameters<CostSettings> parameters = [] {
        Parameters<CostSettings> p;
        p.block({.path = "costs", .meaning = "How spending is priced over the projection."});
        p.choice(&CostSettings::prices, price_basis_names, PriceBasis::constant,
                 {.path = "costs.prices",
                  .meaning = "`constant`: every EUR figure in prices of the rate set's price year "
                             "(2022). `nominal`: current prices, inflated by "
                             "`inflation_per_year` from the price year."});
        p.number(&CostSettings::real_growth_per_year,
                 {.path = "costs.real_growth_per_year",
                  .default_number = 0,
                  .unit = "per year",
                  .min = at_least(-0.1),
                  .max = at_most(0.1),
                  .expected = "a yearly growth from {min} to {max} (a fraction a year: 0.015 = "
                              "1.5% a year)",
                  .fraction = true,
                  .meaning = "Real growth of spending per person beyond demography (more or "
                             "costlier care per person), compounding from the price year. The "
                             "default 0 shows the effect of the population alone; e.g. 0.015 for "
                             "1.5% a year. At most 10% a year either way: over 30 years that is "
                             "already a factor of 17, or 0.04."});
        p.number(&CostSettings::inflation_per_year,
                 {.path = "costs.inflation_per_year",
                  .default_number = 0.02,
                  .unit = "per year",
                  .min = at_least(-0.1),
                  .max = at_most(0.2),
                  .expected = "a yearly inflation from {min} to {max} (a fraction a year: 0.02 = "
                              "2% a year)",
                  .fraction = true,
                  .meaning = "Price inflation for `prices: nominal` (default: the ECB's 2% "
                             "target). A yearly average over the projection: -0.1..0.2, where "
                             "Dutch consumer prices rose by 10% in 2022, the most in fifty "
                             "years."});
        return p;
    }();
    return parameters;
}

CareSettings care_settings(const Scenario& scenario) {
    return care_parameters().bind(scenario.parameters);
}

CostSettings cost_settings(const Scenario& scenario) {
    return cost_parameters().bind(scenario.parameters);
}

}  // namespace socialtwin
