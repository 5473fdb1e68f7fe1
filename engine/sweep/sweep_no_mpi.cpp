// The build without the MPI driver (no Open MPI found, or SOCIALTWIN_BUILD_MPI=OFF).
#include <fmt/format.h>

#include "engine/core/errors.hpp"
#include "engine/sweep/sweep_mpi.hpp"

namespace socialtwin {

namespace {

InputError no_mpi_driver(const std::string& launcher) {
    return InputError(problem_at(
        where_in(launcher.empty() ? std::string("sweep run") : "$" + launcher),
        "started by an MPI launcher (mpirun, srun) with several processes, but this socialtwin "
        "was built without MPI: each process would run every task",
        "run `socialtwin sweep run` once per machine, split the tasks with --task-index and "
        "--task-count (docs/sweeps.md), or build with Open MPI (./install-deps.sh --test installs "
        "it)"));
}

}  // namespace

bool mpi_driver_built() { return false; }

void require_mpi_driver(const MpiLaunch& launch) { throw no_mpi_driver(launch.launcher); }

MpiSweepReport run_sweep_over_mpi(const SweepPlan& /*plan*/, std::span<const std::size_t> /*which*/,
                                  const SweepRunOptions& /*options*/) {
    throw no_mpi_driver({});
}

}  // namespace socialtwin
