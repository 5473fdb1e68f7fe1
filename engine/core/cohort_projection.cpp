#include "engine/core/cohort_projection.hpp"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/core/large_table.hpp"
#include "engine/core/threads.hpp"

namespace socialtwin {

namespace {
// Sixteen areas at a time: each phase's rates and matrices (household positions reads 82 KB
// of them an area) stay in the caches across the block, whose tables (24 KB an area) fit
// the second-level cache beside them. The cohort benchmark took 0.90x the CPU of one area at
// a time (docs/performance.md). Models may sum over a block's areas as they go
// (RunContext::areas_together): the housing market's pools of movers depend on this number in
// their last bits.
constexpr std::size_t cohort_areas_together = 16;

// Survivors move up one year of age; the open class 105+ keeps its own. Age 0 is left empty
// for the births phase. Ages are rows of n_positions cells, so each sex's ages 0..103 move up
// as one block (a copy, no arithmetic) once 104 has joined 105+.
void age_one_year(std::span<double> persons) {
    constexpr auto row = static_cast<std::size_t>(n_positions);
    for (int s = 0; s < n_sexes; ++s) {
        const auto first = static_cast<std::size_t>(CohortCell::offset(s, 0, 0));
        const std::span<double> ages =
            persons.subspan(first, static_cast<std::size_t>(n_ages) * row);
        for (std::size_t p = 0; p < row; ++p)
            ages[max_age * row + p] += ages[(max_age - 1) * row + p];
        std::copy_backward(ages.begin(), ages.begin() + (max_age - 1) * row,
                           ages.begin() + max_age * row);
        std::fill(ages.begin(), ages.begin() + row, 0.0);
    }
}

}  // namespace

CohortProjection::CohortProjection(const Scenario& scenario, const AreaTable& areas,
                                   BasePopulation base, std::vector<std::unique_ptr<Model>> models,
                                   ProjectionSettings settings)
    : scenario_(scenario),
      areas_(areas),
      base_(std::move(base)),
      settings_(settings),
      accounts_(catalog_),
      driver_(scenario_, std::move(models), catalog_) {
    base_.persons.done();  // cells a caller added and did not sort in yet
    const std::size_t n = areas_.size();
    if (base_.persons.n_areas() != n || base_.dwellings.size() != n)
        throw std::logic_error("base population does not match the area table");
    if (scenario_.horizon < 1) throw std::logic_error("horizon must be at least one year");
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

    const std::vector<double> base_positions = positions_by_area(base_.persons);
    RunContext context{&scenario_,     &areas_,        base_.year, base_.year + scenario_.horizon,
                       base_positions, base_.dwellings};
    context.base_cells = &base_.persons;
    context.areas_together = cohort_areas_together;
    driver_.begin_run(context);

    // The dense state on 2 MB pages (large_table.hpp): at PC6 scale faulting it in by 4 KB
    // pages cost as much as years of projection.
    start_ = zeroed_large_table(areas_.size() * static_cast<std::size_t>(CohortCell::size));
    base_.persons.fill_dense(start_);
    next_ = zeroed_large_table(start_.size());
    dwellings_start_ = base_.dwellings;
    dwellings_next_ = dwellings_start_;
    flows_.assign(areas_.size(), {});
    start_by_position_.assign(areas_.size(), {});

    PhaseTimes times;
    YearResults results(catalog_, areas_.size());
    RunSummary summary;
    std::vector<double> person_years(areas_.size());

    // Never more threads than the machine has (see threads.hpp); the arena ends with run(),
    // long before HDF5 and the other libraries tear down at exit.
    tbb::task_arena arena(worker_threads(settings_.threads));
    for (int year = context.base_year; year <= context.last_year; ++year) {
        if (settings_.stop && settings_.stop->load()) throw Interrupted();
        arena.execute([&] { step(year, results, times); });
        for (std::size_t a = 0; a < flows_.size(); ++a) {
            person_years[a] = flows_[a][4];
            summary.person_years += flows_[a][4];
        }
        // Expected numbers can overflow where counted persons cannot: a year that left the
        // finite fails the run before any observer could keep it.
        arena.execute([&] { check_year_is_finite(results, areas_, person_years); });
        for (Observer* o : observers) o->on_year(results);
        std::swap(start_, next_);
        std::swap(dwellings_start_, dwellings_next_);
    }

    times.record(summary, wall_start);
    for (Observer* o : observers) o->on_finish(summary);
    return summary;
}

// The cohort core's part of a year: each area's expected counts, moved in place in its slices
// of start_ and next_. The year itself (phases, segments, settling, timings) is the driver's.
class CohortProjection::Year final : public CoreYear {
public:
    Year(CohortProjection& projection, int year, YearResults& results)
        : projection_(projection), year_(year), results_(results) {}

    std::unique_ptr<AreaWork> area_work() override { return std::make_unique<Area>(*this); }
    std::size_t areas_together() const override { return cohort_areas_together; }

private:
    class Area final : public AreaWork {
    public:
        explicit Area(Year& year) : year_(year) {}

        void begin(const AreaSegment& where) override {
            CohortProjection& p = year_.projection_;
            const std::size_t a = where.area;
            const std::size_t offset = a * CohortCell::size;
            const auto start = std::span<const double>(p.start_).subspan(offset, CohortCell::size);
            const auto next = std::span<double>(p.next_).subspan(offset, CohortCell::size);
            auto& f = p.flows_[a];
            if (where.first()) {
                // Everyone alive on 1 January is still there, at the same age, until the
                // first phase has taken out the deaths and moved the survivors up a year.
                std::copy(start.begin(), start.end(), next.begin());
                p.dwellings_next_[a] = p.dwellings_start_[a];
                f = {0, 0, 0, 0, 0};
                p.start_by_position_[a] = sum_by_position(start);
            }
            step_.emplace(AreaStep{a, year_.year_, start, next, f[0], f[1], f[2], f[3],
                                   p.dwellings_start_[a], p.dwellings_next_[a], year_.results_});
            step_->start_by_position = &p.start_by_position_[a];
        }

        void run(const YearPlan::Item& item) override {
            CohortProjection& p = year_.projection_;
            AreaStep& step = *step_;
            for (Model* m : item.models) item.complete ? m->complete(step) : m->apply(step);
            if (!item.complete && item.phase == Phase::ageing_and_survival) age_one_year(step.next);
            if (item.phase == Phase::accounting)
                p.flows_[step.area][4] =
                    p.accounts_.record(p.areas_, step, p.settings_.accounting_tolerance);
        }

    private:
        Year& year_;
        std::optional<AreaStep> step_;  // the current area's
    };

    CohortProjection& projection_;
    const int year_;
    YearResults& results_;
};

void CohortProjection::step(int year, YearResults& results, PhaseTimes& times) {
    results.clear();
    results.year = year;
    Year core_year(*this, year, results);
    driver_.run_year(year, areas_.size(), core_year, times);
}

}  // namespace socialtwin
