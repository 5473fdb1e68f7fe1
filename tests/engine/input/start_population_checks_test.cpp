// A start population is checked field by field when it is loaded: every problem is an
// InputError naming the file, the variable and the first person concerned, so that the agent
// core never follows a link out of range or counts a person of an impossible age.
#include <gtest/gtest.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/input/start_population.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;

const StartPopulationInfo info{"test", 2019, 7};

// A couple with a son at home in area A, and a widow living alone in area B.
AgentPopulation family() {
    AgentPopulation p;
    p.add(1980, Sex::male, Position::partner_with_children, 0);
    p.add(1982, Sex::female, Position::partner_with_children, 0);
    p.add(2010, Sex::male, Position::child_at_home, 0, 1);
    p.add(1950, Sex::female, Position::living_alone, 1);
    p.partner[0] = 1;
    p.partner[1] = 0;
    return p;
}

class StartPopulationChecks : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("socialtwin-start-checks-" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        file_ = dir_ / "start.h5";
        save_start_population(file_, family(), areas_, info);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void overwrite(const std::string& variable, std::vector<std::int32_t> values) const {
        const hdf5::File f = hdf5::open_file_read_write(file_);
        const hdf5::Dataset d = hdf5::open_dataset(f.id(), variable);
        hdf5::write(d.id(), std::span<const std::int32_t>(values));
    }
    // The problems loading reports (none when it loads).
    std::vector<InputProblem> problems() const {
        try {
            load_start_population(file_, areas_, info);
        } catch (const InputError& e) {
            return e.problems();
        }
        return {};
    }
    // The one problem loading reports about `variable`, which must name the file.
    std::string problem_with(const std::string& variable) const {
        const auto found = problems();
        EXPECT_EQ(found.size(), 1u) << (found.empty() ? "loaded" : InputError(found).what());
        for (const auto& p : found) {
            EXPECT_EQ(p.where.file, file_.string());
            if (p.where.key_path == variable) return p.message;
        }
        ADD_FAILURE() << "no problem about " << variable;
        return {};
    }

    AreaTable areas_{"test", {"A", "B"}};
    fs::path dir_, file_;
};

TEST_F(StartPopulationChecks, ACorrectFileLoadsWithEveryLink) {
    const AgentPopulation loaded = load_start_population(file_, areas_, info);
    const AgentPopulation saved = family();
    EXPECT_EQ(loaded.birth_year, saved.birth_year);
    EXPECT_EQ(loaded.partner, saved.partner);
    EXPECT_EQ(loaded.mother, saved.mother);
    EXPECT_EQ(loaded.area, saved.area);
}

TEST_F(StartPopulationChecks, TheFileNamesEachHouseholdAfterItsFirstMember) {
    // The store keeps no households: the file's column follows from the links (household_of).
    const hdf5::File f = hdf5::open_file_read_only(file_);
    const hdf5::Dataset d = hdf5::open_dataset(f.id(), "persons/household");
    EXPECT_EQ(hdf5::read_ints(d.id()), (std::vector<std::int32_t>{0, 0, 0, 3}));
}

TEST_F(StartPopulationChecks, APartnerOutOfRangeIsNamed) {
    overwrite("persons/partner", {1, 0, -1, 2000000000});
    EXPECT_EQ(problem_with("persons/partner"),
              "person 3 has partner 2000000000; expected -1 (none) or a person of the file "
              "(persons are 0 to 3)");
}

TEST_F(StartPopulationChecks, APartnerLinkMustGoBothWays) {
    overwrite("persons/partner", {1, 0, -1, 0});
    EXPECT_NE(problem_with("persons/partner").find("person 3 has partner 0, whose partner is 1"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, NobodyIsTheirOwnPartner) {
    overwrite("persons/partner", {1, 0, -1, 3});
    EXPECT_EQ(problem_with("persons/partner"), "person 3 is its own partner");
}

TEST_F(StartPopulationChecks, APartnerOfTheSameSexIsAllowed) {
    overwrite("persons/sex", {1, 1, 0, 1});
    EXPECT_TRUE(problems().empty());
}

TEST_F(StartPopulationChecks, AMotherOutOfRangeIsNamed) {
    overwrite("persons/mother", {-1, -1, 4, -1});
    EXPECT_NE(problem_with("persons/mother").find("person 2 has mother 4"), std::string::npos);
}

TEST_F(StartPopulationChecks, AMotherIsBornBeforeHerChild) {
    overwrite("persons/birth_year", {1980, 2012, 2010, 1950});
    EXPECT_NE(problem_with("persons/mother")
                  .find("person 2, born in 2010, has mother 1, born "
                        "in 2012"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, AHouseholdOutOfRangeIsNamed) {
    overwrite("persons/household", {0, 0, 0, -1});
    EXPECT_NE(problem_with("persons/household").find("person 3 lives in household -1"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, AHouseholdIsNamedByAMemberInTheSameArea) {
    overwrite("persons/household", {0, 0, 3, 3});
    EXPECT_NE(problem_with("persons/household").find("person 2 (area 0) lives in household 3"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, NobodyIsBornInOrAfterTheBaseYear) {
    overwrite("persons/birth_year", {1980, 1982, 2019, 1950});
    EXPECT_NE(problem_with("persons/birth_year").find("person 2 was born in 2019"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, NobodyIsOlderThanAnyoneHasLived) {
    overwrite("persons/birth_year", {1980, 1982, 2010, 1850});
    EXPECT_NE(problem_with("persons/birth_year").find("person 3 was born in 1850"),
              std::string::npos);
}

TEST_F(StartPopulationChecks, CodesOutOfRangeAreNamedEachByItsVariable) {
    overwrite("persons/sex", {0, 1, 0, 5});
    overwrite("persons/position", {3, 3, 0, 9});
    overwrite("persons/presence", {0, 0, 0, 3});
    overwrite("persons/area", {0, 0, 0, 2});
    std::vector<std::string> variables;
    for (const auto& p : problems()) variables.push_back(p.where.key_path);
    EXPECT_EQ(variables, (std::vector<std::string>{"persons/sex", "persons/position",
                                                   "persons/presence", "persons/area"}));
}

TEST_F(StartPopulationChecks, AProblemOfEveryPersonIsReportedOnceWithACount) {
    overwrite("persons/mother", {9, 9, 9, 9});
    EXPECT_EQ(problem_with("persons/mother"),
              "person 0 has mother 9; expected -1 (none) or a person of the file (persons are 0 "
              "to 3) (4 persons in all)");
}

TEST_F(StartPopulationChecks, AColumnOfAnotherLengthIsNamed) {
    {
        const hdf5::File f = hdf5::open_file_read_write(file_);
        const hdf5::Group persons = hdf5::open_group(f.id(), "persons");
        hdf5::delete_link(persons.id(), "presence");
        const std::array<hsize_t, 1> three{3};
        const hdf5::Dataset d =
            hdf5::create_dataset(persons.id(), "presence", H5T_STD_I32LE, three);
        hdf5::write(d.id(), std::span<const std::int32_t>(std::vector<std::int32_t>{0, 0, 0}));
    }
    EXPECT_NE(problem_with("persons/presence").find("holds 3 persons"), std::string::npos);
}

TEST_F(StartPopulationChecks, AMissingColumnIsNamed) {
    {
        const hdf5::File f = hdf5::open_file_read_write(file_);
        const hdf5::Group persons = hdf5::open_group(f.id(), "persons");
        hdf5::delete_link(persons.id(), "household");
    }
    EXPECT_NE(problem_with("persons/household").find("missing"), std::string::npos);
}

}  // namespace
}  // namespace socialtwin
