#include "models/housing/housing.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "models/housing/dwelling_demand.hpp"
#include "models/housing/households.hpp"
#include "support/one_area.hpp"

namespace socialtwin {
namespace {

std::size_t cell(int sex, int age, Position p) {
    return static_cast<std::size_t>(CohortCell::offset(sex, age, index(p)));
}

TEST(Households, FollowFromHouseholdPositions) {
    std::vector<double> persons(CohortCell::size, 0.0);
    persons[cell(0, 40, Position::living_alone)] = 3;
    persons[cell(0, 40, Position::partner_no_children)] = 4;    // 2 couples
    persons[cell(1, 40, Position::partner_with_children)] = 6;  // 3 couples
    persons[cell(1, 40, Position::single_parent)] = 2;
    persons[cell(1, 10, Position::child_at_home)] = 9;  // no household of their own
    persons[cell(0, 22, Position::other_member)] = 10;
    persons[cell(1, 90, Position::institution)] = 5;
    const HouseholdCounts h = count_households(persons, 0.2);
    EXPECT_DOUBLE_EQ(h.single, 3);
    EXPECT_DOUBLE_EQ(h.couple_no_children, 2);
    EXPECT_DOUBLE_EQ(h.couple_with_children, 3);
    EXPECT_DOUBLE_EQ(h.single_parent, 2);
    EXPECT_DOUBLE_EQ(h.other, 2);
    EXPECT_DOUBLE_EQ(h.institution_persons, 5);
    EXPECT_DOUBLE_EQ(h.total(), 12);
}

TEST(Households, FromTheOccupiedCellsAloneTheSameToTheBitAsFromEveryCell) {
    std::vector<double> persons(CohortCell::size, 0.0);
    persons[cell(0, 29, Position::partner_no_children)] = 0.1;
    persons[cell(0, 31, Position::partner_no_children)] = 1e-17;  // lost or kept by the order
    persons[cell(1, 30, Position::partner_no_children)] = 0.2;
    persons[cell(1, 80, Position::living_alone)] = 1.0 / 3;
    persons[cell(1, 81, Position::other_member)] = 0.7;
    std::vector<std::uint16_t> occupied;
    for (std::uint16_t c = 0; c < CohortCell::size; ++c)
        if (persons[c] != 0) occupied.push_back(c);
    ASSERT_EQ(occupied.size(), 5u);
    const HouseholdCounts every = count_households(persons, 0.3);
    const HouseholdCounts listed = count_households(persons, 0.3, occupied);
    EXPECT_EQ(by_type(every), by_type(listed));
    const HouseholdsByTypeAndHeadAge by_head = households_by_type_and_head_age(persons, 0.3);
    EXPECT_EQ(by_head, households_by_type_and_head_age(persons, 0.3, occupied));
    // Cells not listed are not read.
    persons[cell(0, 50, Position::living_alone)] = 1000;
    EXPECT_EQ(count_households(persons, 0.3, occupied).single, listed.single);
    EXPECT_EQ(households_by_type_and_head_age(persons, 0.3, occupied), by_head);
    // Both in one pass over the occupied rows: each the same to the bit as alone.
    const HouseholdsOfOccupiedRows both = households_of_occupied_rows(persons, 0.3, occupied);
    EXPECT_EQ(by_type(both.counts), by_type(listed));
    EXPECT_EQ(both.counts.institution_persons, listed.institution_persons);
    EXPECT_EQ(both.by_type_and_head_age, by_head);
}

TEST(Households, ByTypeAndHeadAgeCountEachPartnerAsHalfAHouseholdAtOwnAge) {
    std::vector<double> persons(CohortCell::size, 0.0);
    persons[cell(0, 36, Position::partner_with_children)] = 1;  // a couple of 36 and 28:
    persons[cell(1, 28, Position::partner_with_children)] = 1;  // half in 30-44, half in 0-29
    persons[cell(1, 8, Position::child_at_home)] = 2;           // heads no household
    persons[cell(1, 80, Position::living_alone)] = 3;
    persons[cell(0, 50, Position::single_parent)] = 1;
    persons[cell(0, 22, Position::other_member)] = 4;  // at 0.5 households each
    persons[cell(1, 90, Position::institution)] = 5;   // not a private household
    const HouseholdsByTypeAndHeadAge h = households_by_type_and_head_age(persons, 0.5);
    EXPECT_DOUBLE_EQ(h[type_head_age_cell(2, 1)], 0.5);  // couple with children, 30-44
    EXPECT_DOUBLE_EQ(h[type_head_age_cell(2, 0)], 0.5);  // couple with children, 0-29
    EXPECT_DOUBLE_EQ(h[type_head_age_cell(0, 4)], 3);    // single, 75+
    EXPECT_DOUBLE_EQ(h[type_head_age_cell(3, 2)], 1);    // single parent, 45-64
    EXPECT_DOUBLE_EQ(h[type_head_age_cell(4, 0)], 2);    // other, 0-29
    // Over the bands, each type is what count_households() gives.
    const auto totals = by_type(count_households(persons, 0.5));
    for (int t = 0; t < n_household_types; ++t) {
        double sum = 0;
        for (int b = 0; b < n_head_age_bands; ++b) sum += h[type_head_age_cell(t, b)];
        EXPECT_DOUBLE_EQ(sum, totals[static_cast<std::size_t>(t)]) << household_type_names[t];
    }
}

TEST(Households, HeadAgeBandsAreUnder30Then30To44And45To64And65To74And75Plus) {
    EXPECT_EQ(head_age_band_of(17), 0);
    EXPECT_EQ(head_age_band_of(29), 0);
    EXPECT_EQ(head_age_band_of(30), 1);
    EXPECT_EQ(head_age_band_of(44), 1);
    EXPECT_EQ(head_age_band_of(45), 2);
    EXPECT_EQ(head_age_band_of(65), 3);
    EXPECT_EQ(head_age_band_of(74), 3);
    EXPECT_EQ(head_age_band_of(75), 4);
    EXPECT_EQ(head_age_band_of(105), 4);
}

struct HousingModelTest : ::testing::Test, testing::OneArea {
    BaselineStockChange baseline;  // the dataset's: none unless a test gives one
    YearResults run(int year) {
        HousingModel model(rates, std::make_shared<const BaselineStockChange>(baseline));
        return OneArea::run(model, year);
    }
    // The area's stock by type x tenure, as a dataset's dwellings.csv gives it.
    void give_stock(const DwellingStock& stock) {
        for (int t = 0; t < n_dwelling_types; ++t)
            for (int r = 0; r < n_tenures; ++r)
                areas.add_quantity({stock_quantity_name(t, r), {stock[stock_cell(t, r)]}});
    }
    std::vector<double> values(const YearResults& r, const std::string& indicator) const {
        const auto v = r.area_values(catalog.id(indicator), 0);
        return {v.begin(), v.end()};
    }
    static ConstructionProject project(double dwellings, DwellingType type,
                                       std::optional<Tenure> tenure = std::nullopt) {
        ConstructionProject p;
        p.year = 2020;
        p.area = "A0";
        p.dwellings = dwellings;
        p.type = type;
        p.tenure = tenure;
        return p;
    }
    // Runs the base year 2019 through `last_year` and returns the last year's results.
    YearResults run_through(int last_year) {
        HousingModel model(rates, std::make_shared<const BaselineStockChange>(baseline));
        model.declare_indicators(catalog);
        base_positions = positions_by_area(start, 1);
        model.begin_run({&scenario, &areas, 2019, 2049, base_positions, base_dwellings});
        YearResults results(catalog, 1);
        for (int year = 2019; year <= last_year; ++year) {
            results.clear();
            results.year = year;
            model.begin_year(year);
            AreaStep step{0,  year, start,           next,           births, deaths,
                          in, out,  dwellings_start, dwellings_next, results};
            const bool settles = model.settles_across_areas();
            model.apply(step);
            if (settles) {
                model.settle();
                model.complete(step);
            }
            dwellings_start = dwellings_next;
        }
        return results;
    }
    // Single-family 20 (10 owner, 10 social rent), multi-family 80 (20 / 40 / 20).
    static constexpr DwellingStock example{10, 10, 0, 20, 40, 20};
};

TEST_F(HousingModelTest, NeededDwellingsAddTheFrictionalVacancy) {
    start[cell(0, 40, Position::living_alone)] = 98;
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(value(r, "households"), 98);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_needed"), 100);  // 98 / (1 - 0.02)
    EXPECT_DOUBLE_EQ(value(r, "dwelling_shortage"), 0);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_stock"), 100);
}

TEST_F(HousingModelTest, ConstructionChangesNextYearsStock) {
    ConstructionProject built, demolished;
    built.year = demolished.year = 2020;
    built.area = demolished.area = "A0";
    built.dwellings = 30;
    demolished.dwellings = -10;
    scenario.construction = {built, demolished};
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_stock"), 100);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_completed"), 20);
    EXPECT_DOUBLE_EQ(dwellings_next, 120);
}

