#include "engine/sweep/sweep_run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/core/cohort_projection.hpp"
#include "engine/core/threads.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

fs::path failure_note(const SweepTask& task) {
    return fs::path(task.result).replace_extension(".failed");
}
fs::path log_file(const SweepTask& task) { return fs::path(task.result).replace_extension(".log"); }

// The scenario hash a result stores, or nullopt with why when it cannot be read.
std::optional<std::string> stored_hash(const fs::path& result, std::string& why) {
    if (!hdf5::is_hdf5_file(result)) {
        why = "not an HDF5 file";
        return std::nullopt;
    }
    try {
        const hdf5::File file = hdf5::open_file_read_only(result);
        const hdf5::Group meta = hdf5::open_group(file.id(), std::string(result_layout::meta));
        if (!hdf5::has_attribute(meta.id(), "scenario_hash")) {
            why = "its result stores no scenario hash (written before sweeps)";
            return std::nullopt;
        }
        return hdf5::read_string_attribute(meta.id(), "scenario_hash");
    } catch (const std::exception& e) {
        why = e.what();
        return std::nullopt;
    }
}

std::string last_lines(const fs::path& file, std::size_t count) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const std::size_t from = lines.size() > count ? lines.size() - count : 0;
    std::string text;
    for (std::size_t i = from; i < lines.size(); ++i) text += lines[i] + "\n";
    return text;
}

// Starts `socialtwin run` for `task`, its output to the task's log. The child gets SIGTERM when
// this process dies, however it dies (Ctrl-C, kill -9): a task left running would be started
// again beside itself by the next `sweep run`, and SIGTERM (not SIGKILL) lets it remove its
// temporary file as every interrupted command does.
pid_t start_task(const SweepPlan& plan, const SweepTask& task, const SweepRunOptions& options,
                 int threads, std::vector<std::string>& environment) {
    std::vector<std::string> args{options.executable.string(), "run", plan.base.string()};
    for (const std::string& a : task.set_arguments) {
        args.push_back("--set");
        args.push_back(a);
    }
    args.insert(args.end(),
                {"-o", task.result.string(), "--threads", std::to_string(threads), "-q"});
    if (options.data_dir) args.insert(args.end(), {"--data-dir", options.data_dir->string()});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const std::string log = log_file(task).string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(fmt::format("cannot start task {}: fork failed", task.id));
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        // With a stop flag the runner stops its tasks itself: a Ctrl-C at the terminal must
        // reach the caller (Python) only, not end the tasks as if they had failed.
        if (options.stop) ::setpgid(0, 0);
        if (::getppid() != parent) ::_exit(127);
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    return pid;
}

}  // namespace

std::string_view task_state_name(TaskState state) {
    switch (state) {
        case TaskState::done:
            return "done";
        case TaskState::missing:
            return "missing";
        case TaskState::stale:
            return "stale";
        case TaskState::failed:
            return "failed";
    }
    return "?";
}

TaskStatus task_status(const SweepTask& task) {
    std::error_code ec;
    if (fs::is_regular_file(task.result, ec)) {
        std::string why;
        const auto hash = stored_hash(task.result, why);
        if (hash && *hash == task.scenario_hash) return {TaskState::done, {}};
        return {TaskState::stale,
                hash ? fmt::format("its result is of another scenario (hash {}, the task's is {}): "
                                   "the base or vary: changed",
                                   *hash, task.scenario_hash)
                     : why};
    }
    if (fs::exists(failure_note(task), ec))
        return {TaskState::failed, fmt::format("see {}", failure_note(task).string())};
    return {TaskState::missing, {}};
}

std::vector<TaskStatus> sweep_status(const SweepPlan& plan) {
    std::vector<TaskStatus> status;
    for (const SweepTask& t : plan.tasks) status.push_back(task_status(t));
    return status;
}

