#include "engine/core/kinship.hpp"

#include <algorithm>

#include "engine/core/parallel.hpp"

namespace socialtwin {

namespace {

// Pairs men and women of similar age (a man about the rate set's gap older; at most `max_gap`
// years from that), walking both lists from the oldest: a plausible couple or none. Persons
// left single keep their position; their partner is simply not modelled.
constexpr double max_gap = 8;  // [years] around the usual gap

// Oldest first, and persons born in the same year in stable-id order: one strict order, so the
// result does not depend on how it is sorted. The keys are sorted beside the ids rather than
// compared through the person store: a gemeente's seekers lie all over the store, and a
// comparison that fetched two birth years and two stable ids cost 4-5% of a national run.
void sort_by_birth(const AgentPopulation& persons, std::vector<std::uint32_t>& ids) {
    // A long list goes into its birth years by a counting sort first (a century of them), each
    // year's then sorted by stable id -- if it is not so already, as an area's seekers are (its
    // residents are kept in stable-id order). In one sort of all, a municipality's thousands
    // of seekers took 3.4% of a national run's CPU samples, 1.8% this way. Counted in
    // instructions the gain looked like 0.3% and this was taken out once: a sort's time is
    // in its mispredicted compares, not its instructions.
    constexpr std::size_t long_list = 64;
    constexpr int most_years = 1024;  // of birth in one list: beyond it, one sort of all
    int first = 0, last = -1;
    if (ids.size() >= long_list) {
        first = last = persons.birth_year[ids.front()];
        for (const std::uint32_t id : ids) {
            first = std::min<int>(first, persons.birth_year[id]);
            last = std::max<int>(last, persons.birth_year[id]);
        }
    }
    if (ids.size() >= long_list && last - first < most_years) {
        const auto years = static_cast<std::size_t>(last - first + 1);
        thread_local std::vector<std::size_t> starts;
        thread_local std::vector<std::uint64_t> by_year;  // stable id above id
        starts.assign(years + 1, 0);
        for (const std::uint32_t id : ids)
            ++starts[static_cast<std::size_t>(persons.birth_year[id] - first) + 1];
        for (std::size_t y = 0; y < years; ++y) starts[y + 1] += starts[y];
        by_year.resize(ids.size());
        std::vector<std::size_t>& next = starts;  // each year's next place, from its start
        for (const std::uint32_t id : ids)
            by_year[next[static_cast<std::size_t>(persons.birth_year[id] - first)]++] =
                std::uint64_t{persons.stable_id[id]} << 32 | id;
        // next[y] is now where year y ends (and year y + 1 starts).
        std::size_t begin = 0;
        for (std::size_t y = 0; y < years; ++y) {
            const auto from = by_year.begin() + static_cast<std::ptrdiff_t>(begin);
            const auto to = by_year.begin() + static_cast<std::ptrdiff_t>(next[y]);
            if (!std::is_sorted(from, to)) std::sort(from, to);
            begin = next[y];
        }
        for (std::size_t i = 0; i < ids.size(); ++i)
            ids[i] = static_cast<std::uint32_t>(by_year[i]);
        return;
    }
    struct Keyed {
        std::uint64_t key;  // birth year (offset to be positive) above the stable id
        std::uint32_t id;
    };
    thread_local std::vector<Keyed> keyed;  // the thread's, list after list
    keyed.resize(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint32_t id = ids[i];
        const auto born = static_cast<std::uint64_t>(persons.birth_year[id] + 0x8000);
        keyed[i] = {(born << 32) | persons.stable_id[id], id};
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const Keyed& a, const Keyed& b) { return a.key < b.key; });
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = keyed[i].id;
}

}  // namespace

std::vector<std::pair<std::uint32_t, std::uint32_t>> match_partners(
    const AgentPopulation& persons, std::vector<std::uint32_t>& men,
    std::vector<std::uint32_t>& women, double partner_age_gap) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> couples;
    // No couple without both (at PC6 density most areas' seekers are of one sex or none); the
    // lists are then left in their order, which no caller reads again.
    if (men.empty() || women.empty()) return couples;
    sort_by_birth(persons, men);
    sort_by_birth(persons, women);
    // The side with more persons leaves its surplus single, spread evenly over its ages: taking
    // them all from its youngest (as a plain walk from the oldest does) pairs the older men with
    // younger women, and Den Haag's couples came out 3.2 years apart where the rates assume 2.7.
    const double n_men = static_cast<double>(men.size()),
                 n_women = static_cast<double>(women.size());
    const double surplus_men = std::max(0.0, n_men - n_women);
    const double surplus_women = std::max(0.0, n_women - n_men);
    double left_men = 0, left_women = 0;  // left single so far
    auto spread_leaves = [](double left, std::size_t walked, double surplus, double n) {
        return left + 0.5 < (static_cast<double>(walked) + 1.0) * surplus / n;
    };
    std::size_t m = 0, w = 0;
    while (m < men.size() && w < women.size()) {
        const double gap =
            static_cast<double>(persons.birth_year[women[w]] - persons.birth_year[men[m]]) -
            partner_age_gap;
        if (gap > max_gap || spread_leaves(left_men, m, surplus_men, n_men)) {
            ++m;  // this man is too old for every woman left, or one of the surplus
            ++left_men;
        } else if (gap < -max_gap || spread_leaves(left_women, w, surplus_women, n_women)) {
            ++w;  // this woman is too old for every man left, or one of the surplus
            ++left_women;
        } else {
            couples.push_back({men[m], women[w]});
            ++m;
            ++w;
        }
    }
    return couples;
}

