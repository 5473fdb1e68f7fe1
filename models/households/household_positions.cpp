#include "models/households/household_positions.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <utility>

namespace socialtwin {

const RateLever* household_event_lever(HouseholdEvent event) noexcept {
    switch (event) {
        case HouseholdEvent::leaving_home:
            return &leaving_home_lever;
        case HouseholdEvent::partnering:
            return &partnering_lever;
        case HouseholdEvent::separation:
            return &separation_lever;
        case HouseholdEvent::widowhood:
            return &mortality_lever;
        case HouseholdEvent::family_formation:
            return &family_formation_lever;
        case HouseholdEvent::institution:
            return &institution_lever;
        case HouseholdEvent::empty_nest:
        case HouseholdEvent::other:
            return nullptr;
    }
    return nullptr;
}

HouseholdPositionsModel::HouseholdPositionsModel(const RateSet& rates) : rates_(rates) {}

namespace {
// A row's cumulative probabilities, summed from position 0 up (entry k: positions 0..k), in the
// order a draw's walk along the row would add them, so the thresholds are the same bit for bit.
std::array<double, n_positions> cumulative(const std::array<double, n_positions>& row) {
    std::array<double, n_positions> sums{};
    double sum = 0;
    for (std::size_t p = 0; p < row.size(); ++p) sums[p] = sum += row[p];
    return sums;
}

// Competing events: if the levers push a row's total past 1, scale its moves down so that
// nobody moves twice; the diagonal (staying) takes the rest.
void complete_rows(BySexAge<TransitionMatrix>& matrices) {
    for (auto& by_age : matrices) {
        for (auto& m : by_age) {
            for (std::size_t from = 0; from < m.size(); ++from) {
                auto& row = m[from];
                row[from] = 0.0;
                double moving = 0;
                for (double r : row) moving += r;
                if (moving > 1.0)
                    for (double& r : row) r /= moving;
                row[from] = std::max(0.0, 1.0 - std::min(moving, 1.0));
            }
        }
    }
}
}  // namespace

// The baseline widowhood rate is the partner's death probability of the reference year, without
// the area's mortality factor (data/prepare/rate_set.py: the other sex at partner_age_gap years
// older for a woman, younger for a man). The partner dies as mortality says this year -- improved
// since the reference year, times the area's factor and the scenario's lever at the partner's age
// -- so widowhood changes with it; the agent core widows by the linked partner's death, and without
// this the cohort core kept 2019's widowhood for 30 years (couples -1.3%, singles +0.9% below
// and above the agent core in 2049).
double HouseholdPositionsModel::partner_mortality_change(int sex, int age, int year) const {
    const int partner_sex = 1 - sex;
    const double gap = rates_.partner_age_gap;
    const double partner_age = age + (sex == index(Sex::male) ? -gap : gap);
    const double below = std::floor(partner_age);
    const double weight = partner_age - below;  // of the whole age above
    double reference = 0, now = 0;
    for (const auto& [whole, w] : {std::pair{below, 1.0 - weight}, std::pair{below + 1, weight}}) {
        const int a = std::clamp(static_cast<int>(whole), 0, max_age);
        const double q = rates_.death_probability[at(partner_sex)][at(a)];
        reference += w * q;
        now += w * std::min(1.0,
                            q *
                                mortality_improvement_factor(
                                    rates_.mortality_improvement[at(partner_sex)][at(a)],
                                    rates_.reference_year, year) *
                                rates_.mortality_factor *
                                rate_multiplier(*scenario_, mortality_lever, year, partner_sex, a));
    }
    if (reference <= 0) return 1.0;
    return now / reference;
}

// The baseline matrices are calibrated so that the rate set's own mix of age a becomes its mix
// of age a+1 (a stationary cross-section). Applied to a gemeente whose mix differs -- fewer
// persons living alone in a village, more in a city -- they pull its mix towards the rate set's
// within a few years: from base 2021 the gemeenten with the fewest one-person households gained
// 7% of them in one year where CBS recorded no change. So each gemeente keeps its own
// cross-section the same way: after the baseline matrix, the net moves that turn what the
// matrix makes of the gemeente's base-year mix of age a into its base-year mix of age a+1, each
// position's surplus spread over the positions short in proportion to their shortfall. Both
// mixes carry the trend to living alone of their year (below). Computed from the base
// population (the same expected counts in both cores) and the rate set's matrices without the
// scenario's levers, so the levers still act; a sex and age with fewer than `min_persons` in the
// gemeente keeps the baseline matrix alone.
void HouseholdPositionsModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    base_year_ = run.base_year;
    agents_ = run.agents;
    local_mix_.clear();
    in_gemeente_.clear();
    gemeente_of_.clear();
    base_persons_.clear();
    if (run.areas == nullptr) return;
    const std::size_t n_areas = run.areas->size();
    if (n_areas == 0 || !run.base_cells || run.base_cells->n_areas() < n_areas) return;

