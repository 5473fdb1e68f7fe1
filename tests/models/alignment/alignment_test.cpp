// Alignment (models/alignment): a scenario's table fixes the projected population of each
// region x sex x age group; the cohort core hits it exactly, the agent core in expectation, and
// a scenario without `align:` projects exactly what it did before the phase existed.

#include "models/alignment/alignment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using testing::RecordingObserver;

constexpr double none = std::numeric_limits<double>::quiet_NaN();

// The synthetic areas lie in buurt B0 and B1 alternately: a table of those two regions.
AlignmentTable buurt_table(std::size_t n_areas) {
    AlignmentTable t;
    t.table = "test";
    t.level = "buurt";
    t.regions = {"B0", "B1"};
    for (std::size_t a = 0; a < n_areas; ++a) t.region_of_area.push_back(static_cast<int>(a % 2));
    t.age_groups = {{0, max_age}};
    return t;
}

struct Projected {
    Scenario scenario;
    RateSet rates = testing::synthetic_rates();
    AreaTable areas;
    // Kept with the results: the recorder refers to the projection's catalog.
    std::unique_ptr<CohortProjection> cohort;
    std::unique_ptr<AgentProjection> agents;
    RecordingObserver recorder;
};

std::unique_ptr<Projected> run_cohort(const Scenario& scenario, std::size_t n_areas,
                                      std::vector<std::string> models = {}) {
    auto p = std::make_unique<Projected>();
    p->scenario = scenario;
    p->areas = testing::synthetic_areas(n_areas);
    p->cohort = std::make_unique<CohortProjection>(p->scenario, p->areas,
                                                   testing::synthetic_population(p->rates, n_areas),
                                                   create_models(p->rates, models));
    Observer* observers[] = {&p->recorder};
    p->cohort->run(observers);
    return p;
}

std::unique_ptr<Projected> run_agents(const Scenario& scenario, std::size_t n_areas,
                                      int replicates = 1, std::vector<std::string> models = {}) {
    auto p = std::make_unique<Projected>();
    p->scenario = scenario;
    p->areas = testing::synthetic_areas(n_areas);
    p->agents = std::make_unique<AgentProjection>(
        p->scenario, p->areas, testing::synthetic_population(p->rates, n_areas),
        create_models(p->rates, models), AgentSettings{.replicates = replicates});
    Observer* observers[] = {&p->recorder};
    p->agents->run(observers);
    return p;
}

// Population of 1 January of results year `y` summed over the areas of buurt `region`.
double region_population(const Projected& p, std::size_t y, std::size_t region) {
    double total = 0;
    for (std::size_t a = region; a < p.areas.size(); a += 2)
        total += p.recorder.value("population", y, a);
    return total;
}

TEST(AlignmentModel, FactorIsTargetOverProjectedAndOneWithoutTargetOrPersons) {
    EXPECT_DOUBLE_EQ(AlignmentModel::factor(110, 100), 1.1);
    EXPECT_DOUBLE_EQ(AlignmentModel::factor(none, 100), 1.0);
    EXPECT_DOUBLE_EQ(AlignmentModel::factor(50, 0), 1.0);
    EXPECT_DOUBLE_EQ(AlignmentModel::factor(0, 80), 0.0);
}

TEST(Alignment, WithoutAlignTheResultsAreExactlyThoseOfARunWithoutTheModel) {
    std::vector<std::string> without;
    for (const std::string_view name : model_names())
        if (name != "alignment") without.emplace_back(name);
    const Scenario scenario = testing::synthetic_scenario(4);
    for (const bool agents : {false, true}) {
        const auto with_model = agents ? run_agents(scenario, 4) : run_cohort(scenario, 4);
        const auto reference =
            agents ? run_agents(scenario, 4, 1, without) : run_cohort(scenario, 4, without);
        const auto& a = with_model->recorder.years;
        const auto& b = reference->recorder.years;
        ASSERT_EQ(a.size(), b.size());
        ASSERT_EQ(a[0].catalog().size(), b[0].catalog().size()) << "no alignment indicators";
        for (std::size_t y = 0; y < a.size(); ++y)
            for (IndicatorId id = 0; id < a[y].catalog().size(); ++id) {
                const auto va = a[y].values(id), vb = b[y].values(id);
                ASSERT_TRUE(std::equal(va.begin(), va.end(), vb.begin(), vb.end()))
                    << a[y].catalog().spec(id).name << " in year " << a[y].year
                    << (agents ? " (agent core)" : " (cohort core)");
            }
    }
}

