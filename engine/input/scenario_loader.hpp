#pragma once
// Reads a scenario YAML file into a validated Scenario: resolves `extends`, checks the merged
// document against the schema (engine/input/scenario_schema.hpp) in one pass, and reports every
// problem at once, each as file:line:column: key.path: what was expected.

#include <filesystem>
#include <string_view>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/core/scenario.hpp"
#include "engine/input/scenario_schema.hpp"

namespace socialtwin {

// The scenario in `file`. Throws InputError with all problems found: the file or an `extends`
// target cannot be read (named at the `extends:` line that refers to it), a YAML syntax error,
// an `extends` cycle, or anything the schema rejects.
//
// Fills Scenario::source_path (as given) and source_text (the merged document, re-emitted as
// YAML after a comment naming the files it came from). ConstructionProject::where points at the
// project's item (key path `construction[2]`), so checks against the dataset can name the line.
// A `dataset` path (a value containing '/') is relative to the file that sets it; one inherited
// from a parent in another folder is rewritten relative to `file`'s folder, so Scenario::dataset
// is always a name, an absolute path, or a path relative to the folder of `file`.
Scenario load_scenario(const std::filesystem::path& file);

// As load_scenario, from YAML text; `as_file` names it in messages and anchors relative
// `extends` and `dataset` paths.
Scenario load_scenario_from_string(std::string_view yaml, const std::filesystem::path& as_file);

// Every problem load_scenario would throw; empty when the file is valid.
std::vector<InputProblem> validate_scenario_file(const std::filesystem::path& file);

// The files `file` is read from: itself, then the file it extends, and so on (those that could be
// read). For writers, which must never replace one of them.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& file);

// The document of `file` with `extends` resolved (not validated). Throws InputError when a file
// cannot be read or parsed or `extends` is a cycle.
DocNode read_scenario_document(const std::filesystem::path& file);

}  // namespace socialtwin
