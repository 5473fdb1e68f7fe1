#include "engine/core/agent_projection.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>

#include <cmath>
#include "engine/core/kinship.hpp"
#include "engine/core/parallel.hpp"
#include "engine/core/threads.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

AgentPopulation synthesise_population(const BasePopulation& base, std::size_t n_areas,
                                      std::uint64_t seed) {
    AgentPopulation persons;
    double total = 0;
    for (double n : base.persons) total += n;
    persons.reserve(static_cast<std::size_t>(total * 1.1));
    const RandomStreams random(seed, 0);
    for (std::size_t area = 0; area < n_areas; ++area) {
        for (int s = 0; s < n_sexes; ++s) {
            for (int a = 0; a < n_ages; ++a) {
                for (int p = 0; p < n_positions; ++p) {
                    const auto cell = at(CohortCell::offset(s, a, p));
                    const double expected = base.persons[area * CohortCell::size + cell];
                    if (expected <= 0) continue;
                    const double whole = std::floor(expected);
                    const double u =
                        random.uniforms(synthesis_stream, static_cast<std::uint32_t>(area),
                                        base.year, static_cast<std::uint32_t>(cell))[0];
                    const auto n = static_cast<std::size_t>(whole) + (u < expected - whole ? 1 : 0);
                    for (std::size_t k = 0; k < n; ++k)
                        persons.add(base.year - 1 - a, static_cast<Sex>(s),
                                    static_cast<Position>(p), static_cast<std::uint32_t>(area));
                }
            }
        }
    }
    return persons;
}

AgentPopulation start_population(const BasePopulation& base, std::size_t n_areas,
                                 std::uint64_t seed) {
    AgentPopulation persons = synthesise_population(base, n_areas, seed);
    link_base_population(persons);
    std::vector<std::uint32_t> all(persons.size());
    for (std::uint32_t id = 0; id < persons.size(); ++id) all[id] = id;
    update_households(persons, all);
    return persons;
}

AgentProjection::AgentProjection(const Scenario& scenario, const AreaTable& areas,
                                 BasePopulation base, std::vector<std::unique_ptr<Model>> models,
                                 AgentSettings settings)
    : scenario_(scenario),
      areas_(areas),
      base_(std::move(base)),
      models_(std::move(models)),
      settings_(settings),
      accounts_(catalog_) {
    if ((!settings_.start_population && base_.persons.size() != areas_.size() * CohortCell::size) ||
        base_.dwellings.size() != areas_.size())
        throw std::logic_error("base population does not match the area table");
    if (settings_.replicates < 1) throw std::logic_error("at least one replicate");
    for (auto& model : models_) {
        model->configure(scenario_);
        model->declare_indicators(catalog_);
    }
}

RunDescription AgentProjection::describe() const {
    return describe_run(scenario_, areas_, catalog_, base_.year, "agent", settings_.replicates);
}

