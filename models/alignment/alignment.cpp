#include "models/alignment/alignment.hpp"

#include <algorithm>
#include <cmath>

#include "models/draws.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr std::size_t cell(int sex, int age, int position) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, position));
}
constexpr std::size_t band_index(int sex, int age) {
    return static_cast<std::size_t>(sex * n_age_bands + age_band_of(age));
}
}  // namespace

double AlignmentModel::factor(double target, double projected) noexcept {
    if (std::isnan(target) || projected <= 0) return 1.0;
    return target / projected;
}

void AlignmentModel::configure(const Scenario& scenario) {
    // What configure() needs of the tables is copied: the scenario it is given need not outlive
    // the call (the dataset check declares indicators with a temporary one); the run's own
    // scenario is read again in begin_run.
    tables_ = &scenario.alignment;
    aligns_ = !scenario.alignment.empty();
    cell_of_.clear();
    offsets_.clear();
    cells_ = 0;
    for (const AlignmentTable& table : *tables_) {
        std::vector<int> lookup(at(n_sexes * n_ages), -1);
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a)
                for (std::size_t g = 0; g < table.age_groups.size(); ++g)
                    if (a >= table.age_groups[g].first && a <= table.age_groups[g].second)
                        lookup[at(s * n_ages + a)] = static_cast<int>(
                            (table.by_sex ? at(s) : 0) * table.age_groups.size() + g);
        cell_of_.push_back(std::move(lookup));
        offsets_.push_back(cells_);
        cells_ += table.cells_per_region();
    }
}

void AlignmentModel::declare_indicators(IndicatorCatalog& catalog) {
    // Only a run that aligns reports alignment: without `align:` the results keep exactly the
    // datasets they had.
    if (!aligns_) return;
    adjustment_ = catalog.add(
        {.name = "alignment_adjustment",
         .units = "persons",
         .description = "Persons added (positive) or removed (negative) during the year to fix "
                        "the population of 1 January of the next year to the scenario's "
                        "alignment table (`align:`); counted in migration in and out.",
         .dims = by_sex_and_age_band,
         .source = "the scenario's alignment tables (docs/model.md, Alignment)",
         .kind = IndicatorKind::count,
         .quantity = Quantity::flow});
    projected_id_ = catalog.add(
        {.name = "alignment_projected",
         .units = "persons",
         .description = "Persons the model projected for 1 January of the next year before "
                        "alignment, in the cells an alignment table aligns this year: how far "
                        "the model was from the table (the difference is "
                        "`alignment_adjustment`).",
         .dims = by_sex_and_age_band,
         .source = "the projection before alignment (docs/model.md, Alignment)",
         .kind = IndicatorKind::count,
         .quantity = Quantity::stock});
}

void AlignmentModel::begin_run(const RunContext& run) {
    tables_ = &run.scenario->alignment;
    n_areas_ = run.areas->size();
    projected_.assign(n_areas_ * cells_, 0.0);
    factors_.assign(n_areas_ * cells_, 1.0);
}

void AlignmentModel::begin_year(int year) {
    // The step of `year` ends on 1 January of year + 1: the targets of that date apply.
    const int target_year = year + 1;
    active_.clear();
    for (std::size_t t = 0; t < tables_->size(); ++t) {
        const AlignmentTable& table = (*tables_)[t];
        if ((table.from_year && target_year < table.from_year) ||
            (table.to_year && target_year > table.to_year))
            continue;
        const auto it = table.targets.find(target_year);
        if (it == table.targets.end()) continue;
        active_.push_back({&table, &it->second, &cell_of_[t], offsets_[t]});
    }
}

const AlignmentModel::Active* AlignmentModel::active_for(std::size_t area) const noexcept {
    for (const Active& a : active_)
        if (a.table->region_of_area[area] >= 0) return &a;
    return nullptr;
}

void AlignmentModel::apply(AreaStep& step) const {
    const Active* active = active_for(step.area);
    if (!active) return;
    double* row = projected_.data() + step.area * cells_ + active->offset;
    std::fill(row, row + active->table->cells_per_region(), 0.0);
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a) {
            const int c = (*active->cell_of)[at(s * n_ages + a)];
            if (c < 0) continue;
            for (int p = 0; p < n_positions; ++p) row[c] += step.next[cell(s, a, p)];
        }
}

