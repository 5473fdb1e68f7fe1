#pragma once
// Reads a scenario YAML file into a validated Scenario: resolves `extends`, checks the merged
// document against the schema (engine/input/scenario_schema.hpp) in one pass, and reports every
// problem at once, each as file:line:column: key.path: what was expected.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/core/scenario.hpp"
#include "engine/input/scenario_schema.hpp"

namespace socialtwin {

// One key of a scenario set from outside its file: `socialtwin run S.yaml --set horizon=10`, or a
// value a sweep varies. Overrides are applied to the merged document (after `extends`, in the
// order given) and then validated by the same schema as the file, so a wrong value or an unknown
// key is reported as it would be in the file, at the override.
struct ScenarioOverride {
    std::string argument;  // as given: "rates.fertility.factor=0.9"; messages and /meta name it
    std::string key;       // dotted key path; a list item as name[i]: construction[0].dwellings
    DocNode value;         // parsed as YAML; `where` names the argument (line 0: not in a file)
};

// Parses "KEY=VALUE" as `--set` takes it: VALUE is a YAML value, so flow lists and mappings work
// (`construction=[{name: A, ...}]`) and quoting makes text of a number ("'2030'"). Throws
// InputError naming the argument when it has no `=`, an empty key, or a VALUE that is not YAML.
ScenarioOverride parse_override(std::string_view argument);

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

// As load_scenario, with `overrides` applied to the merged document before it is validated.
// Scenario::source_text is then the resolved scenario (overrides applied), its header comment
// listing the overrides.
Scenario load_scenario(const std::filesystem::path& file,
                       std::span<const ScenarioOverride> overrides);

// As load_scenario, from YAML text; `as_file` names it in messages and anchors relative
// `extends` and `dataset` paths.
Scenario load_scenario_from_string(std::string_view yaml, const std::filesystem::path& as_file);

// Every problem load_scenario would throw; empty when the file is valid.
std::vector<InputProblem> validate_scenario_file(const std::filesystem::path& file,
                                                 std::span<const ScenarioOverride> overrides = {});

// A fingerprint of the resolved scenario: 16 hex digits of a 64-bit FNV-1a hash of
// Scenario::source_text without its header comment (which names files as they were spelled), so
// the same scenario reached from another folder or by another path has the same hash, and any
// change of a value, in the file, a file it extends or an override, gives another. Stored in a
// result's /meta (scenario_hash) so that a sweep can tell a result of the task from a stale one.
std::string scenario_hash(const Scenario& scenario);

// `node` as one line of YAML in flow style ("[1, 2]", "{a: 1}", "0.9"), which parse_override
// reads back to the same value: how a sweep passes a value to `run --set`.
std::string flow_yaml(const DocNode& node);

// A YAML file read into a DocNode with every value's place, checked for the same limits as a
// scenario (size, UTF-8, aliases), but with no `extends` and no schema: for files of other
// kinds, such as sweep files, that validate their own keys. Throws InputError with file, line
// and column when it cannot be read or parsed.
DocNode read_yaml_document(const std::filesystem::path& file);

// The files `file` is read from: itself, then the file it extends, and so on (those that could be
// read). For writers, which must never replace one of them.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& file);

// The document of `file` with `extends` resolved (not validated). Throws InputError when a file
// cannot be read or parsed or `extends` is a cycle.
DocNode read_scenario_document(const std::filesystem::path& file);

}  // namespace socialtwin