    for (auto& by_age : baseline_)
        for (auto& m : by_age)
            for (auto& row : m) row.fill(0.0);
    for (const HouseholdTransition& t : rates_.transitions)
        baseline_[at(index(t.sex))][at(t.age)][at(index(t.from))][at(index(t.to))] += t.rate;
    complete_rows(baseline_);

    gemeente_of_ = run.areas->groups("gemeente");
    base_persons_.resize(*std::max_element(gemeente_of_.begin(), gemeente_of_.end()) + 1);
    for (auto& cells : base_persons_) cells.fill(0.0);
    for (std::size_t a = 0; a < n_areas; ++a) {
        const auto cells = run.base_cells->cells(a);
        const auto persons = run.base_cells->persons(a);
        for (std::size_t i = 0; i < cells.size(); ++i)
            base_persons_[gemeente_of_[a]][cells[i]] += persons[i];
    }
    local_mix_.resize(base_persons_.size());
}

// The trend to living alone: in year y the share of each sex and age living alone is the base
// year's times (1 + living_alone_trend)^(y - base year) times the scenario's `living_alone`
// lever, the persons it adds taken from couples without children and other members in
// proportion (at most 90% of them). So from 1 January y to y+1 the mix of age a with the trend
// of y becomes the mix of age a+1 with the trend of y+1.
void HouseholdPositionsModel::local_mix_of_year(int year) {
    constexpr double min_persons = 20;  // [persons] of one sex and age in the gemeente
    constexpr int alone = index(Position::living_alone);
    constexpr std::array<int, 2> donors{index(Position::partner_no_children),
                                        index(Position::other_member)};
    auto propensity = [&](int in_year, int s, int age) {
        return std::pow(1.0 + rates_.living_alone_trend, in_year - base_year_) *
               rate_multiplier(*scenario_, living_alone_lever, in_year, s, age);
    };
    auto with_trend = [&](std::array<double, n_positions>& x, double factor) {
        const double donor_total = x[at(donors[0])] + x[at(donors[1])];
        const double added =
            std::clamp(x[at(alone)] * (factor - 1.0), -x[at(alone)], 0.9 * donor_total);
        if (donor_total <= 0 || added == 0) return;
        x[at(alone)] += added;
        for (const int d : donors) x[at(d)] -= added * x[at(d)] / donor_total;
    };
    for (std::size_t g = 0; g < local_mix_.size(); ++g) {
        auto& mix = local_mix_[g];
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age) {
                TransitionMatrix& m = mix[at(s)][at(age)];
                for (std::size_t p = 0; p < m.size(); ++p) {
                    m[p].fill(0.0);
                    m[p][p] = 1.0;
                }
                if (age + 1 >= n_ages) continue;
                auto shares = [&](int of_age, std::array<double, n_positions>& x) {
                    double total = 0;
                    for (int p = 0; p < n_positions; ++p)
                        total += x[at(p)] = base_persons_[g][at(CohortCell::offset(s, of_age, p))];
                    if (total < min_persons) return false;
                    for (double& v : x) v /= total;
                    return true;
                };
                std::array<double, n_positions> x{}, y{}, z{};
                if (!shares(age, x) || !shares(age + 1, y)) continue;
                with_trend(x, propensity(year, s, age));
                with_trend(y, propensity(year + 1, s, age + 1));
                const TransitionMatrix& t = baseline_[at(s)][at(age)];
                for (std::size_t p = 0; p < x.size(); ++p)
                    for (std::size_t q = 0; q < x.size(); ++q) z[q] += x[p] * t[p][q];
                double shortfall = 0;
                for (std::size_t q = 0; q < z.size(); ++q) shortfall += std::max(0.0, y[q] - z[q]);
                if (shortfall <= 1e-12) continue;
                for (std::size_t p = 0; p < z.size(); ++p) {
                    const double surplus = z[p] - y[p];
                    if (surplus <= 0 || z[p] <= 0) continue;
                    double moving = 0;
                    for (std::size_t q = 0; q < z.size(); ++q)
                        if (y[q] > z[q]) {
                            m[p][q] = surplus / z[p] * (y[q] - z[q]) / shortfall;
                            moving += m[p][q];
                        }
                    m[p][p] = std::max(0.0, 1.0 - moving);
                }
            }
    }
}

