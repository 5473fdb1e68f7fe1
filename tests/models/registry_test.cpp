#include "models/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace socialtwin {
namespace {

using ::testing::IsEmpty;

TEST(Registry, DeclaresEveryStreamLaneLeverAndParameterOnce) {
    EXPECT_THAT(declaration_conflicts(), IsEmpty());
}

// A draw is a function of its stream number and lane: the numbers the processes declare must
// be the ones every result so far was drawn with.
TEST(Registry, StreamNumbersAndLanesAreTheOnesResultsWereDrawnWith) {
    std::map<std::string, std::uint32_t> streams;
    for (const DrawStream& s : declared_streams()) streams[std::string{s.name}] = s.number;
    EXPECT_EQ(streams, (std::map<std::string, std::uint32_t>{{"mortality", 1},
                                                             {"fertility", 2},
                                                             {"newborn", 3},
                                                             {"household_positions", 4},
                                                             {"migration_out", 5},
                                                             {"migration_in", 6},
                                                             {"demolition", 7},
                                                             {"synthesis", 8},
                                                             {"moves", 9},
                                                             {"person_year", 10},
                                                             {"dwellings_for", 11},
                                                             {"alignment_out", 40},
                                                             {"alignment_arrivals_out", 41},
                                                             {"alignment_in", 42},
                                                             {"institution_moves", 50}}));
    std::map<std::string, std::size_t> lanes;
    for (const PersonYearLane& l : declared_lanes()) lanes[std::string{l.name}] = l.index;
    EXPECT_EQ(
        lanes,
        (std::map<std::string, std::size_t>{
            {"mortality", 0}, {"household_positions", 1}, {"migration_out", 2}, {"moves", 3}}));
}

TEST(Registry, TwoStreamsWithOneNumberAreAConflict) {
    const std::array<DrawStream, 3> streams{
        {{.name = "a", .number = 11}, {.name = "b", .number = 12}, {.name = "c", .number = 11}}};
    const std::array<PersonYearLane, 2> lanes{
        {{.name = "x", .index = 1}, {.name = "y", .index = 1}}};
    EXPECT_THAT(numbering_conflicts(streams, lanes),
                ::testing::ElementsAre("streams 'a' and 'c' share number 11",
                                       "person-year lanes 'x' and 'y' share index 1"));
}

TEST(Registry, EveryModelIsDeclaredInRegistryOrder) {
    ASSERT_EQ(model_declarations().size(), model_names().size());
    for (std::size_t i = 0; i < model_names().size(); ++i)
        EXPECT_EQ(model_declarations()[i].model, model_names()[i]);
}

}  // namespace
}  // namespace socialtwin
