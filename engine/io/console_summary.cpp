#include "engine/io/console_summary.hpp"

#include <fmt/format.h>

#include <stdexcept>

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
}  // namespace

void ConsoleSummary::on_start(const RunDescription& run) {
    catalog_ = run.catalog;
    scenario_ = run.scenario ? run.scenario->name : "";
    years_ = run.years;
}

void ConsoleSummary::on_year(const YearResults& results) {
    for (const Line& line : headline)
        if (const auto id = catalog_->find(line.indicator))
            totals_[line.indicator][results.year] = results.total(*id);
    if (const auto id = catalog_->find("population_by_age_sex")) {
        const auto values = results.values(*id);
        double p65 = 0, p80 = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto band = static_cast<int>(i % n_age_bands);
            if (band >= 13) p65 += values[i];
            if (band >= 16) p80 += values[i];
        }
        aged_65_plus_[results.year] = p65;
        aged_80_plus_[results.year] = p80;
    }
}

const std::map<int, double>& ConsoleSummary::totals(const std::string& indicator) const {
    const auto it = totals_.find(indicator);
    if (it == totals_.end()) throw std::logic_error("no totals for '" + indicator + "'");
    return it->second;
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
        row(line.label, it->second.at(first), it->second.at(last));
        if (std::string_view(line.indicator) == "population" && !aged_65_plus_.empty()) {
            const double p0 = it->second.at(first), p1 = it->second.at(last);
            out << fmt::format("{:<28}{:>15.1f}%{:>15.1f}%\n", "  share 65+",
                               100 * aged_65_plus_.at(first) / p0,
                               100 * aged_65_plus_.at(last) / p1);
            out << fmt::format("{:<28}{:>15.1f}%{:>15.1f}%\n", "  share 80+",
                               100 * aged_80_plus_.at(first) / p0,
                               100 * aged_80_plus_.at(last) / p1);
        }
    }
}

}  // namespace socialtwin
