#pragma once
// The cohort-component core: expected numbers of persons per area by sex x single age x
// household position, moved forward one year at a time. Deterministic; parallel over areas.

#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "engine/core/accounts.hpp"
#include "engine/core/area_cells.hpp"
#include "engine/core/area_table.hpp"
#include "engine/core/model.hpp"
#include "engine/core/observer.hpp"
#include "engine/core/scenario.hpp"
#include "engine/core/year_driver.hpp"

namespace socialtwin {

// Persons and dwellings per area on 1 January of the base year.
struct BasePopulation {
    int year = 0;
    AreaCells persons;              // persons by area and cell, the filled cells only
    std::vector<double> dwellings;  // [dwellings] per area
    // [years] mean age gap of partners, the man older: the agent core pairs its partners at it
    // (engine/core/kinship.hpp); the dataset takes it from its rate set (RateSet::partner_age_gap)
    double partner_age_gap = 2.0;
};

struct ProjectionSettings {
    int threads = 0;  // 0 = all cores; the result does not depend on it
    // Checked before every year: once true, run() throws Interrupted (e.g. set on Ctrl-C), so
    // observers unwind and no half-written result survives.
    const std::atomic<bool>* stop = nullptr;
    // Tolerance of the accounting check P(t+1) = P(t) + births - deaths + in - out,
    // relative to its largest term. Expected values are sums of ~10^3 terms.
    double accounting_tolerance = 1e-9;
};

// Thrown by run() when ProjectionSettings::stop was set.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

class CohortProjection {
public:
    CohortProjection(const Scenario& scenario, const AreaTable& areas, BasePopulation base,
                     std::vector<std::unique_ptr<Model>> models, ProjectionSettings settings = {});

    const IndicatorCatalog& catalog() const noexcept { return catalog_; }
    RunDescription describe() const;

    // Runs base year .. base year + horizon; calls observers for each year. Returns timings.
    RunSummary run(std::span<Observer* const> observers,
                   const std::map<std::string, std::string>& metadata = {});

private:
    class Year;  // this core's part of a year (CoreYear)

    void step(int year, YearResults& results, PhaseTimes& times);

    const Scenario& scenario_;
    const AreaTable& areas_;
    BasePopulation base_;
    ProjectionSettings settings_;
    IndicatorCatalog catalog_;
    PopulationAccounts accounts_;  // the indicators the core itself keeps, declared first
    YearDriver driver_;            // the models and the year they run through

    std::vector<double> start_, next_;                      // areas x CohortCell::size
    std::vector<double> dwellings_start_, dwellings_next_;  // per area
    // Per area this year: births, deaths, in, out [persons], person-years lived.
    std::vector<std::array<double, 5>> flows_;
    // Per area this year: the persons on 1 January by position (AreaStep::start_by_position).
    std::vector<std::array<double, n_positions>> start_by_position_;
};

}  // namespace socialtwin
