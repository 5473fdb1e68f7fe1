#include "engine/output/console_summary.hpp"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

#include "engine/output/hdf5_writer.hpp"

namespace socialtwin {

namespace {
struct Line {
    const char* indicator;
    const char* label;
};
constexpr Line headline[] = {
    {"population", "Population"},
    {"households", "Households (private)"},
    {"households_single", "  one-person"},
    {"households_couple_no_children", "  couple, no children"},
    {"households_couple_with_children", "  couple with children"},
    {"households_single_parent", "  single parent"},
    {"households_other", "  other"},
    {"persons_institution", "Persons in institutions"},
    {"dwellings_stock", "Dwelling stock"},
    {"dwellings_needed", "Dwellings needed"},
    {"dwelling_shortage", "Dwelling shortage"},
    {"gp_contacts", "GP contacts / year"},
    {"gp_fte_needed", "GP FTE needed"},
    {"wmo_clients", "Wmo clients"},
    {"cost_zvw_eur", "Cost Zvw (EUR/yr)"},
    {"cost_wlz_eur", "Cost Wlz (EUR/yr)"},
    {"cost_wmo_eur", "Cost Wmo (EUR/yr)"},
    {"cost_jeugd_eur", "Cost Jeugd (EUR/yr)"},
};
// The spread over replicates of the last year: these totals, and care cost as the sum of costs.
constexpr Line spread[] = {
    {"population", "Population"},
    {"households", "Households (private)"},
    {"gp_contacts", "GP contacts / year"},
};
constexpr std::array<const char*, 4> care_costs{"cost_zvw_eur", "cost_wlz_eur", "cost_wmo_eur",
                                                "cost_jeugd_eur"};
}  // namespace

void ConsoleSummary::Series::add(int year, int replicate, int n_replicates, double value) {
    auto& values = by_replicate[year];
    values.resize(static_cast<std::size_t>(n_replicates));
    values.at(static_cast<std::size_t>(replicate)) = value;
    // Summed in replicate order, whatever the order of arrival, so the mean does not depend on it.
    const auto reported = replicates(year);
    double sum = reported.front();
    for (std::size_t r = 1; r < reported.size(); ++r) sum += reported[r];
    mean[year] = sum / static_cast<double>(reported.size());
}

std::vector<double> ConsoleSummary::Series::replicates(int year) const {
    std::vector<double> values;
    if (const auto it = by_replicate.find(year); it != by_replicate.end())
        for (const auto& value : it->second)
            if (value) values.push_back(*value);
    return values;
}

void ConsoleSummary::on_start(const RunDescription& run) {
    catalog_ = run.catalog;
    scenario_ = run.scenario ? run.scenario->name : "";
    years_ = run.years;
    replicates_ = run.replicates;
}

void ConsoleSummary::on_year(const YearResults& results) {
    if (results.replicate < 0 || results.replicate >= replicates_)
        throw std::logic_error(
            fmt::format("ConsoleSummary: replicate {} is not one of the run's {}",
                        results.replicate, replicates_));
    const auto add = [&](Series& series, double value) {
        series.add(results.year, results.replicate, replicates_, value);
    };
    for (const Line& line : headline)
        if (const auto id = catalog_->find(line.indicator))
            add(totals_[line.indicator], results.total(*id));
    if (const auto id = catalog_->find("population_by_age_sex")) {
        const auto values = results.values(*id);
        double p65 = 0, p80 = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto band = static_cast<int>(i % n_age_bands);
            if (band >= 13) p65 += values[i];
            if (band >= 16) p80 += values[i];
        }
        add(aged_65_plus_, p65);
        add(aged_80_plus_, p80);
    }
}

const std::map<int, double>& ConsoleSummary::totals(const std::string& indicator) const {
    const auto it = totals_.find(indicator);
    if (it == totals_.end()) throw std::logic_error("no totals for '" + indicator + "'");
    return it->second.mean;
}

void ConsoleSummary::print(std::ostream& out) const {
    if (years_.empty()) return;
    const int first = years_.front(), last = years_.back();
    out << fmt::format("{:<28}{:>16}{:>16}{:>10}\n", scenario_, first, last, "change");
    auto row = [&](const std::string& label, double a, double b) {
        const double change = a != 0 ? (b - a) / a * 100 : 0;
        out << fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>9.1f}%\n", label, a, b, change);
    };
    for (const Line& line : headline) {
        const auto it = totals_.find(line.indicator);
        if (it == totals_.end()) continue;
        const auto& mean = it->second.mean;
        row(line.label, mean.at(first), mean.at(last));
        if (std::string_view(line.indicator) == "population" && !aged_65_plus_.mean.empty()) {
            const double p0 = mean.at(first), p1 = mean.at(last);
            out << fmt::format("{:<28}{:>15.1f}%{:>15.1f}%\n", "  share 65+",
                               100 * aged_65_plus_.mean.at(first) / p0,
                               100 * aged_65_plus_.mean.at(last) / p1);
            out << fmt::format("{:<28}{:>15.1f}%{:>15.1f}%\n", "  share 80+",
                               100 * aged_80_plus_.mean.at(first) / p0,
                               100 * aged_80_plus_.mean.at(last) / p1);
        }
    }
    if (replicates_ <= 1) return;

    // The last year's totals of each replicate, and their mean, 5th and 95th percentile.
    const std::array<double, 2> levels{result_layout::quantile_levels.front(),
                                       result_layout::quantile_levels.back()};
    out << fmt::format("\n{:<28}{:>16}{:>16}{:>16}\n",
                       fmt::format("{} over {} replicates", last, replicates_), "mean", "p5",
                       "p95");
    auto spread_row = [&](const std::string& label, std::vector<double> values) {
        if (values.empty()) return;
        double sum = values.front();
        for (std::size_t r = 1; r < values.size(); ++r) sum += values[r];
        const double mean = sum / static_cast<double>(values.size());
        std::array<double, 2> range{};
        replicate_quantiles(values, levels, range);
        out << fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>16.0f}\n", label, mean, range[0], range[1]);
    };
    for (const Line& line : spread)
        if (const auto it = totals_.find(line.indicator); it != totals_.end())
            spread_row(line.label, it->second.replicates(last));
    // Care cost per replicate: the sum of the cost totals that replicate reported.
    std::vector<std::optional<double>> care(static_cast<std::size_t>(replicates_));
    for (const char* cost : care_costs) {
        const auto it = totals_.find(cost);
        if (it == totals_.end()) continue;
        const auto found = it->second.by_replicate.find(last);
        if (found == it->second.by_replicate.end()) continue;
        for (std::size_t r = 0; r < found->second.size(); ++r)
            if (found->second[r]) care[r] = care[r].value_or(0.0) + *found->second[r];
    }
    std::vector<double> care_reported;
    for (const auto& value : care)
        if (value) care_reported.push_back(*value);
    spread_row("Care cost (EUR/yr)", care_reported);
}

}  // namespace socialtwin
