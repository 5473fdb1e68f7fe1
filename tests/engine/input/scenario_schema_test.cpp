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
#include "models/care/care_settings.hpp"
#include "models/housing/housing_settings.hpp"
#include "models/registry.hpp"

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
        << "docs/scenario-reference.md differs from the schema in "
           "engine/input/scenario_schema.cpp. "
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

TEST(ScenarioSchema, RateNamesAreTheLeversTheModelsDeclare) {
    std::vector<std::string_view> expected;
    for (const RateLever& lever : declared_levers()) expected.push_back(lever.name);
    // Today's nineteen, in registry order (migration: each direction, then its two flows).
    EXPECT_THAT(expected,
                ::testing::ElementsAre("mortality", "fertility", "migration_in", "immigration",
                                       "moves_from_other_gemeenten", "migration_out", "emigration",
                                       "moves_to_other_gemeenten", "leaving_home", "partnering",
                                       "separation", "family_formation", "institution",
                                       "living_alone", "gp_contacts", "wmo_home_help",
                                       "wmo_support", "wmo_aids", "district_nursing"));
    EXPECT_EQ(placeholder_names("<target>"), expected);
    for (const std::string_view name : expected)
        EXPECT_NE(scenario_reference_markdown().find(fmt::format("| `{}` |", name)),
                  std::string::npos)
            << name << " is not documented";
}

TEST(ScenarioSchema, AnUnknownRateLeverGetsDidYouMean) {
    const auto problems = [](std::string_view lever) {
        std::vector<std::string> out;
        try {
            load_scenario_from_string(
                fmt::format("dataset: tiny\nrates:\n  {}: {{factor: 1.1}}\n", lever),
                "inline.yaml");
        } catch (const InputError& e) {
            for (const InputProblem& p : e.problems()) out.push_back(p.message + " / " + p.hint);
        }
        return out;
    };
    EXPECT_THAT(
        problems("wmo_home_hlp"),
        ::testing::ElementsAre("unknown rate 'wmo_home_hlp' / did you mean 'wmo_home_help'?"));
    EXPECT_THAT(problems("mortalty"),
                ::testing::ElementsAre("unknown rate 'mortalty' / did you mean 'mortality'?"));
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
}

// The reference row of a key: "| `path` | type | required | default | unit | ...".
std::string reference_row(std::string_view path) {
    const std::string md = scenario_reference_markdown();
    const auto at = md.find(fmt::format("\n| `{}` |", path));
    if (at == std::string::npos) return {};
    return md.substr(at + 1, md.find('\n', at + 1) - at - 1);
}

// Every parameter a model (or the core) declares: a key of the schema as declared, its default
// in the reference, and -- for a scenario that does not give it -- the declared default in the
// settings the model binds. So every documented default is tested, and by one test.
TEST(DeclaredParameters, EachIsAKeyWhoseDocumentedDefaultTheModelBindsWhenAbsent) {
    const Scenario without = load_scenario_from_string("dataset: tiny\n", "inline.yaml");
    EXPECT_TRUE(without.parameters.empty());
    int checked = 0;
    for (const ParameterTable* table : declared_parameters()) {
        const auto declarations = table->declarations();
        for (std::size_t i = 0; i < declarations.size(); ++i) {
            const ParameterDeclaration& d = declarations[i];
            SCOPED_TRACE(std::string{d.path});
            const SchemaKey* key = find_schema_key(d.path);
            ASSERT_NE(key, nullptr) << "not in the schema";
            EXPECT_EQ(key->default_value, documented_default(d));
            EXPECT_EQ(key->unit, d.unit);
            EXPECT_EQ(key->meaning, d.meaning);
            const std::string row = reference_row(d.path);
            ASSERT_FALSE(row.empty()) << "not in docs/scenario-reference.md";
            EXPECT_NE(row.find(fmt::format(" | {} | ", documented_default(d))), std::string::npos)
                << row;
            if (d.kind == ParameterKind::block) continue;
            EXPECT_EQ(table->bound_value(without.parameters, i), default_value(d));
            ++checked;
        }
    }
    // At least the parameters of the shipped models (housing 4, care 5, costs 3, businesscase 1,
    // older_persons_alone 1): the loop must not have skipped a table.
    EXPECT_GE(checked, 14);
}

// A value given for a parameter lands in its own field: no two declarations bind one field.
TEST(DeclaredParameters, EachGivenValueIsBoundToItsOwnField) {
    for (const ParameterTable* table : declared_parameters()) {
        const auto declarations = table->declarations();
        ParameterValues given;
        std::vector<ParameterValue> values(declarations.size());
        for (std::size_t i = 0; i < declarations.size(); ++i) {
            const ParameterDeclaration& d = declarations[i];
            if (d.kind == ParameterKind::number)
                values[i] = d.max.value - 0.001 * static_cast<double>(i);  // distinct, in range
            else if (d.kind == ParameterKind::integer)
                values[i] = d.max.value - static_cast<double>(i);  // whole, distinct, in range
            else if (d.kind == ParameterKind::choice)
                values[i] = std::string{d.choices.back() == d.default_choice ? d.choices.front()
                                                                             : d.choices.back()};
            else
                continue;
            given.set(std::string{d.path}, values[i]);
        }
        for (std::size_t i = 0; i < declarations.size(); ++i)
            if (declarations[i].kind != ParameterKind::block) {
                EXPECT_EQ(table->bound_value(given, i), values[i]) << declarations[i].path;
            }
    }
}

TEST(DeclaredParameters, TheLoaderReadsAGivenValueForTheModel) {
    const Scenario s = load_scenario_from_string(
        "dataset: tiny\nhousing: {own_buurt_share: 0.25, migration: demand_led}\n"
        "costs: {prices: nominal}\nbusinesscase: {discount_rate: 0.04}\n",
        "inline.yaml");
    EXPECT_EQ(housing_settings(s).own_buurt_share, 0.25);
    EXPECT_EQ(housing_settings(s).migration, MigrationMode::demand_led);
    EXPECT_EQ(housing_settings(s).frictional_vacancy, 0.02);
    EXPECT_EQ(cost_settings(s).prices, PriceBasis::nominal);
    EXPECT_EQ(s.discount_rate, 0.04);
}

// A whole-number parameter (an age) takes no fraction: 74.5 is an error, not a rounded age.
TEST(DeclaredParameters, AnIntegerParameterRejectsAFraction) {
    const auto problems = [](std::string_view age) {
        std::vector<std::string> out;
        try {
            load_scenario_from_string(
                fmt::format("dataset: tiny\nolder_persons_alone: {{age_min: {}}}\n", age),
                "inline.yaml");
        } catch (const InputError& e) {
            for (const InputProblem& p : e.problems()) out.push_back(p.message);
        }
        return out;
    };
    EXPECT_THAT(problems("65"), ::testing::IsEmpty());
    EXPECT_THAT(problems("74.5"), ::testing::ElementsAre(::testing::HasSubstr("whole number")));
    EXPECT_THAT(problems("101"), ::testing::ElementsAre(::testing::HasSubstr("50..100")));
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
