#pragma once
// Kinship: partner and mother-child links between persons of the agent core, kept as ids in
// the person store, and seen as a graph through Boost.Graph for questions such as "does this
// 85-year-old have a child living in the same buurt?" (informal care, mantelzorg).
//
// Links follow the household positions, which move by the shared rates (so both cores stay
// consistent): two persons are partners only while both are in a partner position; persons
// who enter a partner position in a year are matched within their area (opposite sex, similar
// age); a partner who dies or leaves the area leaves the other without a partner link.

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "engine/core/agent_population.hpp"

namespace socialtwin {

constexpr bool is_partner(Position p) noexcept {
    return p == Position::partner_no_children || p == Position::partner_with_children;
}

// Couples among `men` and `women` (sorted here by age): a man about two years older than the
// woman, at most eight years from that, walking both lists from the oldest. Links nothing.
std::vector<std::pair<std::uint32_t, std::uint32_t>> match_partners(
    const AgentPopulation& persons, std::vector<std::uint32_t>& men,
    std::vector<std::uint32_t>& women);

// Links at the start: within each area, partners paired by age rank (men about two years
// older), children at home to a mother in a parent position 15-45 years older. Persons must
// be stored area by area (as synthesise_population does).
void link_base_population(AgentPopulation& persons);

// Keeps an area's links consistent after its events of the year: clears partner links of
// persons who died, left or are no longer in a partner position (on both sides), then pairs
// the area's persons in a partner position without a partner, by age rank. Only persons of
// this area are touched, so areas can be processed in parallel.
void update_partner_links(AgentPopulation& persons, std::span<const std::uint32_t> area_persons);

// Groups an area's present persons into households (AgentPopulation::household): partners
// together, children at home with their mother (and so with her partner). Reads and writes
// only the area's persons.
void update_households(AgentPopulation& persons, std::span<const std::uint32_t> area_persons);

enum class Tie : std::uint8_t { partner, mother_of };

struct KinshipEdge {
    Tie tie = Tie::partner;
};

// Vertices are person ids; an edge per partner pair and per mother-child pair (directed
// mother -> child, so out-edges of a woman include her children and in-edges her mother).
using KinshipGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                           boost::no_property, KinshipEdge>;

// The graph of every person present (the dead and those who left keep their vertex, without
// edges), for kinship questions after or during a run.
KinshipGraph kinship_graph(const AgentPopulation& persons);

// Whether `person` has a child (by the mother link) who is present and lives in one of the
// areas `nearby(area)` accepts.
template <class Nearby>
bool has_child_nearby(const KinshipGraph& graph, const AgentPopulation& persons,
                      std::uint32_t person, Nearby nearby) {
    for (const auto edge : boost::make_iterator_range(boost::out_edges(person, graph))) {
        if (graph[edge].tie != Tie::mother_of) continue;
        const auto child = static_cast<std::uint32_t>(boost::target(edge, graph));
        if (persons.presence[child] == Presence::present && nearby(persons.area[child]))
            return true;
    }
    return false;
}

}  // namespace socialtwin
