#pragma once
// Facilities: places that serve the residents of the areas around them (GP practices first;
// pharmacies, care homes, community centres ...). Plain data: the core knows a facility's type
// only as a name and its capacity only as a number in the facility's own units; what a type
// means (whose demand it meets) is for the models (models/facilities).
//
// A run's facilities are the dataset's (facilities.csv, open on 1 January of the base year)
// with a scenario's changes applied: facilities opened, closed or resized in given years.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

struct Facility {
    std::string id;              // e.g. "gp-0001"; unique in a run
    std::string type;            // e.g. "gp_practice" (see is_facility_type_name)
    std::size_t area = 0;        // index into the AreaTable
    double capacity = 0;         // [capacity_units] from the start (see capacity_changes)
    std::string capacity_units;  // e.g. "FTE"
    std::string status;          // "observed", "modelled" (placed by a method) or "scenario"
    std::string name;
    int open_year = 0;   // first year it serves; 0 = it serves from the start
    int close_year = 0;  // first year it no longer serves; 0 = it never closes
    // (year, capacity from that year on), in year order.
    std::vector<std::pair<int, double>> capacity_changes;

    bool open_in(int year) const noexcept {
        return (open_year == 0 || year >= open_year) && (close_year == 0 || year < close_year);
    }
    double capacity_in(int year) const noexcept;  // [capacity_units]
};

// A facility type names indicators (distance_to_<type>_km), so it is a lower-case identifier:
// a letter, then letters, digits and underscores.
bool is_facility_type_name(std::string_view type) noexcept;

// The facilities of a run: `base` (the dataset's) in their order, then the scenario's openings
// in theirs, with its closures and capacity changes applied. Checks every change against the
// dataset -- unknown facility ids and areas (with the nearest as a hint), ids opened twice,
// closures before the opening, a facility closed twice, bad type names -- and throws one
// InputError with every problem, each at the scenario line that holds it.
std::vector<Facility> facilities_in_scenario(std::span<const Facility> base,
                                             const Scenario& scenario, const AreaTable& areas);

}  // namespace socialtwin
