#include "engine/core/agent_projection.hpp"
#include "engine/core/kinship.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using testing::RecordingObserver;

// A finished agent run and what it reported (kept together: results refer to its catalog).
struct AgentRun {
    Scenario scenario;
    RateSet rates;
    AreaTable areas;
    std::unique_ptr<AgentProjection> projection;
    RecordingObserver recorder;
};

std::unique_ptr<AgentRun> run_agents(Scenario scenario, std::size_t n_areas, int threads,
                                     int replicates = 1, std::vector<std::string> models = {},
                                     double reorder_share = AgentSettings{}.reorder_share,
                                     RateSet rates = testing::synthetic_rates()) {
    auto run = std::make_unique<AgentRun>();
    run->scenario = std::move(scenario);
    run->rates = std::move(rates);
    run->areas = testing::synthetic_areas(n_areas);
    run->projection = std::make_unique<AgentProjection>(
        run->scenario, run->areas, testing::synthetic_population(run->rates, n_areas),
        create_models(run->rates, models),
        AgentSettings{
            .threads = threads, .replicates = replicates, .reorder_share = reorder_share});
    Observer* observers[] = {&run->recorder};
    run->projection->run(observers);
    return run;
}

// Every value of every indicator in every year, bit for bit.
void expect_same_results(const RecordingObserver& a, const RecordingObserver& b) {
    ASSERT_EQ(a.years.size(), b.years.size());
    for (std::size_t y = 0; y < a.years.size(); ++y)
        for (IndicatorId id = 0; id < a.years[y].catalog().size(); ++id) {
            const auto x = a.years[y].values(id);
            const auto z = b.years[y].values(id);
            ASSERT_TRUE(std::equal(x.begin(), x.end(), z.begin()))
                << "year " << a.years[y].year << ", " << a.years[y].catalog().spec(id).name;
        }
}

// Synthetic rates with partnering and separation between living alone and couples.
RateSet rates_where_couples_form_and_part() {
    RateSet rates = testing::synthetic_rates();
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 20; a < 80; ++a) {
            rates.transitions.push_back({static_cast<Sex>(s), a, HouseholdEvent::partnering,
                                         Position::living_alone, Position::partner_no_children,
                                         0.1});
            rates.transitions.push_back({static_cast<Sex>(s), a, HouseholdEvent::separation,
                                         Position::partner_no_children, Position::living_alone,
                                         0.05});
            // Half of the base population's adults live with a partner: each gemeente keeps its
            // own base mix (docs/model.md, Household transitions), so partners must be in it.
            auto& shares =
                rates.position_shares[static_cast<std::size_t>(s)][static_cast<std::size_t>(a)];
            shares[index(Position::living_alone)] = 0.5;
            shares[index(Position::partner_no_children)] = 0.5;
        }
    return rates;
}

TEST(AgentSynthesis, MakesOnePersonPerWholePersonInTheTables) {
    const RateSet rates = testing::synthetic_rates();
    const BasePopulation base = testing::synthetic_population(rates, 3);
    const AgentPopulation persons = synthesise_population(base, 3, 1);
    EXPECT_EQ(persons.size(), 3u * 2 * 91 * 10);
    EXPECT_EQ(persons.area.front(), 0u);
    EXPECT_EQ(persons.area.back(), 2u);
    EXPECT_EQ(persons.age_on_1_january(0, 2019), 0);
    EXPECT_EQ(persons.age_on_1_january(0, 2020), 1);
}

TEST(AgentProjection, RunsOnceItsBasePopulationIsReleasedWhenTheLastReplicateStarts) {
    // The base population's cells are what the start persons are made from; a second run()
    // would make them from nothing, so it refuses instead.
    Scenario scenario;
    scenario.horizon = 1;
    auto run = run_agents(scenario, 3, 1, 2);
    EXPECT_EQ(run->recorder.years.size(), 4u);  // 2 years of each of 2 replicates
    Observer* observers[] = {&run->recorder};
    EXPECT_THROW(run->projection->run(observers), std::logic_error);
}

TEST(AgentProjection, PopulationAccountsBalanceInEveryAreaAndYear) {
    const auto run = run_agents(testing::synthetic_scenario(8), 6, 0);
    const auto& r = run->recorder;
    for (std::size_t y = 0; y + 1 < r.years.size(); ++y)
        for (std::size_t area = 0; area < 6; ++area)
            EXPECT_EQ(r.value("population", y + 1, area),
                      r.value("population", y, area) + r.value("births", y, area) -
                          r.value("deaths", y, area) + r.value("migration_in", y, area) -
                          r.value("migration_out", y, area));
}

