#pragma once
// A scenario, described: what to project, from which data, with which changes to the baseline
// rates and housing stock. Built and validated once (by engine/input from YAML, or in code),
// then shared read-only by every run that uses it. The settings of the models are no fields
// here: each model declares its parameters and binds them from Scenario::parameters
// (engine/core/parameters.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/enum_names.hpp"
#include "engine/core/errors.hpp"
#include "engine/core/parameters.hpp"

namespace socialtwin {

enum class SexFilter { both, male, female };
inline constexpr EnumNames<SexFilter, 3> sex_filter_names{{"both", "male", "female"}};

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
inline constexpr EnumNames<DwellingType, 2> dwelling_type_names{{"single_family", "multi_family"}};
// Who owns a dwelling: its occupant, a housing corporation (woningcorporatie), another landlord.
enum class Tenure { owner, social_rent, private_rent };
inline constexpr EnumNames<Tenure, 3> tenure_names{{"owner", "social_rent", "private_rent"}};

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
    // Who the new dwellings are for, by the name of a group the housing models define
    // (models/housing/dwellings_for.hpp); empty = anyone. The core does not interpret it.
    std::string intended_for;
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

// One `align:` entry: a table of target populations the projection is fixed to (LIAM2's
// align(), the PBL/CBS regional projection's alignment to the national one). The loader fills
// what the scenario says; binding it to the dataset (engine/input/alignment_table.hpp) reads
// the table and fills the rest, so a model sees only areas, cells and numbers.
struct AlignmentTable {
    std::string table{};     // the table's file, as resolved from the scenario file's folder
    std::string level{};     // "total", the dataset's area level, or another column of areas.csv
    int from_year = 0;       // first target year aligned (0 = every year the table has)
    int to_year = 0;         // last target year aligned (0 = every year the table has)
    SourceLocation where{};  // the entry (key path `align[i]`), for problems found later

    // Filled from the table against the dataset:
    std::vector<std::string> regions{};  // codes of the table's regions ("total": one)
    std::vector<int> region_of_area{};   // per area: index into regions, -1 = not aligned
    bool by_sex = false;                 // targets per sex (a `sex` column)
    std::vector<std::pair<int, int>> age_groups{};  // [min, max] ages, ascending; one 0..105
                                                    // group when the table has no `age_band`
    // [persons] on 1 January of the key year, at [region][sex group][age group] (sex groups:
    // male, female when by_sex, else one); NaN where the table gives no target.
    std::map<int, std::vector<double>> targets{};

    std::size_t sex_groups() const noexcept { return by_sex ? 2 : 1; }
    std::size_t cells_per_region() const noexcept { return sex_groups() * age_groups.size(); }
};

// Which core projects the population: the same rates and models either way.
enum class CoreKind {
    cohort,  // deterministic cohort-component projection (expected flows)
    agent,   // microsimulation of persons (random draws), replicates give the spread
};
inline constexpr EnumNames<CoreKind, 2> core_names{{"cohort", "agent"}};

// The real discount rate for present values of scenario-minus-baseline cost differences
// (`socialtwin compare`): 2.25%, the rate the Dutch government prescribes for social cost-benefit
// analyses (Werkgroep discontovoet 2020). Declared as businesscase.discount_rate by
// scenario_parameters(); compare uses it for results that do not record their own.
inline constexpr double default_discount_rate = 0.0225;  // [per year]

struct Scenario {
    std::string name;         // from the file name unless given
    std::string description;  // free text
    std::string dataset;      // dataset name (resolved in the data directory) or a path
    int base_year = 0;        // 0 = the dataset's base year
    int horizon = 30;         // [years] projected after the base year
    std::uint64_t seed = 1;   // random seed (used by the agent core)
    CoreKind core = CoreKind::cohort;
    int replicates = 1;  // runs of the scenario, each with its own random streams
    // Changes to baseline rates by rate lever name (the key under `rates:`), as the models
    // declare their levers (RateLever); a lever not named keeps its baseline.
    std::map<std::string, std::vector<RateChange>, std::less<>> rate_changes;
    std::vector<ConstructionProject> construction;
    FacilityChanges facilities;
    // The values given for the parameters the models declare (models/registry.hpp), by key
    // path; each model binds its own settings from them, with its declared defaults.
    ParameterValues parameters;
    double discount_rate = default_discount_rate;  // [per year] businesscase.discount_rate
    // Tables the projection is aligned to, in the order given; none by default (the baseline
    // must be right on its own).
    std::vector<AlignmentTable> alignment;

    // Where it came from, for the output's metadata.
    std::string source_path;  // the file given on the command line
    std::string source_text;  // its YAML text after `extends:` was resolved
};

std::string_view to_string(DwellingType t) noexcept;
std::string_view to_string(Tenure t) noexcept;

// The scenario keys the core itself binds from declarations: the businesscase block, read by
// `socialtwin compare` and written to the result's /meta.
const Parameters<Scenario>& scenario_parameters();

// The multiplier a scenario applies to `lever` for a person of `sex` and `age` in `year`:
// the product of every matching change (1 when none applies).
double rate_multiplier(const Scenario& scenario, const RateLever& lever, int year, int sex,
                       int age);

}  // namespace socialtwin
