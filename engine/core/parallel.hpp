#pragma once
// The one way the cores split work over areas between threads: tbb::parallel_for, with the
// ordering TBB guarantees said out loud to ThreadSanitizer.
//
// TBB promises that everything the calling thread did before parallel_for happens before every
// call of the body, and that every call of the body happens before parallel_for returns. It keeps
// that promise with atomics inside libtbb.so; Debian's libtbb is not built with -fsanitize=thread,
// so TSan cannot see them and reports every read of data prepared before the loop as a race. The
// two tokens below state exactly those two edges (release before the loop, acquire at the start
// of each body; release at the end of each body, acquire after the loop) and nothing more: two
// bodies running at once are still unordered, so a real race between them is still reported.
// Without TSan the annotations compile to nothing.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <cstddef>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace socialtwin {

namespace detail {
#if defined(__SANITIZE_THREAD__)
inline void happens_before(void* token) noexcept { __tsan_release(token); }
inline void happens_after(void* token) noexcept { __tsan_acquire(token); }
#else
inline void happens_before(void*) noexcept {}
inline void happens_after(void*) noexcept {}
#endif

#if defined(__SANITIZE_THREAD__)
// Under TSan only: auto_partitioner's stealing heuristics read atomics of TBB's own task tree and
// task-group context that libtbb initialised out of TSan's sight, which TSan reports as races
// inside TBB with no way to suppress them by name alone. simple_partitioner has no such
// heuristics. The split of the areas differs, the body's code and its results do not (results
// are the same at any split, as at any thread count).
using partitioner = tbb::simple_partitioner;
#else
using partitioner = tbb::auto_partitioner;
#endif
}  // namespace detail

// body(range) for sub-ranges of [0, n) that together cover it once, on the current task arena.
template <class Body>
void parallel_for_ranges(std::size_t n, const Body& body) {
    char started = 0;
    char finished = 0;
    detail::happens_before(&started);
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n),
        [&](const tbb::blocked_range<std::size_t>& range) {
            detail::happens_after(&started);
            body(range);
            detail::happens_before(&finished);
        },
        detail::partitioner{});
    detail::happens_after(&finished);
}

// body(i) for every i in [0, n), on the current task arena.
template <class Body>
void parallel_for_each_index(std::size_t n, const Body& body) {
    parallel_for_ranges(n, [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) body(i);
    });
}

// How many threads the current task arena runs bodies on: for work split into that many parts
// (more parts would only repeat work that each part does whole).
inline std::size_t arena_threads() noexcept {
    return static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
}

}  // namespace socialtwin
