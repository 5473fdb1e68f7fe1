#pragma once
// The baseline rates every model reads: one table per process, by sex and single age, as
// derived from CBS, Vektis and CPB tables by data/prepare/prepare_data.py. Plain data, loaded
// by engine/input and shared read-only by both cores. Scenarios never change a RateSet; models
// apply a scenario's multipliers on top of it, year by year.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/types.hpp"

namespace socialtwin {

template <class T>
using BySexAge = std::array<std::array<T, n_ages>, n_sexes>;
using PositionShares = std::array<double, n_positions>;

// Household events, each with its own scenario lever (see household_event_lever).
enum class HouseholdEvent {
    leaving_home,
    partnering,
    separation,
    widowhood,
    family_formation,
    empty_nest,
    institution,
    other,
};
inline constexpr int n_household_events = 8;
std::string_view to_string(HouseholdEvent event) noexcept;
std::optional<HouseholdEvent> household_event_from_string(std::string_view name) noexcept;

// Probability per year that a person of `sex`, aged `age` on 1 January and alive at the end of
// the year, moves from one household position to another through `event`.
struct HouseholdTransition {
    Sex sex = Sex::male;
    int age = 0;
    HouseholdEvent event = HouseholdEvent::other;
    Position from = Position::child_at_home;
    Position to = Position::child_at_home;
    double rate = 0;  // [probability per year]
};

// Vektis care categories of health-insurance (Zvw) spending, in the column order of
// zvw_categories.csv.
inline constexpr std::array<std::string_view, 11> zvw_categories{
    "gp",     "hospital",    "pharmacy",  "district_nursing", "mental_health", "aids",
    "dental", "paramedical", "maternity", "transport",        "other"};
inline constexpr int n_zvw_categories = static_cast<int>(zvw_categories.size());

// Wmo services reported apart, in the column order of wmo_services.csv.
inline constexpr std::array<std::string_view, 3> wmo_services{"home_help", "support", "aids"};
inline constexpr int n_wmo_services = static_cast<int>(wmo_services.size());

// A gemeente's recorded migration (CBS 37259eng), per inhabitant per year; `gemeente` as the
// datasets' areas spell it in their `gemeente` column (a code or a name).
struct GemeenteMigration {
    std::string gemeente;
    double immigration = 0;  // [persons per inhabitant per year]
    double emigration = 0;
    double moves_in = 0;   // from other gemeenten
    double moves_out = 0;  // to other gemeenten
    // Factors by sex and age at year end on the rate set's moves-in share and moves-out
    // probability for this gemeente (migration_age_by_gemeente.csv, modelled from the gemeente's
    // observed age structure: students arriving, graduates and families leaving); 1 where the
    // file gives none. The recorded totals above still hold: the engine renormalises.
    BySexAge<double> moves_in_age_factor = filled(1.0);
    BySexAge<double> moves_out_age_factor = filled(1.0);

    static constexpr BySexAge<double> filled(double value) noexcept {
        BySexAge<double> table{};
        for (auto& by_age : table) by_age.fill(value);
        return table;
    }
};

struct RateSet {
    std::string name;                               // e.g. "denhaag-2019"
    int reference_year = 0;                         // year the rates describe
    std::map<std::string, std::string> provenance;  // for the output's metadata

    // Demography
    // Mortality (mortality.csv, rates.yaml). CBS gives q by age on 31 December; the rate set
    // stores it on the engine's convention, age on 1 January: death_probability[a] = CBS q(a+1)
    // (docs/model.md, "Mortality").
    BySexAge<double> death_probability{};  // [probability per year] in the reference year
    // [per year] annual rate of decline of death_probability from the reference year on:
    // q(year) = q x (1 - r)^(year - reference_year).
    BySexAge<double> mortality_improvement{};
    // Babies born in the year who die in it: CBS q(0) on 31 December, and its rate of decline.
    std::array<double, n_sexes> newborn_death_probability{};      // [probability]
    std::array<double, n_sexes> newborn_mortality_improvement{};  // [per year]
    double mortality_factor = 1.0;  // [x national level] the area's mortality level, every age

