#pragma once
// The short summary a planner sees after a run: the first and last year's totals of the
// headline indicators (engine/output/headline.hpp, those marked `summary`), with their units. With
// several replicates (the agent core) the totals are the mean over replicates, and a second table
// gives the 5th-95th percentile range over replicates of the last year's totals of the figures
// marked `spread` (population, households, GP contacts and care cost).

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/core/observer.hpp"
#include "engine/output/headline.hpp"

namespace socialtwin {

class ConsoleSummary final : public Observer {
public:
    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary&) override {}

    // Totals over all areas of one indicator, by year: the mean over the replicates reported.
    const std::map<int, double>& totals(const std::string& indicator) const;
    void print(std::ostream& out) const;

private:
    void print_row(std::ostream& out, const HeadlineFigure& figure) const;
    void print_spread(std::ostream& out) const;
    std::vector<double> care_cost_by_replicate(int year) const;

    // One total per (year, replicate), in any order, and the mean over the replicates so far.
    struct Series {
        std::map<int, std::vector<std::optional<double>>> by_replicate;
        std::map<int, double> mean;
        void add(int year, int replicate, int n_replicates, double value);
        std::vector<double> replicates(int year) const;  // those reported, in replicate order
    };

    const IndicatorCatalog* catalog_ = nullptr;
    std::string scenario_;
    std::vector<int> years_;
    int replicates_ = 1;
    std::map<std::string, Series> totals_;
    Series aged_65_plus_, aged_80_plus_;
};

}  // namespace socialtwin
