#pragma once
// Small, hand-checkable inputs for unit tests: a rate set with round numbers and a few areas.

#include <memory>
#include <vector>

#include "engine/core/cohort_projection.hpp"
#include "engine/core/observer.hpp"
#include "models/rate_set.hpp"

namespace socialtwin::testing {

// q = 1% at every age, 100% at 105; asfr 0.05 at ages 20..39; out 2%, in 1% per inhabitant
// spread evenly over ages 20..29; everyone under 18 is a child at home, everyone else lives
// alone; no household transitions unless a test adds them.
RateSet synthetic_rates();

// `n` areas named A0, A1 ... in buurt B0 / B1 alternately, each with 10 persons of every sex
// and age 0..90 in the positions synthetic_rates() gives them, and 900 dwellings.
AreaTable synthetic_areas(std::size_t n);
BasePopulation synthetic_population(const RateSet& rates, std::size_t n_areas, int year = 2019);

Scenario synthetic_scenario(int horizon = 5);

// Keeps every year's results in memory.
class RecordingObserver final : public Observer {
public:
    void on_start(const RunDescription& run) override { run_ = run; }
    void on_year(const YearResults& results) override { years.push_back(results); }
    void on_finish(const RunSummary& s) override { summary = s; }
    double total(const std::string& indicator, std::size_t year_index) const {
        return years.at(year_index).total(run_.catalog->id(indicator));
    }
    double value(const std::string& indicator, std::size_t year_index, std::size_t area) const {
        return years.at(year_index).area_values(run_.catalog->id(indicator), area)[0];
    }
    std::vector<YearResults> years;
    RunSummary summary;

private:
    RunDescription run_;
};

}  // namespace socialtwin::testing