RunSummary AgentProjection::run(std::span<Observer* const> observers,
                                const std::map<std::string, std::string>& metadata) {
    const auto wall_start = std::chrono::steady_clock::now();
    RunDescription run = describe();
    run.metadata = metadata;
    for (Observer* o : observers) o->on_start(run);

    std::vector<double> phase_seconds(n_phases, 0.0);
    YearResults results(catalog_, areas_.size());
    RunSummary summary;
    // Never more threads than the machine has (see threads.hpp); the arena ends with run(),
    // long before HDF5 and the other libraries tear down at exit.
    tbb::task_arena arena(worker_threads(settings_.threads));
    const int last_year = base_.year + scenario_.horizon;

    for (int replicate = 0; replicate < settings_.replicates; ++replicate) {
        // Every replicate starts from the same synthesised population.
        persons_ = settings_.start_population
                       ? *settings_.start_population
                       : start_population(base_, areas_.size(), scenario_.seed);
        residents_.assign(areas_.size(), {});
        for (std::uint32_t id = 0; id < persons_.size(); ++id)
            if (persons_.presence[id] == Presence::present)
                residents_[persons_.area[id]].push_back(id);
        arrivals_.assign(areas_.size(), {});
        flows_.assign(areas_.size(), {});
        dwellings_start_ = base_.dwellings;
        dwellings_next_ = dwellings_start_;
        std::vector<double> base_positions(areas_.size() * n_positions, 0.0);
        for (const auto& residents : residents_)
            for (const std::uint32_t id : residents)
                base_positions[persons_.area[id] * n_positions +
                               at(index(persons_.position[id]))] += 1;
        const RandomStreams random(scenario_.seed, static_cast<std::uint32_t>(replicate));
        RunContext context{&scenario_,      &areas_, base_.year, last_year, base_positions,
                           base_.dwellings, true,    &random,    &persons_};
        for (auto& model : models_) model->begin_run(context);

        for (int year = base_.year; year <= last_year; ++year) {
            if (settings_.stop && settings_.stop->load()) throw Interrupted();
            results.replicate = replicate;
            arena.execute(
                [&] { step(year, random, results, phase_seconds, summary.person_years); });
            // Persons are counted, so the population cannot overflow; the care, cost and
            // housing indicators computed from the counts still can.
            check_year_is_finite(results, areas_, {});
            for (Observer* o : observers) o->on_year(results);
            std::swap(dwellings_start_, dwellings_next_);
        }
        // Households follow from the links; no yearly process needs them, so they are
        // derived once, for whoever reads the persons after the run.
        arena.execute([&] {
            parallel_for_each_index(
                areas_.size(), [&](std::size_t a) { update_households(persons_, residents_[a]); });
        });
    }

    record_phase_timings(summary, phase_seconds, wall_start);
    for (Observer* o : observers) o->on_finish(summary);
    return summary;
}

