#include "models/households/household_positions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "engine/core/agent_population.hpp"
#include "engine/core/random.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

RateSet rates_with_leaving_home(double rate) {
    RateSet rates = testing::synthetic_rates();
    for (int s = 0; s < n_sexes; ++s)
        rates.transitions.push_back({static_cast<Sex>(s), 20, HouseholdEvent::leaving_home,
                                     Position::child_at_home, Position::living_alone, rate});
    return rates;
}

HouseholdPositionsModel model_for(const RateSet& rates, const Scenario& scenario, int year) {
    HouseholdPositionsModel model(rates);
    AreaTable areas = testing::synthetic_areas(1);
    model.begin_run({&scenario, &areas, 2019, 2049, {}, {}});
    model.begin_year(year);
    return model;
}

TEST(HouseholdPositions, RowsOfTheMatrixSumToOne) {
    const RateSet rates = rates_with_leaving_home(0.3);
    const Scenario scenario = testing::synthetic_scenario();
    const auto model = model_for(rates, scenario, 2020);
    const auto& m = model.matrix(0, 20);
    EXPECT_DOUBLE_EQ(m[0][1], 0.3);
    EXPECT_DOUBLE_EQ(m[0][0], 0.7);
    EXPECT_DOUBLE_EQ(model.matrix(0, 30)[0][0], 1.0);  // no transitions at 30
}

TEST(HouseholdPositions, ScenarioLeverScalesItsEvent) {
    const RateSet rates = rates_with_leaving_home(0.3);
    Scenario scenario = testing::synthetic_scenario();
    scenario.rate_changes["leaving_home"].push_back({.factor = 2.0});
    const auto model = model_for(rates, scenario, 2020);
    EXPECT_DOUBLE_EQ(model.matrix(1, 20)[0][1], 0.6);
}

TEST(HouseholdPositions, CompetingEventsNeverMoveMoreThanEveryone) {
    const RateSet rates = rates_with_leaving_home(0.6);
    Scenario scenario = testing::synthetic_scenario();
    scenario.rate_changes["leaving_home"].push_back({.factor = 3.0});
    const auto model = model_for(rates, scenario, 2020);
    EXPECT_DOUBLE_EQ(model.matrix(0, 20)[0][1], 1.0);
    EXPECT_DOUBLE_EQ(model.matrix(0, 20)[0][0], 0.0);
}

TEST(HouseholdPositions, WidowhoodFollowsThePartnersMortalityLever) {
    RateSet rates = testing::synthetic_rates();
    rates.transitions.push_back({Sex::female, 80, HouseholdEvent::widowhood,
                                 Position::partner_no_children, Position::living_alone, 0.1});
    Scenario scenario = testing::synthetic_scenario();
    scenario.rate_changes["mortality"].push_back(
        {.factor = 0.5, .sex = SexFilter::male});  // husbands live longer
    const auto model = model_for(rates, scenario, 2020);
    EXPECT_DOUBLE_EQ(model.matrix(1, 80)[2][1], 0.05);
}

// The baseline widowhood rate is the partner's death probability of the reference year; the
// partner dies as mortality says in the projected year (improvement, the area's factor), so
// widowhood follows -- as it does in the agent core, where the linked partner's death widows.
TEST(HouseholdPositions, WidowhoodFollowsThePartnersImprovingMortalityAndTheAreasFactor) {
    RateSet rates = testing::synthetic_rates();
    rates.transitions.push_back({Sex::female, 80, HouseholdEvent::widowhood,
                                 Position::partner_no_children, Position::living_alone, 0.1});
    rates.mortality_improvement[index(Sex::male)][82] = 0.02;  // her partner is 2 years older
    rates.mortality_factor = 1.1;
    const Scenario scenario = testing::synthetic_scenario();
    EXPECT_NEAR(model_for(rates, scenario, 2019).matrix(1, 80)[2][1], 0.1 * 1.1, 1e-12);
    EXPECT_NEAR(model_for(rates, scenario, 2049).matrix(1, 80)[2][1],
                0.1 * 1.1 * std::pow(0.98, 30), 1e-12);
}