namespace {
void pair_by_age(AgentPopulation& persons, std::vector<std::uint32_t>& men,
                 std::vector<std::uint32_t>& women, double partner_age_gap) {
    for (const auto& [man, woman] : match_partners(persons, men, women, partner_age_gap)) {
        persons.partner[man] = woman;
        persons.partner[woman] = man;
    }
}

}  // namespace

void link_base_population(AgentPopulation& persons, double partner_age_gap) {
    // The runs of persons of one area (persons are stored area by area), each linked on its
    // own: an area's links stay within it, so the areas go in parallel.
    std::vector<std::size_t> run_start;
    for (std::size_t id = 0; id < persons.size(); ++id)
        if (id == 0 || persons.area[id] != persons.area[id - 1]) run_start.push_back(id);
    run_start.push_back(persons.size());
    parallel_for_each_index(run_start.size() - 1, [&](std::size_t run) {
        const std::size_t begin = run_start[run], end = run_start[run + 1];

        std::vector<std::uint32_t> men, women, mothers, children;
        for (auto id = static_cast<std::uint32_t>(begin); id < end; ++id) {
            const Position p = persons.position[id];
            if (is_partner(p)) (persons.sex[id] == Sex::male ? men : women).push_back(id);
            if (persons.sex[id] == Sex::female &&
                (p == Position::partner_with_children || p == Position::single_parent))
                mothers.push_back(id);
            if (p == Position::child_at_home) children.push_back(id);
        }
        pair_by_age(persons, men, women, partner_age_gap);

        // Each child at home to a mother 15-45 years older, taking turns among the eligible.
        std::sort(mothers.begin(), mothers.end(), [&](std::uint32_t a, std::uint32_t b) {
            return persons.birth_year[a] < persons.birth_year[b];
        });
        std::size_t turn = 0;
        for (const std::uint32_t child : children) {
            const int born = persons.birth_year[child];
            const auto first = std::lower_bound(
                mothers.begin(), mothers.end(), born - 45,
                [&](std::uint32_t m, int year) { return persons.birth_year[m] < year; });
            const auto last = std::upper_bound(
                first, mothers.end(), born - 15,
                [&](int year, std::uint32_t m) { return year < persons.birth_year[m]; });
            if (first == last) continue;
            persons.mother[child] = *(first + static_cast<std::ptrdiff_t>(
                                                  turn++ % static_cast<std::size_t>(last - first)));
        }
    });
}

void update_partner_links(AgentPopulation& persons, std::span<const std::uint32_t> area_persons,
                          double partner_age_gap) {
    // Links are symmetric when this starts, and whether a link ends depends only on presence,
    // area and position (which nothing changes here), so both partners decide alike, each for
    // its own side: no area writes another area's persons. A person's own link is all that its
    // decision writes, so one pass both ends the links and lists who is left to match.
    thread_local std::vector<std::uint32_t> men, women;  // the thread's, area after area
    men.clear();
    women.clear();
    for (const std::uint32_t id : area_persons) {
        std::uint32_t partner = persons.partner[id];
        const bool present = persons.presence[id] == Presence::present;
        const bool partnered = is_partner(persons.position[id]);
        if (partner != no_person &&
            !(present && partnered && persons.presence[partner] == Presence::present &&
              persons.area[partner] == persons.area[id] && is_partner(persons.position[partner])))
            persons.partner[id] = partner = no_person;
        if (present && partnered && partner == no_person)
            (persons.sex[id] == Sex::male ? men : women).push_back(id);
    }
    pair_by_age(persons, men, women, partner_age_gap);
}

std::uint32_t household_of(const AgentPopulation& persons, std::uint32_t id) {
    if (persons.presence[id] != Presence::present) return id;
    auto lives_with = [&](std::uint32_t other) {
        return other != no_person && persons.presence[other] == Presence::present &&
               persons.area[other] == persons.area[id];
    };
    // A couple's household is named by the partner who comes first.
    auto couple_of = [&](std::uint32_t member) {
        const std::uint32_t partner = persons.partner[member];
        return lives_with(partner) && persons.before(partner, member) ? partner : member;
    };
    const std::uint32_t mother = persons.mother[id];
    return persons.position[id] == Position::child_at_home && lives_with(mother) &&
                   persons.position[mother] != Position::institution
               ? couple_of(mother)
               : couple_of(id);
}

}  // namespace socialtwin
