// Overrides (`--set KEY=VALUE`): applied to the merged document before validation, checked by the
// same schema as the file, reported at the argument.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/input/scenario_loader.hpp"

namespace socialtwin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path baseline =
    std::filesystem::path{SOCIALTWIN_SOURCE_DIR} / "scenarios" / "baseline.yaml";

std::vector<ScenarioOverride> overrides(const std::vector<std::string>& arguments) {
    std::vector<ScenarioOverride> out;
    for (const auto& a : arguments) out.push_back(parse_override(a));
    return out;
}

std::vector<std::string> problems_with(const std::vector<std::string>& arguments) {
    std::vector<std::string> out;
    for (const InputProblem& p : validate_scenario_file(baseline, overrides(arguments)))
        out.push_back(format(p));
    return out;
}

TEST(ScenarioOverride, SetsAKeyAsIfTheFileSaidSo) {
    const Scenario s =
        load_scenario(baseline, overrides({"horizon=10", "rates.fertility.factor=0.9"}));
    EXPECT_EQ(s.horizon, 10);
    ASSERT_EQ(s.rate_changes.at("fertility").size(), 1U);
    EXPECT_DOUBLE_EQ(s.rate_changes.at("fertility")[0].factor, 0.9);
    EXPECT_THAT(s.source_text, HasSubstr("#   with --set horizon=10\n"));
}

TEST(ScenarioOverride, LaterOverridesWinAndTheResolvedScenarioHasItsOwnHash) {
    const Scenario plain = load_scenario(baseline);
    const Scenario twice = load_scenario(baseline, overrides({"horizon=10", "horizon=30"}));
    EXPECT_EQ(twice.horizon, 30);
    // baseline.yaml says horizon 30: the same resolved scenario, the same hash.
    EXPECT_EQ(scenario_hash(twice), scenario_hash(plain));
    EXPECT_NE(scenario_hash(load_scenario(baseline, overrides({"horizon=10"}))),
              scenario_hash(plain));
}

TEST(ScenarioOverride, AWrongValueOrKeyIsReportedAtTheArgument) {
    EXPECT_THAT(problems_with({"horizon=0", "horizn=3"}),
                ElementsAre(HasSubstr("--set horizon=0: horizon: expected"),
                            "--set horizn=3: horizn: unknown key (did you mean 'horizon'?)"));
}

TEST(ScenarioOverride, AnArgumentWithoutKeyOrValueIsBadInput) {
    EXPECT_THROW(parse_override("horizon"), InputError);
    EXPECT_THROW(parse_override("=3"), InputError);
    EXPECT_THROW(parse_override("horizon=[1, 2"), InputError);
}

TEST(ScenarioOverride, ValuesAreYamlAndComeBackTheSameInFlowStyle) {
    const ScenarioOverride o = parse_override("construction=[{name: A, year: 2025}]");
    EXPECT_EQ(o.key, "construction");
    EXPECT_EQ(flow_yaml(o.value), "[{name: A, year: 2025}]");
    EXPECT_EQ(flow_yaml(parse_override("name='2030'").value), "\"2030\"");
}

TEST(ScenarioOverride, AKeyBelowAListNeedsAnIndex) {
    EXPECT_THAT(problems_with({"construction=[{name: A, year: 2025, area: '0', dwellings: 1}]",
                               "construction.dwellings=3"}),
                ElementsAre(HasSubstr("construction is a list in the scenario, so it has no key "
                                      "'dwellings' (set one item's key, e.g. "
                                      "construction[0].dwellings)")));
}

}  // namespace
}  // namespace socialtwin
