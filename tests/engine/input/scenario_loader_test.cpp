#include "engine/input/scenario_loader.hpp"

#include <gmock/gmock.h>

#include <gtest/gtest.h>
#include <fstream>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "models/care/care_settings.hpp"
#include "models/demography/demography.hpp"
#include "models/households/household_positions.hpp"
#include "models/housing/housing_settings.hpp"
#include "models/migration/in_migration.hpp"
#include "models/migration/out_migration.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string scenarios_dir = std::string{SOCIALTWIN_SOURCE_DIR} + "/scenarios";
const std::string fixtures = std::string{SOCIALTWIN_TEST_DATA_DIR} + "/scenarios";

std::string fixture(const std::string& name) { return fixtures + "/" + name; }

std::vector<std::string> formatted(const std::vector<InputProblem>& problems) {
    std::vector<std::string> out;
    for (const InputProblem& p : problems) out.push_back(format(p));
    return out;
}

// The formatted problems load_scenario throws for `file`; also checks that
// validate_scenario_file finds the same ones.
std::vector<std::string> problems_loading(const std::string& file) {
    const std::vector<std::string> validated = formatted(validate_scenario_file(file));
    try {
        load_scenario(file);
    } catch (const InputError& e) {
        EXPECT_EQ(formatted(e.problems()), validated);
        return formatted(e.problems());
    }
    ADD_FAILURE() << file << " loaded without problems";
    return {};
}

std::vector<std::string> problems_loading_text(const std::string& yaml) {
    try {
        load_scenario_from_string(yaml, "inline.yaml");
    } catch (const InputError& e) {
        return formatted(e.problems());
    }
    ADD_FAILURE() << "loaded without problems:\n" << yaml;
    return {};
}

// ---------------------------------------------------------------------------------------------
// The shipped scenarios

TEST(ShippedScenarios, EveryFileInScenariosLoads) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(scenarios_dir)) {
        if (entry.path().extension() != ".yaml") continue;
        ++n;
        EXPECT_THAT(formatted(validate_scenario_file(entry.path())), IsEmpty()) << entry.path();
    }
    EXPECT_GE(n, 4);
}

TEST(ShippedScenarios, BaselineProjectsZuidWestThirtyYearsFrom2019) {
    const Scenario s = load_scenario(scenarios_dir + "/baseline.yaml");
    EXPECT_EQ(s.name, "baseline");
    EXPECT_EQ(s.dataset, "denhaag-zuidwest-2019");
    EXPECT_EQ(s.base_year, 2019);
    EXPECT_EQ(s.horizon, 30);
    EXPECT_EQ(s.seed, 20190101u);
    EXPECT_TRUE(s.rate_changes.empty());
    EXPECT_TRUE(s.construction.empty());
    // The care and cost knobs, written out with their defaults.
    EXPECT_EQ(care_settings(s).gp_normpraktijk, 2095);
    EXPECT_EQ(care_settings(s).gp_contacts_per_patient, 5);
    EXPECT_EQ(care_settings(s).district_nursing_eur_per_hour, 75);
    EXPECT_EQ(cost_settings(s).prices, PriceBasis::constant);
    EXPECT_EQ(cost_settings(s).real_growth_per_year, 0);
    EXPECT_EQ(s.discount_rate, 0.0225);
}

TEST(ShippedScenarios, VergrijzingLowersOldAgeMortalityEveryYear) {
    const Scenario s = load_scenario(scenarios_dir + "/vergrijzing.yaml");
    EXPECT_EQ(s.name, "vergrijzing");
    EXPECT_EQ(s.base_year, 2019);  // inherited from baseline
    // 1.5% lower every year, compounded, at 65 and over only.
    EXPECT_NEAR(rate_multiplier(s, mortality_lever, 2049, 0, 80) /
                    rate_multiplier(s, mortality_lever, 2048, 0, 80),
                0.985, 1e-12);
    EXPECT_LT(rate_multiplier(s, mortality_lever, 2049, 1, 65), 0.65);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, mortality_lever, 2049, 0, 64), 1.0);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, fertility_lever, 2030, 1, 30), 0.9);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, migration_out_lever, 2025, 1, 25), 1.2);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, migration_in_lever, 2025, 0, 34), 0.8);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, migration_in_lever, 2025, 0, 35), 1.0);
}