TEST_F(HousingModelTest, TheDatasetsBaselineStockChangeBuildsTheStockEveryYear) {
    // Observed 2019 (the data end), then the trend.
    baseline.last_observed_year = 2019;
    baseline.observed = {{{2019, {.new_dwellings = 8, .other_additions = 4, .demolished = 2}}}};
    baseline.trend = {{.new_dwellings = 3, .other_withdrawals = 1}};
    const YearResults third = run_through(2021);
    EXPECT_DOUBLE_EQ(value(third, "dwellings_stock"), 112);  // 100 + (8 + 4 - 2) + (3 - 1)
    EXPECT_DOUBLE_EQ(value(third, "dwellings_completed"), 2);
    EXPECT_DOUBLE_EQ(dwellings_next, 114);
    // The stock by type and tenure keeps adding up to it.
    double by_type_tenure = 0;
    for (const double n : values(third, "dwellings_by_type_tenure")) by_type_tenure += n;
    EXPECT_NEAR(by_type_tenure, value(third, "dwellings_stock"), 1e-9);
}

TEST_F(HousingModelTest, VacancyRateAndHouseholdsPerDwellingDescribeTheStocksOccupancy) {
    const YearResults r = run(2019);
    const double stock = value(r, "dwellings_stock");
    EXPECT_DOUBLE_EQ(value(r, "dwelling_vacancy_rate"), value(r, "dwellings_vacant") / stock);
    EXPECT_DOUBLE_EQ(value(r, "households_per_dwelling"), value(r, "households") / stock);
}