TEST(Alignment, CohortCoreHitsEachRegionsTotalExactlyInEveryAlignedYear) {
    Scenario scenario = testing::synthetic_scenario(4);
    AlignmentTable t = buurt_table(6);
    t.targets[2020] = {5000, 5600};  // B0 down (about 5,430 projected), B1 up
    t.targets[2022] = {6000, none};  // B1 runs free in 2022
    scenario.alignment.push_back(t);
    const auto p = run_cohort(scenario, 6);
    EXPECT_NEAR(region_population(*p, 1, 0), 5000, 1e-9);
    EXPECT_NEAR(region_population(*p, 1, 1), 5600, 1e-9);
    EXPECT_NEAR(region_population(*p, 3, 0), 6000, 1e-9);
    // The adjustment is reported where it was made, and the accounts still balance.
    const auto& r = p->recorder;
    EXPECT_LT(r.value("alignment_adjustment", 0, 0), 0);
    EXPECT_GT(r.value("alignment_adjustment", 0, 1), 0);
    EXPECT_EQ(r.total("alignment_adjustment", 1), 0);  // no target for 2021
    for (std::size_t y = 0; y + 1 < r.years.size(); ++y)
        for (std::size_t a = 0; a < 6; ++a)
            EXPECT_NEAR(r.value("population", y + 1, a),
                        r.value("population", y, a) + r.value("births", y, a) -
                            r.value("deaths", y, a) + r.value("migration_in", y, a) -
                            r.value("migration_out", y, a),
                        1e-9);
}

TEST(Alignment, CohortCoreHitsEverySexAndAgeGroupAndLeavesAgesOutsideTheTable) {
    Scenario scenario = testing::synthetic_scenario(2);
    AlignmentTable t = buurt_table(2);
    t.by_sex = true;
    t.age_groups = {{0, 14}, {65, max_age}};  // 15-64 not aligned
    // [region][sex][group]: B0 male 0-14, male 65+, female 0-14, female 65+; then B1.
    t.targets[2020] = {120, 300, 140, 280, 160, 250, none, 200};
    scenario.alignment.push_back(t);
    const auto aligned = run_cohort(scenario, 2);
    const auto free = run_cohort(testing::synthetic_scenario(2), 2);
    auto persons = [](const Projected& p, std::size_t area, int sex, int age_min, int age_max) {
        const auto v = p.recorder.years.at(1).area_values(
            p.recorder.years.at(1).catalog().id("population_by_age_sex"), area);
        double total = 0;
        for (int band = age_band_of(age_min); band <= age_band_of(age_max); ++band)
            total += v[static_cast<std::size_t>(sex * n_age_bands + band)];
        return total;
    };
    EXPECT_NEAR(persons(*aligned, 0, 0, 0, 14), 120, 1e-9);
    EXPECT_NEAR(persons(*aligned, 0, 0, 65, max_age), 300, 1e-9);
    EXPECT_NEAR(persons(*aligned, 0, 1, 0, 14), 140, 1e-9);
    EXPECT_NEAR(persons(*aligned, 0, 1, 65, max_age), 280, 1e-9);
    EXPECT_NEAR(persons(*aligned, 1, 0, 0, 14), 160, 1e-9);
    EXPECT_NEAR(persons(*aligned, 1, 1, 65, max_age), 200, 1e-9);
    // No target: as projected without alignment.
    EXPECT_DOUBLE_EQ(persons(*aligned, 1, 1, 0, 14), persons(*free, 1, 1, 0, 14));
    EXPECT_DOUBLE_EQ(persons(*aligned, 0, 0, 15, 64), persons(*free, 0, 0, 15, 64));
}