TEST(ShippedScenarios, AlleenstaandenChangesHouseholdRates) {
    const Scenario s = load_scenario(scenarios_dir + "/alleenstaanden.yaml");
    const RateChange& separation = s.rate_changes.at("separation").at(0);
    EXPECT_DOUBLE_EQ(separation.factor, 1.4);
    EXPECT_NEAR(rate_multiplier(s, separation_lever, 2031, 0, 40) /
                    rate_multiplier(s, separation_lever, 2030, 0, 40),
                1.01, 1e-12);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, partnering_lever, 2030, 0, 30), 0.75);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, leaving_home_lever, 2030, 0, 20), 1.15);
    EXPECT_DOUBLE_EQ(rate_multiplier(s, family_formation_lever, 2030, 1, 30), 0.85);
    EXPECT_DOUBLE_EQ(care_settings(s).child_nearby_share, 0.4);  // fewer children nearby
    EXPECT_DOUBLE_EQ(s.discount_rate, 0.0225);                   // inherited from baseline
}

TEST(ShippedScenarios, VerdichtingBuilds2500AndDemolishes150Dwellings) {
    const Scenario s = load_scenario(scenarios_dir + "/verdichting.yaml");
    double built = 0;
    double demolished = 0;
    for (const ConstructionProject& p : s.construction) {
        (p.dwellings > 0 ? built : demolished) += p.dwellings;
        EXPECT_EQ(p.type, DwellingType::multi_family) << p.name;
        EXPECT_GE(p.year, 2022);
        EXPECT_LE(p.year, 2030);
    }
    EXPECT_EQ(built, 2500);
    EXPECT_EQ(demolished, -150);
}

TEST(ShippedScenarios, VerdichtingOpensAHealthCentreInMoerwijk) {
    const Scenario s = load_scenario(scenarios_dir + "/verdichting.yaml");
    ASSERT_EQ(s.facilities.open.size(), 1u);
    EXPECT_EQ(s.facilities.open[0].type, "gp_practice");
    EXPECT_EQ(s.facilities.open[0].area, "2532DE");
    EXPECT_EQ(s.facilities.open[0].year, 2025);
    ASSERT_EQ(s.facilities.resize.size(), 1u);
    EXPECT_EQ(s.facilities.resize[0].facility, "gp-0001");
}

// ---------------------------------------------------------------------------------------------
// Defaults and what the loader fills in

TEST(ScenarioLoader, MinimalFileGetsTheDocumentedDefaults) {
    const Scenario s = load_scenario(fixture("minimal.yaml"));
    EXPECT_EQ(s.name, "minimal");  // the file name without .yaml
    EXPECT_EQ(s.dataset, "test");
    EXPECT_EQ(s.base_year, 0);
    EXPECT_EQ(s.horizon, 30);
    EXPECT_EQ(s.seed, 1u);
    EXPECT_EQ(s.core, CoreKind::cohort);
    EXPECT_EQ(s.replicates, 1);
    EXPECT_DOUBLE_EQ(housing_settings(s).frictional_vacancy, 0.02);
    EXPECT_EQ(s.source_path, fixture("minimal.yaml"));
}