TEST(AgentProjection, ResultsAreBitIdenticalWhateverTheThreadCount) {
    const auto one = run_agents(testing::synthetic_scenario(6), 48, 1);
    const auto two = run_agents(testing::synthetic_scenario(6), 48, 2);
    ASSERT_EQ(one->recorder.years.size(), two->recorder.years.size());
    for (std::size_t y = 0; y < one->recorder.years.size(); ++y)
        for (IndicatorId id = 0; id < one->recorder.years[y].catalog().size(); ++id) {
            const auto a = one->recorder.years[y].values(id);
            const auto b = two->recorder.years[y].values(id);
            ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin())) << "indicator " << id;
        }
    EXPECT_EQ(one->projection->persons().size(), two->projection->persons().size());
}

TEST(AgentProjection, SwitchingOneProcessOffDoesNotChangeAnothersDraws) {
    // Without fertility there are no newborns, but every person of the base population dies or
    // leaves in exactly the same year: mortality and out-migration draw from their own streams.
    Scenario scenario = testing::synthetic_scenario(5);
    scenario.parameters.set("housing.migration", std::string{"demand_led"});
    const auto all = run_agents(scenario, 4, 0, 1);
    const auto no_births =
        run_agents(scenario, 4, 0, 1, {"mortality", "household_positions", "migration"});
    const std::size_t base_persons = 4 * 2 * 91 * 10;
    std::size_t gone = 0;
    for (std::uint32_t id = 0; id < base_persons; ++id) {
        ASSERT_EQ(all->projection->persons().presence[id],
                  no_births->projection->persons().presence[id])
            << "person " << id;
        gone += all->projection->persons().presence[id] != Presence::present;
    }
    EXPECT_GT(gone, base_persons / 10);  // the test is not vacuous
    EXPECT_GT(all->projection->persons().size(), no_births->projection->persons().size());
}

TEST(AgentProjection, ReplicatesDifferAndEachIsReproducible) {
    const auto twice = run_agents(testing::synthetic_scenario(3), 4, 0, 2);
    const auto& r = twice->recorder;
    ASSERT_EQ(r.years.size(), 2u * 4);
    EXPECT_EQ(r.years[0].replicate, 0);
    EXPECT_EQ(r.years[4].replicate, 1);
    // Same base year, different futures.
    EXPECT_EQ(r.total("population", 0), r.total("population", 4));
    EXPECT_NE(r.total("deaths", 0), r.total("deaths", 4));
    const auto again = run_agents(testing::synthetic_scenario(3), 4, 0, 2);
    EXPECT_EQ(again->recorder.total("deaths", 4), r.total("deaths", 4));
}

// Where persons are stored is not part of any result: a run whose store is put in area order
// every year (each area's residents side by side, the dead and departed dropped) reports, bit
// for bit, what a run that never reorders reports, and one that reorders now and then. Draws are
// keyed by the stable id, and order is decided by it, not by where a person is stored.
TEST(AgentProjection, CouplesFormAndNewcomersJoinAlikeOnOneThreadAndTwo) {
    // Couples formed within an area are matched area by area in parallel, and the year's
    // newborns and movers join their areas in parallel with ids handed out in area order: the
    // same persons, links and results as one thread gives.
    const auto one = run_agents(testing::synthetic_scenario(8), 24, 1, 1, {}, 0.1,
                                rates_where_couples_form_and_part());
    const auto two = run_agents(testing::synthetic_scenario(8), 24, 2, 1, {}, 0.1,
                                rates_where_couples_form_and_part());
    const auto& a = one->recorder;
    expect_same_results(a, two->recorder);
    EXPECT_GT(a.total("births", 5), 0.0);
    const AgentPopulation& p = one->projection->persons();
    const AgentPopulation& q = two->projection->persons();
    ASSERT_EQ(p.size(), q.size());
    std::size_t couples = 0;
    for (std::uint32_t id = 0; id < p.size(); ++id) {
        ASSERT_EQ(p.stable_id[id], q.stable_id[id]) << id;
        ASSERT_EQ(p.area[id], q.area[id]) << id;
        ASSERT_EQ(p.partner[id], q.partner[id]) << id;
        ASSERT_EQ(p.mother[id], q.mother[id]) << id;
        couples += p.partner[id] != no_person ? 1 : 0;
    }
    EXPECT_GT(couples, 100u);
}

