// The yearly driver both cores run through: the phases both report, the time of settling
// counted in its phase, and the check that every model's needs are met by a model that runs
// earlier in the year.

#include "engine/core/year_driver.hpp"

#include <oneapi/tbb/task_arena.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/core/agent_projection.hpp"
#include "engine/core/cohort_projection.hpp"
#include "models/registry.hpp"
#include "support/synthetic.hpp"

namespace socialtwin {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A model that fills nothing: a phase, the indicators it declares, what it needs, and -- if
// `settle_for` is set -- a settle() that takes at least that long while apply() takes none.
class StandIn final : public Model {
public:
    StandIn(std::string name, Phase phase, std::vector<std::string> declares = {},
            std::vector<ModelNeed> needs = {},
            std::chrono::milliseconds settle_for = std::chrono::milliseconds(0))
        : name_(std::move(name)),
          phase_(phase),
          declares_(std::move(declares)),
          needs_(std::move(needs)),
          settle_for_(settle_for) {}
    std::string_view name() const override { return name_; }
    Phase phase() const override { return phase_; }
    void declare_indicators(IndicatorCatalog& catalog) override {
        for (const std::string& indicator : declares_)
            catalog.add({.name = indicator, .units = "persons", .description = "a stand-in"});
    }
    std::vector<ModelNeed> needs() const override { return needs_; }
    void apply(AreaStep& /*step*/) const override {}
    bool settles_across_areas() const override { return settle_for_.count() > 0; }
    void settle() override { std::this_thread::sleep_for(settle_for_); }

private:
    std::string name_;
    Phase phase_;
    std::vector<std::string> declares_;
    std::vector<ModelNeed> needs_;
    std::chrono::milliseconds settle_for_;
};

// What a run of each core reports, on three synthetic areas for `horizon` years.
struct BothCores {
    RateSet rates = testing::synthetic_rates();
    AreaTable areas = testing::synthetic_areas(3);
    Scenario scenario;
    RunSummary cohort, agent;
};

template <class MakeModels>
std::unique_ptr<BothCores> run_both_cores(int horizon, MakeModels make_models) {
    auto both = std::make_unique<BothCores>();
    both->scenario = testing::synthetic_scenario(horizon);
    const BasePopulation base = testing::synthetic_population(both->rates, 3);
    CohortProjection cohort(both->scenario, both->areas, base, make_models(both->rates));
    AgentProjection agent(both->scenario, both->areas, base, make_models(both->rates));
    both->cohort = cohort.run({});
    both->agent = agent.run({});
    return both;
}

double seconds_of(const RunSummary& summary, Phase phase) {
    for (const PhaseTiming& timing : summary.phase_timings)
        if (timing.phase == to_string(phase)) return timing.seconds;
    ADD_FAILURE() << "no timing for phase " << to_string(phase);
    return 0;
}

std::vector<std::string> phases_of(const RunSummary& summary) {
    std::vector<std::string> phases;
    for (const PhaseTiming& timing : summary.phase_timings) phases.push_back(timing.phase);
    return phases;
}

TEST(YearDriver, BothCoresReportEveryPhaseByNameInPhaseOrder) {
    const auto both = run_both_cores(1, [](const RateSet& rates) { return create_models(rates); });
    std::vector<std::string> every_phase;
    for (int p = 0; p < n_phases; ++p) every_phase.emplace_back(to_string(static_cast<Phase>(p)));
    EXPECT_EQ(phases_of(both->cohort), every_phase);
    EXPECT_EQ(phases_of(both->agent), every_phase);
}

TEST(YearDriver, SettleTimeCountsInItsPhaseInBothCores) {
    // settle() sleeps 20 ms a year and apply() does nothing: the phase takes at least the
    // sleep only if settling is counted in it.
    constexpr auto settle_for = std::chrono::milliseconds(20);
    const auto both = run_both_cores(2, [&](const RateSet&) {
        std::vector<std::unique_ptr<Model>> models;
        models.push_back(std::make_unique<StandIn>("market", Phase::migration,
                                                   std::vector<std::string>{},
                                                   std::vector<ModelNeed>{}, settle_for));
        return models;
    });
    const double three_years = 3 * std::chrono::duration<double>(settle_for).count();
    EXPECT_GE(seconds_of(both->cohort, Phase::migration), three_years);
    EXPECT_GE(seconds_of(both->agent, Phase::migration), three_years);
}

TEST(YearDriver, EveryPhaseWithASettlingModelTakesTimeInBothCores) {
    const auto both = run_both_cores(2, [](const RateSet& rates) { return create_models(rates); });
    const RateSet rates = testing::synthetic_rates();
    std::vector<Phase> settling;
    for (const auto& model : create_models(rates))
        if (model->settles_across_areas()) settling.push_back(model->phase());
    ASSERT_FALSE(settling.empty());  // the housing market, in migration
    for (const Phase phase : settling) {
        EXPECT_GT(seconds_of(both->cohort, phase), 0.0) << to_string(phase);
        EXPECT_GT(seconds_of(both->agent, phase), 0.0) << to_string(phase);
    }
}

// The models' declarations checked by a driver, as a core's constructor makes it.
void drive(std::vector<std::unique_ptr<Model>> models) {
    IndicatorCatalog catalog;
    const YearDriver driver(testing::synthetic_scenario(1), std::move(models), catalog);
}

template <class... Models>
std::vector<std::unique_ptr<Model>> models_of(Models... models) {
    std::vector<std::unique_ptr<Model>> list;
    (list.push_back(std::make_unique<StandIn>(std::move(models))), ...);
    return list;
}

// A core that writes down what the driver asks of it, on one thread, taking `together` areas
// at a time.
class RecordingCore final : public CoreYear {
public:
    explicit RecordingCore(std::size_t together) : together_(together) {}
    std::unique_ptr<AreaWork> area_work() override { return std::make_unique<Work>(calls); }
    std::size_t areas_together() const override { return together_; }
    std::vector<std::string> calls;

private:
    class Work final : public AreaWork {
    public:
        explicit Work(std::vector<std::string>& calls) : calls_(calls) {}
        void begin(const AreaSegment& where) override {
            area_ = where.area;
            calls_.push_back("begin " + std::to_string(area_));
        }
        void run(const YearPlan::Item& item) override {
            calls_.push_back(std::string(to_string(item.phase)) + " " + std::to_string(area_));
        }
        void end() override { calls_.push_back("end " + std::to_string(area_)); }

