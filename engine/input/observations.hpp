#pragma once
// Observation folders (data/observations/NAME/): what was really counted, to monitor a projection
// against. Two files:
//
//   observation.yaml   name, level (the area attribute the projection is aggregated to before
//                      comparing, e.g. pc4 or gemeente, or the projection's own area level),
//                      and optionally title, description, dataset, also_matches, provenance
//                      (other keys are kept as they are but not used)
//   observed.csv       exactly the columns area,year,indicator,sex,age_band,value: one observed
//                      value per row; sex and age_band filled only for population_by_age_sex
//
// Both are input: every problem (an unknown indicator or area code, a number that is not one, a
// duplicate row ...) is reported as file:line:column with the column and what was expected.

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/errors.hpp"

namespace socialtwin {

// The indicators an observation may hold (observed.csv's `indicator`).
inline constexpr std::array<std::string_view, 6> observable_indicators{
    "population",        "population_by_age_sex",    "households",
    "households_single", "households_single_parent", "dwellings_stock"};
// The one of them with sex and age_band filled.
inline constexpr std::string_view observed_by_age_sex = "population_by_age_sex";

struct ObservationInfo {
    std::filesystem::path folder;
    std::filesystem::path yaml;  // empty when there is none (a bare observed.csv with a level)
    std::filesystem::path csv;
    std::string name;
    std::string title;
    std::string level;
    SourceLocation level_at;  // where `level` was set, for problems with it
    std::string dataset;
    std::vector<std::string> also_matches;  // other datasets it applies to
    std::string provenance;                 // the `provenance` entry as YAML text
};

// Reads observation.yaml of `path`: a folder holding observation.yaml and observed.csv, or an
// observed .csv file (with observation.yaml beside it, if any). `level`, when given, overrides
// the YAML's (and is needed for a .csv without observation.yaml). Throws InputError.
ObservationInfo read_observation_info(const std::filesystem::path& path,
                                      const std::string& level = {});

// What observed.csv may contain, from the projection it is compared with.
struct ObservationVocabulary {
    std::vector<std::string> areas;  // the codes at the observation's level
    std::vector<std::string> sexes;
    std::vector<std::string> age_bands;
};

struct ObservedRow {
    std::string area;
    int year = 0;
    std::string indicator;
    std::string sex;       // "" unless population_by_age_sex
    std::string age_band;  // "" unless population_by_age_sex
    double value = 0;
    int line = 0;
};

// Reads and checks observed.csv; throws InputError with every problem found.
std::vector<ObservedRow> read_observed(const ObservationInfo& info,
                                       const ObservationVocabulary& vocabulary);

}  // namespace socialtwin