std::array<double, n_positions> HouseholdPositionsModel::row_in_gemeente(const TransitionMatrix& m,
                                                                         std::size_t gemeente,
                                                                         int sex, int age,
                                                                         int from) const {
    std::array<double, n_positions> row = m[at(from)];
    const TransitionMatrix& local = local_mix_[gemeente][at(sex)][at(age)];
    std::array<double, n_positions> composed{};
    for (std::size_t p = 0; p < row.size(); ++p)
        if (row[p] > 0)
            for (std::size_t q = 0; q < row.size(); ++q) composed[q] += row[p] * local[p][q];
    return composed;
}

void HouseholdPositionsModel::begin_year(int year) {
    for (auto* matrices : {&matrices_, &without_widowhood_})
        for (auto& by_age : *matrices)
            for (auto& m : by_age)
                for (auto& row : m) row.fill(0.0);

    for (const HouseholdTransition& t : rates_.transitions) {
        const int s = index(t.sex);
        double multiplier = 1.0;
        if (t.event == HouseholdEvent::widowhood) {
            multiplier = partner_mortality_change(s, t.age, year);
        } else if (const RateLever* lever = household_event_lever(t.event)) {
            multiplier = rate_multiplier(*scenario_, *lever, year, s, t.age);
        }
        const double rate = t.rate * multiplier;
        matrices_[at(s)][at(t.age)][at(index(t.from))][at(index(t.to))] += rate;
        if (t.event != HouseholdEvent::widowhood)
            without_widowhood_[at(s)][at(t.age)][at(index(t.from))][at(index(t.to))] += rate;
    }
    complete_rows(matrices_);
    complete_rows(without_widowhood_);
    static std::atomic<std::uint64_t> serials{0};
    matrices_serial_ = ++serials;
    if (agents_ && local_mix_.empty())
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age)
                for (int from = 0; from < n_positions; ++from) {
                    cumulative_[at(s)][at(age)][at(from)] =
                        cumulative(matrices_[at(s)][at(age)][at(from)]);
                    cumulative_without_widowhood_[at(s)][at(age)][at(from)] =
                        cumulative(without_widowhood_[at(s)][at(age)][at(from)]);
                }
    if (local_mix_.empty()) return;
    local_mix_of_year(year);
    if (agents_) return;
    in_gemeente_.resize(local_mix_.size());
    for (std::size_t g = 0; g < in_gemeente_.size(); ++g)
        for (int s = 0; s < n_sexes; ++s)
            for (int age = 0; age < n_ages; ++age)
                for (int from = 0; from < n_positions; ++from)
                    in_gemeente_[g][at(s)][at(age)][at(from)] =
                        row_in_gemeente(matrices_[at(s)][at(age)], g, s, age, from);
}

