#pragma once
// Large tables of the cohort core's state (12 KB per area: tens of MB at PC6 scale) on 2 MB
// pages where the kernel offers them. Filling such a table page by page in 4 KB pages cost a
// fault per page, which on the project's (virtual) machine was a fifth of the CPU of a 10-year
// projection of the default dataset (docs/performance.md); 2 MB pages also spare the TLB in the
// yearly sweeps. Only a hint: the values are the same either way.

#include <cstddef>
#include <vector>

namespace socialtwin {

// `n` zeros, the table advised for transparent huge pages before it is first written.
std::vector<double> zeroed_large_table(std::size_t n);
// Advises the 2 MB-aligned part of [data, data + bytes) for transparent huge pages: for a large
// block not yet written (fresh from calloc or malloc), so its first writes fault in whole 2 MB
// pages rather than one 4 KB page at a time.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

}  // namespace socialtwin