TEST(AgentProjection, ResultsDoNotDependOnWhereThePersonsAreStored) {
    // Couples form and part, so partners are sought across the areas of a buurt, where persons
    // born in the same year are ordered by their stable id.
    const auto every_year = run_agents(testing::synthetic_scenario(12), 24, 2, 2, {}, 0.0,
                                       rates_where_couples_form_and_part());
    const auto never = run_agents(testing::synthetic_scenario(12), 24, 2, 2, {}, 2.0,
                                  rates_where_couples_form_and_part());
    // Reordered every fourth year (a tenth out of place here): between, persons who moved in
    // are stored out of stable order.
    const auto now_and_then = run_agents(testing::synthetic_scenario(12), 24, 2, 2, {}, 0.1,
                                         rates_where_couples_form_and_part());
    const auto& a = every_year->recorder;
    for (const auto* other : {&never->recorder, &now_and_then->recorder})
        expect_same_results(a, *other);
    EXPECT_GT(a.total("migration_in", 5), 0.0);  // persons did move between areas
    // The reordered store holds the living residents, area after area, and one stand-in for
    // the departed; the other keeps everyone who ever lived.
    const AgentPopulation& reordered = every_year->projection->persons();
    const AgentPopulation& kept = never->projection->persons();
    std::size_t present = 0;
    for (std::uint32_t id = 0; id < kept.size(); ++id)
        present += kept.presence[id] == Presence::present ? 1 : 0;
    ASSERT_EQ(reordered.size(), present + 1);
    EXPECT_LT(reordered.size(), kept.size());
    for (std::uint32_t id = 1; id + 1 < reordered.size(); ++id) {
        ASSERT_LE(reordered.area[id - 1], reordered.area[id]);
        if (reordered.area[id - 1] == reordered.area[id]) {
            ASSERT_LT(reordered.stable_id[id - 1], reordered.stable_id[id]);
        }
    }
    EXPECT_EQ(reordered.presence[reordered.size() - 1], Presence::dead);
}

TEST(AgentProjection, PartnerLinksFollowThePositionsAndStayInTheArea) {
    auto run = std::make_unique<AgentRun>();
    run->scenario = testing::synthetic_scenario(10);
    run->rates = rates_where_couples_form_and_part();
    run->areas = testing::synthetic_areas(4);
    run->projection = std::make_unique<AgentProjection>(
        run->scenario, run->areas, testing::synthetic_population(run->rates, 4),
        create_models(run->rates), AgentSettings{});
    Observer* observers[] = {&run->recorder};
    run->projection->run(observers);

    const AgentPopulation& persons = run->projection->persons();
    std::size_t partners = 0, linked = 0;
    for (std::uint32_t id = 0; id < persons.size(); ++id) {
        if (persons.presence[id] != Presence::present) continue;
        const std::uint32_t partner = persons.partner[id];
        if (is_partner(persons.position[id])) ++partners;
        if (partner == no_person) continue;
        ++linked;
        ASSERT_EQ(persons.partner[partner], id);
        ASSERT_EQ(persons.presence[partner], Presence::present);
        ASSERT_TRUE(is_partner(persons.position[id]));
        ASSERT_TRUE(is_partner(persons.position[partner]));
        ASSERT_EQ(persons.area[partner], persons.area[id]);
        ASSERT_NE(persons.sex[partner], persons.sex[id]);
        ASSERT_EQ(household_of(persons, partner), household_of(persons, id));  // they live together
    }
    EXPECT_GT(partners, 1000u);
    EXPECT_GT(static_cast<double>(linked), 0.9 * static_cast<double>(partners));
}

TEST(AgentProjection, FamiliesMoveBetweenAreasTogether) {
    auto run = std::make_unique<AgentRun>();
    run->scenario = testing::synthetic_scenario(1);
    run->rates = testing::synthetic_rates();
    // Adults live as couples (25-65) and move house often: a third of them each year.
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 25; a <= 65; ++a) {
            auto& shares =
                run->rates
                    .position_shares[static_cast<std::size_t>(s)][static_cast<std::size_t>(a)];
            shares.fill(0.0);
            shares[index(Position::partner_no_children)] = 1.0;
        }
    run->rates.out_migrants_per_inhabitant = 0.02;
    run->rates.internal_moves_per_inhabitant = 0.33;
    // Any vacancy as likely as any other, so a move leaves the area 19 times in 20.
    run->scenario.parameters.set("housing.own_buurt_share", 0.0);
    run->areas = testing::synthetic_areas(20);
    run->projection = std::make_unique<AgentProjection>(
        run->scenario, run->areas, testing::synthetic_population(run->rates, 20),
        create_models(run->rates, std::vector<std::string>{"migration"}), AgentSettings{});
    Observer* observers[] = {&run->recorder};

    const AgentPopulation before =
        start_population(testing::synthetic_population(run->rates, 20), 20, run->scenario.seed);
    run->projection->run(observers);
    const AgentPopulation& after = run->projection->persons();

    std::size_t couples = 0, kept = 0, moved = 0;
    for (std::uint32_t id = 0; id < before.size(); ++id) {
        const std::uint32_t partner = before.partner[id];
        if (partner == no_person || partner < id) continue;
        ++couples;
        if (after.partner[id] == partner) ++kept;
        if (after.area[id] != before.area[id]) ++moved;
    }
    ASSERT_GT(couples, 1000u);
    EXPECT_GT(moved, couples / 2);  // two years at a third: over half of the couples moved
    // Only out-migration of one partner (2% each a year) parts a couple; moving house doesn't.
    EXPECT_GT(static_cast<double>(kept), 0.88 * static_cast<double>(couples));
    EXPECT_DOUBLE_EQ(run->recorder.total("moves_in", 0), run->recorder.total("moves_out", 0));
}

