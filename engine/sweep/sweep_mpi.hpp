#pragma once
// `mpirun -n N socialtwin sweep run F` (docs/sweeps.md, "MPI"): rank 0 hands out the tasks one at
// a time to whichever rank has a free slot, itself included; every rank runs its tasks as a local
// `sweep run` does (child `socialtwin run` processes writing <output>/tasks/<id>.h5 on a file
// system every node sees); rank 0 counts every task's end and reports.
//
// MPI is optional at build time. Only engine/sweep/sweep_mpi.cpp includes <mpi.h>; a build without
// MPI has engine/sweep/sweep_no_mpi.cpp instead, which refuses to run under a launcher with more
// than one process: each would run every task.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "engine/sweep/sweep_run.hpp"

namespace socialtwin {

// What an MPI launcher told this process through its environment.
struct MpiLaunch {
    std::string launcher;      // the variable that told, e.g. "OMPI_COMM_WORLD_SIZE"
    std::optional<long> size;  // processes in the job, when the environment says
    std::optional<long> rank;  // this process's rank, when the environment says
    bool several() const { return size.value_or(1) > 1 || rank.value_or(0) > 0; }
};

// Whether this process was started by an MPI launcher, read from `variable` (std::getenv, or a
// table in the tests): Open MPI's mpirun (OMPI_COMM_WORLD_SIZE / _RANK), a PMI launcher such as
// MPICH's or srun --mpi=pmi2 (PMI_SIZE / PMI_RANK), or PMIx (PMIX_RANK; the size then from
// srun's SLURM_STEP_NUM_TASKS when set). nullopt when none did.
std::optional<MpiLaunch> mpi_launch(const std::function<const char*(const char*)>& variable);

// Whether this build has the MPI driver (CMake option SOCIALTWIN_BUILD_MPI).
bool mpi_driver_built();

// Throws InputError, naming the launcher's variable, when this build has no MPI driver: each of
// the launch's processes would otherwise run every task.
void require_mpi_driver(const MpiLaunch& launch);

struct MpiSweepReport {
    SweepRunReport report;  // on rank 0: every rank's tasks; on the others: their own
    bool root = false;      // this process is rank 0, which reports
    int processes = 1;
    bool any_failed = false;  // on every rank: whether a task failed on any
};

// Runs the tasks numbered `which` (indices into plan.tasks) over the processes of the MPI job this
// process is one of: initialises MPI, hands out or asks for tasks, finalises. Every rank must call
// it with the same plan and `which`. options.cores is ignored: each rank's cores are its share of
// its node's, found with the other ranks on the node. Without the MPI driver it throws InputError
// as require_mpi_driver does.
MpiSweepReport run_sweep_over_mpi(const SweepPlan& plan, std::span<const std::size_t> which,
                                  const SweepRunOptions& options);

}  // namespace socialtwin
