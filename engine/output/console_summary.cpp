#include "engine/output/console_summary.hpp"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

#include "engine/output/headline.hpp"
#include "engine/output/quantiles.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace {
// The figures of the headline list read straight from one indicator's totals.
bool is_indicator(const HeadlineFigure& figure) {
    return figure.name != share_65 && figure.name != share_80 && figure.name != care_cost;
}
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
    // The totals of every indicator the headline list has (the care costs of care_cost among them).
    for (const HeadlineFigure& figure : headline_figures)
        if (is_indicator(figure) && (figure.summary || figure.spread))
            if (const auto id = catalog_->find(std::string(figure.name)))
                add(totals_[std::string(figure.name)], results.total(*id));
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
    out << fmt::format("{:<28}{:>16}{:>16}{:>10}\n", scenario_, years_.front(), years_.back(),
                       "change");
    for (const HeadlineFigure& figure : headline_figures)
        if (figure.summary) print_row(out, figure);
    if (replicates_ > 1) print_spread(out);
}

void ConsoleSummary::print_row(std::ostream& out, const HeadlineFigure& figure) const {
    const int first = years_.front(), last = years_.back();
    if (figure.name == share_65 || figure.name == share_80) {
        // Of the population on 1 January; printed only with both totals.
        const Series& aged = figure.name == share_65 ? aged_65_plus_ : aged_80_plus_;
        const auto population = totals_.find("population");
        if (population == totals_.end() || aged.mean.empty()) return;
        const auto& mean = population->second.mean;
        out << fmt::format("{:<28}{:>15.1f}%{:>15.1f}%\n", figure.label,
                           100 * aged.mean.at(first) / mean.at(first),
                           100 * aged.mean.at(last) / mean.at(last));
        return;
    }
    const auto it = totals_.find(std::string(figure.name));
    if (it == totals_.end()) return;
    const double a = it->second.mean.at(first), b = it->second.mean.at(last);
    const double change = a != 0 ? (b - a) / a * 100 : 0;
    out << fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>9.1f}%\n", figure.label, a, b, change);
}

std::vector<double> ConsoleSummary::care_cost_by_replicate(int year) const {
    // Per replicate: the sum of the cost totals that replicate reported.
    std::vector<std::optional<double>> care(static_cast<std::size_t>(replicates_));
    for (const auto& [cost, short_name] : care_cost_components) {
        const auto it = totals_.find(std::string(cost));
        if (it == totals_.end()) continue;
        const auto found = it->second.by_replicate.find(year);
        if (found == it->second.by_replicate.end()) continue;
        for (std::size_t r = 0; r < found->second.size(); ++r)
            if (found->second[r]) care[r] = care[r].value_or(0.0) + *found->second[r];
    }
    std::vector<double> reported;
    for (const auto& value : care)
        if (value) reported.push_back(*value);
    return reported;
}

void ConsoleSummary::print_spread(std::ostream& out) const {
    // The last year's totals of each replicate, and their mean, 5th and 95th percentile.
    const int last = years_.back();
    const std::array<double, 2> levels{result_layout::quantile_levels.front(),
                                       result_layout::quantile_levels.back()};
    out << fmt::format("\n{:<28}{:>16}{:>16}{:>16}\n",
                       fmt::format("{} over {} replicates", last, replicates_), "mean", "p5",
                       "p95");
    for (const HeadlineFigure& figure : headline_figures) {
        if (!figure.spread) continue;
        std::vector<double> values;
        if (figure.name == care_cost)
            values = care_cost_by_replicate(last);
        else if (const auto it = totals_.find(std::string(figure.name)); it != totals_.end())
            values = it->second.replicates(last);
        if (values.empty()) continue;
        double sum = values.front();
        for (std::size_t r = 1; r < values.size(); ++r) sum += values[r];
        const double mean = sum / static_cast<double>(values.size());
        std::array<double, 2> range{};
        replicate_quantiles(values, levels, range);
        out << fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>16.0f}\n", figure.label, mean, range[0],
                           range[1]);
    }
}

}  // namespace socialtwin
