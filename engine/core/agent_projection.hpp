#pragma once
// The agent core (microsimulation): persons in areas, each with a sex, a year of birth and a
// household position, moved through the year by random draws from the same rates, through the
// same models, as the cohort core. Every draw comes from a counter-based stream keyed by
// (seed, replicate, process, person, year), so results are bit-identical whatever the thread
// count. A run of N replicates gives N independent realisations; observers receive every
// replicate's years.

#include <atomic>
#include <memory>
#include <vector>

#include "engine/core/accounts.hpp"
#include "engine/core/agent_population.hpp"
#include "engine/core/area_table.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/model.hpp"
#include "engine/core/observer.hpp"
#include "engine/core/scenario.hpp"
#include "engine/core/year_driver.hpp"

namespace socialtwin {

struct AgentSettings {
    int threads = 0;     // 0 = all cores; the result does not depend on it
    int replicates = 1;  // independent runs, replicate r drawing from streams keyed by r
    const std::atomic<bool>* stop = nullptr;  // see ProjectionSettings::stop
    // Start from these persons (a saved start population) instead of synthesising them.
    const AgentPopulation* start_population = nullptr;
    // The person store is put back in area order at the end of a year once this share of it is
    // out of place (see AgentProjection::put_persons_in_area_order): 0 every year, above 1
    // never. Only speed and memory depend on it, never a result.
    double reorder_share = 0.25;
};

// The start population of a run: synthesise_population, then link_base_population.
AgentPopulation start_population(const BasePopulation& base, std::size_t n_areas,
                                 std::uint64_t seed);

// One person per whole person in `base` (fractional counts, as a test may give, are rounded
// by a draw from the synthesis stream, so the result depends on the seed only). Persons are
// numbered area by area, so ids do not depend on the thread count either.
AgentPopulation synthesise_population(const BasePopulation& base, std::size_t n_areas,
                                      std::uint64_t seed);

class AgentProjection {
public:
    AgentProjection(const Scenario& scenario, const AreaTable& areas, BasePopulation base,
                    std::vector<std::unique_ptr<Model>> models, AgentSettings settings = {});

    const IndicatorCatalog& catalog() const noexcept { return catalog_; }
    RunDescription describe() const;

    // Runs every replicate from the base year to base year + horizon. Once: the base
    // population's cells are released when the last replicate has started.
    RunSummary run(std::span<Observer* const> observers,
                   const std::map<std::string, std::string>& metadata = {});

    // The persons after the last run (for tests and household detail).
    const AgentPopulation& persons() const noexcept { return persons_; }

private:
    class Year;  // this core's part of a year (CoreYear)

    // Each area's residents side by side in the store, departed persons dropped (the end of a
    // year); residents_ renamed to the new ids.
    void put_persons_in_area_order();
    void step(int year, const RandomStreams& random, YearResults& results, PhaseTimes& times,
              double& person_years);
    void count_persons(int year, const std::vector<std::uint32_t>& residents,
                       const std::vector<Arrival>& arrivals, std::vector<double>& start,
                       std::vector<double>& next, std::vector<std::uint16_t>& occupied,
                       std::vector<std::uint16_t>& occupied_rows) const;

    const Scenario& scenario_;
    const AreaTable& areas_;
    BasePopulation base_;
    bool base_released_ = false;  // base_.persons, after the last replicate's start (run())
    AgentSettings settings_;
    IndicatorCatalog catalog_;
    PopulationAccounts accounts_;  // the indicators the core itself keeps, declared first
    YearDriver driver_;            // the models and the year they run through

    AgentPopulation persons_;
    std::vector<std::vector<std::uint32_t>> residents_;  // per area: ids present on 1 January
    std::vector<std::vector<Arrival>> arrivals_;         // per area: this year's newborns etc.
    std::vector<double> dwellings_start_, dwellings_next_;
    std::vector<std::array<double, 4>> flows_;  // per area this year: births, deaths, in, out
};

}  // namespace socialtwin