    private:
        std::vector<std::string>& calls_;
        std::size_t area_ = 0;
    };
    std::size_t together_;
};

std::vector<std::string> calls_of_a_year(std::size_t n_areas, std::size_t together) {
    IndicatorCatalog catalog;
    const Scenario scenario = testing::synthetic_scenario(1);
    YearDriver driver(scenario,
                      models_of(StandIn("first", Phase::births), StandIn("second", Phase::care)),
                      catalog);
    RecordingCore core(together);
    PhaseTimes times;
    tbb::task_arena one_thread(1);
    one_thread.execute([&] { driver.run_year(scenario.base_year, n_areas, core, times); });
    return core.calls;
}

// What a core should be asked in a year without settling (one segment, an item per phase),
// block by block: the block's areas begin, each phase runs for every area of the block, they end.
std::vector<std::string> expected_calls(const std::vector<std::vector<std::size_t>>& blocks) {
    std::vector<std::string> calls;
    for (const auto& block : blocks) {
        for (const std::size_t a : block) calls.push_back("begin " + std::to_string(a));
        for (int p = 0; p < n_phases; ++p)
            for (const std::size_t a : block)
                calls.push_back(std::string(to_string(static_cast<Phase>(p))) + " " +
                                std::to_string(a));
        for (const std::size_t a : block) calls.push_back("end " + std::to_string(a));
    }
    return calls;
}

TEST(YearDriver, ACoreTakingAreasTogetherGetsEachItemForTheWholeBlockBeforeTheNext) {
    // Five areas, two at a time: the last block holds the one area left.
    EXPECT_EQ(calls_of_a_year(5, 2), expected_calls({{0, 1}, {2, 3}, {4}}));
    // One at a time: every item of an area, then the next area.
    EXPECT_EQ(calls_of_a_year(2, 1), expected_calls({{0}, {1}}));
}

std::string error_of(std::vector<std::unique_ptr<Model>> models) {
    try {
        drive(std::move(models));
    } catch (const std::logic_error& error) {
        return error.what();
    }
    return "(no error)";
}

const StandIn provider("provider", Phase::care, {"demand"});

TEST(ModelNeeds, AProviderEarlierInTheYearMeetsTheNeedWhateverTheModelsOrder) {
    const StandIn reader("reader", Phase::accessibility, {}, {{"demand", "provider"}});
    EXPECT_NO_THROW(drive(models_of(provider, reader)));
    EXPECT_NO_THROW(drive(models_of(reader, provider)));
}

TEST(ModelNeeds, AReaderInAnEarlierPhaseThanItsProviderIsAnErrorNamingBoth) {
    const StandIn reader("reader", Phase::housing, {}, {{"demand", "provider"}});
    EXPECT_THAT(error_of(models_of(provider, reader)),
                AllOf(HasSubstr("the reader model reads demand from the provider model"),
                      HasSubstr("phase care comes after phase housing")));
}

TEST(ModelNeeds, InOnePhaseTheProviderMustBeListedFirst) {
    const StandIn reader("reader", Phase::care, {}, {{"demand", "provider"}});
    EXPECT_NO_THROW(drive(models_of(provider, reader)));
    EXPECT_THAT(error_of(models_of(reader, provider)),
                AllOf(HasSubstr("the reader model reads demand from the provider model"),
                      HasSubstr("list provider first")));
}

TEST(ModelNeeds, AMissingProviderIsAnErrorNamingBoth) {
    const StandIn reader("reader", Phase::accessibility, {}, {{"demand", "provider"}});
    EXPECT_THAT(error_of(models_of(reader)),
                HasSubstr("the reader model reads demand from the provider model, which is not "
                          "in this run"));
}

TEST(ModelNeeds, AProviderThatDoesNotDeclareTheIndicatorIsAnError) {
    // Another model declaring it does not help: the need names who computes it.
    const StandIn other("other", Phase::births, {"demand"});
    const StandIn silent("provider", Phase::care);
    const StandIn reader("reader", Phase::accessibility, {}, {{"demand", "provider"}});
    EXPECT_THAT(error_of(models_of(other, silent, reader)),
                HasSubstr("reads demand from the provider model, which does not declare it"));
}

TEST(ModelNeeds, EveryUnmetNeedIsReportedAtOnce) {
    const StandIn reader("reader", Phase::accessibility, {},
                         {{"demand", "provider"}, {"supply", "builder"}});
    EXPECT_THAT(error_of(models_of(reader)),
                AllOf(HasSubstr("from the provider model"), HasSubstr("from the builder model")));
}

}  // namespace
}  // namespace socialtwin
