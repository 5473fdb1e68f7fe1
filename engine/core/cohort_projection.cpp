#include "engine/core/cohort_projection.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/task_arena.h>

#include <array>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/core/parallel.hpp"
#include "engine/core/threads.hpp"

namespace socialtwin {

CohortProjection::CohortProjection(const Scenario& scenario, const AreaTable& areas,
                                   BasePopulation base, std::vector<std::unique_ptr<Model>> models,
                                   ProjectionSettings settings)
    : scenario_(scenario),
      areas_(areas),
      base_(std::move(base)),
      models_(std::move(models)),
      settings_(settings),
      accounts_(catalog_) {
    const std::size_t n = areas_.size();
    if (base_.persons.size() != n * CohortCell::size || base_.dwellings.size() != n)
        throw std::logic_error("base population does not match the area table");
    if (scenario_.horizon < 1) throw std::logic_error("horizon must be at least one year");

    for (auto& model : models_) {
        model->configure(scenario_);
        model->declare_indicators(catalog_);
    }
}

RunDescription CohortProjection::describe() const {
    return describe_run(scenario_, areas_, catalog_, base_.year, "cohort", 1);
}

RunSummary CohortProjection::run(std::span<Observer* const> observers,
                                 const std::map<std::string, std::string>& metadata) {
    const auto wall_start = std::chrono::steady_clock::now();
    RunDescription run = describe();
    run.metadata = metadata;
    for (Observer* o : observers) o->on_start(run);

    const std::vector<double> base_positions = positions_by_area(base_.persons, areas_.size());
    RunContext context{&scenario_,     &areas_,        base_.year, base_.year + scenario_.horizon,
                       base_positions, base_.dwellings};
    for (auto& model : models_) model->begin_run(context);

    start_ = base_.persons;
    next_.assign(start_.size(), 0.0);
    dwellings_start_ = base_.dwellings;
    dwellings_next_ = dwellings_start_;
    flows_.assign(areas_.size(), {});

    std::vector<double> phase_seconds(n_phases, 0.0);
    YearResults results(catalog_, areas_.size());
    RunSummary summary;
    std::vector<double> person_years(areas_.size());

    // Never more threads than the machine has (see threads.hpp); the arena ends with run(),
    // long before HDF5 and the other libraries tear down at exit.
    tbb::task_arena arena(worker_threads(settings_.threads));
    for (int year = context.base_year; year <= context.last_year; ++year) {
        if (settings_.stop && settings_.stop->load()) throw Interrupted();
        arena.execute([&] { step(year, results, phase_seconds); });
        for (std::size_t a = 0; a < flows_.size(); ++a) {
            person_years[a] = flows_[a][4];
            summary.person_years += flows_[a][4];
        }
        // Expected numbers can overflow where counted persons cannot: a year that left the
        // finite fails the run before any observer could keep it.
        check_year_is_finite(results, areas_, person_years);
        for (Observer* o : observers) o->on_year(results);
        std::swap(start_, next_);
        std::swap(dwellings_start_, dwellings_next_);
    }

    record_phase_timings(summary, phase_seconds, wall_start);
    for (Observer* o : observers) o->on_finish(summary);
    return summary;
}

// One projected year. The phases run in a fixed order:
//  1. ageing_and_survival  deaths during the year (by age on 1 January); then the core moves
//                          the survivors up one year of age
//  2. births               from the women present on 1 January; newborns join at age 0
//  3. household_positions  leaving home, partnering, separation, widowhood, institution ...
//                          for the survivors, by their age on 1 January
//  4. migration            out-migration; in-migration as far as the dwelling stock (with
//                          this year's construction) has room for more households
//  5. housing              households on 1 January against the dwelling stock; construction
//  6. care                 care use during the year, from the mid-year population
//  7. accounting           the population accounts, checked per area
//  8. accessibility        distances to the nearest facilities; GP demand of each practice's
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
// its 24 KB of state is in cache, instead of seven sweeps over the whole population: the step
// is compute-bound, not memory-bound (docs/performance.md). Only a model that settles across
// areas (the housing market in migration, the catchments in accessibility) cuts the year
// into more sweeps. Each phase is timed, per thread, and the times are summed.
void CohortProjection::step(int year, YearResults& results, std::vector<double>& phase_seconds) {
    using clock = std::chrono::steady_clock;
    results.clear();
    results.year = year;
    const std::size_t n_areas = areas_.size();
    const YearPlan plan = plan_year(models_, year);

    for (std::size_t segment = 0; segment < plan.segments.size(); ++segment) {
        tbb::enumerable_thread_specific<std::array<double, n_phases>> seconds(
            std::array<double, n_phases>{});
        parallel_for_ranges(n_areas, [&](const auto& range) {
            auto& my_seconds = seconds.local();
            for (std::size_t a = range.begin(); a != range.end(); ++a) {
                const std::size_t offset = a * CohortCell::size;
                const auto start =
                    std::span<const double>(start_).subspan(offset, CohortCell::size);
                const auto next = std::span<double>(next_).subspan(offset, CohortCell::size);
                auto& f = flows_[a];
                if (segment == 0) {
                    // Everyone alive on 1 January is still there, at the same age, until the
                    // first phase has taken out the deaths and moved the survivors up a year.
                    std::copy(start.begin(), start.end(), next.begin());
                    dwellings_next_[a] = dwellings_start_[a];
                    f = {0, 0, 0, 0, 0};
                }
                AreaStep area_step{a,
                                   year,
                                   start,
                                   next,
                                   f[0],
                                   f[1],
                                   f[2],
                                   f[3],
                                   dwellings_start_[a],
                                   dwellings_next_[a],
                                   results};
                auto t0 = clock::now();
                for (const YearPlan::Item& item : plan.segments[segment]) {
                    for (Model* m : item.models)
                        item.complete ? m->complete(area_step) : m->apply(area_step);
                    if (!item.complete && item.phase == Phase::ageing_and_survival)
                        age_one_year(next);
                    if (item.phase == Phase::accounting)
                        f[4] = accounts_.record(areas_, area_step, settings_.accounting_tolerance);
                    const auto t1 = clock::now();
                    my_seconds[static_cast<std::size_t>(item.phase)] +=
                        std::chrono::duration<double>(t1 - t0).count();
                    t0 = t1;
                }
            }
        });
        for (const auto& thread_seconds : seconds)
            for (std::size_t p = 0; p < n_phases; ++p) phase_seconds[p] += thread_seconds[p];
        if (segment < plan.settling.size()) {
            const auto t0 = clock::now();
            for (Model* m : plan.settling[segment]) m->settle();
            phase_seconds[static_cast<std::size_t>(plan.settling_phase[segment])] +=
                std::chrono::duration<double>(clock::now() - t0).count();
        }
    }
}

// Survivors move up one year of age; the open class 105+ keeps its own. Age 0 is left empty
// for the births phase.
void CohortProjection::age_one_year(std::span<double> persons) {
    for (int s = 0; s < n_sexes; ++s) {
        for (int p = 0; p < n_positions; ++p) {
            const auto cell = [&](int age) {
                return static_cast<std::size_t>(CohortCell::offset(s, age, p));
            };
            persons[cell(max_age)] += persons[cell(max_age - 1)];
            for (int age = max_age - 1; age > 0; --age) persons[cell(age)] = persons[cell(age - 1)];
            persons[cell(0)] = 0.0;
        }
    }
}

}  // namespace socialtwin