// One year, area by area in parallel, in the cohort core's phases (see CohortProjection::step).
// The demographic phases act on persons by random draws; then the area's persons are counted
// by sex, age and position on 1 January of this year and of the next, and the count-based
// phases (housing, care, accounting) run on those counts exactly as in the cohort core.
// Arrivals get their ids afterwards, area by area in order, so ids never depend on threads.
void AgentProjection::step(int year, const RandomStreams& random, YearResults& results,
                           std::vector<double>& phase_seconds, double& person_years) {
    using clock = std::chrono::steady_clock;
    results.clear();
    results.year = year;
    const std::size_t n_areas = areas_.size();
    const YearPlan plan = plan_year(models_, year);
    constexpr auto last_person_phase = Phase::migration;
    std::vector<double> area_person_years(n_areas, 0.0);

    struct Scratch {
        std::vector<double> start = std::vector<double>(CohortCell::size);
        std::vector<double> next = std::vector<double>(CohortCell::size);
        std::vector<std::array<double, 4>> draws;
        std::array<double, n_phases> seconds{};
    };
    tbb::enumerable_thread_specific<Scratch> scratch;

    for (std::size_t segment = 0; segment < plan.segments.size(); ++segment) {
        parallel_for_ranges(n_areas, [&](const auto& range) {
            Scratch& my = scratch.local();
            for (std::size_t a = range.begin(); a != range.end(); ++a) {
                std::vector<std::uint32_t>& residents = residents_[a];
                std::vector<Arrival>& arrivals = arrivals_[a];
                auto& f = flows_[a];
                if (segment == 0) {
                    arrivals.clear();
                    f = {0, 0, 0, 0};
                    dwellings_next_[a] = dwellings_start_[a];
                    for (const std::uint32_t id : residents)
                        persons_.position_on_1_january[id] = persons_.position[id];
                }
                if (segment == 0) {
                    my.draws.resize(residents.size());
                    for (std::size_t i = 0; i < residents.size(); ++i)
                        my.draws[i] = random.uniforms(person_year_stream, residents[i], year);
                }
                bool counted = false;
                AreaStep counts{a,
                                year,
                                my.start,
                                my.next,
                                f[0],
                                f[1],
                                f[2],
                                f[3],
                                dwellings_start_[a],
                                dwellings_next_[a],
                                results};
                AgentAreaStep agents{counts,
                                     persons_,
                                     residents,
                                     arrivals,
                                     random,
                                     segment == 0 ? std::span<const std::array<double, 4>>(my.draws)
                                                  : std::span<const std::array<double, 4>>()};

                auto t0 = clock::now();
                for (const YearPlan::Item& item : plan.segments[segment]) {
                    if (item.phase <= last_person_phase) {
                        for (Model* m : item.models)
                            item.complete ? m->complete(agents) : m->apply(agents);
                    } else {
                        // The person phases need no counts; the count-based ones get the
                        // area's persons on 1 January of this year and of the next (unless
                        // all models of a second half say they need none).
                        const bool needs_counts =
                            !item.complete ||
                            std::any_of(item.models.begin(), item.models.end(),
                                        [](const Model* m) { return m->complete_needs_counts(); });
                        if (!counted && needs_counts) {
                            count_persons(year, residents, arrivals, my.start, my.next);
                            counted = true;
                        }
                        for (Model* m : item.models)
                            item.complete ? m->complete(counts) : m->apply(counts);
                        if (item.phase == Phase::accounting)
                            area_person_years[a] = accounts_.record(areas_, counts, 0.0);
                    }
                    const auto t1 = clock::now();
                    my.seconds[static_cast<std::size_t>(item.phase)] +=
                        std::chrono::duration<double>(t1 - t0).count();
                    t0 = t1;
                }
                if (segment + 1 == plan.segments.size())
                    std::erase_if(residents, [&](std::uint32_t id) {
                        return persons_.presence[id] != Presence::present;
                    });
            }
        });
        if (segment < plan.settling.size())
            for (Model* m : plan.settling[segment]) m->settle();
    }

    // Arrivals join, area by area: the only place ids are handed out.
    // Persons moving in from another area keep their id (and links) and take their new area.
    // Residents stay in id order (models look persons up by id): the arrivals are sorted and
    // merged in.
    for (std::size_t a = 0; a < n_areas; ++a) {
        const auto settled = static_cast<std::ptrdiff_t>(residents_[a].size());
        for (const Arrival& arrival : arrivals_[a]) {
            if (arrival.person != no_person) {
                persons_.area[arrival.person] = static_cast<std::uint32_t>(a);
                persons_.presence[arrival.person] = Presence::present;
                residents_[a].push_back(arrival.person);
                continue;
            }
            residents_[a].push_back(persons_.add(arrival.birth_year, arrival.sex, arrival.position,
                                                 static_cast<std::uint32_t>(a), arrival.mother));
        }
        auto& r = residents_[a];
        std::sort(r.begin() + settled, r.end());
        std::inplace_merge(r.begin(), r.begin() + settled, r.end());
    }
    // Partner links follow the year's positions, deaths and departures, area by area.
    const auto t0 = clock::now();
    parallel_for_ranges(n_areas, [&](const auto& range) {
        for (std::size_t a = range.begin(); a != range.end(); ++a)
            update_partner_links(persons_, residents_[a]);
    });
    phase_seconds[static_cast<std::size_t>(Phase::household_positions)] +=
        std::chrono::duration<double>(clock::now() - t0).count();
    for (const Scratch& my : scratch)
        for (std::size_t p = 0; p < n_phases; ++p) phase_seconds[p] += my.seconds[p];
    for (double py : area_person_years) person_years += py;
}

// The area's persons on 1 January (by their state then) and at year end (alive, still here,
// and the arrivals), by sex, age and position on 1 January of this year and of the next.
void AgentProjection::count_persons(int year, const std::vector<std::uint32_t>& residents,
                                    const std::vector<Arrival>& arrivals,
                                    std::vector<double>& start, std::vector<double>& next) const {
    std::fill(start.begin(), start.end(), 0.0);
    std::fill(next.begin(), next.end(), 0.0);
    for (const std::uint32_t id : residents) {
        const int sex = index(persons_.sex[id]);
        start[at(CohortCell::offset(sex, persons_.age_on_1_january(id, year),
                                    index(persons_.position_on_1_january[id])))] += 1;
        if (persons_.presence[id] == Presence::present)
            next[at(CohortCell::offset(sex, persons_.age_on_1_january(id, year + 1),
                                       index(persons_.position[id])))] += 1;
    }
    for (const Arrival& arrival : arrivals)
        next[at(CohortCell::offset(index(arrival.sex), std::min(year - arrival.birth_year, max_age),
                                   index(arrival.position)))] += 1;
}

}  // namespace socialtwin
