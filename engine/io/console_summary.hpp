#pragma once
// The short summary a planner sees after a run: the first and last year's totals of the
// headline indicators, with their units.

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "engine/core/observer.hpp"

namespace socialtwin {

class ConsoleSummary final : public Observer {
public:
    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary&) override {}

    // Totals over all areas of one indicator, by year.
    const std::map<int, double>& totals(const std::string& indicator) const;
    void print(std::ostream& out) const;

private:
    const IndicatorCatalog* catalog_ = nullptr;
    std::string scenario_;
    std::vector<int> years_;
    std::map<std::string, std::map<int, double>> totals_;
    std::map<int, double> aged_65_plus_, aged_80_plus_;
};

}  // namespace socialtwin
