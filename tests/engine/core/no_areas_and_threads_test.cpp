// Library users build area tables and settings directly, without the dataset loader's checks:
// a run over no areas and a run asking for more threads than the machine has must both be safe
// (the asan preset's UndefinedBehaviorSanitizer fails these tests on undefined behaviour).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/threads.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using testing::RecordingObserver;

TEST(NoAreas, ACohortRunOverNoAreasReportsEveryYearWithNoAreas) {
    const Scenario scenario = testing::synthetic_scenario(3);
    const RateSet rates = testing::synthetic_rates();
    const AreaTable areas = testing::synthetic_areas(0);
    CohortProjection projection(scenario, areas, testing::synthetic_population(rates, 0),
                                create_models(rates), ProjectionSettings{.threads = 2});
    RecordingObserver recorder;
    Observer* observers[] = {&recorder};
    projection.run(observers);
    ASSERT_EQ(recorder.years.size(), 4u);
    EXPECT_EQ(recorder.total("population", 3), 0.0);
}

TEST(NoAreas, AnAgentRunOverNoAreasReportsEveryYearWithNoAreas) {
    const Scenario scenario = testing::synthetic_scenario(3);
    const RateSet rates = testing::synthetic_rates();
    const AreaTable areas = testing::synthetic_areas(0);
    AgentProjection projection(scenario, areas, testing::synthetic_population(rates, 0),
                               create_models(rates), AgentSettings{.threads = 2, .replicates = 2});
    RecordingObserver recorder;
    Observer* observers[] = {&recorder};
    projection.run(observers);
    ASSERT_EQ(recorder.years.size(), 8u);  // two replicates of the base year and three more
    EXPECT_EQ(recorder.total("population", 7), 0.0);
}

TEST(WorkerThreads, NeverMoreThanTheMachineHas) {
    const int machine = available_threads();
    EXPECT_GE(machine, 1);
    EXPECT_EQ(worker_threads(0), machine);
    EXPECT_EQ(worker_threads(1), 1);
    EXPECT_EQ(worker_threads(machine), machine);
    EXPECT_EQ(worker_threads(70000), machine);
    EXPECT_EQ(worker_threads(-5), machine);
}

TEST(WorkerThreads, AnAgentRunAskingForTensOfThousandsOfThreadsGivesTheOneThreadResult) {
    const Scenario scenario = testing::synthetic_scenario(2);
    const RateSet rates = testing::synthetic_rates();
    const AreaTable areas = testing::synthetic_areas(3);
    // The recorders read names from their projection's catalog: both stay alive to the end.
    std::vector<RecordingObserver> recorders(2);
    std::vector<std::unique_ptr<AgentProjection>> projections;
    const int threads[] = {1, 70000};
    for (std::size_t k = 0; k < 2; ++k) {
        projections.push_back(std::make_unique<AgentProjection>(
            scenario, areas, testing::synthetic_population(rates, 3), create_models(rates),
            AgentSettings{.threads = threads[k]}));
        Observer* observers[] = {&recorders[k]};
        projections.back()->run(observers);
    }
    ASSERT_EQ(recorders[0].years.size(), recorders[1].years.size());
    for (std::size_t y = 0; y < recorders[0].years.size(); ++y)
        for (std::size_t a = 0; a < 3; ++a)
            for (const char* name : {"population", "births", "deaths", "migration_in"})
                EXPECT_EQ(recorders[0].value(name, y, a), recorders[1].value(name, y, a)) << name;
}

}  // namespace
}  // namespace socialtwin
