#include "engine/core/agent_projection.hpp"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <optional>
#include <stdexcept>

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
    if (base.persons.n_areas() != n_areas)
        throw std::logic_error("synthesise_population: base population does not match the areas");
    const RandomStreams random(seed, 0);
    // An area's persons, cell by cell in the CohortCell order (sex, age, position): only filled
    // cells draw, so skipping the empty ones changes no draw. `each(cell, n)` per filled cell.
    auto for_each_cell = [&](std::size_t area, auto each) {
        const auto cells = base.persons.cells(area);
        const auto counts = base.persons.persons(area);
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const double expected = counts[i];
            if (expected <= 0) continue;
            const int cell = cells[i];
            const double whole = std::floor(expected);
            const double u = random.uniforms(synthesis_stream, static_cast<std::uint32_t>(area),
                                             base.year, static_cast<std::uint32_t>(cell))[0];
            each(cell, static_cast<std::size_t>(whole) + (u < expected - whole ? 1 : 0));
        }
    };
    // Area by area, the areas in parallel: each area's persons counted (its draws), their ids
    // laid out area after area, then written at their ids (the same draws again).
    std::vector<std::size_t> first(n_areas + 1, 0);
    parallel_for_each_index(n_areas, [&](std::size_t area) {
        std::size_t n = 0;
        for_each_cell(area, [&](int, std::size_t persons_in_cell) { n += persons_in_cell; });
        first[area + 1] = n;
    });
    for (std::size_t area = 0; area < n_areas; ++area) first[area + 1] += first[area];
    const std::uint32_t start = persons.make_room(first[n_areas]);
    parallel_for_each_index(n_areas, [&](std::size_t area) {
        auto id = static_cast<std::uint32_t>(start + first[area]);
        for_each_cell(area, [&](int cell, std::size_t n) {
            for (std::size_t k = 0; k < n; ++k)
                persons.set(id++, base.year - 1 - CohortCell::age_of(cell),
                            static_cast<Sex>(CohortCell::sex_of(cell)),
                            static_cast<Position>(CohortCell::position_of(cell)),
                            static_cast<std::uint32_t>(area));
        });
    });
    return persons;
}

AgentPopulation start_population(const BasePopulation& base, std::size_t n_areas,
                                 std::uint64_t seed) {
    AgentPopulation persons = synthesise_population(base, n_areas, seed);
    link_base_population(persons, base.partner_age_gap);
    return persons;
}

AgentProjection::AgentProjection(const Scenario& scenario, const AreaTable& areas,
                                 BasePopulation base, std::vector<std::unique_ptr<Model>> models,
                                 AgentSettings settings)
    : scenario_(scenario),
      areas_(areas),
      base_(std::move(base)),
      settings_(settings),
      accounts_(catalog_),
      driver_(scenario_, std::move(models), catalog_) {
    base_.persons.done();  // cells a caller added and did not sort in yet
    if ((!settings_.start_population && base_.persons.n_areas() != areas_.size()) ||
        base_.dwellings.size() != areas_.size())
        throw std::logic_error("base population does not match the area table");
    if (settings_.replicates < 1) throw std::logic_error("at least one replicate");
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

    PhaseTimes times;
    YearResults results(catalog_, areas_.size());
    RunSummary summary;
    // Never more threads than the machine has (see threads.hpp); the arena ends with run(),
    // long before HDF5 and the other libraries tear down at exit.
    tbb::task_arena arena(worker_threads(settings_.threads));
    const int last_year = base_.year + scenario_.horizon;

    if (base_released_)
        throw std::logic_error(
            "AgentProjection::run: a projection runs once (its base population is released "
            "once the last replicate's persons are made)");
    for (int replicate = 0; replicate < settings_.replicates; ++replicate) {
        // Every replicate starts from the same synthesised population.
        if (settings_.start_population)
            persons_ = *settings_.start_population;
        else  // on the run's threads
            arena.execute(
                [&] { persons_ = start_population(base_, areas_.size(), scenario_.seed); });
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
        context.base_cells = &base_.persons;
        driver_.begin_run(context);
        // The base population's cells are not read again after the last replicate's start
        // (models take what they need from them in begin_run): in a PC6 country they are
        // ~140 MB of the peak, held through every year for nothing.
        if (replicate + 1 == settings_.replicates) {
            base_.persons = AreaCells();
            base_released_ = true;
        }

        for (int year = base_.year; year <= last_year; ++year) {
            if (settings_.stop && settings_.stop->load()) throw Interrupted();
            results.replicate = replicate;
            arena.execute([&] {
                step(year, random, results, times, summary.person_years);
                // Persons are counted, so the population cannot overflow; the care, cost and
                // housing indicators computed from the counts still can.
                check_year_is_finite(results, areas_, {});
            });
            for (Observer* o : observers) o->on_year(results);
            std::swap(dwellings_start_, dwellings_next_);
        }
    }

    times.record(summary, wall_start);
    for (Observer* o : observers) o->on_finish(summary);
    return summary;
}

