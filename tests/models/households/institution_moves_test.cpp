// Where institution residents live (models/households/institution_moves.hpp): a person who
// enters an institution moves to an area with a nursing home -- in their gemeente in proportion
// to capacity, else the nearest area with one -- in both cores; residents of institutions at
// the base stay; `institutions.located: false` moves no one.

#include "models/households/institution_moves.hpp"

#include <gtest/gtest.h>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }

// Three areas on a line: A0 (0 km) and A1 (10 km) in gemeente G1, A2 (12 km) in G2. Nursing
// homes: 100 clients in A0, 300 in A1; none in G2. Everyone aged 70-90 living alone enters an
// institution this year; no other event, no migration.
struct Town {
    Scenario scenario = testing::synthetic_scenario(2);
    RateSet rates = testing::synthetic_rates();
    AreaTable areas = testing::synthetic_areas(3);
    BasePopulation base;
    std::vector<Facility> homes{{.id = "nh-1",
                                 .type = "nursing_home",
                                 .area = 0,
                                 .capacity = 100,
                                 .capacity_units = "clients",
                                 .status = "observed",
                                 .name = "home",
                                 .capacity_changes = {}},
                                {.id = "nh-2",
                                 .type = "nursing_home",
                                 .area = 1,
                                 .capacity = 300,
                                 .capacity_units = "clients",
                                 .status = "observed",
                                 .name = "home",
                                 .capacity_changes = {}}};
    testing::RecordingObserver recorder;

    Town() {
        // Locating entrants is what these tests specify; it is off by default (see the last test).
        scenario.parameters.set("institutions.located", std::string("true"));
        areas.add_attribute({"gemeente", {"G1", "G1", "G2"}});
        areas.add_quantity({"x_km", {0.0, 10.0, 12.0}});
        areas.add_quantity({"y_km", {0.0, 0.0, 0.0}});
        areas.add_quantity({"access_km", {0.1, 0.1, 0.1}});
        rates.transitions.clear();
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 70; a <= 90; ++a)
                rates.transitions.push_back({static_cast<Sex>(s), a, HouseholdEvent::institution,
                                             Position::living_alone, Position::institution, 1.0});
        base.year = 2019;
        base.persons = AreaCells(3);
        base.dwellings.assign(3, 1000.0);
    }
    void place(std::size_t area, Position position, double persons_per_sex) {
        for (int s = 0; s < n_sexes; ++s)
            base.persons.add(area, CohortCell::offset(s, 80, index(position)), persons_per_sex);
    }
    std::vector<std::unique_ptr<Model>> models() {
        return create_models(ModelInputs{.rates = rates, .facilities = homes},
                             std::vector<std::string>{"household_positions"});
    }
    // The projection stays alive with the town: the recorder reads its indicator catalog.
    void run_cohort() {
        cohort = std::make_unique<CohortProjection>(scenario, areas, base, models());
        Observer* observers[] = {&recorder};
        cohort->run(observers);
    }
    const AgentProjection& run_agents() {
        agents =
            std::make_unique<AgentProjection>(scenario, areas, base, models(), AgentSettings{});
        Observer* observers[] = {&recorder};
        agents->run(observers);
        return *agents;
    }
    std::unique_ptr<CohortProjection> cohort;
    std::unique_ptr<AgentProjection> agents;
    // Residents on 1 January 2020 (after one year).
    double population(std::size_t area) const { return recorder.value("population", 1, area); }
};

TEST(InstitutionMoves, EntrantsGoToTheirGemeentesHomesInProportionToCapacity) {
    Town town;
    town.place(0, Position::living_alone, 500);
    town.run_cohort();
    // A0 keeps a quarter of its 1,000 entrants (its home has 100 of the gemeente's 400 clients).
    EXPECT_NEAR(town.population(0), 250.0, 1e-9);
    EXPECT_NEAR(town.population(1), 750.0, 1e-9);
    EXPECT_NEAR(town.recorder.value("institution_moves_out", 0, 0), 750.0, 1e-9);
    EXPECT_NEAR(town.recorder.value("institution_moves_in", 0, 1), 750.0, 1e-9);
    EXPECT_NEAR(town.recorder.value("migration_in", 0, 1), 750.0, 1e-9);
}

