#pragma once
// Running a sweep's tasks and telling which are done (docs/sweeps.md).
//
// Each task is one `socialtwin run BASE --set ... -o <output>/tasks/<id>.h5` process, so a task's
// result is exactly the file that command gives, written the way every result is: under a
// temporary name, renamed when complete. A task is done when its result exists under its name and
// the scenario hash stored in its /meta is the task's (its resolved scenario); a result of another
// scenario (the base or the vary: changed since) is stale and runs again. So re-running a sweep
// after a crash or a kill -9 redoes only what was not finished.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/sweep/sweep_plan.hpp"

namespace socialtwin {

enum class TaskState { done, missing, stale, failed };
std::string_view task_state_name(TaskState state);

struct TaskStatus {
    TaskState state = TaskState::missing;
    std::string detail;  // for stale and failed: why
};

TaskStatus task_status(const SweepTask& task);
// The status of every task, in plan order.
std::vector<TaskStatus> sweep_status(const SweepPlan& plan);
// Counts per state, then every task that is not done with why.
std::string status_report(const SweepPlan& plan, const std::vector<TaskStatus>& status);

// The share of `tasks` tasks that job-array slot `index` of `count` runs: every count-th task
// from the index-th, in plan order, so the slots' shares are as even as they can be and together
// are every task once.
std::vector<std::size_t> array_share(std::size_t tasks, std::size_t index, std::size_t count);

struct SweepRunOptions {
    std::filesystem::path executable;  // socialtwin, started as `executable run ...` per task
    int jobs = 0;     // tasks at once; 0 = as many as the cores allow at `threads` each
    int threads = 0;  // threads of each task; 0 = the cores shared out over the jobs
    std::optional<std::filesystem::path> data_dir;
    bool progress = false;  // tasks done / running / failed on stderr, one line kept up to date
};

struct SweepRunReport {
    std::size_t skipped = 0;          // done already
    std::size_t ran = 0;              // done now
    std::vector<std::string> failed;  // ids
    int jobs = 0, threads = 0;
};

// Runs the tasks numbered `which` (indices into plan.tasks) that are not done, `jobs` at once,
// never more task threads than the machine has cores. A failed task leaves its output in
// <id>.failed beside where its result would be and does not stop the others. Which tasks is the
// caller's choice: all, a job-array slot's share, or those an MPI rank is handed.
SweepRunReport run_sweep_tasks(const SweepPlan& plan, std::span<const std::size_t> which,
                               const SweepRunOptions& options);

}  // namespace socialtwin
