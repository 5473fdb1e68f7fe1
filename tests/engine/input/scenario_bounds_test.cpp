// Every number a scenario can give has plausible bounds, said with its unit: a value the schema
// accepts must not be able to blow a projection up (issue 8: `trend: 1e308`, `factor: 1e308`,
// `dwellings: 1e308`, `replicates: 2147483647` were accepted).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/input/scenario_loader.hpp"
#include "engine/input/scenario_schema.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

bool is_number(const SchemaKey& key) {
    return key.kind == ValueKind::integer || key.kind == ValueKind::number ||
           key.kind == ValueKind::age_range;
}

// The formatted problems of a scenario given as text (none if it loads).
std::vector<std::string> problems_of(const std::string& yaml) {
    std::vector<std::string> out;
    try {
        load_scenario_from_string(yaml, "inline.yaml");
    } catch (const InputError& e) {
        for (const InputProblem& p : e.problems()) out.push_back(format(p));
    }
    return out;
}

// The problems reported at `path` when the key of pattern `pattern` is set to `value`:
// `rates.<target>[].factor` is written as `rates: {fertility: [{factor: value}]}`.
std::vector<InputProblem> problems_at(const std::string& pattern, const std::string& value,
                                      std::string& path) {
    std::string yaml = value;
    std::string rest = pattern;
    path.clear();
    std::vector<std::string> components;
    for (std::size_t dot; (dot = rest.find('.')) != std::string::npos; rest.erase(0, dot + 1))
        components.push_back(rest.substr(0, dot));
    components.push_back(rest);
    for (auto it = components.rbegin(); it != components.rend(); ++it) {
        std::string name = *it;
        const bool item = name.ends_with("[]");
        if (item) name.resize(name.size() - 2);
        if (name == "<target>") name = "fertility";
        yaml = fmt::format("{{{}: {}}}", name, item ? "[" + yaml + "]" : yaml);
    }
    for (std::string& c : components) {
        const bool item = c.ends_with("[]");
        if (item) c.resize(c.size() - 2);
        if (c == "<target>") c = "fertility";
        if (item) c += "[0]";
        path += (path.empty() ? "" : ".") + c;
    }
    // The outer braces hold the top-level key: unwrap them into a block document.
    yaml = "dataset: tiny\n" + yaml.substr(1, yaml.size() - 2) + "\n";
    std::vector<InputProblem> found;
    try {
        load_scenario_from_string(yaml, "inline.yaml");
    } catch (const InputError& e) {
        for (const InputProblem& p : e.problems())
            if (p.where.key_path == path) found.push_back(p);
    }
    return found;
}

std::string number_text(const SchemaKey& key, double v) {
    return key.kind == ValueKind::integer ? fmt::format("{}", static_cast<long long>(v))
                                          : fmt::format("{}", v);
}

TEST(ScenarioBounds, EveryNumberHasALowerAndAnUpperBoundAndAUnit) {
    int numbers = 0;
    for (const SchemaKey& key : scenario_schema()) {
        if (!is_number(key)) continue;
        ++numbers;
        EXPECT_TRUE(key.min.set && key.max.set) << key.path << " lacks a bound";
        EXPECT_FALSE(key.unit.empty()) << key.path << " says no unit";
        EXPECT_LT(key.min.value, key.max.value) << key.path;
    }
    EXPECT_GE(numbers, 20);
}

TEST(ScenarioBounds, EveryNumberJustOutsideItsBoundsIsReportedWithWhatIsExpected) {
    for (const SchemaKey& key : scenario_schema()) {
        if (key.kind != ValueKind::integer && key.kind != ValueKind::number) continue;
        const double lo = key.min.value, hi = key.max.value;
        const double below = std::floor(lo - (lo != 0 ? std::abs(lo) / 2 : 1));
        const double above = hi + (hi != 0 ? std::abs(hi) : 1);
        for (const double v :
             {key.kind == ValueKind::integer ? below : lo - std::abs(lo) / 2 - 0.5, above}) {
            std::string path;
            const auto found = problems_at(std::string(key.path), number_text(key, v), path);
            ASSERT_EQ(found.size(), 1u) << path << " = " << number_text(key, v);
            EXPECT_EQ(found[0].message, fmt::format("expected {}, got {}", expected_value_text(key),
                                                    number_text(key, v)))
                << path;
        }
        // ... and the bounds themselves are values it takes.
        for (const double v : {lo, hi}) {
            std::string path;
            EXPECT_THAT(problems_at(std::string(key.path), number_text(key, v), path), IsEmpty())
                << path << " = " << v;
        }
    }
}

