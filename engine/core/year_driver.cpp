#include "engine/core/year_driver.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/core/parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace socialtwin {

namespace {

// The clock of the items of every area: the processor's time-stamp counter where there is one
// (a few cycles), else the steady clock. Reading the steady clock (clock_gettime, ~20 ns) before
// and after every item of every area was 2% of a run at PC6 density. Ticks become seconds at the
// end of the year, by the year's own ratio of steady-clock time to ticks.
std::uint64_t item_ticks() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

// The first and one-past-last indicator a model declared.
struct DeclaredIndicators {
    IndicatorId begin = 0, end = 0;
};

void check_model_needs(std::span<const std::unique_ptr<Model>> models,
                       std::span<const DeclaredIndicators> declared,
                       const IndicatorCatalog& catalog) {
    // Within a phase models run in their order (plan_year), so (phase, index) is the order
    // in which they run.
    auto runs_before = [&](std::size_t a, std::size_t b) {
        const Phase pa = models[a]->phase(), pb = models[b]->phase();
        return pa != pb ? pa < pb : a < b;
    };
    std::vector<std::string> problems;
    for (std::size_t reader = 0; reader < models.size(); ++reader) {
        const Model& r = *models[reader];
        for (const ModelNeed& need : r.needs()) {
            const auto it = std::find_if(models.begin(), models.end(),
                                         [&](const auto& m) { return m->name() == need.provider; });
            const std::string wanted = fmt::format("the {} model reads {} from the {} model",
                                                   r.name(), need.indicator, need.provider);
            if (it == models.end()) {
                problems.push_back(wanted + ", which is not in this run");
                continue;
            }
            const auto provider = static_cast<std::size_t>(it - models.begin());
            const std::optional<IndicatorId> id = catalog.find(need.indicator);
            if (!id || *id < declared[provider].begin || *id >= declared[provider].end) {
                problems.push_back(wanted + ", which does not declare it");
                continue;
            }
            if (runs_before(provider, reader)) continue;
            const Phase pp = (*it)->phase(), rp = r.phase();
            problems.push_back(
                pp == rp ? fmt::format("{}, which runs after it in phase {} (list {} first)",
                                       wanted, to_string(rp), need.provider)
                         : fmt::format("{}, which runs after it (phase {} comes after phase {})",
                                       wanted, to_string(pp), to_string(rp)));
        }
    }
    if (problems.empty()) return;
    std::string message = "the models of this run do not meet each other's needs: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw std::logic_error(message);
}

}  // namespace

YearPlan plan_year(std::span<const std::unique_ptr<Model>> models, int year) {
    YearPlan plan;
    plan.segments.emplace_back();
    for (int p = 0; p < n_phases; ++p) {
        const auto phase = static_cast<Phase>(p);
        YearPlan::Item item{phase, false, {}};
        std::vector<Model*> settling;
        for (const auto& model : models) {
            if (model->phase() != phase) continue;
            model->begin_year(year);
            item.models.push_back(model.get());
            if (model->settles_across_areas()) settling.push_back(model.get());
        }
        plan.segments.back().push_back(item);
        if (!settling.empty()) {
            plan.settling.push_back(settling);
            plan.settling_phase.push_back(phase);
            plan.segments.push_back({YearPlan::Item{phase, true, settling}});
        }
    }
    return plan;
}

void PhaseTimes::record(RunSummary& summary, clock::time_point wall_start) const {
    for (int p = 0; p < n_phases; ++p) {
        const auto phase = static_cast<Phase>(p);
        summary.phase_timings.push_back({std::string(to_string(phase)), seconds(phase)});
    }
    summary.wall_seconds = std::chrono::duration<double>(clock::now() - wall_start).count();
}

YearDriver::YearDriver(const Scenario& scenario, std::vector<std::unique_ptr<Model>> models,
                       IndicatorCatalog& catalog)
    : models_(std::move(models)), catalog_(&catalog) {
    std::vector<DeclaredIndicators> declared;
    for (auto& model : models_) {
        model->configure(scenario);
        const IndicatorId begin = catalog.size();
        model->declare_indicators(catalog);
        declared.push_back({begin, catalog.size()});
    }
    check_model_needs(models_, declared, catalog);
}

void YearDriver::begin_run(RunContext run) {
    run.catalog = catalog_;
    for (auto& model : models_) model->begin_run(run);
}

