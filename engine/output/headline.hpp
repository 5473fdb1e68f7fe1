#pragma once
// The headline figures a planner reads first, in one list and one order: the console summary
// after a run (engine/output/console_summary.hpp) prints those marked `summary`, the businesscase
// of `socialtwin compare` (engine/results/compare.hpp) those marked `businesscase`. A figure
// added here appears in both places it is marked for, in this order.

#include <array>
#include <string_view>
#include <utility>

namespace socialtwin {

struct HeadlineFigure {
    // An indicator's name, or a figure derived from several: share_65 and share_80 (the share
    // of the population aged 65+ / 80+, from population_by_age_sex) and care_cost (the sum of
    // care_cost_components).
    std::string_view name;
    std::string_view label;     // in the console summary; "" where it is not printed there
    bool summary = false;       // in the console summary after a run
    bool businesscase = false;  // in the headline table of `socialtwin compare`
    // In the console summary's spread over replicates of the last year.
    bool spread = false;
};

inline constexpr std::string_view share_65 = "share_65";
inline constexpr std::string_view share_80 = "share_80";
inline constexpr std::string_view care_cost = "care_cost";

inline constexpr std::array<HeadlineFigure, 24> headline_figures{{
    {"population", "Population", true, true, true},
    {share_65, "  share 65+", true, true},
    {share_80, "  share 80+", true, true},
    {"households", "Households (private)", true, true, true},
    {"households_single", "  one-person", true, true},
    {"households_couple_no_children", "  couple, no children", true, false},
    {"households_couple_with_children", "  couple with children", true, false},
    {"households_single_parent", "  single parent", true, false},
    {"households_other", "  other", true, false},
    {"persons_institution", "Persons in institutions", true, false},
    {"dwellings_stock", "Dwelling stock", true, true},
    {"dwellings_needed", "Dwellings needed", true, true},
    {"dwelling_shortage", "Dwelling shortage", true, true},
    {"gp_contacts", "GP contacts / year", true, true, true},
    {"gp_fte_needed", "GP FTE needed", true, true},
    // A measure: the population-weighted mean over areas.
    {"gp_practice_capacity_pressure", "", false, true},
    {"distance_to_gp_practice_km", "", false, true},
    // In the businesscase followed by every wmo_clients_<service> both results have.
    {"wmo_clients", "Wmo clients", true, true},
    {"district_nursing_hours", "", false, true},
    {"cost_zvw_eur", "Cost Zvw (EUR/yr)", true, false},
    {"cost_wlz_eur", "Cost Wlz (EUR/yr)", true, false},
    {"cost_wmo_eur", "Cost Wmo (EUR/yr)", true, false},
    {"cost_jeugd_eur", "Cost Jeugd (EUR/yr)", true, false},
    {care_cost, "Care cost (EUR/yr)", false, true, true},
}};

// The costs that add up to care_cost, with their short names.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 4> care_cost_components{
    {{"cost_zvw_eur", "Zvw"},
     {"cost_wlz_eur", "Wlz"},
     {"cost_wmo_eur", "Wmo"},
     {"cost_jeugd_eur", "Jeugd"}}};

// The age a share_65 / share_80 figure counts from.
constexpr int share_from_age(std::string_view figure) { return figure == share_65 ? 65 : 80; }

}  // namespace socialtwin
