// Indicators carry stock/flow and cost as properties declared by the process that reports them
// (IndicatorSpec), written with their values (attributes `quantity` and `cost`) so that every
// reader takes them from the file instead of guessing from the units.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/core/indicators.hpp"
#include "engine/core/observer.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/results/compare.hpp"
#include "engine/run/run.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

// The indicators a run declared, as the models declared them.
class DeclaredIndicators final : public Observer {
public:
    void on_start(const RunDescription& run) override { specs = run.catalog->specs(); }
    void on_year(const YearResults&) override {}
    void on_finish(const RunSummary&) override {}
    std::vector<IndicatorSpec> specs;
};

class IndicatorPropertiesTest : public testing::ResultFileTest {
protected:
    // Runs a scenario of tests/integration/scenarios on the tiny dataset, with every model of
    // the registry (facilities too), and returns what its models declared.
    std::vector<IndicatorSpec> run_tiny(int replicates = 1) {
        DeclaredIndicators declared;
        RunOptions options;
        options.scenario =
            fs::path(SOCIALTWIN_SOURCE_DIR) / "tests/integration/scenarios/tiny_facilities.yaml";
        options.output = dir_ / "tiny.h5";
        options.threads = 1;
        if (replicates > 1) {
            options.core = CoreKind::agent;
            options.replicates = replicates;
        }
        options.extra_observers.push_back(&declared);
        run_scenario(options);
        return declared.specs;
    }
    static std::string text(hid_t dataset, std::string_view name) {
        return hdf5::attribute_text(dataset, std::string(name));
    }
};

TEST_F(IndicatorPropertiesTest, EveryIndicatorOfAResultCarriesTheQuantityAndCostItsModelDeclared) {
    const auto specs = run_tiny(2);
    ASSERT_FALSE(specs.empty());
    const auto file = hdf5::open_file_read_only(dir_ / "tiny.h5");
    bool saw_flow = false, saw_cost = false;
    for (const auto& spec : specs) {
        // The mean and the quantiles alike, and in /aggregates each replicate too (described
        // from the mean: by default the areas keep no replicates of their own).
        const std::string replicates = spec.name + std::string(result_layout::replicates_suffix);
        std::vector<std::string> paths{
            spec.name, spec.name + std::string(result_layout::quantiles_suffix),
            "aggregates/buurt/" + spec.name, "aggregates/buurt/" + replicates};
        EXPECT_FALSE(hdf5::link_exists(file.id(), replicates));
        for (const auto& path : paths) {
            SCOPED_TRACE(path);
            const auto dataset = hdf5::open_dataset(file.id(), path);
            EXPECT_EQ(text(dataset.id(), indicator_attribute::quantity), to_string(spec.quantity));
            EXPECT_EQ(text(dataset.id(), indicator_attribute::cost),
                      spec.cost ? indicator_attribute::yes : indicator_attribute::no);
        }
        saw_flow = saw_flow || spec.quantity == Quantity::flow;
        saw_cost = saw_cost || spec.cost;
    }
    EXPECT_TRUE(saw_flow);
    EXPECT_TRUE(saw_cost);
    // And a reader takes them from there.
    const auto layout = read_result_layout(file.id(), dir_ / "tiny.h5");
    for (const auto& spec : specs) {
        const auto* indicator = layout.find(spec.name);
        ASSERT_NE(indicator, nullptr) << spec.name;
        EXPECT_EQ(indicator->quantity, spec.quantity) << spec.name;
        EXPECT_EQ(indicator->cost, spec.cost) << spec.name;
    }
}

// Files written before the attributes are read by their units; so that an old file and a new
// one of the same run read alike, every indicator the engine declares agrees with that rule.
TEST_F(IndicatorPropertiesTest, EveryDeclaredIndicatorAgreesWithTheUnitRuleOfOlderFiles) {
    for (const auto& spec : run_tiny()) {
        SCOPED_TRACE(spec.name + " (" + spec.units + ")");
        EXPECT_EQ(quantity_of(std::nullopt, spec.units), spec.quantity);
        EXPECT_EQ(cost_of(std::nullopt, spec.units), spec.cost);
    }
}