void HouseholdPositionsModel::apply(AgentAreaStep& step) const {
    // Survivors draw their position at year end from the row of their position, sex and age on
    // 1 January: the cohort core's matrix, applied to one person at a time. A person whose
    // linked partner died this year is widowed by that death, not by a draw: for persons with a
    // partner the widowhood moves are left out of the draw, so widowhood is not counted twice.
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
    // A row composed with the gemeente's local mix (49 multiplications) is the same for every
    // person of the gemeente of that sex, age and position: each thread keeps the rows it
    // composed for the gemeente it is in (a PC4 area's ~4,300 persons need a few hundred).
    struct ComposedRows {
        std::uint64_t serial = 0;
        std::size_t gemeente = 0;
        std::uint32_t generation = 0;
        std::vector<std::uint32_t> made;  // the generation a row was composed in
        std::vector<std::array<double, n_positions>> rows;
    };
    thread_local ComposedRows cache;
    constexpr std::size_t rows_per_matrices = n_sexes * n_ages * n_positions;
    const bool local = !local_mix_.empty();
    if (local) {
        const std::size_t gemeente = gemeente_of_[step.counts.area];
        if (cache.serial != matrices_serial_ || cache.gemeente != gemeente || cache.made.empty()) {
            cache.serial = matrices_serial_;
            cache.gemeente = gemeente;
            if (cache.made.empty() || ++cache.generation == 0) {
                cache.made.assign(2 * rows_per_matrices, 0);
                cache.rows.resize(2 * rows_per_matrices);
                cache.generation = 1;
            }
        }
    }
    // The row's cumulative probabilities (made once a year, or once a gemeente for its mix).
    auto cumulative_row_of = [&](bool with_partner, int sex, int age,
                                 int from) -> const std::array<double, n_positions>& {
        if (!local)
            return (with_partner ? cumulative_without_widowhood_
                                 : cumulative_)[at(sex)][at(age)][at(from)];
        const auto& matrices = with_partner ? without_widowhood_ : matrices_;
        const std::size_t key =
            ((at(with_partner) * n_sexes + at(sex)) * n_ages + at(age)) * n_positions + at(from);
        if (cache.made[key] != cache.generation) {
            cache.rows[key] = cumulative(
                row_in_gemeente(matrices[at(sex)][at(age)], cache.gemeente, sex, age, from));
            cache.made[key] = cache.generation;
        }
        return cache.rows[key];
    };
    for (std::size_t i = 0; i < step.residents.size(); ++i) {
        const std::uint32_t id = step.residents[i];
        if (persons.presence[id] != Presence::present) continue;
        const std::uint32_t partner = persons.partner[id];
        const Position position = persons.position[id];
        if (partner != no_person && persons.presence[partner] == Presence::dead) {
            persons.position[id] = position == Position::partner_with_children
                                       ? Position::single_parent
                                       : Position::living_alone;
            continue;
        }
        const int sex = index(persons.sex[id]), age = persons.age_on_1_january(id, year);
        const auto& row = cumulative_row_of(partner != no_person, sex, age, index(position));
        // The first position whose cumulative probability exceeds the draw (the last if none
        // does), found without a branch per position: where the walk stopped depended on the
        // person's position, so the branch was mispredicted person after person (the national
        // run 0.99x; results bit-identical). The comparisons are independent of one another:
        // summed per person, the six additions were a chain each person waited for.
        const double u = step.draw(i, household_positions_lane);
        unsigned exceeds = 1u << (n_positions - 1);
        for (int to = 0; to < n_positions - 1; ++to)
            exceeds |= static_cast<unsigned>(u < row[at(to)]) << to;
        persons.position[id] = static_cast<Position>(std::countr_zero(exceeds));
    }
}

void HouseholdPositionsModel::apply(AreaStep& step) const {
    // Newborns (age 0 at year end) were born into their position this year: no transition.
    for (int s = 0; s < n_sexes; ++s) {
        for (int age = 1; age < n_ages; ++age) {
            const TransitionMatrix& rows =
                local_mix_.empty() ? matrices_[at(s)][at(age - 1)]
                                   : in_gemeente_[gemeente_of_[step.area]][at(s)][at(age - 1)];
            const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
            std::array<double, n_positions> before{};
            for (int p = 0; p < n_positions; ++p) before[at(p)] = step.next[first + at(p)];
            // Row by row of the matrix, so the seven sums run side by side (vectorised), each
            // adding its terms from position 0 up as a sum per destination would.
            std::array<double, n_positions> after{};
            for (int from = 0; from < n_positions; ++from) {
                const double persons = before[at(from)];
                const std::array<double, n_positions>& row = rows[at(from)];
                for (int to = 0; to < n_positions; ++to) after[at(to)] += persons * row[at(to)];
            }
            for (int to = 0; to < n_positions; ++to) step.next[first + at(to)] = after[at(to)];
            if (institution_entrants_) {
                constexpr int institution = index(Position::institution);
                double entrants = 0;
                for (int from = 0; from < n_positions; ++from)
                    if (from != institution)
                        entrants += before[at(from)] * rows[at(from)][institution];
                (*institution_entrants_)[(step.area * n_sexes + at(s)) * n_ages + at(age)] =
                    entrants;
            }
        }
    }
}

}  // namespace socialtwin
