#pragma once
// Results leave the core only through observers: the projection calls on_start once, on_year
// after each year's accounting phase (the base year included), and on_finish at the end. The
// core itself never writes a file; the HDF5 writer and the console summary are observers.

#include <map>
#include <string>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

struct RunDescription {
    const Scenario* scenario = nullptr;
    const AreaTable* areas = nullptr;
    const IndicatorCatalog* catalog = nullptr;
    std::vector<int> years;  // base year first, then each projected year
    std::string core;        // "cohort" or "agent"
    int replicates = 1;
    // Free-form facts for the output's metadata: dataset name and provenance, engine version,
    // git commit, rate-set provenance, price year ...
    std::map<std::string, std::string> metadata;
};

// The description of a run of `horizon` years from `base_year` (years base .. base + horizon).
RunDescription describe_run(const Scenario& scenario, const AreaTable& areas,
                            const IndicatorCatalog& catalog, int base_year, std::string core,
                            int replicates);

struct PhaseTiming {
    std::string phase;
    double seconds = 0;  // [s] wall time summed over all years
};

struct RunSummary {
    std::vector<PhaseTiming> phase_timings;
    double wall_seconds = 0;  // [s]
    double person_years = 0;  // [person-years] simulated
};

class Observer {
public:
    virtual ~Observer() = default;
    virtual void on_start(const RunDescription& run) = 0;
    virtual void on_year(const YearResults& results) = 0;
    virtual void on_finish(const RunSummary& summary) = 0;
};

}  // namespace socialtwin