std::string status_report(const SweepPlan& plan, const std::vector<TaskStatus>& status) {
    std::map<TaskState, std::size_t> counts;
    for (const TaskStatus& s : status) ++counts[s.state];
    std::string out =
        fmt::format("sweep '{}': {} tasks: {} done, {} missing, {} stale, {} failed\n", plan.name,
                    plan.tasks.size(), counts[TaskState::done], counts[TaskState::missing],
                    counts[TaskState::stale], counts[TaskState::failed]);
    for (std::size_t i = 0; i < status.size(); ++i)
        if (status[i].state != TaskState::done)
            out += fmt::format("  {:<12} {:<7} {}\n", plan.tasks[i].id,
                               task_state_name(status[i].state), status[i].detail);
    return out;
}

std::vector<std::size_t> array_share(std::size_t tasks, std::size_t index, std::size_t count) {
    std::vector<std::size_t> share;
    for (std::size_t i = index; count > 0 && i < tasks; i += count) share.push_back(i);
    return share;
}

void record_task_end(const SweepPlan& plan, const TaskEnd& end, SweepRunReport& report) {
    if (end.ok)
        ++report.ran;
    else {
        report.failed.push_back(plan.tasks[end.task].id);
        report.failure_details.push_back(end.detail);
    }
}

std::vector<std::size_t> tasks_not_done(const SweepPlan& plan, std::span<const std::size_t> which,
                                        SweepRunReport& report) {
    std::vector<std::size_t> pending;
    for (const std::size_t i : which) {
        if (task_status(plan.tasks[i]).state == TaskState::done) {
            ++report.skipped;
            // A task that finished as an earlier `sweep run` was killed kept its log.
            std::error_code ec;
            fs::remove(log_file(plan.tasks[i]), ec);
        } else
            pending.push_back(i);
    }
    if (std::error_code ec; !fs::create_directories(tasks_folder(plan), ec) && ec)
        throw InputError(
            problem_at(where_in(tasks_folder(plan).string()),
                       fmt::format("cannot make the folder of the task results: {}", ec.message()),
                       "check the sweep file's output:"));
    return pending;
}

std::vector<std::string> task_environment(char** environment) {
    std::vector<std::string> kept;
    for (char** variable = environment; variable != nullptr && *variable != nullptr; ++variable) {
        const std::string_view text(*variable);
        if (text.starts_with("OMPI_") || text.starts_with("PMIX_") || text.starts_with("PMI_"))
            continue;
        kept.emplace_back(text);
    }
    return kept;
}