// A large region: 40 areas of 1,820 persons. Over a few thousand removals and arrivals the
// sampling noise is well below 1% of the target.
TEST(Alignment, AgentCoreHitsTheTargetWithinSamplingNoiseUpAndDown) {
    Scenario scenario = testing::synthetic_scenario(2);
    AlignmentTable t = buurt_table(40);
    t.targets[2020] = {33000, 40000};  // about 36,200 projected in each
    t.targets[2021] = {34000, 38000};
    scenario.alignment.push_back(t);
    const auto p = run_agents(scenario, 40);
    for (const auto& [y, region, target] :
         {std::tuple{1u, 0u, 33000.0}, {1u, 1u, 40000.0}, {2u, 0u, 34000.0}, {2u, 1u, 38000.0}}) {
        // Removals are Bernoulli draws (sd below sqrt(3,300)), arrivals a whole number per cell
        // and area: 4 standard deviations is under 300 persons.
        EXPECT_NEAR(region_population(*p, y, region), target, 300) << "year index " << y;
    }
    const auto& r = p->recorder;
    for (std::size_t y = 0; y + 1 < r.years.size(); ++y)
        for (std::size_t a = 0; a < 40; ++a)
            EXPECT_EQ(r.value("population", y + 1, a),
                      r.value("population", y, a) + r.value("births", y, a) -
                          r.value("deaths", y, a) + r.value("migration_in", y, a) -
                          r.value("migration_out", y, a));
}

TEST(Alignment, AgentCoreIsTheSameAtAnyThreadCount) {
    Scenario scenario = testing::synthetic_scenario(2);
    AlignmentTable t = buurt_table(6);
    t.targets[2020] = {5000, 5800};
    scenario.alignment.push_back(t);
    auto run = [&](int threads) {
        auto p = std::make_unique<Projected>();
        p->scenario = scenario;
        p->areas = testing::synthetic_areas(6);
        p->agents = std::make_unique<AgentProjection>(
            p->scenario, p->areas, testing::synthetic_population(p->rates, 6),
            create_models(p->rates), AgentSettings{.threads = threads});
        Observer* observers[] = {&p->recorder};
        p->agents->run(observers);
        return p;
    };
    const auto one = run(1), two = run(2);
    for (std::size_t y = 0; y < one->recorder.years.size(); ++y)
        for (std::size_t a = 0; a < 6; ++a)
            EXPECT_EQ(one->recorder.value("population", y, a),
                      two->recorder.value("population", y, a));
}

// CoresAgree with alignment: the agent core's mean over replicates agrees with the cohort core
// by sex and age band, aligned cells and free ones alike.
TEST(CoresAgree, WithAlignmentTheAgentMeanMatchesTheCohortBySexAndAgeBand) {
    Scenario scenario = testing::synthetic_scenario(4);
    scenario.seed = 20190101;
    AlignmentTable t = buurt_table(8);
    t.by_sex = true;
    t.age_groups = {{0, 39}, {40, max_age}};
    for (const int year : {2020, 2021, 2022, 2023})
        t.targets[year] = {1800, 3000, 1900, 3100, 1500, 2700, 1600, 2800};
    scenario.alignment.push_back(t);
    constexpr int replicates = 12;
    const auto cohort = run_cohort(scenario, 8);
    const auto agents = run_agents(scenario, 8, replicates);
    const std::size_t years = cohort->recorder.years.size();
    ASSERT_EQ(agents->recorder.years.size(), years * replicates);
    const IndicatorId id = cohort->recorder.years[0].catalog().id("population_by_age_sex");
    int compared = 0;
    for (std::size_t y = 1; y < years; ++y)
        for (std::size_t i = 0; i < 2 * n_age_bands; ++i) {
            auto total = [&](const YearResults& r) {
                double sum = 0;
                for (std::size_t a = 0; a < 8; ++a) sum += r.area_values(id, a)[i];
                return sum;
            };
            std::vector<double> draws;
            for (int rep = 0; rep < replicates; ++rep)
                draws.push_back(
                    total(agents->recorder.years[static_cast<std::size_t>(rep) * years + y]));
            double mean = 0, var = 0;
            for (const double x : draws) mean += x / replicates;
            for (const double x : draws) var += (x - mean) * (x - mean) / (replicates - 1);
            const double expected = total(cohort->recorder.years[y]);
            EXPECT_LE(std::abs(mean - expected), 4.5 * std::sqrt(var / replicates) + 1.0)
                << "element " << i << " of year index " << y << ": agent " << mean << ", cohort "
                << expected;
            ++compared;
        }
    EXPECT_EQ(compared, 4 * 2 * n_age_bands);
}

}  // namespace
}  // namespace socialtwin