TEST(HouseholdPositions, MovesPersonsByAgeOnFirstJanuaryAndKeepsTheirNumber) {
    const RateSet rates = rates_with_leaving_home(0.25);
    const Scenario scenario = testing::synthetic_scenario();
    const auto model = model_for(rates, scenario, 2020);
    std::vector<double> start(CohortCell::size, 0.0), next(CohortCell::size, 0.0);
    // 100 men aged 21 at year end (20 on 1 January) living at home.
    next[CohortCell::offset(0, 21, index(Position::child_at_home))] = 100;
    double b = 0, d = 0, i = 0, o = 0, dw0 = 0, dw1 = 0;
    IndicatorCatalog catalog;
    YearResults results(catalog, 1);
    AreaStep step{0, 2020, start, next, b, d, i, o, dw0, dw1, results};
    model.apply(step);
    EXPECT_DOUBLE_EQ(next[CohortCell::offset(0, 21, index(Position::child_at_home))], 75);
    EXPECT_DOUBLE_EQ(next[CohortCell::offset(0, 21, index(Position::living_alone))], 25);
}

// One area, whose gemeente's base population has, at 40 and at 41, 60 persons of each sex
// living alone and 40 living with a partner; the rate set moves a fifth of those living alone at
// 40 in with a partner. After the year: the persons aged 41 at year end, from 60 alone and 40
// partners at 40.
std::array<double, n_positions> mix_at_41_after_a_year(const RateSet& rates, int year) {
    const Scenario scenario = testing::synthetic_scenario();
    AreaTable areas = testing::synthetic_areas(1);
    std::vector<double> base(CohortCell::size, 0.0);
    for (int s = 0; s < n_sexes; ++s)
        for (int age : {40, 41}) {
            base[CohortCell::offset(s, age, index(Position::living_alone))] = 60;
            base[CohortCell::offset(s, age, index(Position::partner_no_children))] = 40;
        }
    HouseholdPositionsModel model(rates);
    RunContext run{&scenario, &areas, 2019, 2049, {}, {}};
    const AreaCells base_cells = AreaCells::from_dense(base);
    run.base_cells = &base_cells;
    model.begin_run(run);
    model.begin_year(year);
    std::vector<double> start(CohortCell::size, 0.0), next(CohortCell::size, 0.0);
    next[CohortCell::offset(0, 41, index(Position::living_alone))] = 60;
    next[CohortCell::offset(0, 41, index(Position::partner_no_children))] = 40;
    double b = 0, d = 0, i = 0, o = 0, dw0 = 0, dw1 = 0;
    IndicatorCatalog catalog;
    YearResults results(catalog, 1);
    AreaStep step{0, year, start, next, b, d, i, o, dw0, dw1, results};
    model.apply(step);
    std::array<double, n_positions> mix{};
    for (int p = 0; p < n_positions; ++p) mix[p] = next[CohortCell::offset(0, 41, p)];
    return mix;
}

RateSet rates_moving_a_fifth_in_with_a_partner_at_40() {
    RateSet rates = testing::synthetic_rates();
    for (int s = 0; s < n_sexes; ++s)
        rates.transitions.push_back({static_cast<Sex>(s), 40, HouseholdEvent::partnering,
                                     Position::living_alone, Position::partner_no_children, 0.2});
    return rates;
}

// The rate set's matrices reproduce its own cross-section; a gemeente with another mix keeps its
// own (a village with fewer persons living alone is not pulled towards the rate set's share).
TEST(HouseholdPositions, AGemeenteKeepsItsOwnMixOfPositionsWhereTheRateSetsWouldMoveIt) {
    const auto mix = mix_at_41_after_a_year(rates_moving_a_fifth_in_with_a_partner_at_40(), 2019);
    EXPECT_NEAR(mix[index(Position::living_alone)], 60, 1e-9);
    EXPECT_NEAR(mix[index(Position::partner_no_children)], 40, 1e-9);
}