    // Fertility: fertility.csv scaled by TFR(year) / fertility_tfr_reference, the national TFR
    // moving linearly from fertility_tfr_reference (reference year) to fertility_tfr_long_run
    // over fertility_years_to_long_run years. Equal levels: no path.
    std::array<double, n_ages> fertility{};  // [births per woman per year], age on 1 January
    double fertility_tfr_reference = 1.0;    // [children per woman]
    double fertility_tfr_long_run = 1.0;     // [children per woman]
    int fertility_years_to_long_run = 0;     // [years]
    double male_share_at_birth = 0.512;      // [share of births]

    // Migration across the municipal border, four flows (docs/model.md, "Migration"), by sex and
    // age at year end. Outflows: probabilities at the rate set's reference population, which the
    // engine scales per gemeente to its recorded rate (migration_by_gemeente); inflows: the
    // flow's persons by sex and age, as shares.
    BySexAge<double> emigration{};           // [probability per year] abroad
    BySexAge<double> moves_out{};            // [probability per year] to another gemeente
    BySexAge<double> immigration_profile{};  // [share of immigrants], sums to 1
    BySexAge<double> moves_in_profile{};     // [share of persons moving in], sums to 1
    // Inflows of an area whose gemeente has no row in migration_by_gemeente (outflows: the
    // probabilities above as they are).
    double immigrants_per_inhabitant = 0;  // [persons per inhabitant per year]
    double moves_in_per_inhabitant = 0;    // [persons per inhabitant per year]
    std::vector<GemeenteMigration> migration_by_gemeente;
    // Moves to another dwelling inside the municipality, with the age profile of emigration +
    // moves out: move rate = (emigration + moves_out) x internal_moves / out_migrants.
    double out_migrants_per_inhabitant = 0;    // [persons per inhabitant per year]
    double internal_moves_per_inhabitant = 0;  // [moves per inhabitant per year] 0 = none

    // Households
    BySexAge<PositionShares> position_shares{};  // [share] base-year positions by sex and age
    std::vector<HouseholdTransition> transitions;
    double persons_per_household = 2.0;            // [persons] mean private household size
    double other_households_per_other_member = 0;  // [households per person]
    // [years] mean age gap of partners, the man older (CBS 71488ned): widowhood here and in the
    // rates assumes it, and the agent core pairs its partners at it
    double partner_age_gap = 2.0;
    // [per year] relative rise of the share living alone at each sex and age beyond what the
    // ageing of the population gives (CBS 37975 and 71488ned, 2011-2019): the baseline trend
    double living_alone_trend = 0.0;

    // Care use and cost per person per year
    BySexAge<double> gp_contacts{};             // [contacts per person per year]
    BySexAge<double> wmo_client_probability{};  // [probability of being a Wmo client]
    BySexAge<double> zvw_eur{};                 // [EUR per person per year]
    BySexAge<double> wlz_eur{};
    BySexAge<double> wmo_eur{};
    BySexAge<double> jeugd_eur{};
    // [share of zvw_eur] by Vektis care category; sums to 1 per sex and age.
    std::array<BySexAge<double>, n_zvw_categories> zvw_category_share{};
    // Wmo services (wmo_services.csv, modelled assumptions): the share of Wmo clients of each
    // sex and age using the service; its use by a person living alone relative to one sharing a
    // household, and the further factor when no child lives nearby; and the share of persons
    // living alone with a child nearby (informal care).
    std::array<BySexAge<double>, n_wmo_services> wmo_service_share{};
    std::array<BySexAge<double>, n_wmo_services> wmo_alone_factor{};
    std::array<BySexAge<double>, n_wmo_services> wmo_no_child_factor{};
    BySexAge<double> child_nearby_share{};
    double zvw_cost_factor = 1.0;    // [x national age-sex level] the municipality's Zvw level
    int price_year = 0;              // prices of the EUR figures
    double gp_contacts_per_fte = 0;  // [contacts per GP FTE per year]
};

}  // namespace socialtwin
