#pragma once
// `socialtwin aggregate RESULT [--levels ...] [--only] [-o OUT]`: re-aggregating a result file
// that exists, e.g. to add the buurt level or to aggregate a run written with --no-aggregates.
// The computation and the /aggregates layout are engine/output/aggregate.hpp, which the result
// writer uses at the end of a run; this is only the command's file handling.

#include <filesystem>
#include <string>
#include <vector>

#include "engine/output/aggregate.hpp"

namespace socialtwin {

// `socialtwin aggregate`: (re)computes /aggregates of the result `source` and writes the file to
// `output` (empty = replace `source`) through a temporary file and a rename, so an interrupted run
// leaves `source` as it was. Refuses published files (their values are rounded and suppressed).
std::vector<std::string> aggregate_result_file(const std::filesystem::path& source,
                                               const AggregateOptions& options,
                                               const std::filesystem::path& output = {});

}  // namespace socialtwin