void AlignmentModel::apply(AgentAreaStep& step) const {
    const std::size_t area = step.counts.area;
    const Active* active = active_for(area);
    if (!active) return;
    const int year = step.counts.year;
    double* row = projected_.data() + area * cells_ + active->offset;
    std::fill(row, row + active->table->cells_per_region(), 0.0);
    const AgentPopulation& persons = step.persons;
    for (const std::uint32_t id : step.residents) {
        if (persons.presence[id] != Presence::present) continue;
        const int c = (*active->cell_of)[at(index(persons.sex[id]) * n_ages +
                                            persons.age_on_1_january(id, year + 1))];
        if (c >= 0) row[c] += 1;
    }
    for (const Arrival& arrival : step.arrivals) {
        const int c = (*active->cell_of)[at(index(arrival.sex) * n_ages +
                                            std::min(year - arrival.birth_year, max_age))];
        if (c >= 0) row[c] += 1;
    }
}

// The areas' projections summed per region in area order (the same sum at any thread count),
// then each area takes its region's factors.
void AlignmentModel::settle() {
    for (const Active& active : active_) {
        const AlignmentTable& table = *active.table;
        const std::size_t per_region = table.cells_per_region();
        std::vector<double> projected(table.regions.size() * per_region, 0.0);
        for (std::size_t a = 0; a < n_areas_; ++a) {
            const int region = table.region_of_area[a];
            if (region < 0) continue;
            const double* row = projected_.data() + a * cells_ + active.offset;
            for (std::size_t c = 0; c < per_region; ++c)
                projected[at(region) * per_region + c] += row[c];
        }
        for (std::size_t a = 0; a < n_areas_; ++a) {
            const int region = table.region_of_area[a];
            if (region < 0) continue;
            for (std::size_t c = 0; c < per_region; ++c) {
                const std::size_t i = at(region) * per_region + c;
                factors_[a * cells_ + active.offset + c] =
                    factor((*active.targets)[i], projected[i]);
            }
        }
    }
}

void AlignmentModel::complete(AreaStep& step) const {
    const Active* active = active_for(step.area);
    if (!active) return;
    const double* factors = factors_.data() + step.area * cells_ + active->offset;
    const auto adjustment = step.values(adjustment_);
    const auto projected = step.values(projected_id_);
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a) {
            const int c = (*active->cell_of)[at(s * n_ages + a)];
            if (c < 0) continue;
            for (int p = 0; p < n_positions; ++p) {
                double& persons = step.next[cell(s, a, p)];
                const double change = persons * (factors[c] - 1.0);
                projected[band_index(s, a)] += persons;
                adjustment[band_index(s, a)] += change;
                persons += change;
                (change > 0 ? step.migration_in : step.migration_out) += std::abs(change);
            }
        }
}

