#include "engine/core/large_table.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace socialtwin {

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
    // Without transparent huge pages (or where the advice fails) the block stays an ordinary
    // one: only a hint.
    constexpr auto huge_page = std::uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const auto first = (begin + huge_page - 1) & ~(huge_page - 1);
    const auto end = (begin + bytes) & ~(huge_page - 1);
    if (end > first) madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
}

std::vector<double> zeroed_large_table(std::size_t n) {
    std::vector<double> table;
    table.reserve(n);
    // The reserved memory, not yet touched: advised before the zeros are written, so the first
    // write faults in whole 2 MB pages.
    advise_huge_pages(table.data(), n * sizeof(double));
    table.assign(n, 0.0);
    return table;
}

}  // namespace socialtwin