TEST_F(HousingModelTest, DemolitionNeverLeavesANegativeStock) {
    ConstructionProject demolished;
    demolished.year = 2020;
    demolished.area = "A0";
    demolished.dwellings = -500;
    scenario.construction = {demolished};
    const YearResults r = run(2020);
    EXPECT_DOUBLE_EQ(dwellings_next, 0);
    EXPECT_DOUBLE_EQ(value(r, "dwellings_completed"), -100);
}

TEST_F(HousingModelTest, StockByTypeAndTenureIsTheDatasetsAndAddsUpToTheStock) {
    give_stock(example);
    const YearResults r = run(2020);
    EXPECT_EQ(values(r, "dwellings_by_type_tenure"),
              std::vector<double>(example.begin(), example.end()));
}

TEST_F(HousingModelTest, WithoutDwellingTypesTheStockIsSplitByTheNationalMix) {
    const YearResults r = run(2020);  // the synthetic area has no dwellings.csv quantities
    const std::vector<double> v = values(r, "dwellings_by_type_tenure");
    EXPECT_NEAR(std::accumulate(v.begin(), v.end(), 0.0), 100, 1e-9);
    EXPECT_NEAR(v[stock_cell(0, 0)] + v[stock_cell(0, 1)] + v[stock_cell(0, 2)],
                100 * 5.06 / (5.06 + 2.83), 1e-9);                        // single-family 64%
    EXPECT_NEAR(v[stock_cell(0, 1)] + v[stock_cell(1, 1)], 29.53, 0.01);  // social rent 29.5%
}

