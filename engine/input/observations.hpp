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

// The indicators an observation may hold (observed.csv's `indicator`). The flows (births ...
// intermunicipal_out, during the year) are what CBS records per gemeente; those a projection does
// not have are reported as not projected, not compared.
inline constexpr std::array<std::string_view, 14> observable_indicators{"population",
                                                                        "population_by_age_sex",
                                                                        "households",
                                                                        "households_single",
                                                                        "households_single_parent",
                                                                        "dwellings_stock",
                                                                        "births",
                                                                        "deaths",
                                                                        "migration_in",
                                                                        "migration_out",
                                                                        "immigration",
                                                                        "emigration",
                                                                        "intermunicipal_in",
                                                                        "intermunicipal_out"};
// The one of them with sex and age_band: sex empty = both sexes, age_band empty = all ages (not
// both empty: that is `population`); age_band one of the projection's bands or a range of whole
// bands, e.g. 0-14 or 65+ over 5-year bands.
inline constexpr std::string_view observed_by_age_sex = "population_by_age_sex";

// The positions in `bands` (the projection's age bands, "0-4", ..., "95+") that together make up
// `band` ("0-14", "65+", or one of `bands`); empty when `band` is no whole number of them.
std::vector<std::size_t> age_band_members(std::string_view band,
                                          const std::vector<std::string>& bands);

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

// Reads and checks observed.csv; throws InputError with every problem found. With
// `unmatched_areas`, rows of an area code the vocabulary lacks are left out and the codes listed
// there (sorted) instead of being a problem: a national observation set against a projection of
// one city.
std::vector<ObservedRow> read_observed(const ObservationInfo& info,
                                       const ObservationVocabulary& vocabulary,
                                       std::vector<std::string>* unmatched_areas = nullptr);

// The years observed.csv holds (sorted, unique), read before the projection that must reach the
// last of them is run. Throws InputError.
std::vector<int> observed_years(const ObservationInfo& info);

}  // namespace socialtwin
