// Telling an MPI launch from the environment (engine/sweep/sweep_mpi_launch.cpp), and keeping the
// launcher's variables from the tasks a rank starts (engine/sweep/sweep_run.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "engine/sweep/sweep_mpi.hpp"
#include "engine/sweep/sweep_run.hpp"

namespace socialtwin {
namespace {

using ::testing::ElementsAre;

std::optional<MpiLaunch> launch_in(const std::map<std::string, std::string>& environment) {
    return mpi_launch([&](const char* name) -> const char* {
        const auto it = environment.find(name);
        return it == environment.end() ? nullptr : it->second.c_str();
    });
}

TEST(MpiLaunch, NoLauncherVariablesIsNoLaunch) {
    EXPECT_FALSE(launch_in({}));
    EXPECT_FALSE(launch_in({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_NTASKS", "4"}}));
}

TEST(MpiLaunch, OpenMpisMpirunTellsSizeAndRank) {
    const auto one = launch_in({{"OMPI_COMM_WORLD_SIZE", "1"}, {"OMPI_COMM_WORLD_RANK", "0"}});
    ASSERT_TRUE(one);
    EXPECT_FALSE(one->several());
    const auto three = launch_in(
        {{"OMPI_COMM_WORLD_SIZE", "3"}, {"OMPI_COMM_WORLD_RANK", "2"}, {"PMIX_RANK", "2"}});
    ASSERT_TRUE(three);
    EXPECT_TRUE(three->several());
    EXPECT_EQ(three->launcher, "OMPI_COMM_WORLD_SIZE");
    EXPECT_EQ(three->size, 3);
    EXPECT_EQ(three->rank, 2);
}

TEST(MpiLaunch, PmiLaunchersAndSrunWithPmixAreLaunchesToo) {
    const auto pmi = launch_in({{"PMI_SIZE", "4"}, {"PMI_RANK", "0"}});
    ASSERT_TRUE(pmi);
    EXPECT_TRUE(pmi->several());
    // PMIx tells the rank only; srun tells the size of the step.
    const auto pmix = launch_in({{"PMIX_RANK", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}});
    ASSERT_TRUE(pmix);
    EXPECT_TRUE(pmix->several());
    const auto unknown_size = launch_in({{"PMIX_RANK", "0"}});
    ASSERT_TRUE(unknown_size);
    EXPECT_FALSE(unknown_size->size);
    EXPECT_FALSE(unknown_size->several());  // MPI itself must tell, where it is built
    const auto not_first = launch_in({{"PMIX_RANK", "1"}});
    ASSERT_TRUE(not_first);
    EXPECT_TRUE(not_first->several());  // a rank above 0 is one of several, whatever the size
}

TEST(MpiLaunch, ATaskStartedByARankInheritsNoneOfTheLauncherVariables) {
    std::string a = "PATH=/usr/bin", b = "OMPI_COMM_WORLD_SIZE=3", c = "PMIX_RANK=1",
                d = "PMI_SIZE=3", e = "SOCIALTWIN_DATA=/data", f = "HOME_OMPI_X=1";
    char* environment[] = {a.data(), b.data(), c.data(), d.data(), e.data(), f.data(), nullptr};
    EXPECT_THAT(task_environment(environment),
                ElementsAre("PATH=/usr/bin", "SOCIALTWIN_DATA=/data", "HOME_OMPI_X=1"));
}

}  // namespace
}  // namespace socialtwin