void run_tasks_from(const SweepPlan& plan, TaskSource& source, const SweepRunOptions& options,
                    std::size_t total, SweepRunReport& report) {
    // Tasks x threads per task never above the cores: each task's threads would otherwise
    // compete with the others' and the sweep would take longer, not shorter.
    const int cores = options.cores > 0 ? options.cores : available_threads();
    int jobs = options.jobs > 0 ? std::min(options.jobs, cores) : 0;
    int threads = options.threads > 0 ? std::min(options.threads, cores) : 0;
    if (jobs == 0 && threads == 0) threads = 1;
    if (jobs == 0) jobs = std::max(1, cores / threads);
    if (threads == 0 || jobs * threads > cores) threads = std::max(1, cores / jobs);
    if (options.jobs > jobs || (options.threads > 0 && options.threads > threads))
        spdlog::info(
            "{} {} cores: running {} task{} at once with {} thread{} each",
            options.cores > 0 ? "this process's share of the machine is" : "this machine has",
            cores, jobs, jobs == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
    report.jobs = jobs;
    report.threads = threads;
    std::vector<std::string> environment = task_environment(::environ);

    std::map<pid_t, std::size_t> running;
    std::size_t failures_shown = report.failure_details.size();
    const auto show = [&](bool last) {
        // Failures as they come (here or, under MPI, on rank 0 from every rank), then the line.
        for (; failures_shown < report.failure_details.size(); ++failures_shown) {
            if (options.progress) std::fputs("\r\033[K", stderr);
            std::fputs(report.failure_details[failures_shown].c_str(), stderr);
        }
        if (!options.progress) return;
        std::fprintf(stderr, "\r\033[Ksweep '%s': %zu/%zu done, %zu running, %zu failed%s",
                     plan.name.c_str(), report.skipped + report.ran, total,
                     running.size() + source.running_elsewhere(), report.failed.size(),
                     last ? "\n" : "");
        std::fflush(stderr);
    };
    const auto task_ended = [&](pid_t pid, int wait_status) {
        const auto it = running.find(pid);
        if (it == running.end()) return;
        const std::size_t index = it->second;
        const SweepTask& task = plan.tasks[index];
        running.erase(it);
        std::error_code ec;
        if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
            fs::remove(log_file(task), ec);
            fs::remove(failure_note(task), ec);
            source.ended(plan, {index, true, {}}, report);
            return;
        }
        fs::rename(log_file(task), failure_note(task), ec);
        const std::string how = WIFEXITED(wait_status)
                                    ? fmt::format("exit {}", WEXITSTATUS(wait_status))
                                    : fmt::format("signal {}", WTERMSIG(wait_status));
        source.ended(plan,
                     {index, false,
                      fmt::format("task {} failed ({}); its output is in {}:\n{}", task.id, how,
                                  failure_note(task).string(), last_lines(failure_note(task), 5))},
                     report);
    };
    const auto stop_every_task = [&] {
        for (const auto& [pid, index] : running) ::kill(pid, SIGTERM);
        for (const auto& [pid, index] : running) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            std::error_code ec;
            fs::remove(log_file(plan.tasks[index]), ec);  // stopped, not failed
        }
        running.clear();
        if (options.progress) std::fputs("\n", stderr);
        throw Interrupted();
    };
    // Polling backs off while nothing happens: from 1 ms after a task's start or end or a
    // message, doubling to 16 ms. Polls every 2 ms cost each MPI rank 6% of a core (Open MPI's
    // progress engine runs on every test); a task's next start waits 16 ms at most.
    constexpr useconds_t first_pause = 1000, longest_pause = 16000;
    useconds_t pause = first_pause;
    while (true) {
        if (options.stop && options.stop->load()) stop_every_task();
        bool active = false;
        while (running.size() < static_cast<std::size_t>(jobs)) {
            const std::optional<std::size_t> i = source.next();
            if (!i) break;
            running.emplace(start_task(plan, plan.tasks[*i], options, threads, environment), *i);
            active = true;
        }
        if (running.empty() && source.finished()) break;
        show(false);
        int wait_status = 0;
        if (!source.polled() && !options.stop) {
            const pid_t pid = ::waitpid(-1, &wait_status, 0);
            if (pid < 0) {
                if (errno == EINTR) continue;
                throw std::runtime_error("sweep: waiting for a task failed");
            }
            task_ended(pid, wait_status);
            continue;
        }
        // Polled: every task that ended, the other processes' messages, then a short sleep
        // (milliseconds are nothing beside a task's seconds, and nothing spins). Each
        // task is asked for by its pid: in a Python process other children are not ours to reap.
        for (auto it = running.begin(); it != running.end();) {
            const pid_t pid = (it++)->first;
            if (::waitpid(pid, &wait_status, WNOHANG) == pid) {
                task_ended(pid, wait_status);
                active = true;
            }
        }
        if (source.serve(plan, report)) active = true;
        pause = active ? first_pause : std::min(2 * pause, longest_pause);
        ::usleep(pause);
    }
    show(true);
}

SweepRunReport run_sweep_tasks(const SweepPlan& plan, std::span<const std::size_t> which,
                               const SweepRunOptions& options) {
    SweepRunReport report;
    TaskList list(tasks_not_done(plan, which, report));
    run_tasks_from(plan, list, options, which.size(), report);
    // A task killed with an earlier `sweep run` (kill -9) left its temporary file; the next
    // writer in the folder removes it only once that process is gone, which a task started at
    // once may not have seen.
    remove_stale_temporaries(tasks_folder(plan));
    return report;
}

}  // namespace socialtwin