// The agent core's part of a year, in the driver's phases (engine/core/year_driver.cpp). The
// demographic phases act on persons by random draws; then the area's persons are counted by
// sex, age and position on 1 January of this year and of the next, and the count-based phases
// (housing, care, accounting) run on those counts exactly as in the cohort core. Arrivals get
// their ids at the end of the year, area by area in order, so ids never depend on threads.
class AgentProjection::Year final : public CoreYear {
public:
    Year(AgentProjection& projection, int year, const RandomStreams& random, YearResults& results)
        : projection_(projection),
          year_(year),
          random_(random),
          results_(results),
          area_person_years_(projection.areas_.size(), 0.0) {}

    std::unique_ptr<AreaWork> area_work() override { return std::make_unique<Area>(*this); }
    void end_year(PhaseTimes& times) override;
    // Adds the year's person-years to `total`, area by area (the sum's order is fixed).
    void add_person_years(double& total) const {
        for (const double py : area_person_years_) total += py;
    }

private:
    // One thread's areas: the area's persons, and its counts once a count-based phase needs
    // them (the scratch is the thread's, reused area after area).
    class Area final : public AreaWork {
    public:
        explicit Area(Year& year) : year_(year) {}
        void begin(const AreaSegment& where) override;
        void run(const YearPlan::Item& item) override;
        void end() override;

    private:
        Year& year_;
        std::vector<double> start_ = std::vector<double>(CohortCell::size);
        std::vector<double> next_ = std::vector<double>(CohortCell::size);
        std::vector<std::uint16_t> occupied_;       // the cells start_ and next_ hold counts in
        std::vector<std::uint16_t> occupied_rows_;  // their rows (sex * n_ages + age)
        std::vector<std::array<double, 4>> draws_;
        std::vector<std::uint32_t> stable_ids_;  // the residents', for their draws
        // The current area.
        AreaSegment where_;
        std::optional<AreaStep> counts_;
        std::optional<AgentAreaStep> agents_;
        bool counted_ = false;
    };

    AgentProjection& projection_;
    const int year_;
    const RandomStreams& random_;
    YearResults& results_;
    std::vector<double> area_person_years_;
};

void AgentProjection::Year::Area::begin(const AreaSegment& where) {
    AgentProjection& p = year_.projection_;
    const std::size_t a = where.area;
    where_ = where;
    std::vector<std::uint32_t>& residents = p.residents_[a];
    auto& f = p.flows_[a];
    if (where.first()) {
        p.arrivals_[a].clear();
        f = {0, 0, 0, 0};
        p.dwellings_next_[a] = p.dwellings_start_[a];
        for (const std::uint32_t id : residents)
            p.persons_.position_on_1_january[id] = p.persons_.position[id];
        draws_.resize(residents.size());
        stable_ids_.resize(residents.size());
        for (std::size_t i = 0; i < residents.size(); ++i)
            stable_ids_[i] = p.persons_.stable_id[residents[i]];
        year_.random_.uniforms(person_year_stream, stable_ids_, year_.year_, draws_);
    }
    counted_ = false;
    counts_.emplace(AreaStep{a, year_.year_, start_, next_, f[0], f[1], f[2], f[3],
                             p.dwellings_start_[a], p.dwellings_next_[a], year_.results_});
    agents_.emplace(AgentAreaStep{*counts_, p.persons_, residents, p.arrivals_[a], year_.random_,
                                  where.first() ? std::span<const std::array<double, 4>>(draws_)
                                                : std::span<const std::array<double, 4>>()});
}

