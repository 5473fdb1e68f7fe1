// The canary of the `tsan` preset: proof that the suppressions (tests/tsan.supp) and the ordering
// annotations (engine/core/parallel.hpp) hide no race of ours. Two bodies of one parallel_for add
// to one counter without synchronisation: ThreadSanitizer must report it, so this program must
// fail. Data written before the loop and read after it is not a race and must
// not be the report: the program checks its own result so that only TSan can make it fail.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "engine/core/parallel.hpp"

namespace {

// A race needs two threads. CI once saw one thread run every body (no report: a process given one
// CPU starts no TBB worker, and on a loaded machine the calling thread can finish before the
// worker wakes). So the loop runs in an arena of two, and each body waits, for at most ten
// seconds, until a body has started on a second thread. The waiting uses relaxed atomics only,
// which order nothing for TSan: the bodies' writes to the counter stay unordered.
std::atomic<int> threads_in_loop{0};
thread_local bool counted_this_thread = false;

void wait_for_a_second_thread(std::chrono::steady_clock::time_point deadline) {
    if (!counted_this_thread) {
        counted_this_thread = true;
        threads_in_loop.fetch_add(1, std::memory_order_relaxed);
    }
    while (threads_in_loop.load(std::memory_order_relaxed) < 2 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
}

}  // namespace

int main() {
    // Two threads even where TBB would start one (a CI runner may give the process one CPU).
    const tbb::global_control two_threads(tbb::global_control::max_allowed_parallelism, 2);
    tbb::task_arena arena(2);
    const std::vector<double> prepared(4096, 1.0);
    std::vector<double> doubled(prepared.size());
    long counted = 0;  // the race
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    arena.execute([&] {
        socialtwin::parallel_for_ranges(prepared.size(), [&](const auto& range) {
            wait_for_a_second_thread(deadline);
            for (auto i = range.begin(); i != range.end(); ++i) {
                doubled[i] = 2 * prepared[i];
                counted += 1;
            }
        });
    });
    double sum = 0;
    for (double v : doubled) sum += v;
    std::printf("sum %g, counted %ld, threads %d\n", sum, counted, threads_in_loop.load());
    if (threads_in_loop.load() < 2) {
        std::printf("only one thread ran the loop's bodies: no race to report\n");
        return 3;
    }
    return sum == 2.0 * static_cast<double>(prepared.size()) ? 0 : 1;
}
