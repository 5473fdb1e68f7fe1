#pragma once
// The kinship graph: the agent core's partner and mother-child links (engine/core/kinship.hpp)
// seen through Boost.Graph, for questions such as "does this 85-year-old have a child living in
// the same buurt?" -- what informal care (mantelzorg) in the agent core will ask. It lives with
// the household processes, where that model will: the core keeps the links, not the questions.

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>

#include "engine/core/agent_population.hpp"

namespace socialtwin {

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
