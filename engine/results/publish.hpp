#pragma once
// `socialtwin export RUN.h5 -o PUBLISH.h5 --disclosure cbs`: a copy of a result fit for
// publication under statistical disclosure control, as CBS publishes small-area figures:
//
//   - an area (or larger area in /aggregates) with fewer than 5 inhabitants in a year (its
//     `population` of that year) gets NaN for every indicator of that year (and its replicates
//     and quantiles);
//   - every value of kind count (persons, households, dwellings, contacts) is rounded to the
//     nearest multiple of 5 (halves away from zero); amounts (EUR, FTE, hours) and measures are
//     not rounded, only suppressed with their area.
//
// The aggregates are computed from the exact values before any suppression or rounding (when the
// run has none, export computes them), so a published buurt total is the rounded exact total,
// not a sum of rounded areas. /meta says what was done (disclosure_control, the threshold and
// rounding base, the source run's path and commit). The run's own file is never changed.

#include <hdf5.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "engine/core/indicators.hpp"

namespace socialtwin {

struct DisclosureRule {
    std::string name;            // "cbs"
    double min_inhabitants = 5;  // [persons] below this an area-year is suppressed
    double rounding_base = 5;    // counts are rounded to multiples of this
    std::string description;     // for /meta disclosure_control
};

// The named rule ("cbs"); InputError for another name, or none.
DisclosureRule disclosure_rule(const std::string& name);

// The rule applied to one level of a result (its own areas, or one /aggregates level): which
// (year, area) pairs are suppressed, and the published values. The HDF5 copy below and the
// spreadsheet export (engine/results/spreadsheet_export.hpp) both publish through this, so a
// figure in a published workbook is the figure in the published HDF5 file.
class DisclosureControl {
public:
    // `inhabitants`: the level's population over (year, unit), row-major; a pair is suppressed
    // where it is below the rule's threshold, or unknown (NaN).
    DisclosureControl(DisclosureRule rule, std::span<const double> inhabitants,
                      std::size_t n_units);

    const DisclosureRule& rule() const noexcept { return rule_; }
    std::size_t units() const noexcept { return n_units_; }  // areas of the level
    std::size_t area_years() const noexcept { return suppressed_.size(); }
    std::size_t suppressed_area_years() const noexcept { return n_suppressed_; }
    bool suppressed(std::size_t year, std::size_t unit) const {
        return suppressed_[year * n_units_ + unit] != 0;
    }
    // Applies the rule in place to one year of an indicator of `kind`: the values of every unit,
    // unit-major, the same number per unit (e.g. one year's area x sex x age_band block).
    void apply(std::span<double> year_values, std::size_t year, IndicatorKind kind) const;

private:
    DisclosureRule rule_;
    std::size_t n_units_ = 0;
    std::vector<unsigned char> suppressed_;  // per (year, unit)
    std::size_t n_suppressed_ = 0;
};

// The control of one level of a result: `group` is the file's root (unit "area") or an
// /aggregates/<level> group (unit <level>), whose `population` over (year, unit) decides. Throws
// InputError naming `source` when there is no such population.
DisclosureControl disclosure_control(hid_t group, const std::string& unit,
                                     const DisclosureRule& rule,
                                     const std::filesystem::path& source);

struct PublishOptions {
    std::filesystem::path source;
    std::filesystem::path output;
    std::string disclosure;  // the rule's name; required
};

struct PublishReport {
    DisclosureRule rule;
    std::size_t area_years = 0;             // (area, year) pairs at the file's own level
    std::size_t suppressed_area_years = 0;  // of which suppressed
    std::vector<std::string> levels;        // aggregate levels, also under disclosure control
    bool computed_aggregates = false;       // the source had none, so export computed them
};

// Checks the source (a result of `socialtwin run` with a population indicator) and writes the
// published copy through a temporary file and a rename. Throws InputError for bad input.
PublishReport publish_result(const PublishOptions& options);

// The published value of a count: the nearest multiple of `base`, halves away from zero.
double round_to_base(double value, double base);

}  // namespace socialtwin