// One projected year, for either core. The phases run in a fixed order:
//  1. ageing_and_survival  deaths during the year (by age on 1 January); then the core moves
//                          the survivors up one year of age
//  2. births               from the women present on 1 January; newborns join at age 0
//  3. household_positions  leaving home, partnering, separation, widowhood, institution ...
//                          for the survivors, by their age on 1 January
//  4. migration            out-migration; in-migration as far as the dwelling stock (with
//                          this year's construction) has room for more households
//  5. alignment            only when the scenario aligns (`align:`): each aligned cell of
//                          persons (region x sex x age group) scaled to the scenario's table
//  6. housing              households on 1 January against the dwelling stock; construction
//  7. care                 care use during the year, from the mid-year population
//  8. accounting           the population accounts, checked per area (by the core)
//  9. accessibility        distances to the nearest facilities; GP demand of each practice's
//                          catchment (this year's care) against its capacity. Last: it changes
//                          no persons, and its second sweep (it settles across areas) then holds
//                          nothing else, which the agent core runs without counting persons
// Ageing comes first so that every later phase sees the persons alive at the end of the year
// at their new age; births come from the 1 January women because the fertility rates were
// fitted that way (see docs/data-preparation.md). Household positions change before migration
// so that migration sees the households that really need a dwelling at year end: children
// who left home this year compete with in-migrants for the vacant dwellings.
//
// Models only touch their own area (model.hpp), so each area runs the phases in a row while
// its state (24 KB of counts in the cohort core) is in cache, instead of one sweep over the
// whole population per phase: the step is compute-bound, not memory-bound
// (docs/performance.md). Only a model that settles across areas (the housing market in
// migration, the catchments in accessibility) cuts the year into more sweeps. Each item is
// timed in its phase per thread, settle() in its model's phase, and the times are summed.
void YearDriver::run_year(int year, std::size_t n_areas, CoreYear& core, PhaseTimes& times) {
    using clock = PhaseTimes::clock;
    const YearPlan plan = plan_year(models_, year);
    const std::size_t n_segments = plan.segments.size();

    // Per thread: a worker of the core for each area of a block, and the ticks (item_ticks) of
    // each phase, summed after the year (a shared sum would make every item of every area
    // contend for it).
    const std::size_t block = std::max<std::size_t>(1, core.areas_together());
    struct Worker {
        std::vector<std::unique_ptr<AreaWork>> work;  // one per area of a block
        std::array<std::uint64_t, n_phases> ticks{};
    };
    tbb::enumerable_thread_specific<Worker> workers([&] {
        Worker worker;
        for (std::size_t i = 0; i < block; ++i) worker.work.push_back(core.area_work());
        return worker;
    });
    const auto year_start = clock::now();
    const std::uint64_t year_start_ticks = item_ticks();

    for (std::size_t segment = 0; segment < n_segments; ++segment) {
        const std::vector<YearPlan::Item>& items = plan.segments[segment];
        // The areas in blocks, each item for every area of a block before the next item (the
        // areas of a segment are independent of one another); blocks shared out as areas were.
        const std::size_t n_blocks = (n_areas + block - 1) / block;
        parallel_for_ranges(n_blocks, [&](const auto& range) {
            Worker& worker = workers.local();
            for (std::size_t b = range.begin(); b != range.end(); ++b) {
                const std::size_t first = b * block;
                const std::size_t n = std::min(block, n_areas - first);
                for (std::size_t i = 0; i < n; ++i)
                    worker.work[i]->begin({first + i, segment, n_segments});
                std::uint64_t t0 = item_ticks();
                for (const YearPlan::Item& item : items) {
                    for (std::size_t i = 0; i < n; ++i) worker.work[i]->run(item);
                    const std::uint64_t t1 = item_ticks();
                    worker.ticks[static_cast<std::size_t>(item.phase)] += t1 - t0;
                    t0 = t1;
                }
                for (std::size_t i = 0; i < n; ++i) worker.work[i]->end();
            }
        });
        if (segment < plan.settling.size())
            times.time(plan.settling_phase[segment], [&] {
                for (Model* m : plan.settling[segment]) m->settle();
            });
    }
    const double year_seconds = std::chrono::duration<double>(clock::now() - year_start).count();
    const std::uint64_t year_ticks = item_ticks() - year_start_ticks;
    const double seconds_per_tick =
        year_ticks > 0 ? year_seconds / static_cast<double>(year_ticks) : 0.0;
    for (const Worker& worker : workers)
        for (int p = 0; p < n_phases; ++p)
            times.add(
                static_cast<Phase>(p),
                static_cast<double>(worker.ticks[static_cast<std::size_t>(p)]) * seconds_per_tick);
    core.end_year(times);
}

}  // namespace socialtwin