TEST(AgentProjection, NewPartnersMeetInTheBuurtAndLiveInTheMansArea) {
    // Area A0 has 30 single men aged 30, area A2 (same buurt B0) 30 single women aged 29, and
    // everyone that age starts to live together this year: the couples form across the two
    // areas and the women move in with the men.
    auto run = std::make_unique<AgentRun>();
    run->scenario = testing::synthetic_scenario(1);
    run->rates = testing::synthetic_rates();
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 28; a <= 31; ++a)
            run->rates.transitions.push_back({static_cast<Sex>(s), a, HouseholdEvent::partnering,
                                              Position::living_alone, Position::partner_no_children,
                                              1.0});
    run->areas = testing::synthetic_areas(3);
    BasePopulation base;
    base.year = 2019;
    base.persons = AreaCells(3);
    base.dwellings.assign(3, 100.0);
    base.persons.add(0, CohortCell::offset(0, 30, index(Position::living_alone)), 30);
    base.persons.add(2, CohortCell::offset(1, 29, index(Position::living_alone)), 30);
    run->projection = std::make_unique<AgentProjection>(
        run->scenario, run->areas, base,
        create_models(run->rates, std::vector<std::string>{"household_positions", "migration"}),
        AgentSettings{});
    Observer* observers[] = {&run->recorder};
    run->projection->run(observers);

    const AgentPopulation& persons = run->projection->persons();
    std::size_t couples = 0;
    for (std::uint32_t id = 0; id < persons.size(); ++id)
        if (persons.sex[id] == Sex::male && persons.partner[id] != no_person) {
            ++couples;
            EXPECT_EQ(persons.area[id], 0u);
            EXPECT_EQ(persons.area[persons.partner[id]], 0u);
        }
    EXPECT_GT(couples, 20u);  // out-migration (2%) and moves take a few
    EXPECT_GT(run->recorder.value("moves_out", 0, 2), 20.0);
}

TEST(Kinship, HouseholdsGroupPartnersAndTheChildrenAtHomeOfTheMother) {
    AgentPopulation persons;
    const auto father = persons.add(1980, Sex::male, Position::partner_with_children, 0);
    const auto mother = persons.add(1982, Sex::female, Position::partner_with_children, 0);
    const auto child = persons.add(2012, Sex::female, Position::child_at_home, 0, mother);
    const auto grown_up = persons.add(1999, Sex::male, Position::living_alone, 0, mother);
    const auto single = persons.add(1950, Sex::female, Position::living_alone, 0);
    persons.partner[father] = mother;
    persons.partner[mother] = father;
    EXPECT_EQ(household_of(persons, father), father);
    EXPECT_EQ(household_of(persons, mother), father);
    EXPECT_EQ(household_of(persons, child), father);
    EXPECT_EQ(household_of(persons, grown_up), grown_up);  // left home: a household of his own
    EXPECT_EQ(household_of(persons, single), single);
}

TEST(Kinship, BasePopulationPairsPartnersAndGivesChildrenAMother) {
    AgentPopulation persons;
    for (int k = 0; k < 3; ++k) {
        persons.add(1980 + k, Sex::male, Position::partner_with_children, 0);
        persons.add(1982 + k, Sex::female, Position::partner_with_children, 0);
    }
    const auto child = persons.add(2010, Sex::female, Position::child_at_home, 0);
    const auto too_old_child = persons.add(1950, Sex::male, Position::child_at_home, 0);
    persons.add(1983, Sex::female, Position::partner_no_children, 1);  // other area, no man
    link_base_population(persons, 2.0);
    for (std::uint32_t man : {0u, 2u, 4u}) EXPECT_EQ(persons.partner[man], man + 1);
    EXPECT_EQ(persons.partner[8], no_person);
    EXPECT_NE(persons.mother[child], no_person);
    EXPECT_EQ(persons.sex[persons.mother[child]], Sex::female);
    EXPECT_EQ(persons.mother[too_old_child], no_person);
}

