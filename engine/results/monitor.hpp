#pragma once
// `socialtwin monitor PROJECTION.h5 OBSERVATION -o MONITOR.h5`: a projection against what was
// observed (engine/input/observations.hpp). The projection is aggregated to the observation's
// level (summed over the areas of each pc4, gemeente ...) and, for every (indicator, area, year,
// sex, age band) in both, projected and observed are set side by side.
//
// MONITOR.h5 is a long table, one row per observed value, so that
// `xr.open_dataset(path, engine="h5netcdf").to_dataframe()` is the table itself:
//
//   /observation (observation)      int32 row number, dimension scale
//   /indicator, /area, /sex, /age_band (observation)   strings ("" where not by sex and age)
//   /year (observation)             int32
//   /projected, /observed, /difference (projected - observed),
//   /relative_difference ((projected - observed) / observed; NaN where observed is 0)
//   /summary/...                    one row per (indicator, year): row dimension; indicator,
//                                   year, n_areas, n_values, projected_total, observed_total,
//                                   difference, relative_difference, mape_percent (mean over
//                                   values of |projected - observed| / observed x 100, where
//                                   observed > 0), mape_values
//   /meta                           the projection (path, scenario, commit), the observation
//                                   (name, title, level, dataset, provenance), what each means

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "engine/input/observations.hpp"

namespace socialtwin {

struct MonitorOptions {
    std::filesystem::path projection;
    std::filesystem::path observation;  // a folder with observation.yaml, or an observed .csv
    std::filesystem::path output;       // empty = only the summary, no file
    std::string level;                  // overrides observation.yaml's level
    // Leave out (and list in MonitorReport::unmatched_areas) observed areas the projection does
    // not have, instead of refusing them: a national observation set against one city.
    bool allow_unmatched_areas = false;
};

// One observed value with the projection's: in the observed year, and in the projection's first
// year (its base: what the dataset itself says).
struct MonitoredValue {
    ObservedRow row;
    double projected = 0;
    double projected_first_year = 0;
};

struct MonitorSummaryRow {
    std::string indicator;
    int year = 0;
    std::size_t n_areas = 0;
    std::size_t n_values = 0;
    double projected = 0;  // totals over the compared values
    double observed = 0;
    double mape_percent = 0;  // NaN when no value had observed > 0
    std::size_t mape_values = 0;
};

struct MonitorReport {
    std::filesystem::path projection_path, observation_path, output;
    std::string scenario_name, observation_name, observation_title, level;
    std::size_t n_compared = 0;
    std::size_t n_outside_years = 0;         // observed years the projection does not have
    std::vector<std::string> not_projected;  // observed indicators the projection lacks
    std::vector<std::string> warnings;
    std::vector<MonitorSummaryRow> rows;
    int first_year = 0;                        // the projection's base year
    std::vector<std::string> unmatched_areas;  // with allow_unmatched_areas
    std::vector<MonitoredValue> values;        // every value compared, in the table's order
    std::vector<ObservedRow> outside_years;    // observed values in years not projected
};

// True when `path` is to be read as observations rather than a second result: a folder, or a
// file ending in .csv.
bool is_observation_path(const std::filesystem::path& path);

// Checks the projection and every row of the observation before writing anything (InputError
// otherwise), then writes `output` through a temporary file and a rename.
MonitorReport monitor_projection(const MonitorOptions& options);

void print_monitoring(const MonitorReport& report, std::ostream& out, bool markdown);

}  // namespace socialtwin
