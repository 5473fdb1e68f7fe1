#include "engine/core/large_table.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace socialtwin {

std::vector<double> zeroed_large_table(std::size_t n) {
    std::vector<double> table;
    table.reserve(n);
    // The 2 MB-aligned part of the reserved memory, not yet touched: advised before the zeros
    // are written, so the first write faults in whole 2 MB pages. Without transparent huge pages
    // (or where the advice fails) the table is an ordinary one.
    constexpr auto huge_page = std::uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(table.data());
    const auto first = (begin + huge_page - 1) & ~(huge_page - 1);
    const auto end = (begin + n * sizeof(double)) & ~(huge_page - 1);
    if (end > first) madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
    table.assign(n, 0.0);
    return table;
}

}  // namespace socialtwin