TEST(ScenarioLoader, ReadsEveryKey) {
    const Scenario s = load_scenario_from_string(R"(
name: all keys
description: every key once
dataset: test
base_year: 2019
horizon: 20
seed: 18446744073709551615
core: cohort
replicates: 5
rates:
  institution:
    factor: 1.1
    trend: 0.02
    from: 2022
    to: 2030
    ages: [75, 105]
    sex: female
construction:
  - name: toren
    year: 2025
    area: 2531NA
    dwellings: 120
    type: single_family
    tenure: social_rent
    occupancy: 2.5
housing:
  frictional_vacancy: 0.03
  persons_per_new_dwelling: 1.9
  own_buurt_share: 0.25
  migration: demand_led
care:
  gp_contacts_per_fte: 9000
)",
                                                 "all.yaml");
    EXPECT_EQ(s.name, "all keys");
    EXPECT_EQ(s.description, "every key once");
    EXPECT_EQ(s.horizon, 20);
    EXPECT_EQ(s.seed, 18446744073709551615u);
    EXPECT_EQ(s.replicates, 5);
    ASSERT_EQ(s.rate_changes.count("institution"), 1u);
    const RateChange& c = s.rate_changes.at("institution").at(0);
    EXPECT_DOUBLE_EQ(c.factor, 1.1);
    EXPECT_DOUBLE_EQ(c.trend, 0.02);
    EXPECT_EQ(c.from_year, 2022);
    EXPECT_EQ(c.to_year, 2030);
    EXPECT_EQ(c.age_min, 75);
    EXPECT_EQ(c.age_max, 105);
    EXPECT_EQ(c.sex, SexFilter::female);
    ASSERT_EQ(s.construction.size(), 1u);
    const ConstructionProject& p = s.construction[0];
    EXPECT_EQ(p.name, "toren");
    EXPECT_EQ(p.year, 2025);
    EXPECT_EQ(p.area, "2531NA");
    EXPECT_DOUBLE_EQ(p.dwellings, 120);
    EXPECT_EQ(p.type, DwellingType::single_family);
    EXPECT_EQ(p.tenure, Tenure::social_rent);
    EXPECT_DOUBLE_EQ(p.occupancy, 2.5);
    EXPECT_DOUBLE_EQ(housing_settings(s).frictional_vacancy, 0.03);
    EXPECT_DOUBLE_EQ(housing_settings(s).persons_per_new_dwelling, 1.9);
    EXPECT_DOUBLE_EQ(housing_settings(s).own_buurt_share, 0.25);
    EXPECT_EQ(housing_settings(s).migration, MigrationMode::demand_led);
    EXPECT_DOUBLE_EQ(care_settings(s).gp_contacts_per_fte, 9000);
}

TEST(ScenarioLoader, ConstructionProjectRemembersWhereItWasDeclared) {
    const Scenario s = load_scenario(fixture("family/parent.yaml"));
    ASSERT_EQ(s.construction.size(), 1u);
    const SourceLocation& where = s.construction[0].where;
    EXPECT_EQ(where.file, fixture("family/parent.yaml"));
    EXPECT_EQ(where.line, 18);
    EXPECT_EQ(where.column, 5);
    EXPECT_EQ(where.key_path, "construction[0]");
}

TEST(ScenarioLoader, SourceTextIsTheMergedDocumentAndLoadsToTheSameScenario) {
    const Scenario s = load_scenario(scenarios_dir + "/vergrijzing.yaml");
    EXPECT_THAT(s.source_text, HasSubstr("# Scenario read from " + scenarios_dir +
                                         "/vergrijzing.yaml\n#   which extends " + scenarios_dir +
                                         "/baseline.yaml\n"));
    EXPECT_THAT(s.source_text, HasSubstr("dataset: denhaag-zuidwest-2019"));
    EXPECT_THAT(s.source_text, Not(HasSubstr("extends:")));
    const Scenario again = load_scenario_from_string(s.source_text, "vergrijzing.yaml");
    EXPECT_EQ(again.base_year, s.base_year);
    EXPECT_EQ(again.seed, s.seed);
    EXPECT_EQ(again.description, s.description);
    EXPECT_EQ(again.rate_changes.size(), s.rate_changes.size());
    EXPECT_DOUBLE_EQ(rate_multiplier(again, mortality_lever, 2040, 1, 90),
                     rate_multiplier(s, mortality_lever, 2040, 1, 90));
}

