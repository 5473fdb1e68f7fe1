// AtomicOutput and the checks every writer makes of its target (engine/formats/output_file.hpp).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/core/errors.hpp"
#include "engine/formats/output_file.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public testing::ResultFileTest {
protected:
    void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
    std::string read_text(const fs::path& path) {
        std::stringstream buffer;
        buffer << std::ifstream(path).rdbuf();
        return buffer.str();
    }
    // Writes `text` to `target` through AtomicOutput; returns the problem it refused with, or "".
    std::string write_through(const fs::path& target, const std::string& text,
                              std::span<const ProtectedInput> inputs = {}) {
        try {
            AtomicOutput out(target, inputs);
            write_text(out.temporary(), text);
            out.commit();
            return {};
        } catch (const InputError& e) {
            return e.what();
        }
    }
};

TEST_F(OutputFileTest, CommitReplacesTheTargetAndLeavesNoTemporary) {
    write_text(dir_ / "out.txt", "old");
    EXPECT_EQ(write_through(dir_ / "out.txt", "new"), "");
    EXPECT_EQ(read_text(dir_ / "out.txt"), "new");
    EXPECT_EQ(files(), std::vector<fs::path>{"out.txt"});
}

TEST_F(OutputFileTest, AnUncommittedOutputLeavesTheTargetAsItWas) {
    write_text(dir_ / "out.txt", "old");
    {
        AtomicOutput out(dir_ / "out.txt");
        write_text(out.temporary(), "half");
    }
    EXPECT_EQ(read_text(dir_ / "out.txt"), "old");
    EXPECT_EQ(files(), std::vector<fs::path>{"out.txt"});
}

TEST_F(OutputFileTest, ANonRegularTargetIsRefusedAndLeftAlone) {
    const fs::path fifo = dir_ / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string problem = write_through(fifo, "data");
    EXPECT_NE(problem.find("not a regular file"), std::string::npos) << problem;
    EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));

    fs::create_directories(dir_ / "folder");
    EXPECT_NE(write_through(dir_ / "folder", "data").find("folder"), std::string::npos);
    EXPECT_TRUE(fs::is_directory(dir_ / "folder"));
    EXPECT_EQ(files().size(), 2u);  // no temporary file either
}

TEST_F(OutputFileTest, ASymbolicLinkTargetIsRefusedAndNeitherLinkNorFileChanges) {
    write_text(dir_ / "real.txt", "precious");
    fs::create_symlink("real.txt", dir_ / "link.txt");
    const std::string problem = write_through(dir_ / "link.txt", "new");
    EXPECT_NE(problem.find("symbolic link"), std::string::npos) << problem;
    EXPECT_TRUE(fs::is_symlink(dir_ / "link.txt"));
    EXPECT_EQ(read_text(dir_ / "real.txt"), "precious");
}

TEST_F(OutputFileTest, AnInputIsNeverReplacedWhateverItsName) {
    write_text(dir_ / "scenario.yaml", "name: x\n");
    fs::create_directories(dir_ / "sub");
    fs::create_hard_link(dir_ / "scenario.yaml", dir_ / "hard-link.yaml");
    const std::array<ProtectedInput, 1> inputs{
        ProtectedInput{dir_ / "scenario.yaml", "the scenario"}};
    for (const fs::path& target :
         {dir_ / "scenario.yaml", dir_ / "sub" / ".." / "scenario.yaml", dir_ / "hard-link.yaml"}) {
        const std::string problem = write_through(target, "overwritten", inputs);
        EXPECT_NE(problem.find("is the scenario"), std::string::npos) << target << ": " << problem;
        EXPECT_NE(problem.find((dir_ / "scenario.yaml").string()), std::string::npos) << problem;
    }
    EXPECT_EQ(read_text(dir_ / "scenario.yaml"), "name: x\n");
    EXPECT_EQ(write_through(dir_ / "other.yaml", "fine", inputs), "");
}

TEST_F(OutputFileTest, AnInputFolderProtectsTheFilesInIt) {
    fs::create_directories(dir_ / "dataset" / "rates");
    write_text(dir_ / "dataset" / "population.csv", "a,b\n");
    write_text(dir_ / "dataset" / "rates" / "fertility.csv", "a,b\n");
    const std::array<ProtectedInput, 1> inputs{
        ProtectedInput{dir_ / "dataset", "a file of dataset 'x'"}};
    for (const fs::path& target :
         {dir_ / "dataset" / "population.csv", dir_ / "dataset" / "rates" / "fertility.csv"}) {
        const std::string problem = write_through(target, "overwritten", inputs);
        EXPECT_NE(problem.find("dataset 'x'"), std::string::npos) << problem;
        EXPECT_EQ(read_text(target), "a,b\n");
    }
}

TEST_F(OutputFileTest, TemporaryNamesAreShortSoAnyFileNameCanBeWritten) {
    // NAME_MAX is 255: the old ".<name>.tmp-<pid>" made a 247-character name 10 too long.
    const fs::path target = dir_ / (std::string(250, 'r') + ".h5");
    AtomicOutput out(target);
    EXPECT_LE(out.temporary().filename().string().size(), 48u) << out.temporary();
    EXPECT_EQ(out.temporary().filename().string().rfind(".socialtwin-", 0), 0u) << out.temporary();
    write_text(out.temporary(), "complete");
    out.commit();
    EXPECT_EQ(read_text(target), "complete");
}

TEST_F(OutputFileTest, StaleTemporariesOfDeadProcessesAreRemovedOthersKept) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    ASSERT_GT(child, 0);
    ASSERT_EQ(waitpid(child, nullptr, 0), child);  // now a pid without a process
    const std::string dead = ".socialtwin-" + std::to_string(child) + "-0badf00d.tmp";
    const std::string live = ".socialtwin-" + std::to_string(getppid()) + "-0badf00d.tmp";
    for (const auto& name : {dead, live, std::string(".socialtwin-notes.tmp"),
                             std::string(".result.h5.tmp-") + std::to_string(child)})
        write_text(dir_ / name, "partial");

    AtomicOutput out(dir_ / "out.h5");
    EXPECT_FALSE(fs::exists(dir_ / dead));
    EXPECT_TRUE(fs::exists(dir_ / live));                     // a running process's file
    EXPECT_TRUE(fs::exists(dir_ / ".socialtwin-notes.tmp"));  // not a name of ours
    EXPECT_TRUE(fs::exists(dir_ / (".result.h5.tmp-" + std::to_string(child))));
}

TEST_F(OutputFileTest, StaleTemporariesAreJudgedOnlyOnTheirOwnMachine) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    ASSERT_GT(child, 0);
    ASSERT_EQ(waitpid(child, nullptr, 0), child);
    // A name made here carries this machine; one with another machine's is never removed here,
    // however dead its pid looks: on a shared file system it is another node's running task.
    const std::string host = temporary_name_in(dir_).filename().string().substr(
        temporary_name_in(dir_).filename().string().size() - 12, 8);
    const std::string other_host = host == "00000001" ? "00000002" : "00000001";
    const std::string here = ".socialtwin-" + std::to_string(child) + "-0badf00d-" + host + ".tmp";
    const std::string there =
        ".socialtwin-" + std::to_string(child) + "-0badf00d-" + other_host + ".tmp";
    write_text(dir_ / here, "partial");
    write_text(dir_ / there, "partial");

    AtomicOutput out(dir_ / "out.h5");
    EXPECT_FALSE(fs::exists(dir_ / here));
    EXPECT_TRUE(fs::exists(dir_ / there));
}

}  // namespace
}  // namespace socialtwin
