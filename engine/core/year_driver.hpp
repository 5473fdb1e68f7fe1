#pragma once
// The projected year, written once for both cores.
//
// The driver knows the phases, their order, how a year is cut into segments where a model
// settles across areas, when models settle, and how each phase is timed. What a core does for
// one area (move expected counts, or persons by random draws) it plugs in through CoreYear, so
// the two cores cannot drift apart in how a year runs or in what their timings count.
//
// A year, as run_year runs it:
//  1. plan_year: begin_year() on every model (sequential), in phase order;
//  2. for each segment, in parallel over areas: the core's AreaWork runs the segment's items
//     (a phase's models, or the second half of a settling phase) for a block of areas after
//     another (CoreYear::areas_together; each item for every area of the block, then the next
//     item); each item is timed in its phase, per thread;
//  3. between segments, sequentially: the settling models settle(), timed in their phase;
//  4. the core's end of the year (CoreYear::end_year), each step timed in the phase it names.

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/core/indicators.hpp"
#include "engine/core/model.hpp"
#include "engine/core/observer.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// How a year runs: the phases in order, cut into segments wherever a model settles across
// areas. Within a segment every area (or block of areas) runs all its items back to back
// (while its state is in cache); between segment k and k+1 the models in settling[k] settle.
struct YearPlan {
    struct Item {
        Phase phase = Phase::ageing_and_survival;
        bool complete = false;  // the second half of a settling phase
        std::vector<Model*> models;
    };
    std::vector<std::vector<Item>> segments;
    std::vector<std::vector<Model*>> settling;
    std::vector<Phase> settling_phase;
};

// Calls begin_year() on every model, in phase order (within a phase, in the models' order),
// and plans the year.
YearPlan plan_year(std::span<const std::unique_ptr<Model>> models, int year);

// Wall time per phase, summed over threads, years and replicates.
class PhaseTimes {
public:
    using clock = std::chrono::steady_clock;

    void add(Phase phase, double seconds) { seconds_[static_cast<std::size_t>(phase)] += seconds; }
    template <class Work>
    void time(Phase phase, Work&& work) {
        const auto t0 = clock::now();
        work();
        add(phase, std::chrono::duration<double>(clock::now() - t0).count());
    }
    double seconds(Phase phase) const { return seconds_[static_cast<std::size_t>(phase)]; }
    // Fills the summary's timings, one per phase in phase order (every phase, so both cores
    // report the same set), and its wall time since `wall_start`.
    void record(RunSummary& summary, clock::time_point wall_start) const;

private:
    std::array<double, n_phases> seconds_{};
};

// Where an area is in the year: which segment of how many.
struct AreaSegment {
    std::size_t area = 0;
    std::size_t segment = 0;
    std::size_t n_segments = 1;
    bool first() const noexcept { return segment == 0; }
    bool last() const noexcept { return segment + 1 == n_segments; }
};

// One thread's share of a segment, as a core runs it, one area at a time: for each area the
// driver calls begin(), then run() for each item, then end(); with blocks of areas, a worker
// per area of the block, each item run for the whole block before the next. The time of run()
// is counted in the item's phase; begin() and end() are the core's own bookkeeping between
// areas, in no phase.
class AreaWork {
public:
    virtual ~AreaWork() = default;
    virtual void begin(const AreaSegment& where) = 0;
    // Runs the item's models (apply, or complete for a second half) on the current area.
    virtual void run(const YearPlan::Item& item) = 0;
    virtual void end() {}
};

// What a core plugs into the driver for one year.
class CoreYear {
public:
    virtual ~CoreYear() = default;
    // A worker for one thread's areas (it may hold the thread's scratch). Called from the
    // worker threads, concurrently.
    virtual std::unique_ptr<AreaWork> area_work() = 0;
    // How many areas a thread takes through a segment together: each item runs for every area
    // of the block before the next item, so the item's rates and matrices stay in the caches
    // across the block, at the price of holding the block's areas' state at once (a worker per
    // area of the block). 1: every item of one area, then the next area.
    virtual std::size_t areas_together() const { return 1; }
    // After every segment of every area: the core's work on the whole year (the agent core
    // hands out the arrivals' ids and follows the partner links), each step timed through
    // `times` in the phase it belongs to.
    virtual void end_year(PhaseTimes& /*times*/) {}
};

// The models of a run and the year they run through.
class YearDriver {
public:
    // Lets every model read the scenario and declare its indicators into `catalog`, in the
    // models' order, then checks what they need from each other (Model::needs): every provider
    // named is in the run, declared the indicator, and runs earlier in the year (an earlier
    // phase, or earlier in the same phase). Throws std::logic_error naming the reader and the
    // provider of every unmet need: a reader before its provider would read zeros, not fail.
    YearDriver(const Scenario& scenario, std::vector<std::unique_ptr<Model>> models,
               IndicatorCatalog& catalog);
    // It refers to the catalog, a sibling in the core that owns both: neither may move.
    YearDriver(const YearDriver&) = delete;
    YearDriver& operator=(const YearDriver&) = delete;

    // begin_run() on every model; `run.catalog` is the catalog given above.
    void begin_run(RunContext run);
    // One year over `n_areas` areas, on the calling thread's task arena.
    void run_year(int year, std::size_t n_areas, CoreYear& core, PhaseTimes& times);

private:
    std::vector<std::unique_ptr<Model>> models_;
    const IndicatorCatalog* catalog_;
};

}  // namespace socialtwin