// ---------------------------------------------------------------------------------------------
// Problems: each names file:line:column, the key path and what was expected

TEST(ScenarioLoader, SyntaxErrorNamesFileLineAndColumn) {
    const std::string f = fixture("syntax_error.yaml");
    // yaml-cpp notices the unclosed '[' of line 4 where the next key starts.
    EXPECT_THAT(problems_loading(f),
                ElementsAre(f + ":5:10: YAML syntax error: end of sequence flow not found"));
}

// The scenario's top-level keys in schema order: the core's, then each model's (so a new
// process's block joins this list without this test changing).
std::string top_level_keys() {
    std::string keys;
    for (const SchemaKey& key : scenario_schema()) {
        if (key.path.find('.') != std::string_view::npos) continue;
        if (key.path.find('[') != std::string_view::npos) continue;
        keys += (keys.empty() ? "" : ", ") + std::string{key.path};
    }
    return keys;
}

TEST(ScenarioLoader, UnknownKeySuggestsNearestKey) {
    const std::string f = fixture("unknown_key.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(f + ":2:1: horizn: unknown key (did you mean 'horizon'?)",
                    f + ":4:3: rates.mortalty: unknown rate 'mortalty' (did you mean 'mortality'?)",
                    f + ":8:7: rates.fertility[1].facter: unknown key (did you mean 'factor'?)",
                    f + ":9:1: colour: unknown key; expected one of " + top_level_keys()));
}

TEST(ScenarioLoader, WrongTypesAreAllReported) {
    const std::string f = fixture("wrong_type.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(
            f + ":2:10: horizon: expected a whole number of years in 1..100, got \"thirty\"",
            f + ":3:7: seed: expected a non-negative whole number, got \"12\" (remove the "
                "quotes: a quoted value is text)",
            f + ":6:13: rates.fertility.factor: expected a multiplier of the baseline rate "
                "in 0..10 (1 = unchanged, 1.1 = 10% more), got a list",
            f + ":7:10: rates.fertility.sex: expected one of both, male, female, got "
                "\"males\" (did you mean 'male'?)",
            f + ":8:15: construction: expected a list of mappings, got \"2531NA\""));
}

TEST(ScenarioLoader, OutOfRangeValuesAreAllReported) {
    const std::string f = fixture("out_of_range.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(
            f + ":3:10: horizon: expected a whole number of years in 1..100, got 200",
            f + ":4:13: replicates: expected a whole number of runs in 1..1000, got 0",
            f + ":7:15: rates.mortality[0].factor: expected a multiplier of the baseline rate in "
                "0..10 (1 = unchanged, 1.1 = 10% more), got -0.5",
            f + ":8:14: rates.mortality[0].trend: expected a yearly change from -0.2 to 0.2 (a "
                "fraction a year: 0.02 = 2% a year), got -1 (-1 looks like a percentage: write "
                "-0.01 for -1%)",
            f + ":9:13: rates.mortality[0].ages: expected [min, max] with min <= max, got [70, 65]",
            f + ":10:17: rates.mortality[1].ages[1]: expected a whole number of years in 0..105, "
                "got 120",
            f + ":12:11: rates.mortality[1].to: expected a year not before from (2030), got 2025",
            f + ":14:23: housing.frictional_vacancy: expected a share of the dwelling stock in "
                "0..0.2 (0.02 = 2%), got 0.5",
            f + ":15:20: housing.own_buurt_share: expected a share in 0..1 (0.2 = a fifth of "
                "the moves), got 1.5"));
}

