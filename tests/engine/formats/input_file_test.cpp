#include "engine/formats/input_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/formats/csv.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh folder per test, removed afterwards.
class InputFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               fmt::format("socialtwin-input-file-{}-{}", ::getpid(),
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& name, const std::string& content) const {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }

    fs::path dir_;
};

std::string problems_of(const auto& call) {
    try {
        call();
    } catch (const InputError& e) {
        std::string out;
        for (const InputProblem& p : e.problems()) out += format(p) + "\n";
        return out;
    }
    return "no problem";
}

// ---- regular files of bounded size ---------------------------------------------------------

TEST_F(InputFileTest, ReadsARegularFileWhole) {
    const InputText in = read_input_file(write("a.yaml", "dataset: x\n"), yaml_input_limit);
    ASSERT_TRUE(in.ok()) << in.why_not;
    EXPECT_EQ(in.text, "dataset: x\n");
}

TEST_F(InputFileTest, AMissingFileIsNoSuchFile) {
    EXPECT_EQ(read_input_file(dir_ / "none.yaml", yaml_input_limit).why_not, "no such file");
}

TEST_F(InputFileTest, DevZeroIsRefusedAsACharacterDeviceNotReadForEver) {
    EXPECT_EQ(read_input_file("/dev/zero", table_input_limit).why_not,
              "not a regular file: a character device");
}

TEST_F(InputFileTest, ALinkToDevZeroIsJudgedByWhatItPointsTo) {
    fs::create_symlink("/dev/zero", dir_ / "population.csv");
    EXPECT_EQ(read_input_file(dir_ / "population.csv", table_input_limit).why_not,
              "not a regular file: a character device");
}

TEST_F(InputFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
    const fs::path fifo = dir_ / "parent.yaml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(read_input_file(fifo, yaml_input_limit).why_not, "not a regular file: a FIFO");
}

TEST_F(InputFileTest, ADirectoryIsNotARegularFile) {
    EXPECT_EQ(read_input_file(dir_, yaml_input_limit).why_not, "not a regular file: a directory");
}

TEST_F(InputFileTest, AFileOverTheLimitIsRefusedNamingTheLimit) {
    const InputSizeLimit one_mb{bytes_per_mb};
    const fs::path at_limit = write("at.csv", std::string(bytes_per_mb, 'x'));
    const fs::path over_limit = write("over.csv", std::string(bytes_per_mb + 1, 'x'));
    EXPECT_TRUE(read_input_file(at_limit, one_mb).ok());
    EXPECT_EQ(read_input_file(over_limit, one_mb).why_not,
              "larger than 1 MB, the limit for this kind of input");
}

TEST_F(InputFileTest, ReadOrThrowNamesTheFileAndWhy) {
    EXPECT_EQ(problems_of([] { read_input_text_or_throw("/dev/zero", yaml_input_limit); }),
              "/dev/zero: cannot open the file (not a regular file: a character device)\n");
}

// Limits generous for every shipped input many times over: they stop only what is no input.
TEST(InputLimits, EveryShippedInputIsFarBelowItsSizeLimit) {
    int n = 0;
    for (const auto& folder : {"data", "scenarios", "tests/data"}) {
        for (const auto& entry :
             fs::recursive_directory_iterator(fs::path{SOCIALTWIN_SOURCE_DIR} / folder)) {
            if (!entry.is_regular_file()) continue;
            const std::string ext = entry.path().extension().string();
            if (ext == ".csv") {
                EXPECT_LT(entry.file_size() * 10, table_input_limit.max_bytes) << entry.path();
            } else if (ext == ".yaml") {
                EXPECT_LT(entry.file_size() * 100, yaml_input_limit.max_bytes) << entry.path();
            } else {
                continue;
            }
            ++n;
        }
    }
    EXPECT_GT(n, 20);
}

TEST(InputLimits, EveryShippedYamlFileIsFarWithinTheDocumentLimits) {
    const YamlLimits a_tenth{yaml_limits.max_values / 10, yaml_limits.max_depth / 8};
    int n = 0;
    for (const auto& folder : {"data", "scenarios", "tests/data"}) {
        for (const auto& entry :
             fs::recursive_directory_iterator(fs::path{SOCIALTWIN_SOURCE_DIR} / folder)) {
            if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
            YAML::Node root;
            try {
                root = YAML::LoadFile(entry.path().string());
            } catch (const YAML::Exception&) {
                continue;  // the fixtures with syntax errors
            }
            EXPECT_EQ(problems_of([&] { check_yaml_limits(root, entry.path().string(), a_tenth); }),
                      "no problem");
            ++n;
        }
    }
    EXPECT_GT(n, 10);
}

// ---- UTF-8 text without NUL bytes ----------------------------------------------------------

TEST(TextFaults, UTF8TextWithAByteOrderMarkIsText) {
    EXPECT_EQ(first_text_fault(
                  "\xEF\xBB\xBFnaam: 's-Gravenhage Zuid-Oost \xE2\x80\x94 \xF0\x9F\x8F\xA0\n"),
              std::nullopt);
}