TEST_F(HousingModelTest, NewDwellingsWithoutTenureTakeTheAreasTenureMixOfTheirType) {
    give_stock(example);
    scenario.construction = {project(40, DwellingType::multi_family),
                             project(10, DwellingType::single_family, Tenure::private_rent)};
    const YearResults r = run_through(2021);
    // Multi-family 20/40/20 takes 40 more as 10/20/10; single-family gets 10 private rent.
    EXPECT_EQ(values(r, "dwellings_by_type_tenure"), (std::vector<double>{10, 10, 10, 30, 60, 30}));
    EXPECT_DOUBLE_EQ(value(r, "dwellings_stock"), 150);
}

TEST_F(HousingModelTest, TenureOfNewDwellingsFallsBackToTheAreasMixOfAllTypes) {
    DwellingStock stock_without_houses{};
    stock_without_houses[stock_cell(1, 0)] = 50;
    stock_without_houses[stock_cell(1, 1)] = 50;
    DwellingStock s = stock_without_houses;
    const std::array<StockChange, 1> houses{
        {{.dwellings = 10, .type = DwellingType::single_family, .tenure = std::nullopt}}};
    build(s, houses, stock_without_houses);
    EXPECT_DOUBLE_EQ(s[stock_cell(0, 0)], 5);  // half owner, half social rent, as all dwellings
    EXPECT_DOUBLE_EQ(s[stock_cell(0, 1)], 5);
    DwellingStock empty{};
    build(empty, houses, example);  // no dwellings at all: the dataset's single-family mix
    EXPECT_DOUBLE_EQ(empty[stock_cell(0, 0)], 5);
    EXPECT_DOUBLE_EQ(empty[stock_cell(0, 1)], 5);
}

TEST(DwellingStock, DemolitionRemovesItsTypeInProportionToTenuresThenTheRest) {
    const DwellingStock start{10, 10, 0, 20, 40, 20};
    DwellingStock s = start;
    const std::array<StockChange, 1> flats{
        {{.dwellings = -40, .type = DwellingType::multi_family, .tenure = std::nullopt}}};
    build(s, flats, start);
    EXPECT_EQ(s, (DwellingStock{10, 10, 0, 10, 20, 10}));
    DwellingStock t = start;
    const std::array<StockChange, 1> social{
        {{.dwellings = -50, .type = DwellingType::multi_family, .tenure = Tenure::social_rent}}};
    build(t, social, start);  // 40 social-rent flats, then 10 from the other 60 in proportion
    EXPECT_NEAR(total(t), 50, 1e-12);
    EXPECT_DOUBLE_EQ(t[stock_cell(1, 1)], 0);
    EXPECT_NEAR(t[stock_cell(1, 0)], 20 * (1 - 10.0 / 60), 1e-12);
    DwellingStock u = start;
    const std::array<StockChange, 1> everything{
        {{.dwellings = -500, .type = DwellingType::single_family, .tenure = std::nullopt}}};
    build(u, everything, start);
    EXPECT_EQ(u, DwellingStock{});  // never below zero
}

TEST(DwellingStock, AYearThatBuildsAndDemolishesBuildsFirst) {
    const DwellingStock start{0, 0, 0, 50, 50, 0};
    DwellingStock s = start;
    const std::array<StockChange, 2> changes{{
        {.dwellings = -120, .type = DwellingType::multi_family, .tenure = std::nullopt},
        {.dwellings = 30, .type = DwellingType::multi_family, .tenure = Tenure::owner},
    }};
    build(s, changes, start);
    EXPECT_NEAR(total(s), 10, 1e-12);  // max(0, 100 + 30 - 120), as the total stock
}

TEST_F(HousingModelTest, DwellingsNeededByTypeAddUpAndMatchTheStockShareInTheBaseYear) {
    give_stock(example);  // 20% single-family
    start[cell(0, 30, Position::living_alone)] = 40;
    start[cell(1, 40, Position::partner_with_children)] = 30;
    start[cell(0, 42, Position::partner_with_children)] = 30;
    start[cell(1, 80, Position::living_alone)] = 20;
    const YearResults r = run(2019);  // the base year: the preference is fitted to it
    const std::vector<double> needed = values(r, "dwellings_needed_by_type");
    EXPECT_DOUBLE_EQ(value(r, "households"), 90);
    EXPECT_NEAR(needed[0] + needed[1], value(r, "dwellings_needed"), 1e-9);
    EXPECT_NEAR(needed[0] / (needed[0] + needed[1]), 0.2, 1e-9);
    const std::vector<double> shortage = values(r, "dwelling_shortage_by_type");
    EXPECT_NEAR(shortage[0], needed[0] - 20, 1e-9);
    EXPECT_NEAR(shortage[1], needed[1] - 80, 1e-9);
}