void AgentProjection::Year::Area::run(const YearPlan::Item& item) {
    constexpr auto last_person_phase = Phase::alignment;
    AgentProjection& p = year_.projection_;
    if (item.phase <= last_person_phase) {
        for (Model* m : item.models) item.complete ? m->complete(*agents_) : m->apply(*agents_);
        return;
    }
    // The person phases need no counts; the count-based ones get the area's persons on
    // 1 January of this year and of the next (unless all models of a second half say they
    // need none).
    const bool needs_counts =
        !item.complete || std::any_of(item.models.begin(), item.models.end(),
                                      [](const Model* m) { return m->complete_needs_counts(); });
    if (!counted_ && needs_counts) {
        p.count_persons(year_.year_, p.residents_[where_.area], p.arrivals_[where_.area], start_,
                        next_, occupied_, occupied_rows_);
        counts_->occupied = occupied_;
        counts_->occupied_rows = &occupied_rows_;
        counted_ = true;
    }
    for (Model* m : item.models) item.complete ? m->complete(*counts_) : m->apply(*counts_);
    if (item.phase == Phase::accounting)
        year_.area_person_years_[where_.area] = p.accounts_.record(p.areas_, *counts_, 0.0);
}

void AgentProjection::Year::Area::end() {
    if (!where_.last()) return;
    AgentProjection& p = year_.projection_;
    std::erase_if(p.residents_[where_.area],
                  [&](std::uint32_t id) { return p.persons_.presence[id] != Presence::present; });
}

void AgentProjection::Year::end_year(PhaseTimes& times) {
    AgentProjection& p = projection_;
    const std::size_t n_areas = p.areas_.size();
    // Arrivals join their areas: the only place persons are added. New persons get the ids
    // (and stable ids) that adding them area by area, arrival by arrival, gives -- each area's
    // first new id is the number of new persons in the areas before it -- so the areas join
    // in parallel and ids never depend on threads. Persons moving in from another area keep
    // their stable id (and links) and take their new area; each arrives in one area only, and
    // each area writes only its arrivals. Residents stay in stable-id order, the order models
    // visit them in: the arrivals are merged in. Counted in migration, where most
    // arrivals come from (in-migrants and moves between areas).
    times.time(Phase::migration, [&] {
        std::vector<std::uint32_t> first_new(n_areas + 1, 0);
        for (std::size_t a = 0; a < n_areas; ++a)
            first_new[a + 1] =
                first_new[a] +
                static_cast<std::uint32_t>(std::count_if(
                    p.arrivals_[a].begin(), p.arrivals_[a].end(),
                    [](const Arrival& arrival) { return arrival.person == no_person; }));
        const std::uint32_t first = p.persons_.make_room(first_new[n_areas]);
        parallel_for_each_index(n_areas, [&](std::size_t a) {
            // New persons' stable ids are the next ones, handed out in arrival order: they
            // follow every resident's, already in order. Only those who moved in from another
            // area are sorted (by a key of stable id above id, not through the store) and
            // merged in, into the thread's buffer.
            thread_local std::vector<std::uint64_t> moved_in;
            thread_local std::vector<std::uint32_t> merged;
            moved_in.clear();
            auto& r = p.residents_[a];
            std::uint32_t id = first + first_new[a];
            const std::uint32_t first_here = id;
            for (const Arrival& arrival : p.arrivals_[a]) {
                if (arrival.person != no_person) {
                    p.persons_.area[arrival.person] = static_cast<std::uint32_t>(a);
                    p.persons_.presence[arrival.person] = Presence::present;
                    moved_in.push_back(std::uint64_t{p.persons_.stable_id[arrival.person]} << 32 |
                                       arrival.person);
                    continue;
                }
                p.persons_.set(id, arrival.birth_year, arrival.sex, arrival.position,
                               static_cast<std::uint32_t>(a), arrival.mother);
                ++id;
            }
            if (!moved_in.empty()) {
                std::sort(moved_in.begin(), moved_in.end());
                merged.clear();
                auto next_in = moved_in.begin();
                for (const std::uint32_t resident : r) {
                    const std::uint32_t stable = p.persons_.stable_id[resident];
                    for (; next_in != moved_in.end() && (*next_in >> 32) < stable; ++next_in)
                        merged.push_back(static_cast<std::uint32_t>(*next_in));
                    merged.push_back(resident);
                }
                for (; next_in != moved_in.end(); ++next_in)
                    merged.push_back(static_cast<std::uint32_t>(*next_in));
                r.assign(merged.begin(), merged.end());
            }
            assert(r.empty() || first_here == id || p.persons_.before(r.back(), first_here));
            for (std::uint32_t born = first_here; born != id; ++born) r.push_back(born);
        });
    });
    // Partner links follow the year's positions, deaths and departures, area by area.
    times.time(Phase::household_positions, [&] {
        parallel_for_ranges(n_areas, [&](const auto& range) {
            for (std::size_t a = range.begin(); a != range.end(); ++a)
                update_partner_links(p.persons_, p.residents_[a], p.base_.partner_age_gap);
        });
    });
    // The store in area order for next year, departed persons dropped (see AgentPopulation).
    times.time(Phase::migration, [&] { p.put_persons_in_area_order(); });
}

