#include "models/households/kinship_graph.hpp"

namespace socialtwin {

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