TEST(ScenarioBounds, TheValuesThatOverflowedAreReportedWithTheirUnit) {
    EXPECT_THAT(
        problems_of("dataset: tiny\nrates: {fertility: {trend: 1e308}}\n"),
        ElementsAre("inline.yaml:2:28: rates.fertility.trend: expected a yearly change from -0.2 "
                    "to 0.2 (a fraction a year: 0.02 = 2% a year), got 1e308"));
    EXPECT_THAT(problems_of("dataset: tiny\nrates: {gp_contacts: {factor: 1e308}}\n"),
                ElementsAre("inline.yaml:2:31: rates.gp_contacts.factor: expected a multiplier "
                            "of the baseline rate in 0..10 (1 = unchanged, 1.1 = 10% more), got "
                            "1e308"));
    EXPECT_THAT(problems_of("dataset: tiny\nconstruction: [{year: 2020, area: T1, dwellings: "
                            "1e308}]\n"),
                ElementsAre("inline.yaml:2:50: construction[0].dwellings: expected a non-zero "
                            "number of dwellings in -50000..50000 (negative: demolished), got "
                            "1e308"));
    EXPECT_THAT(problems_of("dataset: tiny\nreplicates: 2147483647\n"),
                ElementsAre("inline.yaml:2:13: replicates: expected a whole number of runs in "
                            "1..1000, got 2147483647"));
}

TEST(ScenarioBounds, APercentageWrittenForAFractionGetsAHint) {
    // `trend: 2` meant 2% a year, and gave 8.3e17 home-help clients.
    EXPECT_THAT(problems_of("dataset: tiny\nrates: {wmo_home_help: {trend: 2}}\n"),
                ElementsAre("inline.yaml:2:32: rates.wmo_home_help.trend: expected a yearly "
                            "change from -0.2 to 0.2 (a fraction a year: 0.02 = 2% a year), got 2 "
                            "(2 looks like a percentage: write 0.02 for 2%)"));
    EXPECT_THAT(problems_of("dataset: tiny\nbusinesscase: {discount_rate: 2.25}\n"),
                ElementsAre("inline.yaml:2:31: businesscase.discount_rate: expected a yearly "
                            "rate in 0..0.2 (a fraction a year: 0.0225 = 2.25% a year), got 2.25 "
                            "(2.25 looks like a percentage: write 0.0225 for 2.25%)"));
    // Far out of range, or in range as it is, there is nothing to hint.
    EXPECT_EQ(percentage_hint(*find_schema_key("rates.<target>[].trend"), 1e308), "");
    EXPECT_EQ(percentage_hint(*find_schema_key("rates.<target>[].trend"), 0.02), "");
}

TEST(ScenarioBounds, ZeroStaysAllowedWhereItMeansNotGivenOrClosed) {
    EXPECT_TRUE(accepts_number(*find_schema_key("base_year"), 0));
    EXPECT_TRUE(accepts_number(*find_schema_key("facilities.open[].capacity"), 0));
    EXPECT_FALSE(accepts_number(*find_schema_key("facilities.open[].capacity"), 1e-300));
    EXPECT_FALSE(accepts_number(*find_schema_key("construction[].dwellings"), 0));
}

TEST(ScenarioBounds, EveryShippedScenarioStaysWithinTheBounds) {
    const fs::path root{SOCIALTWIN_SOURCE_DIR};
    std::vector<fs::path> files;
    for (const auto* dir : {"scenarios", "tests/integration/scenarios"})
        for (const auto& entry : fs::directory_iterator(root / dir))
            if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    // The fixtures meant to be valid (the others hold problems on purpose).
    for (const auto* file : {"minimal.yaml", "facilities.yaml", "family/parent.yaml",
                             "family/sub/child.yaml", "family/sub/grandchild.yaml"})
        files.push_back(fs::path{SOCIALTWIN_TEST_DATA_DIR} / "scenarios" / file);
    ASSERT_GE(files.size(), 15u);
    for (const fs::path& file : files) {
        std::vector<std::string> problems;
        for (const InputProblem& p : validate_scenario_file(file)) problems.push_back(format(p));
        EXPECT_THAT(problems, IsEmpty()) << file;
    }
}

}  // namespace
}  // namespace socialtwin
