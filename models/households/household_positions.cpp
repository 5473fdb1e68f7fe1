#include "models/households/household_positions.hpp"

#include <algorithm>
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
// the area's mortality factor (data/prepare/rate_set.py: the other sex at two years older for a
// woman, two younger for a man). The partner dies as mortality says this year -- improved since
// the reference year, times the area's factor and the scenario's lever at the partner's age -- so
// widowhood changes with it; the agent core widows by the linked partner's death, and without
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
}

void HouseholdPositionsModel::apply(AgentAreaStep& step) const {
    // Survivors draw their position at year end from the row of their position, sex and age on
    // 1 January: the cohort core's matrix, applied to one person at a time. A person whose
    // linked partner died this year is widowed by that death, not by a draw: for persons with a
    // partner the widowhood moves are left out of the draw, so widowhood is not counted twice.
    const int year = step.counts.year;
    AgentPopulation& persons = step.persons;
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
        const auto& matrices = partner != no_person ? without_widowhood_ : matrices_;
        const auto& row = matrices[at(index(persons.sex[id]))]
                                  [at(persons.age_on_1_january(id, year))][at(index(position))];
        const double u = step.draw(i, household_positions_lane);
        double cumulative = 0;
        for (int to = 0; to < n_positions; ++to) {
            cumulative += row[at(to)];
            if (u < cumulative || to == n_positions - 1) {
                persons.position[id] = static_cast<Position>(to);
                break;
            }
        }
    }
}

void HouseholdPositionsModel::apply(AreaStep& step) const {
    // Newborns (age 0 at year end) were born into their position this year: no transition.
    for (int s = 0; s < n_sexes; ++s) {
        for (int age = 1; age < n_ages; ++age) {
            const TransitionMatrix& m = matrices_[at(s)][at(age - 1)];
            const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
            std::array<double, n_positions> before{};
            for (int p = 0; p < n_positions; ++p) before[at(p)] = step.next[first + at(p)];
            for (int to = 0; to < n_positions; ++to) {
                double persons = 0;
                for (int from = 0; from < n_positions; ++from)
                    persons += before[at(from)] * m[at(from)][at(to)];
                step.next[first + at(to)] = persons;
            }
            if (institution_entrants_) {
                constexpr int institution = index(Position::institution);
                double entrants = 0;
                for (int from = 0; from < n_positions; ++from)
                    if (from != institution)
                        entrants += before[at(from)] * m[at(from)][institution];
                (*institution_entrants_)[(step.area * n_sexes + at(s)) * n_ages + at(age)] =
                    entrants;
            }
        }
    }
}

}  // namespace socialtwin
