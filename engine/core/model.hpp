#pragma once
// The one narrow interface through which every process plugs into a projection.
//
// A model declares the phase it joins, the indicators it reports and what it reads of other
// models' indicators (needs). The yearly driver (engine/core/year_driver.hpp), the same for both
// cores, runs the year: once a year, before any area is touched, begin_year() lets every model
// turn the scenario into this year's rates (sequential, cheap). Then apply() runs for every
// area, in parallel over areas: it must only touch the AreaStep it is given, so results cannot
// depend on the thread count.

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/agent_population.hpp"
#include "engine/core/area_cells.hpp"
#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/observer.hpp"
#include "engine/core/random.hpp"
#include "engine/core/scenario.hpp"
#include "engine/core/types.hpp"

namespace socialtwin {

// The fixed phases of a projected year, in the order they run (see YearDriver::run_year and
// docs/model.md, "One year, in fixed phases"). Within a phase, models run in the run's order
// of models (the registry's).
enum class Phase {
    ageing_and_survival,
    births,
    household_positions,
    migration,
    // totals fixed to a table the scenario gives (`align:`), after every flow that moves
    // persons, so households, dwellings and care see the aligned population
    alignment,
    housing,
    care,
    accounting,
    accessibility,  // distances to facilities, capacity against the year's care demand
};
inline constexpr int n_phases = 9;
std::string_view to_string(Phase phase) noexcept;

// What one year of one area looks like to a model. Person counts use the CohortCell layout
// (sex x single age x household position).
struct AreaStep {
    std::size_t area = 0;  // index into the AreaTable
    int year = 0;          // the calendar year being projected

    std::span<const double> start;  // persons on 1 January of `year`
    // Persons on 1 January of year + 1, built up phase by phase: it starts as a copy of `start`;
    // after ageing_and_survival it holds the survivors at their new age, age 0 empty.
    std::span<double> next;

    // Flows during the year [persons]; the accounting phase checks them against the stocks.
    double& births;
    double& deaths;
    double& migration_in;
    double& migration_out;

    double& dwellings_start;  // [dwellings] stock on 1 January of `year`
    double& dwellings_next;   // [dwellings] stock on 1 January of year + 1

    YearResults& results;  // indicators of `year` (stocks on 1 January, flows during the year)

    // The cells (ascending offsets) outside of which `start` and `next` are exactly zero. The
    // agent core counts ~30 persons per area at PC6 density into a few dozen of the 1,484
    // cells and lists those; the cohort core lists every cell. A model that only reads counts
    // (the phases from housing on) visits these cells, in this order, instead of all: a skipped
    // cell would have added an exact zero to each sum (counts are never -0.0, rates finite), so
    // results are the same to the bit at a fraction of the cost. A model that adds persons to a
    // cell must list it (only the cohort core's demographic phases do, and there every cell
    // is listed).
    std::span<const std::uint16_t> occupied = all_cohort_cells;
    // The rows (sex * n_ages + age) of those cells, in order, where the core listed them once
    // for every model (the agent core); null: found from `occupied` (for_each_occupied_row_of).
    const std::vector<std::uint16_t>* occupied_rows = nullptr;

    // sum_by_position(start) where every cell is listed: the persons on 1 January by position,
    // which the housing market, the household counts and the accounts all read. The cohort
    // core sums them once an area-year; null where the core leaves them to whoever needs them
    // (read them through start_by_position_of).
    const std::array<double, n_positions>* start_by_position = nullptr;

    std::span<double> values(IndicatorId id) { return results.area_values(id, area); }
};

// Calls visit(sex, age) for every row of the step's occupied cells, in order (as
// for_each_occupied_row does): from the core's list of them where it made one. Found cell by
// cell, a row's end was a branch mispredicted about every other cell, and each count-based
// model found them again (~100 ns an area-year each at PC6 density).
template <class Visit>
void for_each_occupied_row_of(const AreaStep& step, Visit&& visit) {
    if (step.occupied_rows == nullptr || every_cell(step.occupied)) {
        for_each_occupied_row(step.occupied, visit);
        return;
    }
    for (const std::uint16_t row : *step.occupied_rows) visit(row / n_ages, row % n_ages);
}

// The persons on 1 January by position of a step whose every cell is listed (the cohort
// core's): as the core summed them, or summed here.
inline std::array<double, n_positions> start_by_position_of(const AreaStep& step) noexcept {
    return step.start_by_position ? *step.start_by_position : sum_by_position(step.start);
}

// A person who joins an area during the year: a newborn, an in-migrant, or (with `person`
// set) someone moving in from another area of the municipality. The agent core gives
// arrivals their ids after the parallel part of the year, in a fixed order, so ids (and with
// them every later random draw) do not depend on the thread count.
struct Arrival {
    int birth_year = 0;
    Sex sex = Sex::male;
    Position position = Position::child_at_home;
    std::uint32_t mother = 0xFFFFFFFFu;  // id, or none
    std::uint32_t person = 0xFFFFFFFFu;  // a person moving in from another area, or none
};

// What one year of one area looks like to a model in the agent core: the persons living there
// on 1 January (`residents`, ids into `persons`) and what the year brings. Models mark deaths
// and departures in persons.presence, change positions, and add arrivals; the core then counts
// `counts.next` from the persons and runs the count-based phases (housing, care, accounting)
// on `counts` exactly as in the cohort core.
struct AgentAreaStep {
    AreaStep& counts;
    AgentPopulation& persons;
    const std::vector<std::uint32_t>& residents;  // in stable-id order
    std::vector<Arrival>& arrivals;
    const RandomStreams& random;
    // residents[i]'s person_year_stream block for this year, drawn once by the core.
    std::span<const std::array<double, 4>> draws;

