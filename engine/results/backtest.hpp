#pragma once
// `socialtwin backtest OBSERVATIONS`: how well the baseline reproduces what really happened. The
// command line runs the projection of the observation's dataset from its base year to the last
// observed year (engine/cli); this file sets that projection against every observed value after
// the base year, next to two naive forecasts a planner could have made without any model:
//
//   no change    the value in the base year: the projection's own first year (the dataset's
//                base value for exactly the areas the projection sums)
//   last trend   that base value + the change per year between the latest observation in or
//                before the base year and the one before it, carried forward; only where two
//                such observations exist (PC4 2020 and 2021 for a 2021 base)
//
// error = (forecast - observed) / observed x 100 [%]. The summary, per level, indicator and
// group (sex, age band) and year: median and 90th percentile of |error| of each forecast, and
// the share of areas where the projection's |error| is smaller than the naive forecast's.

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace socialtwin {

struct BacktestOptions {
    std::filesystem::path projection;   // the result of the run (a temporary file, usually)
    std::filesystem::path observation;  // observation folder or observed .csv
    std::string level;                  // overrides observation.yaml's level
    std::string dataset;                // what was run, for the report
    std::string core;                   // "cohort" or "agent", for the report
};

struct BacktestRow {
    std::string area, indicator, sex, age_band;
    int year = 0;
    double observed = 0, projected = 0, no_change = 0;
    double last_trend = 0;  // NaN where fewer than two observations lie in or before the base year
    double error_percent = 0, no_change_error_percent = 0,
           last_trend_error_percent = 0;  // NaN where observed is 0 or there is no trend
};

struct BacktestSummaryRow {
    std::string indicator, sex, age_band;
    int year = 0;
    std::size_t n_areas = 0, n_trend = 0;  // areas compared; of them, with a last trend
    double median = 0, p90 = 0;            // |error| of the projection [%]
    double no_change_median = 0, no_change_p90 = 0;
    double trend_median = 0, trend_p90 = 0;  // NaN when n_trend is 0
    double beats_no_change = 0;              // share of areas [0, 1]
    double beats_trend = 0;                  // share of the n_trend areas; NaN when none
};

struct BacktestReport {
    std::filesystem::path observation_path;
    std::string observation_name, observation_title, level, dataset, core;
    int base_year = 0;
    std::vector<BacktestRow> rows;  // observed values after the base year
    std::vector<BacktestSummaryRow> summary;
    std::vector<std::string> unmatched_areas;  // observed areas the projection does not have
    std::vector<std::string> not_projected;    // observed indicators the projection lacks
    std::size_t n_before_base = 0;             // observed values in or before the base year
};

// The observation's years and the dataset it names, before anything is run.
struct BacktestPlan {
    std::string dataset;  // observation.yaml's `dataset`
    std::vector<int> years;
};
BacktestPlan plan_backtest(const std::filesystem::path& observation, const std::string& level);

// The base year of a dataset folder (its dataset.yaml `base_year`). Throws InputError.
int dataset_base_year(const std::filesystem::path& dataset_dir);

BacktestReport backtest_projection(const BacktestOptions& options);

// The error table as CSV: one row per observed value after the base year.
void write_backtest_csv(const BacktestReport& report, const std::filesystem::path& output);

// The summary (and the largest errors of the total population) as text or Markdown.
void print_backtest(const BacktestReport& report, std::ostream& out, bool markdown);

// Median / quantile q (linear between order statistics, as numpy's default) of `values`; NaN
// when empty.
double error_quantile(std::vector<double> values, double q);

}  // namespace socialtwin
