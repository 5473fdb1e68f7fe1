// stock_changes.csv (optional): the dataset's baseline change of the dwelling stock per area and
// year, then the trend (models/housing/construction.hpp); and the shipped Den Haag dataset builds
// what CBS 81955NED recorded.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/core/cohort_projection.hpp"
#include "engine/core/observer.hpp"
#include "engine/input/dataset.hpp"
#include "models/housing/construction.hpp"
#include "models/registry.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path tiny = fs::path(SOCIALTWIN_TEST_DATA_DIR) / "tiny/datasets/tiny";
const std::string header = "area,year,new_dwellings,other_additions,demolished,other_withdrawals";

// The tiny dataset (base year 2019) in a fresh folder, with `changes` as its stock_changes.csv.
fs::path tiny_with(const std::string& name, const std::string& changes) {
    const fs::path dir = fs::temp_directory_path() / ("socialtwin_stock_changes_test_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* file : {"areas.csv", "population.csv", "dwellings.csv"})
        fs::copy_file(tiny / file, dir / file);
    std::ofstream(dir / "dataset.yaml") << "name: tiny\nbase_year: 2019\narea_level: test\nrates: "
                                        << (tiny / "../../rates").lexically_normal().string()
                                        << "\nlevels: [buurt, wijk, gemeente]\n";
    if (!changes.empty()) std::ofstream(dir / "stock_changes.csv") << changes;
    return dir;
}

std::vector<std::string> problems_loading(const fs::path& dir) {
    std::vector<std::string> problems;
    try {
        load_dataset(dir);
    } catch (const InputError& e) {
        for (const InputProblem& p : e.problems()) problems.push_back(format(p));
    }
    return problems;
}

TEST(DatasetStockChanges, ObservedYearsThenTheTrendAndNothingWhereNoRowIsGiven) {
    const fs::path dir = tiny_with("good", header +
                                               "\nT1,2019,10,5,1,2\n"
                                               "T1,2020,20,0,0,0\n"
                                               "T1,trend,3,1,0.5,0.5\n"
                                               "T2,trend,1,0,0,0\n");
    const Dataset d = load_dataset(dir);
    const BaselineStockChange& b = *d.baseline_stock;
    EXPECT_EQ(b.last_observed_year, 2020);
    EXPECT_DOUBLE_EQ(b.in(0, 2019).added(), 15);
    EXPECT_DOUBLE_EQ(b.in(0, 2019).withdrawn(), 3);
    EXPECT_DOUBLE_EQ(b.in(0, 2020).new_dwellings, 20);
    EXPECT_DOUBLE_EQ(b.in(0, 2021).added(), 4);
    EXPECT_DOUBLE_EQ(b.in(0, 2040).withdrawn(), 1);
    // T2 has no row for the observed years: nothing changed there; the trend after them.
    EXPECT_DOUBLE_EQ(b.in(1, 2019).added(), 0);
    EXPECT_DOUBLE_EQ(b.in(1, 2021).added(), 1);
    EXPECT_EQ(d.metadata.at("baseline_stock_change"), "stock_changes.csv");
    fs::remove_all(dir);
}

TEST(DatasetStockChanges, WithoutTheFileTheStockChangesOnlyByAProgramme) {
    const fs::path dir = tiny_with("none", "");
    const Dataset d = load_dataset(dir);
    EXPECT_TRUE(d.baseline_stock->empty());
    EXPECT_THAT(d.metadata.at("baseline_stock_change"), HasSubstr("only by a scenario's"));
    fs::remove_all(dir);
}

TEST(DatasetStockChanges, EveryBadRowIsReportedWithFileLineAndColumn) {
    const fs::path dir = tiny_with("bad", header +
                                              "\nT3,2019,1,0,0,0\n"
                                              "T1,2018,1,0,0,0\n"
                                              "T1,later,1,0,0,0\n"
                                              "T1,trend,1,-2,0,0\n"
                                              "T2,trend,1,0,0,0\n"
                                              "T2,trend,1,0,0,x\n");
    const std::string f = (dir / "stock_changes.csv").string();
    EXPECT_THAT(
        problems_loading(dir),
        ElementsAre(f + ":2:1: area: area 'T3' is not in areas.csv (did you mean 'T1'?)",
                    f + ":3:4: year: expected a whole number in 2019..2200, got \"2018\"",
                    f + ":4:4: year: expected a year from the base year 2019 on, or 'trend', "
                        "got 'later'",
                    f + ":5:12: other_additions: expected a number in 0..1000000, got \"-2\"",
                    f + ":7:16: other_withdrawals: expected a number in 0..1000000, got \"x\"",
                    f + ":7:4: year: area 'T2' has a second row for trend (first on line 6)"));
    fs::remove_all(dir);
}

TEST(DatasetStockChanges, AMissingColumnIsNamed) {
    const fs::path dir =
        tiny_with("missing_column", "area,year,new_dwellings,other_additions,demolished\n");
    const auto problems = problems_loading(dir);
    ASSERT_FALSE(problems.empty());
    EXPECT_THAT(problems[0], HasSubstr("other_withdrawals"));
    fs::remove_all(dir);
}

// The shipped denhaag-2019 dataset: its buurten together build and withdraw what CBS 81955NED
// recorded for Den Haag (GM0518) in 2019 and 2020 (corrections left out), and the mean of
// 2018-2020 every year after.
TEST(DatasetStockChanges, DenHaagBuurtenAddUpToTheCbsFiguresOfTheGemeente) {
    const Dataset d = load_dataset(fs::path(SOCIALTWIN_SOURCE_DIR) / "data/datasets/denhaag-2019");
    const Scenario scenario;
    const ConstructionProgramme programme(scenario, d.areas, 2.0, d.baseline_stock);
    struct Cbs {
        int year;
        double nieuwbouw, overige_toevoeging, sloop, overige_onttrekking;
    };
    // CBS 81955NED, GM0518, dwellings: Nieuwbouw_2, OverigeToevoeging_3, Sloop_4,
    // OverigeOnttrekking_5; `trend` (2021 on) the mean of 2018, 2019 and 2020.
    const Cbs cbs[] = {{2019, 1605, 1564, 98, 464},
                       {2020, 2820, 1352, 298, 355},
                       {2021, (1348 + 1605 + 2820) / 3.0, (1481 + 1564 + 1352) / 3.0,
                        (64 + 98 + 298) / 3.0, (482 + 464 + 355) / 3.0},
                       {2035, (1348 + 1605 + 2820) / 3.0, (1481 + 1564 + 1352) / 3.0,
                        (64 + 98 + 298) / 3.0, (482 + 464 + 355) / 3.0}};
    for (const Cbs& c : cbs) {
        BaselineStockYear sum;
        double net_change = 0;
        for (std::size_t a = 0; a < d.areas.size(); ++a) {
            const BaselineStockYear y = programme.baseline(a, c.year);
            sum.new_dwellings += y.new_dwellings;
            sum.other_additions += y.other_additions;
            sum.demolished += y.demolished;
            sum.other_withdrawals += y.other_withdrawals;
            for (const StockChange& change : programme.changes(a, c.year))
                net_change += change.dwellings;
        }
        // The file rounds each area's figure to 1/10,000 of a dwelling.
        const double rounding = 1e-4 * static_cast<double>(d.areas.size());
        EXPECT_NEAR(sum.new_dwellings, c.nieuwbouw, rounding) << c.year;
        EXPECT_NEAR(sum.other_additions, c.overige_toevoeging, rounding) << c.year;
        EXPECT_NEAR(sum.demolished, c.sloop, rounding) << c.year;
        EXPECT_NEAR(sum.other_withdrawals, c.overige_onttrekking, rounding) << c.year;
        EXPECT_NEAR(net_change,
                    c.nieuwbouw + c.overige_toevoeging - c.sloop - c.overige_onttrekking,
                    4 * rounding)
            << c.year;
    }
}

// The totals over all areas of the in-migration indicators, per year.
class InMigration final : public Observer {
public:
    void on_start(const RunDescription& run) override { catalog_ = run.catalog; }
    void on_year(const YearResults& r) override {
        from_outside.push_back(r.total(catalog_->id("migration_in")) -
                               r.total(catalog_->id("moves_in")));
        refused.push_back(r.total(catalog_->id("migration_in_unmet")));
        stock.push_back(r.total(catalog_->id("dwellings_stock")));
    }
    void on_finish(const RunSummary&) override {}
    std::vector<double> from_outside, refused, stock;

private:
    const IndicatorCatalog* catalog_ = nullptr;
};

// Den Haag, cohort core, the default (housing-led) market on the dataset's baseline stock
// change: in the first year (which the frozen stock turned 24% of them away) at least 95% of
// the would-be in-migrants come; the stock grows as CBS recorded (corrections left out).
TEST(DatasetStockChanges, DenHaagBaselineAdmitsAtLeast95PercentOfTheWouldBeInMigrants) {
    const Dataset d = load_dataset(fs::path(SOCIALTWIN_SOURCE_DIR) / "data/datasets/denhaag-2019");
    Scenario scenario;
    scenario.name = "baseline";
    scenario.base_year = d.base.year;
    scenario.horizon = 2;
    InMigration totals;
    CohortProjection projection(
        scenario, d.areas, d.base,
        create_models({.rates = d.rates, .baseline_stock = d.baseline_stock}));
    Observer* observers[] = {&totals};
    projection.run(observers);
    ASSERT_GE(totals.refused.size(), 2u);
    const double wanting = totals.from_outside[0] + totals.refused[0];
    EXPECT_GE(totals.from_outside[0] / wanting, 0.95)
        << totals.from_outside[0] << " " << totals.refused[0] << " " << totals.stock[0];
    // 259,264 dwellings on 1 January 2019 (KWB), + 1,605 + 1,564 - 98 - 464 in 2019.
    EXPECT_NEAR(totals.stock[1] - totals.stock[0], 1605 + 1564 - 98 - 464, 0.05);
}

// The baseline is read once and shared: the housing model, the housing market and the
// programme each of them builds hold the dataset's, not a copy (five copies were 180 MB of a PC6
// country's peak). Every holder counts in the pointer's use count.
TEST(DatasetStockChanges, TheModelsShareTheDatasetsBaselineRatherThanCopyingIt) {
    const Dataset d = load_dataset(fs::path(SOCIALTWIN_SOURCE_DIR) / "data/datasets/denhaag-2019");
    ASSERT_FALSE(d.baseline_stock->empty());
    Scenario scenario;
    scenario.name = "baseline";
    scenario.base_year = d.base.year;
    scenario.horizon = 1;
    CohortProjection projection(
        scenario, d.areas, d.base,
        create_models({.rates = d.rates, .baseline_stock = d.baseline_stock}));
    // The dataset, the housing model and the housing market.
    EXPECT_EQ(d.baseline_stock.use_count(), 3);
    projection.run({});
    // ... and the two programmes, made at the start of the run.
    EXPECT_EQ(d.baseline_stock.use_count(), 5);
}

}  // namespace
}  // namespace socialtwin