// The trend to living alone: each year the share living alone at every age is the base year's
// times (1 + trend)^years, the persons it adds coming from couples without children.
TEST(HouseholdPositions, TheShareLivingAloneRisesByTheRateSetsTrendEachYear) {
    RateSet rates = rates_moving_a_fifth_in_with_a_partner_at_40();
    rates.living_alone_trend = 0.01;
    const auto first = mix_at_41_after_a_year(rates, 2019);
    EXPECT_NEAR(first[index(Position::living_alone)], 60 * 1.01, 1e-9);
    EXPECT_NEAR(first[index(Position::partner_no_children)], 100 - 60 * 1.01, 1e-9);
    // Ten years on, from the mix of that year's trend to the next year's.
    const auto later = mix_at_41_after_a_year(rates, 2029);
    EXPECT_GT(later[index(Position::living_alone)], 60 * 1.01);
    EXPECT_NEAR(later[0] + later[1] + later[2], 100, 1e-9);
}

// The agent core, a gemeente of 60 living alone in 100 at 40 and 41 and one of 20 in 100, one
// area each, visited by one thread in turn (the first, the second, the first again): the persons
// of each area living alone at 40 stay alone as their own gemeente's rows say, the share the
// cohort core expects there. A row composed for one gemeente and taken for the other would move
// the second area's persons as the first's (the shares differ by a quarter).
TEST(HouseholdPositions, AgentsOfEachGemeenteMoveByTheirOwnGemeentesRows) {
    const RateSet rates = rates_moving_a_fifth_in_with_a_partner_at_40();
    const Scenario scenario = testing::synthetic_scenario();
    AreaTable areas("test", {"A0", "A1"});
    areas.add_attribute({"gemeente", {"G0", "G1"}});
    AreaCells base(2);
    for (std::size_t area = 0; area < 2; ++area)
        for (int s = 0; s < n_sexes; ++s)
            for (int age : {40, 41}) {
                const double alone = area == 0 ? 60 : 20;
                base.add(area, CohortCell::offset(s, age, index(Position::living_alone)), alone);
                base.add(area, CohortCell::offset(s, age, index(Position::partner_no_children)),
                         100 - alone);
            }
    base.done();
    const int year = 2019;
    auto started = [&](bool agents) {
        auto model = std::make_unique<HouseholdPositionsModel>(rates);
        RunContext run{&scenario, &areas, year, 2049, {}, {}};
        run.base_cells = &base;
        run.agents = agents;
        model->begin_run(run);
        model->begin_year(year);
        return model;
    };
    const auto cohort = started(false);
    const auto agents = started(true);
    constexpr int alone_at_40 = 20'000;
    const auto alone_cell =
        static_cast<std::size_t>(CohortCell::offset(0, 41, index(Position::living_alone)));
    IndicatorCatalog catalog;
    YearResults results(catalog, 2);
    double b = 0, d = 0, i = 0, o = 0, dw0 = 0, dw1 = 0;
    const RandomStreams random(7, 0);
    for (const std::size_t area : {0u, 1u, 0u}) {
        std::vector<double> start(CohortCell::size, 0.0), next(CohortCell::size, 0.0);
        next[alone_cell] = alone_at_40;
        AreaStep expected{area, year, start, next, b, d, i, o, dw0, dw1, results};
        cohort->apply(expected);
        const double expected_share = next[alone_cell] / alone_at_40;

        AgentPopulation persons;
        std::vector<std::uint32_t> residents;
        std::vector<std::array<double, 4>> draws;
        for (int k = 0; k < alone_at_40; ++k) {
            residents.push_back(persons.add(year - 1 - 40, Sex::male, Position::living_alone,
                                            static_cast<std::uint32_t>(area)));
            draws.push_back(random.uniforms(person_year_stream, residents.back(), year));
        }
        std::vector<Arrival> arrivals;
        std::vector<double> counted_start(CohortCell::size, 0.0), counted(CohortCell::size, 0.0);
        AreaStep counts{area, year, counted_start, counted, b, d, i, o, dw0, dw1, results};
        AgentAreaStep step{counts, persons, residents, arrivals, random, draws};
        agents->apply(step);
        int still_alone = 0;
        for (const std::uint32_t id : residents)
            still_alone += persons.position[id] == Position::living_alone ? 1 : 0;
        // Four standard errors of a share of 20,000 draws.
        EXPECT_NEAR(static_cast<double>(still_alone) / alone_at_40, expected_share, 0.014)
            << "area " << area;
    }
}

}  // namespace
}  // namespace socialtwin