TEST(ScenarioLoader, BadCareCostAndBusinesscaseSettingsAreAllReported) {
    const std::string f = fixture("bad_care_costs.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(
            f + ":3:20: care.gp_normpraktijk: expected patients per full-time GP in 500..5000, "
                "got 0",
            f + ":4:28: care.gp_contacts_per_patient: expected GP contacts per patient per year "
                "in 1..20, got -5",
            f + ":5:24: care.gp_contacts_per_fte: expected GP contacts per full-time GP per year "
                "in 500..100000, got \"many\"",
            f + ":6:34: care.district_nursing_eur_per_hour: expected EUR per hour in 10..500, got "
                "0",
            f + ":7:23: care.child_nearby_share: expected a share in 0..1 (0.4 = 40%), got 1.5 "
                "(1.5 looks like a percentage: write 0.015 for 1.5%)",
            f + ":8:3: care.informal_care: unknown key; expected one of gp_normpraktijk, "
                "gp_contacts_per_patient, gp_contacts_per_fte, district_nursing_eur_per_hour, "
                "child_nearby_share",
            f + ":10:11: costs.prices: expected one of constant, nominal, got \"real\"",
            f + ":11:25: costs.real_growth_per_year: expected a yearly growth from -0.1 to 0.1 (a "
                "fraction a year: 0.015 = 1.5% a year), got 0.5",
            f + ":12:23: costs.inflation_per_year: expected a yearly inflation from -0.1 to 0.2 "
                "(a fraction a year: 0.02 = 2% a year), got -0.3",
            f + ":14:18: businesscase.discount_rate: expected a yearly rate in 0..0.2 (a fraction "
                "a year: 0.0225 = 2.25% a year), got 0.3",
            f + ":15:3: businesscase.discount: unknown key; expected one of discount_rate",
            f + ":17:3: rates.wmo_homehelp: unknown rate 'wmo_homehelp' (did you mean "
                "'wmo_home_help'?)",
            f + ":20:13: rates.district_nursing.factor: expected a multiplier of the baseline "
                "rate in 0..10 (1 = unchanged, 1.1 = 10% more), got -1"));
}

TEST(ScenarioLoader, BadConstructionEntriesAreAllReported) {
    const std::string f = fixture("bad_construction.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(
            f + ":9:5: construction[1].area: required key is missing; expected an area code of "
                "the dataset",
            f + ":9:5: construction[1].dwellings: required key is missing; expected a non-zero "
                "number of dwellings in -50000..50000 (negative: demolished)",
            f + ":11:11: construction[2].year: expected a year in 2019..2029 (the projected years, "
                "base_year to base_year + horizon), got 2035",
            f + ":13:16: construction[2].dwellings: expected a non-zero number of dwellings in "
                "-50000..50000 (negative: demolished), got 0",
            f + ":14:11: construction[2].type: expected one of single_family, multi_family, got "
                "\"highrise\"",
            f + ":15:16: construction[2].occupancy: expected persons per dwelling in 0.5..10, got "
                "0",
            f + ":16:13: construction[2].tenure: expected one of owner, social_rent, "
                "private_rent, got \"socal_rent\" (did you mean 'social_rent'?)",
            f + ":17:5: construction[3]: expected a mapping of keys, got \"just a string\""));
}

TEST(ScenarioLoader, ReadsFacilityChangesAndWhereEachWasDeclared) {
    const std::string f = fixture("facilities.yaml");
    const Scenario s = load_scenario(f);
    ASSERT_EQ(s.facilities.open.size(), 1u);
    const FacilityOpening& o = s.facilities.open[0];
    EXPECT_EQ(o.id, "gp-T2");
    EXPECT_EQ(o.type, "gp_practice");
    EXPECT_EQ(o.area, "T2");
    EXPECT_EQ(o.year, 2020);
    EXPECT_DOUBLE_EQ(o.capacity, 0.05);
    EXPECT_EQ(o.name, "Gezondheidscentrum T2");
    EXPECT_EQ(o.where.file, f);
    EXPECT_EQ(o.where.line, 7);
    EXPECT_EQ(o.where.key_path, "facilities.open[0]");
    ASSERT_EQ(s.facilities.close.size(), 1u);
    EXPECT_EQ(s.facilities.close[0].facility, "gp-1");
    EXPECT_EQ(s.facilities.close[0].year, 2021);
    EXPECT_EQ(s.facilities.close[0].where.key_path, "facilities.close[0]");
    ASSERT_EQ(s.facilities.resize.size(), 1u);
    EXPECT_EQ(s.facilities.resize[0].facility, "gp-T2");
    EXPECT_EQ(s.facilities.resize[0].year, 2022);
    EXPECT_DOUBLE_EQ(s.facilities.resize[0].capacity, 0.1);
    EXPECT_EQ(s.facilities.resize[0].where.line, 17);
}

