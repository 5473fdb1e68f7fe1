#include "engine/output/console_summary.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <utility>
#include <vector>

namespace socialtwin {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Two areas, two years, some headline indicators. Replicate r's total of an indicator in a year
// is base(year) + offset(r) for population and proportional for the others, all in the first
// area (the second holds a constant), so totals and their spread are easy to work out by hand.
struct SummaryRun {
    explicit SummaryRun(int replicates) {
        for (const char* name :
             {"population", "households", "gp_contacts", "cost_zvw_eur", "cost_wlz_eur"})
            catalog.add({.name = name, .units = "", .description = "", .dims = {}, .source = ""});
        scenario.name = "spread";
        run.scenario = &scenario;
        run.catalog = &catalog;
        run.years = {2019, 2020};
        run.core = "agent";
        run.replicates = replicates;
    }

    // Population totals: 100 in 2019 for every replicate; in 2020 150, 140, 170 for replicates
    // 0, 1, 2. Households are half the population, GP contacts four times, Zvw cost 1000 and
    // Wlz cost 500 EUR per person.
    static double population(int replicate, int year) {
        constexpr std::array<double, 3> last{150.0, 140.0, 170.0};
        return year == 2019 ? 100.0 : last.at(static_cast<std::size_t>(replicate));
    }

    YearResults results(int replicate, int year) const {
        YearResults r(catalog, 2);
        r.year = year;
        r.replicate = replicate;
        const double p = population(replicate, year) - 10.0;  // 10 live in the second area
        const std::array<std::pair<const char*, double>, 5> per_person{{{"population", 1.0},
                                                                        {"households", 0.5},
                                                                        {"gp_contacts", 4.0},
                                                                        {"cost_zvw_eur", 1000.0},
                                                                        {"cost_wlz_eur", 500.0}}};
        for (const auto& [name, factor] : per_person) {
            r.area_values(catalog.id(name), 0)[0] = p * factor;
            r.area_values(catalog.id(name), 1)[0] = 10.0 * factor;
        }
        return r;
    }

    IndicatorCatalog catalog;
    Scenario scenario;
    RunDescription run;
};

std::string printed(const ConsoleSummary& summary) {
    std::ostringstream out;
    summary.print(out);
    return out.str();
}

TEST(ConsoleSummary, OneReplicatePrintsItsTotalsAndNoSpread) {
    const SummaryRun tiny(1);
    ConsoleSummary summary;
    summary.on_start(tiny.run);
    for (int year : tiny.run.years) summary.on_year(tiny.results(0, year));
    EXPECT_EQ(summary.totals("population").at(2020), 150.0);
    EXPECT_EQ(summary.totals("gp_contacts").at(2019), 400.0);
    const std::string text = printed(summary);
    EXPECT_THAT(text, HasSubstr(fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>9.1f}%\n", "Population",
                                            100.0, 150.0, 50.0)));
    EXPECT_THAT(text, Not(HasSubstr("replicates")));
}

TEST(ConsoleSummary, TotalsAreTheMeanOverReplicates) {
    const SummaryRun tiny(3);
    ConsoleSummary summary;
    summary.on_start(tiny.run);
    for (int replicate = 0; replicate < 3; ++replicate)  // replicate-major, as the agent core
        for (int year : tiny.run.years) summary.on_year(tiny.results(replicate, year));
    EXPECT_DOUBLE_EQ(summary.totals("population").at(2019), 100.0);
    EXPECT_DOUBLE_EQ(summary.totals("population").at(2020), (150.0 + 140.0 + 170.0) / 3);
    EXPECT_DOUBLE_EQ(summary.totals("households").at(2020), (75.0 + 70.0 + 85.0) / 3);
    const std::string text = printed(summary);
    EXPECT_THAT(text, HasSubstr(fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>9.1f}%\n", "Population",
                                            100.0, 460.0 / 3, 53.3)));
}

TEST(ConsoleSummary, TheMeanDoesNotDependOnTheOrderOfArrival) {
    const SummaryRun tiny(3);
    std::vector<std::pair<int, int>> order;  // (replicate, year)
    for (int replicate = 0; replicate < 3; ++replicate)
        for (int year : tiny.run.years) order.emplace_back(replicate, year);
    ConsoleSummary forward, backward;
    forward.on_start(tiny.run);
    backward.on_start(tiny.run);
    for (const auto& [replicate, year] : order) forward.on_year(tiny.results(replicate, year));
    std::reverse(order.begin(), order.end());
    for (const auto& [replicate, year] : order) backward.on_year(tiny.results(replicate, year));
    EXPECT_EQ(forward.totals("population"), backward.totals("population"));
    EXPECT_EQ(printed(forward), printed(backward));
}

TEST(ConsoleSummary, SeveralReplicatesAddTheSpreadOfTheLastYear) {
    const SummaryRun tiny(3);
    ConsoleSummary summary;
    summary.on_start(tiny.run);
    for (int replicate = 0; replicate < 3; ++replicate)
        for (int year : tiny.run.years) summary.on_year(tiny.results(replicate, year));
    const std::string text = printed(summary);
    EXPECT_THAT(text, HasSubstr(fmt::format("\n{:<28}{:>16}{:>16}{:>16}\n",
                                            "2020 over 3 replicates", "mean", "p5", "p95")));
    // Population 140, 150, 170 sorted: p5 at 0.1 -> 140 + 0.1 * 10 = 141, p95 at 1.9 -> 150 +
    // 0.9 * 20 = 168 (numpy's linear method).
    auto line = [](const char* label, double mean, double p5, double p95) {
        return fmt::format("{:<28}{:>16.0f}{:>16.0f}{:>16.0f}\n", label, mean, p5, p95);
    };
    EXPECT_THAT(text, HasSubstr(line("Population", 460.0 / 3, 141.0, 168.0)));
    EXPECT_THAT(text, HasSubstr(line("Households (private)", 230.0 / 3, 70.5, 84.0)));
    EXPECT_THAT(text, HasSubstr(line("GP contacts / year", 4 * 460.0 / 3, 564.0, 672.0)));
    // Care cost: the Zvw and Wlz totals of each replicate added, 1500 EUR per person.
    EXPECT_THAT(text, HasSubstr(line("Care cost (EUR/yr)", 1500 * 460.0 / 3, 211500.0, 252000.0)));
    EXPECT_THAT(text, Not(HasSubstr("Wmo")));  // only the indicators the run has
}

TEST(ConsoleSummary, ReplicateOutsideTheRunIsALogicError) {
    const SummaryRun tiny(2);
    ConsoleSummary summary;
    summary.on_start(tiny.run);
    YearResults results = tiny.results(0, 2019);
    results.replicate = 2;
    EXPECT_THROW(summary.on_year(results), std::logic_error);
}

}  // namespace
}  // namespace socialtwin
