#include "engine/core/kinship.hpp"

#include <algorithm>

namespace socialtwin {

namespace {

// Pairs men and women by age rank (a man's age shifted by the usual two years of difference),
// so the oldest man goes with the oldest woman and so on; the surplus of one sex stays single.
void pair_by_age(AgentPopulation& persons, std::vector<std::uint32_t>& men,
                 std::vector<std::uint32_t>& women) {
    auto by_birth = [&](std::uint32_t a, std::uint32_t b) {
        return persons.birth_year[a] != persons.birth_year[b]
                   ? persons.birth_year[a] < persons.birth_year[b]
                   : a < b;
    };
    std::sort(men.begin(), men.end(), by_birth);
    std::sort(women.begin(), women.end(), by_birth);
    const std::size_t n = std::min(men.size(), women.size());
    // Drop the surplus at the end where the age gap would be largest.
    const std::size_t men_skip = men.size() > n ? (men.size() - n) / 2 : 0;
    const std::size_t women_skip = women.size() > n ? (women.size() - n) / 2 : 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t man = men[men_skip + k], woman = women[women_skip + k];
        persons.partner[man] = woman;
        persons.partner[woman] = man;
    }
}

}  // namespace

void link_base_population(AgentPopulation& persons) {
    std::size_t begin = 0;
    while (begin < persons.size()) {
        std::size_t end = begin;
        while (end < persons.size() && persons.area[end] == persons.area[begin]) ++end;

        std::vector<std::uint32_t> men, women, mothers, children;
        for (auto id = static_cast<std::uint32_t>(begin); id < end; ++id) {
            const Position p = persons.position[id];
            if (is_partner(p)) (persons.sex[id] == Sex::male ? men : women).push_back(id);
            if (persons.sex[id] == Sex::female &&
                (p == Position::partner_with_children || p == Position::single_parent))
                mothers.push_back(id);
            if (p == Position::child_at_home) children.push_back(id);
        }
        pair_by_age(persons, men, women);

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
        begin = end;
    }
}

void update_partner_links(AgentPopulation& persons, std::span<const std::uint32_t> area_persons) {
    std::vector<std::uint32_t> men, women;
    for (const std::uint32_t id : area_persons) {
        const bool here = persons.presence[id] == Presence::present;
        const std::uint32_t partner = persons.partner[id];
        if (partner != no_person &&
            (!here || !is_partner(persons.position[id]) ||
             persons.presence[partner] != Presence::present ||
             !is_partner(persons.position[partner]) || persons.partner[partner] != id)) {
            if (persons.partner[partner] == id) persons.partner[partner] = no_person;
            persons.partner[id] = no_person;
        }
    }
    for (const std::uint32_t id : area_persons)
        if (persons.presence[id] == Presence::present && is_partner(persons.position[id]) &&
            persons.partner[id] == no_person)
            (persons.sex[id] == Sex::male ? men : women).push_back(id);
    pair_by_age(persons, men, women);
}

KinshipGraph kinship_graph(const AgentPopulation& persons) {
    KinshipGraph graph(persons.size());
    for (std::uint32_t id = 0; id < persons.size(); ++id) {
        if (persons.presence[id] != Presence::present) continue;
        const std::uint32_t partner = persons.partner[id];
        if (partner != no_person && id < partner)
            boost::add_edge(id, partner, {Tie::partner}, graph);
        const std::uint32_t mother = persons.mother[id];
        if (mother != no_person) boost::add_edge(mother, id, {Tie::mother_of}, graph);
    }
    return graph;
}

}  // namespace socialtwin