TEST(ScenarioLoader, BadFacilityChangesAreAllReported) {
    const std::string f = fixture("bad_facilities.yaml");
    EXPECT_THAT(
        problems_loading(f),
        ElementsAre(
            f + ":8:13: facilities.open[0].year: expected a year in 2019..2029 (the projected "
                "years, base_year to base_year + horizon), got 2035",
            f + ":9:17: facilities.open[0].capacity: expected 0 or a capacity in 0.01..10000 of "
                "the type's units (GP practices: FTE), got -1",
            f + ":10:7: facilities.open[0].nmae: unknown key (did you mean 'name'?)",
            f + ":11:7: facilities.open[1].type: required key is missing; expected a facility "
                "type, e.g. gp_practice",
            f + ":11:7: facilities.open[1].area: required key is missing; expected an area code "
                "of the dataset",
            f + ":11:7: facilities.open[1].capacity: required key is missing; expected 0 or a "
                "capacity in 0.01..10000 of the type's units (GP practices: FTE)",
            f + ":14:7: facilities.close[0].facilty: unknown key (did you mean 'facility'?)",
            f + ":14:7: facilities.close[0].facility: required key is missing; expected a "
                "facility id",
            f + ":17:7: facilities.resize[0].capacity: required key is missing; expected 0 or a "
                "capacity in 0.01..10000 of the facility's units (GP practices: FTE)",
            f + ":19:3: facilities.reopen: unknown key (did you mean 'open'?)"));
}

TEST(ScenarioLoader, YearsArePlausibleWhenTheBaseYearComesFromTheDataset) {
    EXPECT_THAT(problems_loading_text("dataset: test\n"
                                      "construction:\n"
                                      "  - {year: 1850, area: 2531NA, dwellings: 10}\n"
                                      "  - {year: 2100, area: 2531NA, dwellings: 10}\n"),
                ElementsAre("inline.yaml:3:12: construction[0].year: expected a year in "
                            "1900..2200, got 1850"));
}

TEST(ScenarioLoader, DuplicateKeyIsReported) {
    const std::string f = fixture("duplicate_key.yaml");
    EXPECT_THAT(problems_loading(f),
                ElementsAre(f + ":3:1: horizon: key written twice (also on line 2)"));
}

TEST(ScenarioLoader, EmptyFileLacksOnlyTheDataset) {
    EXPECT_THAT(problems_loading_text(""),
                ElementsAre("inline.yaml:1:1: dataset: required key is missing; expected a dataset "
                            "name or path"));
}

TEST(ScenarioLoader, TopLevelMustBeAMapping) {
    EXPECT_THAT(problems_loading_text("- dataset: test\n"),
                ElementsAre("inline.yaml:1:1: expected a mapping of scenario keys, got a list"));
}

TEST(ScenarioLoader, MissingScenarioFileSaysCannotOpen) {
    const std::string f = fixture("no_such_scenario.yaml");
    EXPECT_THAT(problems_loading(f), ElementsAre(f + ": cannot open the file (no such file)"));
}

TEST(ScenarioLoader, MissingExtendsTargetIsReportedAtTheExtendsLine) {
    const std::string f = fixture("missing_extends.yaml");
    EXPECT_THAT(problems_loading(f),
                ElementsAre(f + ":2:10: extends: cannot open \"" + fixture("no_such_parent.yaml") +
                            "\" (no such file)"));
}

