// An area's residents indexed by id (engine/core/resident_slots.hpp): each id finds its place in
// the list, any other id finds none, and a table refilled for the next area forgets the last.
#include "engine/core/resident_slots.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/core/agent_population.hpp"

namespace socialtwin {
namespace {

TEST(ResidentSlots, FindsEachResidentAtItsPlaceInTheList) {
    // Runs of consecutive ids (the base population), then scattered later ones (arrivals).
    std::vector<std::uint32_t> ids;
    for (std::uint32_t id = 1'000; id < 5'300; ++id) ids.push_back(id);
    for (std::uint32_t id = 17'000'000; id < 17'000'000 + 40 * 997; id += 997) ids.push_back(id);
    ResidentSlots slots;
    slots.assign(ids);
    bool all = true;
    for (std::size_t i = 0; i < ids.size(); ++i) all = all && slots.find(ids[i]) == i;
    EXPECT_TRUE(all);
}

TEST(ResidentSlots, AnIdNotInTheListFindsNone) {
    const std::vector<std::uint32_t> ids{4, 8, 15, 16, 23, 42};
    ResidentSlots slots;
    slots.assign(ids);
    for (const std::uint32_t other : {0u, 5u, 17u, 43u, 1'000'000u, 0xFFFFFFFEu})
        EXPECT_EQ(slots.find(other), ResidentSlots::none) << other;
    EXPECT_EQ(slots.find(no_person), ResidentSlots::none);
}

TEST(ResidentSlots, RefilledForTheNextAreaItKnowsOnlyThatAreasResidents) {
    ResidentSlots slots;
    std::vector<std::uint32_t> first;
    for (std::uint32_t id = 0; id < 3'000; ++id) first.push_back(id);
    slots.assign(first);
    const std::vector<std::uint32_t> second{2'999, 7, 12'345};
    slots.assign(second);
    EXPECT_EQ(slots.find(2'999), 0u);
    EXPECT_EQ(slots.find(7), 1u);
    EXPECT_EQ(slots.find(12'345), 2u);
    EXPECT_EQ(slots.find(0), ResidentSlots::none);
    EXPECT_EQ(slots.find(1'500), ResidentSlots::none);
}

TEST(ResidentSlots, AnEmptyAreaAndAnUnfilledTableFindNothing) {
    ResidentSlots never_filled;
    EXPECT_EQ(never_filled.find(0), ResidentSlots::none);
    ResidentSlots empty;
    empty.assign({});
    EXPECT_EQ(empty.find(0), ResidentSlots::none);
}

}  // namespace
}  // namespace socialtwin
