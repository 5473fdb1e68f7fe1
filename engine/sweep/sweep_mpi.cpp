// The MPI driver of `sweep run` (engine/sweep/sweep_mpi.hpp): the only file that includes <mpi.h>.
//
// One thread per rank does everything, MPI included (MPI_THREAD_FUNNELED): rank 0 answers the
// other ranks between polls of its own tasks (MPI_Iprobe, waitpid(WNOHANG), a 2 ms sleep), and the
// other ranks wait for answers the same way (MPI_Test). A serving thread would need
// MPI_THREAD_MULTIPLE and locks around the runner's state for nothing: a task takes seconds, an
// answer a few milliseconds. Nothing blocks in MPI while tasks run, because Open MPI's blocking
// calls spin a core the tasks need.

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/formats/output_file.hpp"
#include "engine/sweep/sweep_mpi.hpp"

namespace socialtwin {

namespace {

constexpr int rank_0 = 0;
// Messages between rank 0 and the others. A rank with a free slot sends a request; rank 0
// answers with a task index, or none_left, after which that rank asks no more. Each task's end
// goes to rank 0 as text: "<index> <ok 0|1>\n<detail>".
constexpr int tag_request = 1;
constexpr int tag_answer = 2;
constexpr int tag_task_end = 3;
constexpr long long none_left = -1;

void check(int code, const char* what) {
    if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

// Waits for `request` without spinning a core: Open MPI's MPI_Wait polls flat out.
void wait_gently(MPI_Request& request) {
    // Backing off as the runner's polls do (engine/sweep/sweep_run.cpp): a rank waiting for the
    // last task of another costs next to nothing.
    for (useconds_t pause = 1000;; pause = std::min<useconds_t>(2 * pause, 16000)) {
        int done = 0;
        check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return;
        ::usleep(pause);
    }
}

// Rank 0: its own tasks from the queue, and the queue's tasks to the others on request.
class RankZeroQueue final : public TaskSource {
public:
    RankZeroQueue(std::vector<std::size_t> tasks, int processes)
        : tasks_(std::move(tasks)), others_(processes - 1) {}

    std::optional<std::size_t> next() override {
        if (next_ == tasks_.size()) return std::nullopt;
        return tasks_[next_++];
    }
    bool finished() override {
        return next_ == tasks_.size() && told_none_left_ == others_ && elsewhere_ == 0;
    }
    bool polled() const override { return others_ > 0; }
    std::size_t running_elsewhere() const override { return elsewhere_; }

    bool serve(const SweepPlan& plan, SweepRunReport& report) override {
        for (bool served = false;; served = true) {
            int waiting = 0;
            MPI_Status status;
            check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &status),
                  "MPI_Iprobe");
            if (!waiting) return served;
            if (status.MPI_TAG == tag_request) {
                check(MPI_Recv(nullptr, 0, MPI_BYTE, status.MPI_SOURCE, tag_request, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE),
                      "MPI_Recv");
                long long answer = none_left;
                if (next_ < tasks_.size()) {
                    answer = static_cast<long long>(tasks_[next_++]);
                    ++elsewhere_;
                } else
                    ++told_none_left_;
                check(MPI_Send(&answer, 1, MPI_LONG_LONG, status.MPI_SOURCE, tag_answer,
                               MPI_COMM_WORLD),
                      "MPI_Send");
            } else if (status.MPI_TAG == tag_task_end) {
                int length = 0;
                check(MPI_Get_count(&status, MPI_CHAR, &length), "MPI_Get_count");
                std::string text(static_cast<std::size_t>(length), '\0');
                check(MPI_Recv(text.data(), length, MPI_CHAR, status.MPI_SOURCE, tag_task_end,
                               MPI_COMM_WORLD, MPI_STATUS_IGNORE),
                      "MPI_Recv");
                --elsewhere_;
                record_task_end(plan, decode(text, plan.tasks.size()), report);
            } else
                throw std::runtime_error("MPI: a message rank 0 does not know");
        }
    }

private:
    static TaskEnd decode(const std::string& text, std::size_t tasks) {
        const std::size_t space = text.find(' ');
        const std::size_t line = text.find('\n');
        if (space == std::string::npos || line == std::string::npos || line < space)
            throw std::runtime_error("MPI: a task's end in a form rank 0 does not know");
        TaskEnd end;
        end.task = std::stoull(text.substr(0, space));
        end.ok = text.substr(space + 1, line - space - 1) == "1";
        end.detail = text.substr(line + 1);
        if (end.task >= tasks) throw std::runtime_error("MPI: a task's end of no task");
        return end;
    }