TEST_F(HousingModelTest, PreferenceIsHeldFixedAfterTheBaseYear) {
    give_stock(example);
    start[cell(0, 30, Position::living_alone)] = 90;
    HousingModel model(rates);
    OneArea::run(model, 2019);
    const DwellingPreference fitted = model.preference();
    // Later years report with the fitted preference and do not settle again.
    model.begin_year(2020);
    EXPECT_FALSE(model.settles_across_areas());
    EXPECT_EQ(fitted.share, model.preference().share);
}

TEST_F(HousingModelTest, VacantDwellingsAreTheStockWithoutAHouseholdNeverBelowZero) {
    start[cell(0, 40, Position::living_alone)] = 93;
    EXPECT_DOUBLE_EQ(value(run(2020), "dwellings_vacant"), 7);
    start[cell(0, 40, Position::living_alone)] = 120;
    catalog = IndicatorCatalog{};
    EXPECT_DOUBLE_EQ(value(run(2020), "dwellings_vacant"), 0);
}

TEST_F(HousingModelTest, HouseholdsByTypeAndHeadAgeAddUpToTheHouseholds) {
    start[cell(0, 30, Position::living_alone)] = 10;
    start[cell(1, 67, Position::partner_no_children)] = 6;
    start[cell(0, 70, Position::partner_no_children)] = 6;
    const YearResults r = run(2020);
    const std::vector<double> v = values(r, "households_by_type_head_age");
    EXPECT_DOUBLE_EQ(std::accumulate(v.begin(), v.end(), 0.0), value(r, "households"));
    EXPECT_DOUBLE_EQ(v[type_head_age_cell(1, 3)], 6);  // 6 couples of 67 and 70
}

TEST(DwellingDemand, IpfMatchesTheStockByTypeAndKeepsTheSeedsOddsRatios) {
    HouseholdsByTypeAndHeadAge households{};
    households[type_head_age_cell(0, 0)] = 500;  // young singles
    households[type_head_age_cell(2, 1)] = 300;  // couples with children, 30-44
    households[type_head_age_cell(0, 4)] = 200;  // singles 75+
    const DwellingPreference p = fit_preference(households, {150, 850});
    double single_family = 0;
    for (std::size_t c = 0; c < households.size(); ++c) {
        single_family += households[c] * p.p(0, c);
        EXPECT_NEAR(p.p(0, c) + p.p(1, c), 1, 1e-12);
    }
    EXPECT_NEAR(single_family, 1000 * 0.15, 1e-6);
    // The odds ratio between any two cells is the seed's (also for cells without households).
    auto odds = [](double q) { return q / (1 - q); };
    for (std::size_t c = 1; c < households.size(); ++c) {
        const double seed_ratio =
            odds(single_family_seed[c / n_head_age_bands][c % n_head_age_bands]) /
            odds(single_family_seed[0][0]);
        EXPECT_NEAR(odds(p.p(0, c)) / odds(p.p(0, 0)), seed_ratio, 1e-6 * seed_ratio) << c;
    }
    EXPECT_GT(p.p(0, type_head_age_cell(2, 1)), p.p(0, type_head_age_cell(0, 0)));
}

TEST(DwellingDemand, ATypeWithoutDwellingsIsNeeded0AndNoDataKeepsTheSeed) {
    HouseholdsByTypeAndHeadAge households{};
    households[type_head_age_cell(1, 2)] = 100;
    const DwellingPreference flats_only = fit_preference(households, {0, 100});
    for (std::size_t c = 0; c < households.size(); ++c) EXPECT_DOUBLE_EQ(flats_only.p(0, c), 0);
    const DwellingPreference none = fit_preference(HouseholdsByTypeAndHeadAge{}, {10, 10});
    EXPECT_DOUBLE_EQ(none.p(0, type_head_age_cell(2, 1)), single_family_seed[2][1]);
}

}  // namespace
}  // namespace socialtwin
