#pragma once
// A sweep file and the fixed list of tasks it stands for (docs/sweeps.md).
//
// A sweep runs one base scenario many times, each time with some of its keys set to other
// values (`vary:`), the same way `socialtwin run BASE --set KEY=VALUE` does; with `replicates:`
// each variant runs several times with other seeds. The sweep file is checked like a scenario:
// every problem at once, with file:line:column, key and what was expected, and every task's
// resolved scenario is validated by the scenario schema before anything runs.
//
// Task ids are stable: a variant's id is a hash of its key=value pairs, sorted by key, so the same
// file always gives the same ids, listing the keys in another order changes no id, and adding a
// value to a list keeps the ids of the variants that were there.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/input/scenario_loader.hpp"

namespace socialtwin {

// One key the sweep varies.
struct SweepParameter {
    std::string key;         // the scenario key path, as after --set: rates.fertility.factor
    std::string coordinate;  // its name in the merged file: fertility_factor
    SourceLocation where;    // of its entry under vary:
};

struct SweepTask {
    std::string id;           // "<variant_id>-r<replicate>", also the result's file name
    std::string variant_id;   // 8 hex digits
    std::size_t variant = 0;  // the variant's number in the plan's order
    int replicate = 0;
    // The value of each parameter (in SweepPlan::parameters order), as YAML in flow style.
    std::vector<std::string> values;
    // What `socialtwin run` is given: KEY=VALUE per parameter, then seed=... for replicate > 0.
    std::vector<std::string> set_arguments;
    std::string scenario_hash;     // of the resolved scenario (scenario_hash())
    std::filesystem::path result;  // <output>/tasks/<id>.h5
};

struct SweepPlan {
    std::filesystem::path file;    // the sweep file, as given
    std::string name;              // `name:` or the file's stem
    std::filesystem::path base;    // the base scenario, absolute
    std::filesystem::path output;  // the output folder, absolute
    int replicates = 1;
    std::vector<SweepParameter> parameters;
    std::size_t variants = 0;
    // Variant by variant in the order of the file (the first key of vary: changes slowest),
    // replicates of a variant one after the other.
    std::vector<SweepTask> tasks;
};

// Reads and checks `file` and plans its tasks. Throws InputError with every problem: of the sweep
// file, and of the tasks' resolved scenarios (named at the vary: entry that set the value).
SweepPlan plan_sweep(const std::filesystem::path& file);

// The folder of the tasks' results, logs and failure notes.
std::filesystem::path tasks_folder(const SweepPlan& plan);

// The plan as a table: id, replicate, the parameters' values, and the result file.
std::string plan_table(const SweepPlan& plan);

// The name a key gets as a coordinate: its path without `rates.`, dots and brackets as `_`
// (rates.fertility.factor -> fertility_factor, housing.own_buurt_share -> housing_own_buurt_share).
std::string coordinate_name(std::string_view key);

}  // namespace socialtwin
