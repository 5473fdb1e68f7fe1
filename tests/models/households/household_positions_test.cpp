#include "models/households/household_positions.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace
}  // namespace socialtwin