TEST(ScenarioLoader, ExtendsCycleIsAnError) {
    EXPECT_THAT(
        problems_loading(fixture("cycle_a.yaml")),
        ElementsAre(fixture("cycle_b.yaml") +
                    ":2:10: extends: a cycle: cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml"));
}

TEST(ScenarioLoader, ProblemsInAParentNameTheParentFile) {
    const std::string child = fixture("family/child_of_bad_parent.yaml");
    const std::string parent = fixture("family/bad_parent.yaml");
    EXPECT_THAT(
        problems_loading(child),
        ElementsAre(child + ":2:10: horizon: expected a whole number of years in 1..100, got 0",
                    parent + ":3:1: seeed: unknown key (did you mean 'seed'?)"));
}

// ---------------------------------------------------------------------------------------------
// extends

TEST(ScenarioExtends, ChildOverridesParentScalarsAndInheritsTheRest) {
    const Scenario s = load_scenario(fixture("family/sub/child.yaml"));
    EXPECT_EQ(s.horizon, 25);                                        // the child's
    EXPECT_EQ(s.base_year, 2019);                                    // the parent's
    EXPECT_EQ(s.seed, 7u);                                           // the parent's
    EXPECT_DOUBLE_EQ(housing_settings(s).frictional_vacancy, 0.05);  // the child's
    EXPECT_DOUBLE_EQ(housing_settings(s).persons_per_new_dwelling,
                     2.1);  // the parent's, same block
}

TEST(ScenarioExtends, NameAndDescriptionAreNotInherited) {
    const Scenario s = load_scenario(fixture("family/sub/child.yaml"));
    EXPECT_EQ(s.name, "child");
    EXPECT_EQ(s.description, "");
}

TEST(ScenarioExtends, MappingsMergeRecursively) {
    const Scenario s = load_scenario(fixture("family/sub/child.yaml"));
    // rates.fertility: factor from the child, sex from the parent.
    ASSERT_EQ(s.rate_changes.at("fertility").size(), 1u);
    EXPECT_DOUBLE_EQ(s.rate_changes.at("fertility")[0].factor, 0.7);
    EXPECT_EQ(s.rate_changes.at("fertility")[0].sex, SexFilter::female);
    // rates.mortality from the parent only, rates.separation from the child only.
    EXPECT_DOUBLE_EQ(s.rate_changes.at("mortality")[0].factor, 0.9);
    EXPECT_DOUBLE_EQ(s.rate_changes.at("separation")[0].factor, 1.2);
}

TEST(ScenarioExtends, ChildListReplacesParentList) {
    const Scenario s = load_scenario(fixture("family/sub/child.yaml"));
    ASSERT_EQ(s.construction.size(), 1u);
    EXPECT_EQ(s.construction[0].area, "2531NE");
    EXPECT_EQ(s.construction[0].where.file, fixture("family/sub/child.yaml"));
}

TEST(ScenarioExtends, ChainsResolveAndEmptyValuesRemoveInheritedBlocks) {
    const Scenario s = load_scenario(fixture("family/sub/grandchild.yaml"));
    EXPECT_EQ(s.name, "grandchild");
    EXPECT_EQ(s.horizon, 25);                          // from child
    EXPECT_EQ(s.seed, 7u);                             // from parent, two levels up
    EXPECT_EQ(s.rate_changes.count("mortality"), 0u);  // `mortality: []`
    EXPECT_DOUBLE_EQ(housing_settings(s).frictional_vacancy,
                     0.02);  // `housing:` dropped, default back
    EXPECT_DOUBLE_EQ(housing_settings(s).persons_per_new_dwelling, 0);
}

TEST(ScenarioExtends, InheritedDatasetPathStaysAnchoredToTheFileThatSetIt) {
    // parent.yaml says `dataset: ../datasets/tiny`, i.e. tests/data/scenarios/datasets/tiny.
    EXPECT_EQ(load_scenario(fixture("family/parent.yaml")).dataset, "../datasets/tiny");
    EXPECT_EQ(load_scenario(fixture("family/sub/child.yaml")).dataset, "../../datasets/tiny");
}

