// The scenario loader against hostile input: every case is a problem at file:line:column, never
// a crash, a hang or unbounded memory (issue 8, section 2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/input/scenario_loader.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;

std::vector<std::string> problems_loading_text(const std::string& yaml,
                                               const fs::path& as_file = "inline.yaml") {
    try {
        load_scenario_from_string(yaml, as_file);
    } catch (const InputError& e) {
        std::vector<std::string> out;
        for (const InputProblem& p : e.problems()) out.push_back(format(p));
        return out;
    }
    ADD_FAILURE() << "loaded without problems:\n" << yaml;
    return {};
}

// The bomb of the issue: ten anchors, each a list of nine aliases of the one before, about 500
// bytes standing for 9^10 values.
std::string alias_bomb() {
    std::string yaml = "dataset: tiny\nb0: &b0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        yaml += fmt::format("b{}: &b{} [", i, i);
        for (int k = 0; k < 9; ++k) yaml += fmt::format("{}*b{}", k ? ", " : "", i - 1);
        yaml += "]\n";
    }
    return yaml;
}

TEST(ScenarioLoaderInput, AnAliasInsideItsOwnAnchorIsAProblemNotAStackOverflow) {
    const auto problems = problems_loading_text("dataset: tiny\nx: &a [*a]\n");
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_THAT(problems[0], MatchesRegex("inline\\.yaml:2:[0-9]+: x\\[0\\]\\[0\\].*: nested "
                                          "deeper than 64 levels, the limit for a YAML document "
                                          "\\(.*alias.*\\)"));
}

TEST(ScenarioLoaderInput, AnAliasBombIsRefusedNamingTheValueLimit) {
    const std::string yaml = alias_bomb();
    ASSERT_LT(yaml.size(), 600u);
    const auto problems = problems_loading_text(yaml);
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_THAT(problems[0], MatchesRegex("inline\\.yaml:[0-9]+:[0-9]+: b[0-9].*: the document "
                                          "expands to more than 100000 values, the limit for a "
                                          "YAML document.*"));
}

TEST(ScenarioLoaderInput, AByteThatIsNotUtf8IsReportedAtItsLineAndColumn) {
    EXPECT_THAT(problems_loading_text("dataset: tiny\nname: Zuid-\xEB"
                                      "st\n"),
                ElementsAre("inline.yaml:2:12: expected UTF-8 text, found byte 0xEB, which is "
                            "not UTF-8 (is it a text file saved as UTF-8?)"));
}

TEST(ScenarioLoaderInput, ANulByteIsReportedAtItsLineAndColumn) {
    EXPECT_THAT(problems_loading_text(std::string{"dataset: tiny\ndescription: a\0b\n", 31}),
                ElementsAre("inline.yaml:2:15: expected UTF-8 text, found a NUL byte (is it a "
                            "text file saved as UTF-8?)"));
}

TEST(ScenarioLoaderInput, AnEscapedNulInAQuotedValueIsReportedAtTheValue) {
    EXPECT_THAT(problems_loading_text("dataset: tiny\ndescription: \"a\\0b\"\n"),
                ElementsAre("inline.yaml:2:14: description: expected UTF-8 text, found a NUL "
                            "byte (written as an escape)"));
}

TEST(ScenarioLoaderInput, UTF8TextIsAccepted) {
    const Scenario s = load_scenario_from_string(
        "dataset: tiny\nname: \"Zuid-Oost \\u00e9\"\ndescription: Reënweg \xE2\x80\x94 ok\n",
        "inline.yaml");
    EXPECT_EQ(s.name, "Zuid-Oost \xC3\xA9");
    EXPECT_EQ(s.description, "Re\xC3\xABnweg \xE2\x80\x94 ok");
}

TEST(ScenarioLoaderInput, ExtendsDevZeroIsNotReadButRefusedAtTheExtendsLine) {
    EXPECT_THAT(problems_loading_text("extends: /dev/zero\n"),
                ElementsAre("inline.yaml:1:10: extends: cannot open \"/dev/zero\" (not a regular "
                            "file: a character device)"));
}

TEST(ScenarioLoaderInput, ExtendsAFifoIsRefusedWithoutBlocking) {
    const fs::path dir =
        fs::temp_directory_path() / fmt::format("socialtwin-loader-fifo-{}", ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    ASSERT_EQ(::mkfifo((dir / "parent.yaml").c_str(), 0600), 0);
    const auto problems = problems_loading_text("extends: parent.yaml\n", dir / "child.yaml");
    fs::remove_all(dir);
    EXPECT_THAT(problems,
                ElementsAre((dir / "child.yaml").string() + ":1:10: extends: cannot open \"" +
                            (dir / "parent.yaml").string() + "\" (not a regular file: a FIFO)"));
}

TEST(ScenarioLoaderInput, AScenarioFileOverTheSizeLimitIsRefused) {
    const fs::path file =
        fs::temp_directory_path() / fmt::format("socialtwin-loader-big-{}.yaml", ::getpid());
    {
        std::ofstream out(file, std::ios::binary);
        out << "dataset: tiny\n";
        const std::string comment = "# " + std::string(1022, 'x') + "\n";
        for (int i = 0; i < 16 * 1024 + 1; ++i) out << comment;
    }
    const auto problems = validate_scenario_file(file);
    fs::remove(file);
    ASSERT_THAT(problems, SizeIs(1));
    EXPECT_EQ(format(problems[0]), file.string() +
                                       ": cannot open the file (larger than 16 MB, the limit for "
                                       "this kind of input)");
}

}  // namespace
}  // namespace socialtwin
