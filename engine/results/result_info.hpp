#pragma once
// `socialtwin info OUT.h5`: what a result file holds, without opening Python. Reads only labels
// and attributes, never the indicator values, so it is instant on large runs.

#include <filesystem>
#include <ostream>
#include <string>

namespace socialtwin {

// Prints the run (scenario, dataset, core, replicates, years, areas), the dimensions, a table of
// indicators (name, dims, units, description; each once: where the run had more than one
// replicate, their _replicates and _quantiles companions are mentioned in one line under it), the
// /meta entries with the first lines of the scenario YAML, and the phase timings. Throws InputError
// naming `path` when it is missing, not HDF5, not a socialtwin result, or of a newer layout than
// this build reads.
void describe_result_file(const std::filesystem::path& path, std::ostream& out);

// An indicator's own description, without the writer's " (mean over replicates)" (the tables that
// show it say that once, for every indicator).
std::string without_mean_qualifier(std::string description);

}  // namespace socialtwin