    double draw(std::size_t i, const PersonYearLane& lane) const { return draws[i][lane.index]; }
};

// Persons by household position per area (areas x n_positions) from per-area cohort counts.
std::vector<double> positions_by_area(std::span<const double> persons, std::size_t n_areas);
std::vector<double> positions_by_area(const AreaCells& persons);

// Facts a model may need about the whole run, available from begin_run on.
struct RunContext {
    const Scenario* scenario = nullptr;
    const AreaTable* areas = nullptr;
    int base_year = 0;
    int last_year = 0;
    // Persons by household position per area on 1 January of the base year (areas x
    // n_positions): what models need of the base population at any scale.
    std::span<const double> base_positions;
    std::span<const double> base_dwellings;  // [dwellings] per area, 1 January base year
    bool agents = false;  // the agent core runs (models need no per-area count buffers)
    const RandomStreams* random = nullptr;  // agent core: this replicate's random streams
    AgentPopulation* persons = nullptr;     // agent core: the persons, for settle()
    // Every indicator of the run, all models' declarations done: where a model finds the ids
    // of the indicators it needs (Model::needs).
    const IndicatorCatalog* catalog = nullptr;
    // The base population as expected counts by area and cell, the same in both cores (the
    // agent core's persons are drawn from it): for calibrations both cores must share. Null
    // when the run has none (a saved start population, some tests).
    const AreaCells* base_cells = nullptr;
    // The core's blocks of areas (CoreYear::areas_together): for every item of a segment, the
    // areas [b x areas_together, (b + 1) x areas_together) run on one thread, one after another
    // in order, whatever the number of threads. A model may sum over a block's areas as it goes
    // (the cohort core's housing market pools its movers so) and get the same sums at any
    // thread count.
    std::size_t areas_together = 1;
};

// An indicator a model reads that another model fills, and that model (its name()).
struct ModelNeed {
    std::string indicator;
    std::string provider;
};

class Model {
public:
    virtual ~Model() = default;
    virtual std::string_view name() const = 0;
    virtual Phase phase() const = 0;

    // Reads the scenario settings the model's indicators depend on (e.g. the price basis in
    // their units); called once, before declare_indicators.
    virtual void configure(const Scenario& /*scenario*/) {}
    // Declares the indicators this model fills; called once, before the run.
    virtual void declare_indicators(IndicatorCatalog& catalog) = 0;
    // The indicators of other models this one reads; asked once every model has declared its
    // indicators. The driver checks that each provider is in the run and runs earlier in the
    // year, and fails naming both models otherwise: a reader that ran first would read zeros.
    // Ids are found in RunContext::catalog from begin_run on, whatever the models' order.
    virtual std::vector<ModelNeed> needs() const { return {}; }
    virtual void begin_run(const RunContext& /*run*/) {}
    // Once a year, sequential: compute this year's rates from the baseline and the scenario.
    virtual void begin_year(int /*year*/) {}
    // For every area, in parallel: apply this year's rates to the area's expected counts
    // (cohort core; in the agent core, the phases from housing on).
    virtual void apply(AreaStep& step) const = 0;
    // The same rates applied to the area's persons by random draws (agent core). Only the
    // demographic phases (ageing_and_survival .. alignment) are called this way.
    virtual void apply(AgentAreaStep& /*step*/) const {}

    // A model whose phase needs every area at once -- a housing market matching would-be
    // in-migrants to vacant dwellings anywhere in the municipality -- says so here. The driver
    // then runs apply() for every area, settle() once (sequential, so deterministic; its time
    // counts in the model's phase), and complete() for every area before the next phase.
    // apply() may record per-area facts for settle() in the model (each area writes only its
    // own entry).
    virtual bool settles_across_areas() const { return false; }
    virtual void settle() {}
    virtual void complete(AreaStep& /*step*/) const {}
    // Whether complete(AreaStep&) reads the area's person counts (step.start, step.next). The
    // agent core counts an area's persons again for a second sweep only if a model needs them
    // (at national scale that count costs as much as a phase); one that works from what
    // apply() recorded says false.
    virtual bool complete_needs_counts() const { return true; }
    virtual void complete(AgentAreaStep& /*step*/) const {}
};

}  // namespace socialtwin
