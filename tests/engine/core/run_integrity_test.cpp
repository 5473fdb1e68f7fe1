// A run that produces an infinite or NaN value is a failed run, never a result: both cores check
// every year, before any observer (the result writer) sees it, that every indicator and every
// area's population is finite, and fail with a message naming what, where and when.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using testing::RecordingObserver;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A care-phase model that reports `value` for its indicator in the areas from `first_area` on,
// from `from_year` on (1 elsewhere): a model gone wrong, or a scenario that drives one there.
class RiggedIndicator final : public Model {
public:
    RiggedIndicator(double value, int from_year, std::size_t first_area, bool nan_allowed = false)
        : value_(value),
          from_year_(from_year),
          first_area_(first_area),
          nan_allowed_(nan_allowed) {}
    std::string_view name() const override { return "rigged"; }
    Phase phase() const override { return Phase::care; }
    void declare_indicators(IndicatorCatalog& catalog) override {
        id_ = catalog.add({.name = "rigged_by_age_sex",
                           .units = "contacts per year",
                           .description = "A test indicator.",
                           .dims = by_sex_and_age_band,
                           .nan_allowed = nan_allowed_});
    }
    void apply(AreaStep& step) const override {
        auto values = step.values(id_);
        std::fill(values.begin(), values.end(), 1.0);
        // female, age band 65-69: not the first value of the area, so the labels are exercised
        if (step.year >= from_year_ && step.area >= first_area_)
            values[static_cast<std::size_t>(n_age_bands + 13)] = value_;
    }

private:
    double value_;
    int from_year_;
    std::size_t first_area_;
    bool nan_allowed_;
    IndicatorId id_ = 0;
};

// A household-positions model that turns every person of the last area into NaN in
// `from_year`, moving no one in or out: only the population at the end of the year shows it.
class PopulationTurnsNaN final : public Model {
public:
    explicit PopulationTurnsNaN(int from_year) : from_year_(from_year) {}
    std::string_view name() const override { return "nan_population"; }
    Phase phase() const override { return Phase::household_positions; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override { last_area_ = run.areas->size() - 1; }
    void apply(AreaStep& step) const override {
        if (step.year >= from_year_ && step.area == last_area_)
            std::fill(step.next.begin(), step.next.end(), nan);
    }

private:
    int from_year_;
    std::size_t last_area_ = 0;
};

struct Fixture {
    RateSet rates = testing::synthetic_rates();
    AreaTable areas = testing::synthetic_areas(6);
    Scenario scenario = testing::synthetic_scenario(5);
    RecordingObserver recorder;
};

void run_cohort(Fixture& f, std::vector<std::unique_ptr<Model>> models, int threads = 0) {
    CohortProjection projection(f.scenario, f.areas, testing::synthetic_population(f.rates, 6),
                                std::move(models), ProjectionSettings{.threads = threads});
    Observer* observers[] = {&f.recorder};
    projection.run(observers);
}

void run_agent(Fixture& f, std::vector<std::unique_ptr<Model>> models, int threads = 0) {
    AgentProjection projection(f.scenario, f.areas, testing::synthetic_population(f.rates, 6),
                               std::move(models), AgentSettings{.threads = threads});
    Observer* observers[] = {&f.recorder};
    projection.run(observers);
}

std::vector<std::unique_ptr<Model>> rigged(double value, int from_year, std::size_t first_area,
                                           bool nan_allowed = false) {
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::make_unique<RiggedIndicator>(value, from_year, first_area, nan_allowed));
    return models;
}

// What the run failed with (the test fails if it did not).
template <typename Run>
std::string failure_of(Run&& run) {
    try {
        run();
    } catch (const RunFailed& e) {
        return e.what();
    }
    ADD_FAILURE() << "the run did not fail";
    return {};
}

TEST(RunIntegrity, CohortRunWithAnInfiniteIndicatorFailsNamingIndicatorAreaAndYear) {
    Fixture f;
    const std::string message = failure_of([&] { run_cohort(f, rigged(inf, 2021, 3)); });
    EXPECT_THAT(message, HasSubstr("in 2021"));
    EXPECT_THAT(message, HasSubstr("indicator 'rigged_by_age_sex' is inf in area A3 (female, "
                                   "65-69)"));
    EXPECT_THAT(message, HasSubstr("this is a bug or an implausible scenario"));
}

TEST(RunIntegrity, NoObserverSeesTheYearThatFailed) {
    // The writer is an observer: what it never sees it never writes.
    Fixture f;
    failure_of([&] { run_cohort(f, rigged(inf, 2021, 0)); });
    ASSERT_EQ(f.recorder.years.size(), 2u);  // 2019 and 2020
    EXPECT_EQ(f.recorder.years.back().year, 2020);
}

TEST(RunIntegrity, AgentRunWithANaNIndicatorFailsNamingIndicatorAreaAndYear) {
    Fixture f;
    const std::string message = failure_of([&] { run_agent(f, rigged(nan, 2022, 5)); });
    EXPECT_THAT(message, HasSubstr("in 2022"));
    EXPECT_THAT(message, HasSubstr("indicator 'rigged_by_age_sex' is NaN in area A5"));
    EXPECT_EQ(f.recorder.years.size(), 3u);
}

