#pragma once
// Running a sweep's tasks and telling which are done (docs/sweeps.md).
//
// Each task is one `socialtwin run BASE --set ... -o <output>/tasks/<id>.h5` process, so a task's
// result is exactly the file that command gives, written the way every result is: under a
// temporary name, renamed when complete. A task is done when its result exists under its name and
// the scenario hash stored in its /meta is the task's (its resolved scenario); a result of another
// scenario (the base or the vary: changed since) is stale and runs again. So re-running a sweep
// after a crash or a kill -9 redoes only what was not finished.

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
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
    // The cores this process may use; 0 = all this process may run on. An MPI rank gets its share
    // of the node's, so that the ranks on one node together never oversubscribe it.
    int cores = 0;
    std::optional<std::filesystem::path> data_dir;
    bool progress = false;  // tasks done / running / failed on stderr, one line kept up to date
    // Checked every few milliseconds when given: once true, the running tasks get SIGTERM (they
    // stop between two years and leave no file), nothing more starts, and the runner throws
    // Interrupted (engine/core/cohort_projection.hpp). The Python package sets it on Ctrl-C;
    // the command needs none, since Ctrl-C reaches the tasks in its process group.
    const std::atomic<bool>* stop = nullptr;
};

struct SweepRunReport {
    std::size_t skipped = 0;          // done already
    std::size_t ran = 0;              // done now
    std::vector<std::string> failed;  // ids
    // For each of `failed`: how it ended and the last lines of its output, for the terminal.
    std::vector<std::string> failure_details;
    int jobs = 0, threads = 0;
};

// How one task this process ran ended.
struct TaskEnd {
    std::size_t task = 0;  // index into plan.tasks
    bool ok = false;
    std::string detail;  // when not ok: how it ended and the last lines of its output
};

// Counts `end` in `report`, the same wherever the task ran.
void record_task_end(const SweepPlan& plan, const TaskEnd& end, SweepRunReport& report);

// Where the runner's next task comes from, so that one runner serves every way of splitting a
// sweep: a list (a local `sweep run`, a job-array slot's share), rank 0's queue under MPI, or a
// request to rank 0 (engine/sweep/sweep_mpi.hpp). Which process runs a task never changes its
// result: a task's random streams come from its seed and replicate alone.
class TaskSource {
public:
    virtual ~TaskSource() = default;
    // The next task to start (an index into plan.tasks), asked whenever a slot is free; nullopt
    // when there is none now (for good once finished()).
    virtual std::optional<std::size_t> next() = 0;
    // Whether nothing more will come from next() and nothing is owed to other processes: the
    // runner returns once its own tasks have ended too.
    virtual bool finished() = 0;
    // A task taken from next() ended: counted in `report` (the default) or told elsewhere.
    virtual void ended(const SweepPlan& plan, const TaskEnd& end, SweepRunReport& report) {
        record_task_end(plan, end, report);
    }
    // Whether tasks may come, or other processes wait for an answer, while this process's own
    // tasks run: then the runner polls (serve() every few milliseconds) instead of sleeping
    // until one of its tasks ends.
    virtual bool polled() const { return false; }
    // Called between polls: rank 0 answers the other ranks and counts their tasks' ends. True
    // when there was anything to do (the runner then polls again soon).
    virtual bool serve(const SweepPlan& /*plan*/, SweepRunReport& /*report*/) { return false; }
    // Tasks running in other processes, for the progress line.
    virtual std::size_t running_elsewhere() const { return 0; }
};

// The tasks of a list, in its order.
class TaskList final : public TaskSource {
public:
    explicit TaskList(std::vector<std::size_t> tasks) : tasks_(std::move(tasks)) {}
    std::optional<std::size_t> next() override {
        if (next_ == tasks_.size()) return std::nullopt;
        return tasks_[next_++];
    }
    bool finished() override { return next_ == tasks_.size(); }

private:
    std::vector<std::size_t> tasks_;
    std::size_t next_ = 0;
};

// The tasks numbered `which` (indices into plan.tasks) that are not done, in that order; the done
// ones are counted in report.skipped. Makes the folder of the task results.
std::vector<std::size_t> tasks_not_done(const SweepPlan& plan, std::span<const std::size_t> which,
                                        SweepRunReport& report);

// Runs the tasks `source` hands out that this process takes, `jobs` at once, never more task
// threads than options.cores; sets report.jobs and report.threads and adds every task's end.
// `total` is the number of tasks of the whole run, for the progress line. A failed task leaves its
// output in <id>.failed beside where its result would be and does not stop the others.
void run_tasks_from(const SweepPlan& plan, TaskSource& source, const SweepRunOptions& options,
                    std::size_t total, SweepRunReport& report);

// Runs the tasks numbered `which` that are not done in this process, several at once (a local
// `sweep run`, or a job-array slot's share), and then removes the temporary files of tasks killed
// with an earlier `sweep run`.
SweepRunReport run_sweep_tasks(const SweepPlan& plan, std::span<const std::size_t> which,
                               const SweepRunOptions& options);

// The environment of a task's process: this one's without the variables by which MPI launchers
// (mpirun, srun) tell a process it is a rank (OMPI_*, PMIX_*, PMI_*), so that a task started by
// a rank never takes itself for one. As "NAME=value" strings.
std::vector<std::string> task_environment(char** environment);

}  // namespace socialtwin
