#include "engine/input/scenario_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/core/scenario.hpp"
#include "engine/input/scenario_loader.hpp"

namespace socialtwin {
namespace {

const std::string reference_file =
    std::string{SOCIALTWIN_SOURCE_DIR} + "/docs/scenario-reference.md";

std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The golden file is regenerated only on purpose: with SOCIALTWIN_UPDATE_DOCS=1 this test
// writes it instead of comparing.
TEST(ScenarioSchema, ReferenceDocMatchesTheSchema) {
    const std::string generated = scenario_reference_markdown();
    if (std::getenv("SOCIALTWIN_UPDATE_DOCS")) {
        std::ofstream(reference_file, std::ios::binary) << generated;
        GTEST_SKIP() << "wrote " << reference_file;
    }
    EXPECT_TRUE(read_text(reference_file) == generated)
        << "docs/scenario-reference.md differs from the schema in engine/input/scenario_schema.cpp. "
           "Regenerate it with\n  SOCIALTWIN_UPDATE_DOCS=1 socialtwin_unit_tests "
           "--gtest_filter='ScenarioSchema.ReferenceDocMatchesTheSchema'\n(or socialtwin schema > "
           "docs/scenario-reference.md) and commit it.";
}

TEST(ScenarioSchema, ReferenceExampleIsAValidScenario) {
    const std::string md = scenario_reference_markdown();
    const auto begin = md.find("```yaml\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = md.find("```", begin + 8);
    const std::string example = md.substr(begin + 8, end - begin - 8);
    // It extends baseline.yaml, so read it as if it sat next to the shipped scenarios.
    const Scenario s = load_scenario_from_string(
        example, std::string{SOCIALTWIN_SOURCE_DIR} + "/scenarios/example.yaml");
    EXPECT_EQ(s.name, "vergrijzing-light");
    EXPECT_EQ(s.construction.size(), 1u);
}

TEST(ScenarioSchema, RateNamesAreTheRateTargets) {
    std::vector<std::string_view> expected;
    for (int i = 0; i < n_rate_targets; ++i)
        expected.push_back(to_string(static_cast<RateTarget>(i)));
    EXPECT_EQ(placeholder_names("<target>"), expected);
    for (const std::string_view name : expected)
        EXPECT_NE(scenario_reference_markdown().find(fmt::format("| `{}` |", name)),
                  std::string::npos)
            << name << " is not documented";
}

TEST(ScenarioSchema, EveryKeyIsDocumentedAndSitsBelowADeclaredParent) {
    for (const SchemaKey& key : scenario_schema()) {
        EXPECT_FALSE(key.meaning.empty()) << key.path;
        EXPECT_FALSE(key.required && !key.default_value.empty()) << key.path;
        EXPECT_EQ(key.kind == ValueKind::choice, !key.choices.empty()) << key.path;
        const auto dot = key.path.rfind('.');
        if (dot == std::string_view::npos) continue;
        std::string_view parent = key.path.substr(0, dot);
        if (parent.ends_with("[]")) parent.remove_suffix(2);
        const SchemaKey* p = find_schema_key(parent);
        ASSERT_NE(p, nullptr) << key.path;
        EXPECT_TRUE(p->kind == ValueKind::mapping || p->kind == ValueKind::list ||
                    p->kind == ValueKind::one_or_list)
            << key.path;
    }
}

// The documented defaults must be the ones the loader leaves in place.
TEST(ScenarioSchema, DocumentedDefaultsAreTheScenarioDefaults) {
    const auto default_of = [](std::string_view path) {
        const SchemaKey* key = find_schema_key(path);
        return key ? std::string{key->default_value} : std::string{"<no such key>"};
    };
    const Scenario s;
    const RateChange c;
    EXPECT_EQ(default_of("base_year"), std::to_string(s.base_year));
    EXPECT_EQ(default_of("horizon"), std::to_string(s.horizon));
    EXPECT_EQ(default_of("seed"), std::to_string(s.seed));
    EXPECT_EQ(default_of("replicates"), std::to_string(s.replicates));
    EXPECT_EQ(default_of("core"), "cohort");
    EXPECT_EQ(default_of("rates.<target>[].factor"), fmt::format("{}", c.factor));
    EXPECT_EQ(default_of("rates.<target>[].trend"), fmt::format("{}", c.trend));
    EXPECT_EQ(default_of("rates.<target>[].ages"), fmt::format("[{}, {}]", c.age_min, c.age_max));
    EXPECT_EQ(default_of("rates.<target>[].sex"), "both");
    EXPECT_EQ(default_of("construction[].type"), to_string(ConstructionProject{}.type));
    EXPECT_EQ(default_of("housing.frictional_vacancy"),
              fmt::format("{}", HousingSettings{}.frictional_vacancy));
}

TEST(ScenarioSchema, ValidatesADocumentBuiltInCode) {
    DocNode root;
    root.kind = DocNode::Kind::mapping;
    DocEntry horizon;
    horizon.key = "horizon";
    horizon.value.kind = DocNode::Kind::scalar;
    horizon.value.text = "0";
    root.entries.push_back(horizon);
    const std::vector<InputProblem> problems = validate_scenario_document(root);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].where.key_path, "horizon");
    EXPECT_EQ(problems[1].where.key_path, "dataset");
    EXPECT_THAT(problems[1].message, ::testing::HasSubstr("required key is missing"));
}

}  // namespace
}  // namespace socialtwin