TEST(RunIntegrity, TheFailureNamesTheSameValueAtAnyThreadCount) {
    // Every area from A1 on fails in the same year: the message names the first, whatever
    // thread got there first.
    std::string first;
    for (const int threads : {1, 2, 4}) {
        Fixture f;
        const std::string message =
            failure_of([&] { run_cohort(f, rigged(-inf, 2020, 1), threads); });
        EXPECT_THAT(message, HasSubstr("is -inf in area A1 "));
        if (first.empty()) first = message;
        EXPECT_EQ(message, first) << threads << " threads";
    }
}

TEST(RunIntegrity, ANaNIsAValueWhereTheIndicatorSaysSo) {
    // E.g. the distance to the nearest facility when none is open.
    Fixture f;
    run_cohort(f, rigged(nan, 2019, 0, /*nan_allowed=*/true));
    EXPECT_EQ(f.recorder.years.size(), 6u);
}

TEST(RunIntegrity, AnInfinityFailsTheRunEvenWhereNaNIsAValue) {
    Fixture f;
    const std::string message =
        failure_of([&] { run_cohort(f, rigged(inf, 2019, 0, /*nan_allowed=*/true)); });
    EXPECT_THAT(message, HasSubstr("indicator 'rigged_by_age_sex' is inf in area A0"));
}

TEST(RunIntegrity, APopulationThatTurnsNaNFailsTheRunInThatYear) {
    // No flow and no indicator of 2023 shows it (the indicators of 2023 are on 1 January):
    // the population at the end of the year does, and the accounts do not call it a bug.
    Fixture f;
    f.scenario.horizon = 4;  // the last projected year, 2023, is the one that fails
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::make_unique<PopulationTurnsNaN>(2023));
    const std::string message = failure_of([&] { run_cohort(f, std::move(models)); });
    EXPECT_THAT(message, HasSubstr("in 2023"));
    EXPECT_THAT(message, HasSubstr("the population at the end of the year is NaN in area A5"));
}

TEST(RunIntegrity, ARateDrivenToInfinityByTheScenarioFailsTheRun) {
    // The issue's `rates: {gp_contacts: {factor: 1e308}}`, past the schema (which now bounds
    // it): the real care model turns it into infinite contacts.
    Fixture f;
    f.scenario.rate_changes["gp_contacts"].push_back({.factor = 1e308, .trend = 0.5});
    const std::string message =
        failure_of([&] { run_cohort(f, create_models(f.rates, std::vector<std::string>{})); });
    EXPECT_THAT(message, ContainsRegex("is (-?inf|NaN) in area A0"));
    EXPECT_THAT(message, HasSubstr("this is a bug or an implausible scenario"));
}

TEST(RunIntegrity, HugeButFiniteFlowsStillBalanceTheAccounts) {
    // Births far above the population on 1 January round at their own magnitude: the accounts
    // compare relative to the largest term, so this is no "accounts do not balance" bug.
    Fixture f;
    f.scenario.horizon = 3;
    f.scenario.rate_changes["fertility"].push_back({.factor = 1e12});
    // The projection stays alive while the recorder is read: its indicator catalog is the
    // projection's (run_cohort's would be gone).
    CohortProjection projection(
        f.scenario, f.areas, testing::synthetic_population(f.rates, 6),
        create_models(f.rates, std::vector<std::string>{"mortality", "fertility"}), {});
    Observer* observers[] = {&f.recorder};
    projection.run(observers);
    ASSERT_EQ(f.recorder.years.size(), 4u);
    EXPECT_GT(f.recorder.total("births", 3), 1e13);
}

// The yearly check looks at the bits of every value (a value is not finite when all its exponent
// bits are set): the largest finite numbers, the smallest, -0 and negative ones pass; each kind
// of infinity and NaN is found, in its place, wherever it lies among the indicator's values.
TEST(RunIntegrity, TheCheckFindsEveryKindOfNonFiniteValueAndNothingElse) {
    IndicatorCatalog catalog;
    const IndicatorId id = catalog.add({.name = "edge_values", .units = "persons"});
    constexpr std::size_t n_areas = 37;  // not a multiple of a vector's width
    YearResults results(catalog, n_areas);
    const double finite[] = {std::numeric_limits<double>::max(),
                             -std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::min(),
                             -0.0,
                             -1.5,
                             0x1.fffffffffffffp+1022};
    for (std::size_t a = 0; a < n_areas; ++a)
        results.area_values(id, a)[0] = finite[a % std::size(finite)];
    EXPECT_FALSE(results.first_non_finite().has_value());
    const double not_finite[] = {
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::signaling_NaN()};
    for (const double bad : not_finite)
        for (const std::size_t area : {std::size_t{0}, std::size_t{17}, n_areas - 1}) {
            const double kept = results.area_values(id, area)[0];
            results.area_values(id, area)[0] = bad;
            const auto found = results.first_non_finite();
            ASSERT_TRUE(found.has_value()) << bad << " in area " << area;
            EXPECT_EQ(found->area, area);
            results.area_values(id, area)[0] = kept;
        }
}

}  // namespace
}  // namespace socialtwin