// The cohort core's widowhood assumes partners `gap` years apart on average; the agent core's
// couples must be as far apart, or its wives are widowed more often (docs/model.md, The agent
// core). With more men than women, the men left single come from every age, not just the
// youngest: the couples' mean gap is then the difference of the mean ages.
TEST(Kinship, PairingLeavesTheSurplusSingleAtEveryAgeSoCouplesKeepTheMeanGap) {
    AgentPopulation persons;
    double men_births = 0, women_births = 0;
    for (int born = 1930; born < 1990; ++born) {  // 60 men, one a year
        persons.add(born, Sex::male, Position::partner_no_children, 0);
        men_births += born;
    }
    for (int born = 1933; born < 1993; ++born) {  // 45 women: every fourth year missing
        if (born % 4 == 0) continue;
        persons.add(born, Sex::female, Position::partner_no_children, 0);
        women_births += born;
    }
    const double lists_gap = women_births / 45 - men_births / 60;
    link_base_population(persons, lists_gap);
    double gaps = 0;
    int couples = 0;
    for (std::uint32_t id = 0; id < persons.size(); ++id)
        if (persons.sex[id] == Sex::male && persons.partner[id] != no_person) {
            gaps += persons.birth_year[persons.partner[id]] - persons.birth_year[id];
            ++couples;
        }
    EXPECT_EQ(couples, 45);
    EXPECT_NEAR(gaps / couples, lists_gap, 0.25);
}

// Partners are matched walking both lists oldest first, persons born in the same year in
// stable-id order, whatever order the lists come in and however long they are (stable ids in
// another order than the ids, as after a reordering of the store): the lists come out in that
// order and the couples are the same.
TEST(Kinship, PartnerListsAreSortedOldestFirstThenByStableIdInWhateverOrderTheyCome) {
    AgentPopulation persons;
    std::uint64_t state = 7;
    auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state >> 33) % n;
    };
    std::vector<std::uint32_t> all_men, all_women;
    for (int k = 0; k < 600; ++k) {
        const bool man = k % 2 == 0;
        // Twenty birth years: many persons share one.
        const auto id =
            persons.add(1950 + static_cast<int>(next(20)), man ? Sex::male : Sex::female,
                        Position::partner_no_children, 0);
        (man ? all_men : all_women).push_back(id);
    }
    // Stable ids in another order than the ids (as after a reordering of the store).
    for (std::uint32_t id = 0; id < persons.size(); ++id)
        persons.stable_id[id] = (id * 7919u) % 600u;
    auto expected_order = [&](std::vector<std::uint32_t> ids) {
        std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
            return std::pair(persons.birth_year[a], persons.stable_id[a]) <
                   std::pair(persons.birth_year[b], persons.stable_id[b]);
        });
        return ids;
    };
    for (const std::size_t n :
         {std::size_t{10}, std::size_t{63}, std::size_t{64}, std::size_t{300}}) {
        const std::vector<std::uint32_t> men_n(all_men.begin(), all_men.begin() + n);
        const std::vector<std::uint32_t> women_n(all_women.begin(), all_women.begin() + n);
        auto by_stable_id = [&](std::vector<std::uint32_t> ids) {
            std::sort(ids.begin(), ids.end(),
                      [&](std::uint32_t a, std::uint32_t b) { return persons.before(a, b); });
            return ids;
        };
        std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> first_couples;
        for (int order = 0; order < 3; ++order) {
            std::vector<std::uint32_t> men = men_n, women = women_n;  // 0: as added
            if (order == 1) men = by_stable_id(men), women = by_stable_id(women);
            if (order == 2) std::reverse(men.begin(), men.end());
            const auto couples = match_partners(persons, men, women, 2.0);
            EXPECT_EQ(men, expected_order(men_n)) << n << " persons, order " << order;
            EXPECT_EQ(women, expected_order(women_n)) << n << " persons, order " << order;
            EXPECT_FALSE(couples.empty());
            if (!first_couples) first_couples = couples;
            EXPECT_EQ(couples, *first_couples) << n << " persons, order " << order;
        }
    }
}

}  // namespace
}  // namespace socialtwin