void AgentProjection::put_persons_in_area_order() {
    // Reordering costs a pass over every column (0.6 s for the national run's 18 M persons),
    // so it waits until a share of the store is out of place: persons who died or left and are
    // still stored, and residents stored away from the one before them in their area (beyond
    // a cache line of the 1-byte columns). At a quarter the national run reorders every third
    // year: 142 -> 107 CPU-s and 1.60 -> 1.15 GB over 30 years (docs/performance.md).
    std::size_t kept = 0, away = 0;
    for (const auto& ids : residents_) {
        kept += ids.size();
        for (std::size_t k = 1; k < ids.size(); ++k)
            away += ids[k] < ids[k - 1] || ids[k] - ids[k - 1] > 64 ? 1 : 0;
    }
    const auto out_of_place = static_cast<double>(persons_.size() - kept + away);
    if (out_of_place < settings_.reorder_share * static_cast<double>(persons_.size())) return;
    persons_.keep_in_area_order(residents_);
}

void AgentProjection::step(int year, const RandomStreams& random, YearResults& results,
                           PhaseTimes& times, double& person_years) {
    results.clear();
    results.year = year;
    Year core_year(*this, year, random, results);
    driver_.run_year(year, areas_.size(), core_year, times);
    core_year.add_person_years(person_years);
}

// The area's persons on 1 January (by their state then) and at year end (alive, still here,
// and the arrivals), by sex, age and position on 1 January of this year and of the next.
// `occupied` comes in listing the cells the thread's previous area was counted into and leaves
// listing this area's, ascending: only those cells are cleared and visited by the count-based
// models, a few dozen of the 1,484 at PC6 density.
void AgentProjection::count_persons(int year, const std::vector<std::uint32_t>& residents,
                                    const std::vector<Arrival>& arrivals,
                                    std::vector<double>& start, std::vector<double>& next,
                                    std::vector<std::uint16_t>& occupied,
                                    std::vector<std::uint16_t>& occupied_rows) const {
    for (const std::uint16_t c : occupied) start[c] = next[c] = 0.0;
    occupied.clear();
    // The cells counted into are marked in a bitmap and listed by one scan of its words, in
    // order: a PC6 area's few persons cost a few word scans, not a sort, and a PC4 area's ~1,000
    // cells no pass over the 1,484-cell table.
    std::array<std::uint64_t, (CohortCell::size + 63) / 64> filled{};
    const auto add = [&](std::vector<double>& table, int cell) {
        const auto c = at(cell);
        filled[c / 64] |= std::uint64_t{1} << (c % 64);
        table[c] += 1;
    };
    for (const std::uint32_t id : residents) {
        const int sex = index(persons_.sex[id]);
        add(start, CohortCell::offset(sex, persons_.age_on_1_january(id, year),
                                      index(persons_.position_on_1_january[id])));
        if (persons_.presence[id] == Presence::present)
            add(next, CohortCell::offset(sex, persons_.age_on_1_january(id, year + 1),
                                         index(persons_.position[id])));
    }
    for (const Arrival& arrival : arrivals)
        add(next,
            CohortCell::offset(index(arrival.sex), std::min(year - arrival.birth_year, max_age),
                               index(arrival.position)));
    for (std::size_t w = 0; w < filled.size(); ++w)
        for (std::uint64_t bits = filled[w]; bits != 0; bits &= bits - 1)
            occupied.push_back(static_cast<std::uint16_t>(w * 64 + std::countr_zero(bits)));
    // Their rows, once for every model that reads the counts row by row.
    list_occupied_rows(occupied, occupied_rows);
}

}  // namespace socialtwin