TEST(TextFaults, ABadByteIsFoundAtItsLineAndCharacterColumn) {
    // "é" is two bytes but one column.
    const auto fault = first_text_fault("a: 1\nn\xC3\xA9: \xFF\n");
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->line, 2);
    EXPECT_EQ(fault->column, 5);
    EXPECT_EQ(fault->what, "byte 0xFF, which is not UTF-8");
}

TEST(TextFaults, ANulByteIsAFault) {
    const auto fault = first_text_fault(std::string_view{"ab\0c", 4});
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->column, 3);
    EXPECT_EQ(fault->what, "a NUL byte");
}

TEST(TextFaults, AFaultFarIntoALongFileIsFoundAtItsLineAndColumn) {
    // Long runs of plain ASCII are checked a word at a time; the fault is still placed exactly,
    // at any offset within a word, after a BOM and after multi-byte characters.
    for (std::size_t pad = 0; pad < 9; ++pad) {
        std::string text = "\xEF\xBB\xBF" + std::string(1000, 'a') + "\n" + std::string(pad, 'b') +
                           "\xC3\xA9\xE2\x80\x94" + std::string(30, 'c');
        const auto bad = first_text_fault(text + "\xFF" + std::string(20, 'd'));
        ASSERT_TRUE(bad);
        EXPECT_EQ(bad->line, 2);
        EXPECT_EQ(bad->column, static_cast<int>(pad) + 2 + 30 + 1);
        EXPECT_EQ(bad->what, "byte 0xFF, which is not UTF-8");
        const auto nul = first_text_fault(text + std::string(1, '\0'));
        ASSERT_TRUE(nul);
        EXPECT_EQ(nul->column, static_cast<int>(pad) + 2 + 30 + 1);
        EXPECT_EQ(nul->what, "a NUL byte");
        EXPECT_EQ(first_text_fault(text), std::nullopt);
    }
}

TEST(TextFaults, InvalidSequencesAreFaults) {
    for (const std::string_view bad :
         {"\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
          "\x80", "\xC3", "\xE2\x82"}) {
        EXPECT_TRUE(first_text_fault(bad)) << "accepted " << ::testing::PrintToString(bad);
    }
}

TEST(TextFaults, LatinOneCsvIsRefusedAtTheByte) {
    // A CSV saved by a spreadsheet in Latin-1: "Den Haag Zuid-Oost" with an e-diaeresis as 0xEB.
    EXPECT_EQ(problems_of([] { parse_csv("area,name\nA1,Re\xEBnweg\n", "areas.csv", {}); }),
              "areas.csv:2:6: expected UTF-8 text, found byte 0xEB, which is not UTF-8 (is it a "
              "text file saved as UTF-8?)\n");
}

// ---- YAML documents of bounded expansion ---------------------------------------------------

TEST(YamlLimitsTest, AnAliasInsideItsOwnAnchorIsRefusedAsTooDeep) {
    const YAML::Node root = YAML::Load("x: &a [*a]\n");
    const std::string problems = problems_of([&] { check_yaml_limits(root, "s.yaml"); });
    EXPECT_THAT(problems, HasSubstr("s.yaml:1:"));
    EXPECT_THAT(problems, HasSubstr(": x[0][0][0]"));
    EXPECT_THAT(problems, HasSubstr("nested deeper than 64 levels, the limit for a YAML document"));
}

TEST(YamlLimitsTest, AnAliasBombIsRefusedAtTheValueLimit) {
    std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        yaml += fmt::format("a{}: &a{} [", i, i);
        for (int k = 0; k < 9; ++k) yaml += fmt::format("{}*a{}", k ? ", " : "", i - 1);
        yaml += "]\n";
    }
    const YAML::Node root = YAML::Load(yaml);
    EXPECT_THAT(problems_of([&] { check_yaml_limits(root, "bomb.yaml"); }),
                HasSubstr("the document expands to more than 100000 values, the limit for a YAML "
                          "document"));
}

TEST(YamlLimitsTest, TheLimitsAreThoseGiven) {
    const YAML::Node root = YAML::Load("a: [1, 2, 3]\nb: {c: {d: 1}}\n");
    // root, a, [..], 3 items, b, {..}, c, {..}, d, 1 = 12 values, 4 levels.
    EXPECT_EQ(problems_of([&] { check_yaml_limits(root, "f.yaml", {12, 4}); }), "no problem");
    EXPECT_THAT(problems_of([&] {
                    check_yaml_limits(root, "f.yaml", {11, 4});
                }),
                HasSubstr("more than 11 values"));
    EXPECT_THAT(problems_of([&] {
                    check_yaml_limits(root, "f.yaml", {12, 3});
                }),
                HasSubstr("f.yaml:2:9: b.c.d: nested deeper than 3 levels"));
}

}  // namespace
}  // namespace socialtwin
