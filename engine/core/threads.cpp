#include "engine/core/threads.hpp"

#include <oneapi/tbb/info.h>

#include <algorithm>

namespace socialtwin {

int available_threads() noexcept { return std::max(1, tbb::info::default_concurrency()); }

int worker_threads(int requested) noexcept {
    const int available = available_threads();
    return requested > 0 ? std::min(requested, available) : available;
}

}  // namespace socialtwin
