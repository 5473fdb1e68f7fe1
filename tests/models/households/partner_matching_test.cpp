// Partner matching across areas (models/households/partner_matching.hpp), agent core: persons
// who start to live with a partner and have none in their area are matched in the area, then
// the buurt, then the municipality; the woman moves to the man's area, and the move is counted.

#include "models/households/partner_matching.hpp"

#include <gtest/gtest.h>

#include "engine/core/agent_projection.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

// Single men aged 30 in area A0 (buurt B0), single women aged 29 in the areas given, one year of
// household positions and migration: everyone aged 28-31 starts to live together this year.
// Nobody leaves or moves house, so only partner matching moves anyone.
struct Singles {
    Scenario scenario = testing::synthetic_scenario(1);
    RateSet rates = testing::synthetic_rates();
    AreaTable areas = testing::synthetic_areas(3);  // A0, A2 in buurt B0; A1 in B1
    BasePopulation base;
    std::unique_ptr<AgentProjection> projection;
    testing::RecordingObserver recorder;

    Singles() {
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 28; a <= 31; ++a)
                rates.transitions.push_back({static_cast<Sex>(s), a, HouseholdEvent::partnering,
                                             Position::living_alone, Position::partner_no_children,
                                             1.0});
        for (auto& by_age : rates.emigration) by_age.fill(0.0);
        rates.immigrants_per_inhabitant = 0;
        base.year = 2019;
        base.persons = AreaCells(3);
        base.dwellings.assign(3, 100.0);
    }
    void place(std::size_t area, int sex, int age, double persons) {
        base.persons.add(area, CohortCell::offset(sex, age, index(Position::living_alone)),
                         persons);
    }
    void run() {
        projection = std::make_unique<AgentProjection>(
            scenario, areas, base,
            create_models(rates, std::vector<std::string>{"household_positions", "migration"}),
            AgentSettings{});
        Observer* observers[] = {&recorder};
        projection->run(observers);
    }
    // Of the women with a partner, how many live in each area; and the couples.
    std::array<std::size_t, 3> women_with_partner_by_area() const {
        std::array<std::size_t, 3> n{};
        const AgentPopulation& persons = projection->persons();
        for (std::uint32_t id = 0; id < persons.size(); ++id)
            if (persons.sex[id] == Sex::female && persons.partner[id] != no_person)
                ++n[persons.area[id]];
        return n;
    }
};

TEST(PartnerMatching, ACoupleFormedAcrossAreasLivesInTheMansArea) {
    Singles town;
    town.place(0, 0, 30, 30);
    town.place(2, 1, 29, 30);
    town.run();
    const AgentPopulation& persons = town.projection->persons();
    std::size_t couples = 0;
    for (std::uint32_t id = 0; id < persons.size(); ++id)
        if (persons.sex[id] == Sex::male && persons.partner[id] != no_person) {
            ++couples;
            EXPECT_EQ(persons.area[id], 0u);
            EXPECT_EQ(persons.area[persons.partner[id]], 0u);
        }
    EXPECT_EQ(couples, 30u);
}

TEST(PartnerMatching, TheWomansMoveCountsAsAMoveOutOfHerAreaAndIntoHis) {
    Singles town;
    town.place(0, 0, 30, 30);
    town.place(2, 1, 29, 30);
    town.run();
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_out", 0, 2), 30.0);
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_in", 0, 0), 30.0);
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_in_buurt", 0, 0), 30.0);  // A2 is in A0's buurt
}

TEST(PartnerMatching, PartnersAreSoughtInTheBuurtBeforeTheRestOfTheMunicipality) {
    // 20 men in A0; 20 women in A1 (another buurt) and 20 in A2 (A0's buurt): the men find the
    // women of their own buurt.
    Singles town;
    town.place(0, 0, 30, 20);
    town.place(1, 1, 29, 20);
    town.place(2, 1, 29, 20);
    town.run();
    const auto women = town.women_with_partner_by_area();
    EXPECT_EQ(women[0], 20u);
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_out", 0, 2), 20.0);
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_out", 0, 1), 0.0);
}

TEST(PartnerMatching, NewPartnersInTheSameAreaStayWhereTheyAre) {
    Singles town;
    town.place(1, 0, 30, 25);
    town.place(1, 1, 29, 25);
    town.place(2, 1, 29, 25);
    town.run();
    const auto women = town.women_with_partner_by_area();
    EXPECT_EQ(women[1], 25u);  // matched at home first
    EXPECT_EQ(women[2], 0u);
    EXPECT_DOUBLE_EQ(town.recorder.value("moves_out", 0, 2), 0.0);
}

}  // namespace
}  // namespace socialtwin
