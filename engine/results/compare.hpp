#pragma once
// `socialtwin compare BASELINE.h5 SCENARIO.h5 -o DIFF.h5`: the maatschappelijke businesscase of a
// scenario, i.e. scenario minus baseline for every indicator both results have, per area and
// aggregated to larger areas and to the total, with the cumulative and discounted (net present
// value) difference of every cost, and a table of headline figures.
//
//   /year, /area, /sex, /age_band ...     as in the inputs; area attributes as coordinates
//   /<indicator>               (year, area[, ...])  scenario minus baseline
//   /<cost>_cumulative         (year, area[, ...])  the difference summed over the years up to
//                                                  and including `year` (costs: attribute cost)
//   /<cost>_npv                (area[, ...])        sum over years t of difference_t /
//                                                  (1 + r)^(t - base year): the present value in
//                                                  the base year at discount rate r
//   /aggregates/<level>/...    the same per larger area (pc4, buurt, wijk, gemeente): each input
//                              aggregated as `socialtwin aggregate` does, then differenced
//   /aggregates/total/...      the same over all areas: (year[, ...]) and (...) for _npv
//   /meta                      both inputs (path, scenario name, git commit ...), the discount
//                              rate and where it came from, the price year, what each dataset
//                              means
//
// Only means are compared (not the _replicates and _quantiles companions). A measure's
// aggregate is each input's weighted mean, then differenced.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/scenario.hpp"

namespace socialtwin {

// The discount rate when neither the scenario file (/meta discount_rate) nor the command line
// gives one is the scenario's declared default, default_discount_rate (engine/core/scenario.hpp).
inline constexpr std::string_view default_discount_rate_source =
    "Werkgroep discontovoet 2020: 2.25% real, for social cost-benefit analysis (MKBA)";

struct CompareOptions {
    std::filesystem::path baseline;
    std::filesystem::path scenario;
    std::filesystem::path output;         // empty = only the summary, no file
    std::optional<double> discount_rate;  // overrides the scenario file's
    std::vector<std::string> levels;      // empty = pc4, buurt, wijk, gemeente where present
};

// What a headline row's period is: the last year, the sum of a flow or the cumulative cost over
// the years, or the present value of a cost in the base year.
enum class HeadlinePeriod { last_year, sum, cumulative, present_value };

// One row of the headline table.
struct HeadlineRow {
    std::string label;   // e.g. "population (persons)"
    std::string period;  // e.g. "2024", "2019-2024 sum", "NPV 2019"
    // The figure of engine/output/headline.hpp (an indicator's name, share_65, care_cost ...), so
    // that a report can label it in another language.
    std::string figure;
    HeadlinePeriod period_kind = HeadlinePeriod::last_year;
    bool euros = false;  // baseline and scenario in million EUR
    double baseline = 0;
    double scenario = 0;
    int decimals = 0;  // for printing
    double difference() const { return scenario - baseline; }
};

struct CompareReport {
    std::filesystem::path baseline_path, scenario_path, output;
    std::string baseline_name, scenario_name, dataset;
    int first_year = 0, last_year = 0, base_year = 0;
    double discount_rate = default_discount_rate;
    std::string discount_rate_source;
    std::string price_year;  // "" when unknown
    std::vector<std::string> compared, only_in_baseline, only_in_scenario, levels;
    std::vector<HeadlineRow> rows;
};

// Checks both inputs completely before writing anything (InputError naming the file and what
// differs: years, areas, an indicator's dims or units), then writes `output` through a temporary
// file and a rename.
CompareReport compare_results(const CompareOptions& options);

// The headline table: plain text, or a Markdown table.
void print_comparison(const CompareReport& report, std::ostream& out, bool markdown);
// Several scenarios against one baseline, one column each: the baseline value and every
// scenario's difference (and relative difference) for the headline rows of the last year, the
// cumulative costs and their NPV. The README's scenario table is printed by this.
void print_scenario_table(const std::vector<CompareReport>& reports, std::ostream& out,
                          bool markdown);

// "12,345", "-1,234.5", "+12" (with `sign`): thousands separated by commas.
std::string format_number(double value, int decimals, bool sign = false);
// "+1.2%", "-0.4%", "0.0%" (no sign where it rounds to zero); "" for NaN.
std::string format_percent(double percent, int decimals = 1);
// Prints `rows` (the first is the header) as aligned columns or a Markdown table; columns after
// `text_columns` are right-aligned.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 std::size_t text_columns, bool markdown);

}  // namespace socialtwin
