// The person store (engine/core/agent_population.hpp) put in area order: the residents kept,
// area after area, under new ids, links renamed to them, the departed dropped behind one
// stand-in, and every person's stable id unchanged.
#include "engine/core/agent_population.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace socialtwin {
namespace {

// Two areas, stored mixed up: 0 mother (area 1), 1 her child (area 1), 2 a man (area 0),
// 3 his partner (area 0), 4 a mother who dies (area 0), 5 her child (area 0), 6 a newcomer to
// area 1, added last.
struct MixedStore {
    AgentPopulation persons;
    std::vector<std::vector<std::uint32_t>> residents;

    MixedStore() {
        const auto mother = persons.add(1980, Sex::female, Position::single_parent, 1);
        persons.add(2010, Sex::male, Position::child_at_home, 1, mother);
        const auto man = persons.add(1970, Sex::male, Position::partner_no_children, 0);
        const auto woman = persons.add(1972, Sex::female, Position::partner_no_children, 0);
        persons.partner[man] = woman;
        persons.partner[woman] = man;
        const auto died = persons.add(1950, Sex::female, Position::single_parent, 0);
        persons.add(1985, Sex::male, Position::child_at_home, 0, died);
        persons.presence[died] = Presence::dead;
        persons.add(1990, Sex::female, Position::living_alone, 1);
        residents = {{2, 3, 5}, {0, 1, 6}};
    }
};

TEST(PersonStoreInAreaOrder, KeepsTheResidentsAreaAfterAreaUnderNewIds) {
    MixedStore store;
    store.persons.keep_in_area_order(store.residents);
    const AgentPopulation& p = store.persons;
    EXPECT_EQ(store.residents, (std::vector<std::vector<std::uint32_t>>{{0, 1, 2}, {3, 4, 5}}));
    ASSERT_EQ(p.size(), 7u);  // six residents and the stand-in
    const std::vector<std::uint32_t> stable{2, 3, 5, 0, 1, 6};
    for (std::uint32_t id = 0; id < 6; ++id) {
        EXPECT_EQ(p.stable_id[id], stable[id]) << id;
        EXPECT_EQ(p.area[id], id < 3 ? 0u : 1u) << id;
        EXPECT_EQ(p.presence[id], Presence::present) << id;
    }
    EXPECT_EQ(p.birth_year[0], 1970);
    EXPECT_EQ(p.sex[1], Sex::female);
    EXPECT_EQ(p.position[3], Position::single_parent);
    EXPECT_EQ(p.birth_year[5], 1990);
}

TEST(PersonStoreInAreaOrder, LinksNameTheNewIdsAndADepartedMotherTheStandIn) {
    MixedStore store;
    store.persons.keep_in_area_order(store.residents);
    const AgentPopulation& p = store.persons;
    EXPECT_EQ(p.partner[0], 1u);
    EXPECT_EQ(p.partner[1], 0u);
    EXPECT_EQ(p.mother[4], 3u);  // the child of area 1 keeps its mother
    // The child whose mother died still has a mother, who is nowhere and not alive.
    const std::uint32_t stand_in = 6;
    EXPECT_EQ(p.mother[2], stand_in);
    EXPECT_EQ(p.presence[stand_in], Presence::dead);
    EXPECT_EQ(p.area[stand_in], no_person);
    EXPECT_EQ(p.stable_id[stand_in], no_person);
    EXPECT_EQ(p.mother[0], no_person);
}

TEST(PersonStoreInAreaOrder, PersonsAddedLaterTakeTheNextStableIdAndOrderByIt) {
    MixedStore store;
    store.persons.keep_in_area_order(store.residents);
    const auto newborn = store.persons.add(2020, Sex::male, Position::child_at_home, 1, 3);
    EXPECT_EQ(newborn, 7u);
    EXPECT_EQ(store.persons.stable_id[newborn], 7u);  // after the seven ever added
    EXPECT_TRUE(store.persons.before(0, newborn));
    EXPECT_TRUE(store.persons.before(3, 0));  // stable 0 before stable 2
    // Reordered again: the stand-in of last time is dropped like any departed person.
    store.residents[1].push_back(newborn);
    store.persons.keep_in_area_order(store.residents);
    EXPECT_EQ(store.persons.size(), 8u);
    EXPECT_EQ(store.persons.mother[6], 3u);
    EXPECT_EQ(store.persons.mother[2], 7u);  // the new stand-in
}

// Filling a store in parallel: persons made room for and then written with set() are the
// persons add() would have made, stable ids included.
TEST(PersonStore, PersonsMadeRoomForAndSetAreThoseAddWouldMake) {
    AgentPopulation added, filled;
    added.add(1950, Sex::female, Position::living_alone, 0);
    filled.add(1950, Sex::female, Position::living_alone, 0);
    added.add(1980, Sex::male, Position::partner_with_children, 2);
    added.add(2015, Sex::female, Position::child_at_home, 2, 1);
    const std::uint32_t first = filled.make_room(2);
    EXPECT_EQ(first, 1u);
    filled.set(first + 1, 2015, Sex::female, Position::child_at_home, 2, 1);  // in any order
    filled.set(first, 1980, Sex::male, Position::partner_with_children, 2);
    EXPECT_EQ(filled.birth_year, added.birth_year);
    EXPECT_EQ(filled.sex, added.sex);
    EXPECT_EQ(filled.position, added.position);
    EXPECT_EQ(filled.position_on_1_january, added.position_on_1_january);
    EXPECT_EQ(filled.presence, added.presence);
    EXPECT_EQ(filled.area, added.area);
    EXPECT_EQ(filled.mother, added.mother);
    EXPECT_EQ(filled.partner, added.partner);
    EXPECT_EQ(filled.stable_id, added.stable_id);
    EXPECT_EQ(filled.add(2020, Sex::male, Position::child_at_home, 2, 2),
              added.add(2020, Sex::male, Position::child_at_home, 2, 2));
    EXPECT_EQ(filled.stable_id, added.stable_id);  // the next stable id after the room made
}

}  // namespace
}  // namespace socialtwin