    std::vector<std::size_t> tasks_;
    std::size_t next_ = 0;
    int others_;
    int told_none_left_ = 0;
    std::size_t elsewhere_ = 0;  // handed out, end not yet told
};

// Any other rank: asks rank 0 for a task whenever it has a free slot, tells it every task's end.
class AskRankZero final : public TaskSource {
public:
    std::optional<std::size_t> next() override {
        if (none_left_) return std::nullopt;
        if (!asking_) {
            check(MPI_Irecv(&answer_, 1, MPI_LONG_LONG, rank_0, tag_answer, MPI_COMM_WORLD,
                            &answer_request_),
                  "MPI_Irecv");
            check(MPI_Send(nullptr, 0, MPI_BYTE, rank_0, tag_request, MPI_COMM_WORLD), "MPI_Send");
            asking_ = true;
        }
        int answered = 0;
        check(MPI_Test(&answer_request_, &answered, MPI_STATUS_IGNORE), "MPI_Test");
        if (!answered) return std::nullopt;
        asking_ = false;
        if (answer_ == none_left) {
            none_left_ = true;
            return std::nullopt;
        }
        return static_cast<std::size_t>(answer_);
    }
    bool finished() override { return none_left_; }
    bool polled() const override { return true; }

    void ended(const SweepPlan& /*plan*/, const TaskEnd& end, SweepRunReport& report) override {
        if (end.ok) ++report.ran;  // this rank's own count; rank 0 counts for the report
        const std::string text =
            std::to_string(end.task) + (end.ok ? " 1\n" : " 0\n") + (end.ok ? "" : end.detail);
        check(MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, rank_0, tag_task_end,
                       MPI_COMM_WORLD),
              "MPI_Send");
    }

private:
    long long answer_ = none_left;
    MPI_Request answer_request_ = MPI_REQUEST_NULL;
    bool asking_ = false, none_left_ = false;
};

// This rank's share of its node's cores. Ranks that a launcher bound to cores of their own
// (mpirun binds each of 2 ranks to a core; srun --cpus-per-task) keep theirs; ranks that share
// the same cores (--bind-to none, or more ranks than cores) split them evenly, so that the node's
// ranks together run at most a task thread per core.
int cores_of_this_rank() {
    MPI_Comm node = MPI_COMM_NULL;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
          "MPI_Comm_split_type");
    int ranks_on_node = 1;
    check(MPI_Comm_size(node, &ranks_on_node), "MPI_Comm_size");
    cpu_set_t mine;
    CPU_ZERO(&mine);
    if (::sched_getaffinity(0, sizeof mine, &mine) != 0) CPU_SET(0, &mine);
    constexpr std::size_t words = CPU_SETSIZE / 64;
    std::array<std::uint64_t, words> bits{}, all{};
    for (std::size_t cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &mine)) bits[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
    const int own = CPU_COUNT(&mine);
    int summed = 0;
    check(MPI_Allreduce(bits.data(), all.data(), static_cast<int>(words), MPI_UINT64_T, MPI_BOR,
                        node),
          "MPI_Allreduce");
    check(MPI_Allreduce(&own, &summed, 1, MPI_INT, MPI_SUM, node), "MPI_Allreduce");
    MPI_Comm_free(&node);
    int on_node = 0;
    for (const std::uint64_t word : all) on_node += __builtin_popcountll(word);
    if (summed == on_node) return std::max(1, own);  // disjoint: bound by the launcher
    return std::max(1, on_node / ranks_on_node);
}

}  // namespace

bool mpi_driver_built() { return true; }

void require_mpi_driver(const MpiLaunch& /*launch*/) {}

MpiSweepReport run_sweep_over_mpi(const SweepPlan& plan, std::span<const std::size_t> which,
                                  const SweepRunOptions& options) {
    // Only this thread calls MPI; the others (the signal handler's) never do.
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MpiSweepReport result;
    int rank = 0;
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &result.processes), "MPI_Comm_size");
    result.root = rank == rank_0;
    SweepRunOptions ours = options;
    ours.cores = cores_of_this_rank();
    ours.progress = options.progress && result.root;
    if (result.root) {
        // Done tasks are skipped exactly as locally: rank 0 hands out only the others.
        RankZeroQueue queue(tasks_not_done(plan, which, result.report), result.processes);
        run_tasks_from(plan, queue, ours, which.size(), result.report);
        // Every rank's tasks have ended: no temporary file in the folder is a live task's.
        remove_stale_temporaries(tasks_folder(plan));
        result.any_failed = !result.report.failed.empty();
    } else {
        AskRankZero ask;
        run_tasks_from(plan, ask, ours, which.size(), result.report);
    }
    // Rank 0 tells everyone whether a task failed, so that every rank exits as a local `sweep
    // run` would and mpirun passes that code on.
    int failed = result.any_failed ? 1 : 0;
    MPI_Request told = MPI_REQUEST_NULL;
    check(MPI_Ibcast(&failed, 1, MPI_INT, rank_0, MPI_COMM_WORLD, &told), "MPI_Ibcast");
    wait_gently(told);
    result.any_failed = failed != 0;
    check(MPI_Finalize(), "MPI_Finalize");
    return result;
}

}  // namespace socialtwin
