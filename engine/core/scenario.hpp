#pragma once
// A scenario, described: what to project, from which data, with which changes to the baseline
// rates and housing stock. Built and validated once (by engine/io from YAML, or in code), then
// shared read-only by every run that uses it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/errors.hpp"

namespace socialtwin {

// The rates a scenario can change. Each name is also the YAML key under `rates:`.
enum class RateTarget {
    mortality,         // death probability
    fertility,         // births per woman
    migration_in,      // in-migrants from outside the municipality
    migration_out,     // out-migration probability
    leaving_home,      // child leaves the parental home
    partnering,        // single starts to live together
    separation,        // couple separates
    family_formation,  // couple or single gets a first child at home
    institution,       // move into an institution (care home)
    gp_contacts,       // GP contacts per person
    wmo_home_help,     // Wmo home help (huishoudelijke hulp) per person
    wmo_support,       // Wmo support (begeleiding, dagbesteding) per person
    wmo_aids,          // Wmo aids and home adaptations (hulpmiddelen, woonvoorzieningen)
    district_nursing,  // district nursing (wijkverpleging) per person
};
inline constexpr int n_rate_targets = 14;

enum class SexFilter { both, male, female };

// One change to a rate: from `from_year` on, the baseline rate is multiplied by
// factor * (1 + trend)^(year - from_year); after `to_year` the level reached then is held.
struct RateChange {
    double factor = 1.0;  // [x baseline]
    double trend = 0.0;   // [relative change per year]
    int from_year = 0;    // first year the change applies (0 = the base year, the first year of
                          // projected flows)
    int to_year = 0;      // last year the change grows (0 = the horizon)
    int age_min = 0;      // [years] inclusive
    int age_max = 105;    // [years] inclusive; 105 = 105+
    SexFilter sex = SexFilter::both;
};

enum class DwellingType { single_family, multi_family };
// Who owns a dwelling: its occupant, a housing corporation (woningcorporatie), another landlord.
enum class Tenure { owner, social_rent, private_rent };

// Dwellings added to (or, negative, demolished from) an area's stock in a year.
struct ConstructionProject {
    std::string name;      // for reports; may be empty
    int year = 0;          // dwellings are ready for occupation during this year
    std::string area;      // area code, e.g. "2533AB" or "BU05183284"
    double dwellings = 0;  // [dwellings]
    DwellingType type = DwellingType::multi_family;
    // None: new dwellings take the area's tenure mix of their type, demolition takes the
    // dwellings of the type in proportion to their tenures (models/housing/dwelling_stock.hpp).
    std::optional<Tenure> tenure;
    double occupancy = 0;  // [persons per dwelling] 0 = the scenario's housing default
    SourceLocation where;  // where it was declared, for errors found later (e.g. unknown area)
};

// Changes to the facilities of the dataset (engine/core/facilities.hpp). Each takes effect for
// the whole of its year: an opened facility serves from `year` on, a closed one no longer serves
// in `year`, a resized one has its new capacity from `year` on.
struct FacilityOpening {
    std::string id;        // "" = "<type>-<area>-<year>"
    std::string type;      // e.g. "gp_practice"
    std::string area;      // area code
    int year = 0;          // first year it serves
    double capacity = 0;   // [units of the type in the dataset, e.g. FTE]
    std::string name;      // for reports; may be empty
    SourceLocation where;  // where it was declared, for errors found with the dataset
};
struct FacilityClosure {
    std::string facility;  // id
    int year = 0;          // first year it no longer serves
    SourceLocation where;
};
struct FacilityResize {
    std::string facility;  // id
    int year = 0;          // first year of the new capacity
    double capacity = 0;   // [units of the facility]
    SourceLocation where;
};
struct FacilityChanges {
    std::vector<FacilityOpening> open;
    std::vector<FacilityClosure> close;
    std::vector<FacilityResize> resize;
};

// Whether in-migration is limited by the room in the dwelling stock (the usual assumption of
// local housing-led projections) or follows the rates regardless (shows the demand).
enum class MigrationMode { housing_led, demand_led };

struct HousingSettings {
    MigrationMode migration = MigrationMode::housing_led;
    double frictional_vacancy = 0.02;     // [share of stock] vacancy needed for moves to happen
    double persons_per_new_dwelling = 0;  // [persons] 0 = the rate set's mean household size
    // [x] how much more a household moving inside the municipality is drawn to each vacant
    // dwelling of its own buurt than to one elsewhere (an assumption; 1 = no preference).
    double own_buurt_weight = 3.0;
};

// Which core projects the population: the same rates and models either way.
enum class CoreKind {
    cohort,  // deterministic cohort-component projection (expected flows)
    agent,   // microsimulation of persons (random draws), replicates give the spread
};

struct CareSettings {
    // GP capacity: a full-time GP serves a normpraktijk of `gp_normpraktijk` patients, who
    // have `gp_contacts_per_patient` contacts a year on average; so one FTE provides their
    // product in contacts, and an ageing population with more contacts per person needs more
    // FTE than its head count says.
    double gp_normpraktijk = 2095;       // [patients per FTE] LHV normpraktijk
    double gp_contacts_per_patient = 5;  // [contacts per patient per year] NIVEL, domain.md
    double gp_contacts_per_fte = 0;      // [contacts per FTE per year] 0 = from the two above
    // Turns district-nursing (wijkverpleging) spending into hours.
    double district_nursing_eur_per_hour = 75;  // [EUR per hour, price year] assumption
    // Share of persons living alone who have a child nearby to give informal care; 0 = the
    // rate set's value. Fewer children nearby means more Wmo use.
    double child_nearby_share = -1;  // [share] < 0 = the rate set's value
};

// How spending figures are priced over the projection.
enum class PriceBasis {
    constant,  // prices of the rate set's price year throughout (the default)
    nominal,   // current prices: constant prices x (1 + inflation)^(year - price year)
};

struct CostSettings {
    PriceBasis prices = PriceBasis::constant;
    // Real growth of spending per person beyond demography (more or costlier care per person),
    // compounding from the price year: x (1 + growth)^(year - price year).
    double real_growth_per_year = 0;   // [per year]
    double inflation_per_year = 0.02;  // [per year] only for nominal prices
};

struct BusinesscaseSettings {
    // Real discount rate for present values of scenario-minus-baseline cost differences:
    // 2.25%, the rate the Dutch government prescribes for social cost-benefit analyses
    // (Werkgroep discontovoet 2020).
    double discount_rate = 0.0225;  // [per year]
};

struct Scenario {
    std::string name;         // from the file name unless given
    std::string description;  // free text
    std::string dataset;      // dataset name (resolved in the data directory) or a path
    int base_year = 0;        // 0 = the dataset's base year
    int horizon = 30;         // [years] projected after the base year
    std::uint64_t seed = 1;   // random seed (used by the agent core)
    CoreKind core = CoreKind::cohort;
    int replicates = 1;  // runs of the scenario, each with its own random streams
    std::map<RateTarget, std::vector<RateChange>> rate_changes;
    std::vector<ConstructionProject> construction;
    FacilityChanges facilities;
    HousingSettings housing;
    CareSettings care;
    CostSettings costs;
    BusinesscaseSettings businesscase;

    // Where it came from, for the output's metadata.
    std::string source_path;  // the file given on the command line
    std::string source_text;  // its YAML text after `extends:` was resolved
};

std::string_view to_string(RateTarget t) noexcept;
std::optional<RateTarget> rate_target_from_string(std::string_view name) noexcept;
std::string_view to_string(DwellingType t) noexcept;
std::string_view to_string(Tenure t) noexcept;
std::string_view to_string(PriceBasis p) noexcept;

// The multiplier a scenario applies to `target` for a person of `sex` and `age` in `year`:
// the product of every matching change (1 when none applies).
double rate_multiplier(const Scenario& scenario, RateTarget target, int year, int sex, int age);

}  // namespace socialtwin