// A planner's own file, outside the repository, builds on a shipped scenario by its name.
class ExtendsByName : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() /
                  ("socialtwin_extends_" +
                   std::to_string(::testing::UnitTest::GetInstance()->current_test_info()->line()));
        fs::create_directories(folder_);
    }
    void TearDown() override { fs::remove_all(folder_); }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(folder_ / name) << text;
        return (folder_ / name).string();
    }
    fs::path folder_;
};

TEST_F(ExtendsByName, ANameIsTheShippedScenarioOfThatName) {
    const Scenario shipped = load_scenario(scenarios_dir + "/baseline.yaml");
    const Scenario mine = load_scenario(write("mine.yaml", "extends: baseline\nhorizon: 5\n"));
    EXPECT_EQ(mine.horizon, 5);
    EXPECT_EQ(mine.dataset, shipped.dataset);
    EXPECT_EQ(mine.seed, shipped.seed);
    EXPECT_EQ(mine.name, "mine");
}

TEST_F(ExtendsByName, AFileOfThatNameBesideTheScenarioComesFirst) {
    write("baseline.yaml", "extends: " + scenarios_dir + "/baseline.yaml\nhorizon: 7\n");
    const Scenario mine = load_scenario(write("mine.yaml", "extends: baseline\n"));
    EXPECT_EQ(mine.horizon, 7);  // the planner's own baseline, not the shipped one
}

TEST_F(ExtendsByName, AnUnknownNameListsTheShippedScenariosAndTheNearestOne) {
    const std::string file = write("mine.yaml", "extends: basline\n");
    const auto problems = problems_loading(file);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_THAT(problems[0], HasSubstr(file + ":1:10: extends: no file 'basline' beside this "
                                              "scenario and no shipped scenario of that name"));
    EXPECT_THAT(problems[0], HasSubstr("did you mean 'baseline'?"));
    EXPECT_THAT(problems[0], HasSubstr("alleenstaanden, baseline,"));
}

// A base year is the date of its file's dataset. The shipped baseline says base_year 2019 for
// its Den Haag dataset; a planner's file that names the national PC4 dataset (1 January 2021)
// starts in 2021 without having to know that the parent set a year.
TEST_F(ExtendsByName, ADatasetOfTheFileItselfBringsItsOwnBaseYear) {
    ASSERT_EQ(load_scenario(scenarios_dir + "/baseline.yaml").base_year, 2019);
    const Scenario mine =
        load_scenario(write("mine.yaml", "extends: baseline\ndataset: nl-pc4-2021\n"));
    EXPECT_EQ(mine.base_year, 0);  // 0: the dataset's, bound when the dataset is read
    EXPECT_EQ(mine.dataset, "nl-pc4-2021");
}

TEST_F(ExtendsByName, ABaseYearTheFileStatesItselfIsKept) {
    const Scenario mine = load_scenario(
        write("mine.yaml", "extends: baseline\ndataset: nl-pc4-2021\nbase_year: 2021\n"));
    EXPECT_EQ(mine.base_year, 2021);
    const Scenario same = load_scenario(write("same.yaml", "extends: baseline\nhorizon: 5\n"));
    EXPECT_EQ(same.base_year, 2019);  // no dataset of its own: the parent's year stands
}

TEST_F(ExtendsByName, SetDatasetWithoutSetBaseYearStartsAtTheNewDatasetsDate) {
    const std::vector<ScenarioOverride> dataset{parse_override("dataset=nl-pc4-2021")};
    EXPECT_EQ(load_scenario(scenarios_dir + "/baseline.yaml", dataset).base_year, 0);
    const std::vector<ScenarioOverride> both{parse_override("dataset=nl-pc4-2021"),
                                             parse_override("base_year=2021")};
    EXPECT_EQ(load_scenario(scenarios_dir + "/baseline.yaml", both).base_year, 2021);
}

}  // namespace
}  // namespace socialtwin