// The agent core: persons leave or arrive by draws, so the cell hits its target in
// expectation. Persons who moved in from another area this year belong to that area's draws
// until the year ends, so they never leave here; the others leave with the probability that
// takes the expected (1 - factor) of the whole cell.
void AlignmentModel::complete(AgentAreaStep& step) const {
    const std::size_t here = step.counts.area;
    const Active* active = active_for(here);
    if (!active) return;
    const int year = step.counts.year;
    const auto area = static_cast<std::uint32_t>(here);
    const std::size_t per_region = active->table->cells_per_region();
    const double* factors = factors_.data() + here * cells_ + active->offset;
    const double* counted = projected_.data() + here * cells_ + active->offset;
    const auto adjustment = step.counts.values(adjustment_);
    const auto projected = step.counts.values(projected_id_);
    AgentPopulation& persons = step.persons;
    auto cell_of = [&](int sex, int age) { return (*active->cell_of)[at(sex * n_ages + age)]; };

    // Who is in each cell before alignment, by sex, age and position: the mix extra arrivals
    // are drawn from, and who may leave.
    std::vector<double> mix(CohortCell::size, 0.0);
    std::vector<double> movers_in(per_region, 0.0);
    for (const std::uint32_t id : step.residents)
        if (persons.presence[id] == Presence::present)
            mix[cell(index(persons.sex[id]), persons.age_on_1_january(id, year + 1),
                     index(persons.position[id]))] += 1;
    for (const Arrival& arrival : step.arrivals) {
        const int age = std::min(year - arrival.birth_year, max_age);
        mix[cell(index(arrival.sex), age, index(arrival.position))] += 1;
        const int c = cell_of(index(arrival.sex), age);
        if (c >= 0 && arrival.person != no_person) movers_in[at(c)] += 1;
    }
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            if (cell_of(s, a) >= 0)
                for (int p = 0; p < n_positions; ++p)
                    projected[band_index(s, a)] += mix[cell(s, a, p)];

    std::vector<double> leave(per_region, 0.0);
    for (std::size_t c = 0; c < per_region; ++c) {
        const double may_leave = counted[c] - movers_in[c];
        if (factors[c] < 1.0 && may_leave > 0)
            leave[c] = std::min(1.0, (1.0 - factors[c]) * counted[c] / may_leave);
    }
    auto removed = [&](int sex, int age) {
        adjustment[band_index(sex, age)] -= 1;
        step.counts.migration_out += 1;
    };
    for (const std::uint32_t id : step.residents) {
        if (persons.presence[id] != Presence::present) continue;
        const int sex = index(persons.sex[id]), age = persons.age_on_1_january(id, year + 1);
        const int c = cell_of(sex, age);
        if (c < 0 || leave[at(c)] <= 0) continue;
        if (step.random.uniforms(alignment_out_stream, persons.stable_id[id], year)[0] <
            leave[at(c)]) {
            persons.presence[id] = Presence::emigrated;
            removed(sex, age);
        }
    }
    std::vector<Arrival> kept;
    kept.reserve(step.arrivals.size());
    for (std::size_t k = 0; k < step.arrivals.size(); ++k) {
        const Arrival& arrival = step.arrivals[k];
        const int sex = index(arrival.sex), age = std::min(year - arrival.birth_year, max_age);
        const int c = cell_of(sex, age);
        if (arrival.person == no_person && c >= 0 && leave[at(c)] > 0 &&
            step.random.uniforms(alignment_arrivals_out_stream, area, year,
                                 static_cast<std::uint32_t>(k))[0] < leave[at(c)]) {
            removed(sex, age);
            continue;
        }
        kept.push_back(arrival);
    }
    step.arrivals = std::move(kept);

    // Extra arrivals, cell by cell in order: a whole number with the expected (factor - 1)
    // times the cell's persons, each one's sex, age and position drawn from the cell's mix.
    std::uint32_t draw = 0;
    std::vector<std::size_t> cells;
    std::vector<double> cumulative;
    for (std::size_t c = 0; c < per_region; ++c) {
        if (factors[c] <= 1.0 || counted[c] <= 0) continue;
        const std::uint32_t n =
            draw_count((factors[c] - 1.0) * counted[c],
                       step.random.uniforms(alignment_in_stream, area, year, draw++)[0]);
        if (n == 0) continue;
        cells.clear();
        cumulative.clear();
        double total = 0;
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a)
                if (cell_of(s, a) == static_cast<int>(c))
                    for (int p = 0; p < n_positions; ++p)
                        if (mix[cell(s, a, p)] > 0) {
                            cells.push_back(cell(s, a, p));
                            cumulative.push_back(total += mix[cell(s, a, p)]);
                        }
        for (std::uint32_t k = 0; k < n; ++k) {
            const double u = step.random.uniforms(alignment_in_stream, area, year, draw++)[0];
            const auto drawn = std::min<std::size_t>(
                static_cast<std::size_t>(
                    std::upper_bound(cumulative.begin(), cumulative.end(), u * total) -
                    cumulative.begin()),
                cells.size() - 1);
            const int offset = static_cast<int>(cells[drawn]);
            const int p = offset % n_positions, a = (offset / n_positions) % n_ages,
                      s = offset / (n_positions * n_ages);
            step.arrivals.push_back(
                {year - a, static_cast<Sex>(s), static_cast<Position>(p), no_person, no_person});
            adjustment[band_index(s, a)] += 1;
        }
        step.counts.migration_in += n;
    }
}

}  // namespace socialtwin
