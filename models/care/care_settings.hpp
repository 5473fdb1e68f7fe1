#pragma once
// The scenario's `care` and `costs` settings, declared once and read by the care model.

#include "engine/core/enum_names.hpp"
#include "engine/core/parameters.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// Defaults are declared in care_parameters(), not here.
struct CareSettings {
    // GP capacity: a full-time GP serves a normpraktijk of `gp_normpraktijk` patients, who
    // have `gp_contacts_per_patient` contacts a year on average; so one FTE provides their
    // product in contacts, and an ageing population with more contacts per person needs more
    // FTE than its head count says.
    double gp_normpraktijk{};          // [patients per FTE] LHV normpraktijk
    double gp_contacts_per_patient{};  // [contacts per patient per year] NIVEL, domain.md
    double gp_contacts_per_fte{};      // [contacts per FTE per year] 0 = from the two above
    // Turns district-nursing (wijkverpleging) spending into hours.
    double district_nursing_eur_per_hour{};  // [EUR per hour, price year] assumption
    // Share of persons living alone who have a child nearby to give informal care; < 0 = the
    // rate set's value. Fewer children nearby means more Wmo use.
    double child_nearby_share{};  // [share]
};

// How spending figures are priced over the projection.
enum class PriceBasis {
    constant,  // prices of the rate set's price year throughout (the default)
    nominal,   // current prices: constant prices x (1 + inflation)^(year - price year)
};
inline constexpr EnumNames<PriceBasis, 2> price_basis_names{{"constant", "nominal"}};
std::string_view to_string(PriceBasis p) noexcept;

// Defaults are declared in cost_parameters(), not here.
struct CostSettings {
    PriceBasis prices{};
    // Real growth of spending per person beyond demography (more or costlier care per person),
    // compounding from the price year: x (1 + growth)^(year - price year).
    double real_growth_per_year{};  // [per year]
    double inflation_per_year{};    // [per year] only for nominal prices
};

// The `care` and `costs` blocks of the scenario: key, unit, bounds, default and meaning of each.
const Parameters<CareSettings>& care_parameters();
const Parameters<CostSettings>& cost_parameters();

// The scenario's settings, each not given taking its declared default.
CareSettings care_settings(const Scenario& scenario);
CostSettings cost_settings(const Scenario& scenario);

}  // namespace socialtwin
