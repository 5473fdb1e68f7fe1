// The kinship graph over the agent core's links: what informal care will ask of it.

#include "models/households/kinship_graph.hpp"

#include <gtest/gtest.h>

namespace socialtwin {
namespace {

TEST(KinshipGraph, AnswersWhetherAChildLivesNearby) {
    AgentPopulation persons;
    const auto mother = persons.add(1940, Sex::female, Position::living_alone, 0);
    const auto near_child = persons.add(1970, Sex::male, Position::living_alone, 1, mother);
    const auto far_child = persons.add(1972, Sex::female, Position::living_alone, 7, mother);
    const auto stranger = persons.add(1941, Sex::female, Position::living_alone, 0);
    const KinshipGraph graph = kinship_graph(persons);
    auto same_buurt = [](std::uint32_t area) { return area < 4; };
    EXPECT_TRUE(has_child_nearby(graph, persons, mother, same_buurt));
    EXPECT_FALSE(has_child_nearby(graph, persons, stranger, same_buurt));
    persons.presence[near_child] = Presence::emigrated;
    EXPECT_FALSE(has_child_nearby(kinship_graph(persons), persons, mother, same_buurt));
    EXPECT_TRUE(has_child_nearby(kinship_graph(persons), persons, mother,
                                 [](std::uint32_t area) { return area == 7; }));
    (void)far_child;
}

TEST(KinshipGraph, HasOneEdgePerCoupleAndPerMotherAndNoneForThoseWhoLeft) {
    AgentPopulation persons;
    const auto father = persons.add(1980, Sex::male, Position::partner_with_children, 0);
    const auto mother = persons.add(1982, Sex::female, Position::partner_with_children, 0);
    const auto child = persons.add(2012, Sex::female, Position::child_at_home, 0, mother);
    const auto emigrant = persons.add(1990, Sex::male, Position::living_alone, 0, mother);
    persons.partner[father] = mother;
    persons.partner[mother] = father;
    persons.presence[emigrant] = Presence::emigrated;
    const KinshipGraph graph = kinship_graph(persons);
    EXPECT_EQ(boost::num_vertices(graph), persons.size());  // the emigrant keeps his vertex
    EXPECT_EQ(boost::num_edges(graph), 2u);                 // the couple, mother -> child
    const auto [couple, coupled] = boost::edge(father, mother, graph);
    ASSERT_TRUE(coupled);
    EXPECT_EQ(graph[couple].tie, Tie::partner);
    const auto [birth, born] = boost::edge(mother, child, graph);
    ASSERT_TRUE(born);
    EXPECT_EQ(graph[birth].tie, Tie::mother_of);
    EXPECT_FALSE(boost::edge(mother, emigrant, graph).second);
}

}  // namespace
}  // namespace socialtwin
