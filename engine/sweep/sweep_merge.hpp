#pragma once
// Merging a sweep's results into one file (docs/sweeps.md): every indicator with a `variant`
// dimension first (and `replicate` after it when the sweep has several), every varied key a
// coordinate on `variant`, so that in xarray `ds.gp_fte_needed.sel(variant="3fa2c1d0")` and
// `ds.where(ds.fertility_factor > 1)` work; and a summary table, one row per variant.

#include <filesystem>
#include <string>

#include "engine/sweep/sweep_plan.hpp"

namespace socialtwin {

struct SweepMergeReport {
    std::filesystem::path output;   // the merged HDF5 file
    std::filesystem::path summary;  // the summary CSV beside it
    std::string table;              // the summary for a terminal (the headline figures)
    std::size_t indicators = 0;
};

// Writes the merged file to `output` (default <output folder>/merged.h5) and the summary to
// <its stem>_summary.csv, each under a temporary name renamed when complete. Throws InputError
// naming the sweep file when a task is not done (sweep status says which).
SweepMergeReport merge_sweep(const SweepPlan& plan, const std::filesystem::path& output = {});

}  // namespace socialtwin