TEST(InstitutionMoves, AGemeenteWithoutAHomeSendsItsEntrantsToTheNearestAreaWithOne) {
    for (const bool agents : {false, true}) {
        Town town;
        town.scenario.parameters.set("institutions.without_home", std::string("nearest_home"));
        town.place(2, Position::living_alone, 20);
        if (agents)
            town.run_agents();
        else
            town.run_cohort();
        // A2 lies 2 km from A1 and 12 km from A0: all 40 go to A1, in both cores alike.
        EXPECT_EQ(town.population(2), 0.0) << (agents ? "agent" : "cohort");
        EXPECT_NEAR(town.population(1), 40.0, 1e-9) << (agents ? "agent" : "cohort");
        EXPECT_EQ(town.population(0), 0.0) << (agents ? "agent" : "cohort");
    }
}

TEST(InstitutionMoves, ByDefaultTheEntrantsOfAGemeenteWithoutAHomeStay) {
    for (const bool agents : {false, true}) {
        Town town;
        town.place(2, Position::living_alone, 20);
        if (agents)
            town.run_agents();
        else
            town.run_cohort();
        EXPECT_NEAR(town.population(2), 40.0, 1e-9) << (agents ? "agent" : "cohort");
        EXPECT_EQ(town.population(1), 0.0) << (agents ? "agent" : "cohort");
    }
}

TEST(InstitutionMoves, ResidentsOfAnInstitutionAtTheBaseStayWhereTheyAre) {
    for (const bool agents : {false, true}) {
        Town town;
        town.place(2, Position::institution, 15);
        if (agents)
            town.run_agents();
        else
            town.run_cohort();
        EXPECT_NEAR(town.population(2), 30.0, 1e-9) << (agents ? "agent" : "cohort");
        EXPECT_EQ(town.recorder.value("institution_moves_out", 0, 2), 0.0);
    }
}

TEST(InstitutionMoves, NoOneMovesWhenTheSwitchIsOffWhichIsTheDefault) {
    for (const bool unset : {false, true}) {
        for (const bool agents : {false, true}) {
            Town town;
            if (unset)
                town.scenario.parameters = testing::synthetic_scenario(2).parameters;
            else
                town.scenario.parameters.set("institutions.located", std::string("false"));
            town.place(0, Position::living_alone, 500);
            town.place(2, Position::living_alone, 20);
            if (agents)
                town.run_agents();
            else
                town.run_cohort();
            EXPECT_NEAR(town.population(0), 1000.0, 1e-9) << (agents ? "agent" : "cohort");
            EXPECT_EQ(town.population(1), 0.0) << (agents ? "agent" : "cohort");
            EXPECT_NEAR(town.population(2), 40.0, 1e-9) << (agents ? "agent" : "cohort");
            EXPECT_EQ(town.recorder.value("institution_moves_in", 0, 1), 0.0)
                << (unset ? "default" : "false");
        }
    }
}

TEST(InstitutionMoves, CoresAgreeOnTheShareThatMoves) {
    // The agent core draws each entrant's home: of 1,000 entrants in A0, 750 are expected in
    // A1 (binomial sd 13.7); five sd apart from a wrong split of, say, a half.
    Town town;
    town.place(0, Position::living_alone, 500);
    const AgentProjection& projection = town.run_agents();
    EXPECT_NEAR(town.population(1), 750.0, 70.0);
    EXPECT_NEAR(town.population(0) + town.population(1), 1000.0, 1e-9);
    EXPECT_EQ(town.recorder.value("institution_moves_out", 0, 0), town.population(1));
    // Every mover is in an institution in the home's area.
    const AgentPopulation& persons = projection.persons();
    for (std::uint32_t id = 0; id < persons.size(); ++id)
        if (persons.area[id] == 1) {
            EXPECT_EQ(persons.position[id], Position::institution);
        }
}

TEST(InstitutionMoves, TheSameSeedDrawsTheSameHomes) {
    Town first, second;
    first.place(0, Position::living_alone, 500);
    second.place(0, Position::living_alone, 500);
    first.run_agents();
    second.run_agents();
    EXPECT_EQ(first.population(1), second.population(1));
}

}  // namespace
}  // namespace socialtwin