// CF: every declared unit label has a UDUNITS-2 form that says the same (a flow per year, hours,
// kilometres, or a dimensionless count), and money says its currency.
TEST_F(IndicatorPropertiesTest, EveryDeclaredUnitHasItsUdunitsForm) {
    for (const auto& spec : run_tiny()) {
        SCOPED_TRACE(spec.name + " (" + spec.units + ")");
        const std::string udunits = udunits_of(spec.units);
        const bool per_year = spec.units.find("per year") != std::string::npos;
        EXPECT_EQ(udunits.find("year-1") != std::string::npos, per_year);
        EXPECT_EQ(udunits_of(udunits), udunits);  // applying it twice is applying it once
        EXPECT_EQ(currency_of(spec.units) == "EUR", spec.cost);
    }
}

TEST(CfUnits, LabelsBecomeUdunits) {
    EXPECT_EQ(udunits_of("persons"), "1");
    EXPECT_EQ(udunits_of("persons per year"), "year-1");
    EXPECT_EQ(udunits_of("hours per year"), "h year-1");
    EXPECT_EQ(udunits_of("km"), "km");
    EXPECT_EQ(udunits_of("FTE needed per FTE available"), "1");
    EXPECT_EQ(udunits_of("households per dwelling"), "1");
    EXPECT_EQ(udunits_of("share of stock"), "1");
    EXPECT_EQ(udunits_of("EUR per year (constant prices of 2022)"), "year-1");
    EXPECT_EQ(udunits_of("EUR (constant prices of 2022), present value in 2024"), "1");
    EXPECT_EQ(currency_of("EUR per year (current prices)"), "EUR");
    EXPECT_EQ(currency_of("persons"), "");
    EXPECT_EQ(long_name_of("gp_contacts_by_age_sex"), "gp contacts by age sex");
}

TEST(IndicatorProperties, FilesWithoutTheAttributesFallBackToTheUnitRule) {
    EXPECT_EQ(quantity_of(std::nullopt, "persons per year"), Quantity::flow);
    EXPECT_EQ(quantity_of(std::nullopt, "persons"), Quantity::stock);
    EXPECT_TRUE(cost_of(std::nullopt, "EUR per year (constant prices of 2022)"));
    EXPECT_FALSE(cost_of(std::nullopt, "FTE"));
    // The attribute, where there is one, wins over the units.
    EXPECT_EQ(quantity_of(std::string("stock"), "persons per year"), Quantity::stock);
    EXPECT_FALSE(cost_of(std::string("false"), "EUR per year"));
}

TEST(IndicatorProperties, ACostMustBeDeclaredAFlow) {
    IndicatorCatalog catalog;
    EXPECT_THROW(catalog.add({.name = "spending", .units = "EUR", .cost = true}), std::logic_error);
    EXPECT_NO_THROW(catalog.add(
        {.name = "spending", .units = "EUR", .quantity = Quantity::flow, .cost = true}));
}

// A cost whose units do not start with EUR (thousands of euros) is still cumulated and
// discounted by compare: it is a cost because its model said so.
TEST_F(IndicatorPropertiesTest, ACostIsRecognisedWithoutEurInItsUnits) {
    auto write = [&](const std::string& name, double extra) {
        FixtureRun run(name);
        run.catalog = IndicatorCatalog{};
        run.population = run.catalog.add({.name = "population", .units = "persons"});
        run.cost = run.catalog.add({.name = "care_spending",
                                    .units = "thousand euro a year",
                                    .kind = IndicatorKind::amount,
                                    .quantity = Quantity::flow,
                                    .cost = true});
        run.value = [extra](IndicatorId id, int, std::size_t, std::size_t, int) {
            return id == 0 ? 10.0 : 1.0 + extra;
        };
        run.write(dir_ / (name + ".h5"));
    };
    write("baseline", 0);
    write("scenario", 1);
    compare_results({.baseline = dir_ / "baseline.h5",
                     .scenario = dir_ / "scenario.h5",
                     .output = dir_ / "diff.h5",
                     .discount_rate = 0.0,
                     .levels = {}});
    const auto diff = hdf5::open_file_read_only(dir_ / "diff.h5");
    ASSERT_TRUE(hdf5::link_exists(diff.id(), "care_spending_cumulative"));
    const auto npv = hdf5::open_dataset(diff.id(), "care_spending_npv");
    // Five areas, 1 more a year each, two years, undiscounted.
    for (double v : hdf5::read_doubles(npv.id())) EXPECT_DOUBLE_EQ(v, 2.0);
}

}  // namespace
}  // namespace socialtwin
