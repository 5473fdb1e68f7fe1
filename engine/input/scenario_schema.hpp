#pragma once
// The scenario YAML, declared once as data: every key with its type, whether it is required, its
// default, unit, allowed values and meaning. The core's keys are a table here; the models' keys
// come from the parameters they declare in their registry entries (models/registry.hpp). The loader
// validates against this table and docs/scenario-reference.md is generated from it, so the two
// cannot drift apart.
//
// Key paths name a place in the document: `rates.<target>[].factor` is the `factor` of any item
// of any rate's list of changes, where `<target>` stands for a rate name (mortality, ...) and
// `[]` for a list item. Concrete paths in messages have indices: `rates.mortality[1].factor`.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/errors.hpp"
#include "engine/core/parameters.hpp"

namespace socialtwin {

// A YAML document with where each value was written. Scenario files are read into this (not
// kept as YAML::Node) because `extends` merges several files and every value must still name
// the file it came from.
struct DocEntry;
struct DocNode {
    enum class Kind { null, scalar, mapping, sequence };
    Kind kind = Kind::null;
    std::string text;               // scalar text
    bool quoted = false;            // a quoted or explicitly tagged scalar: text, never a number
    std::vector<DocEntry> entries;  // mapping entries in file order
    std::vector<DocNode> items;     // sequence items
    SourceLocation where;           // file, 1-based line and column; key_path is left empty

    // The value of `key` in a mapping (the last one if written twice), or nullptr.
    const DocNode* find(std::string_view key) const noexcept;
};

struct DocEntry {
    std::string key;
    SourceLocation key_where;
    DocNode value;
};

// Scalar conversions, strict as the schema is: nullopt for a quoted scalar, a non-scalar, or
// text that is not entirely a finite number of the kind asked for.
std::optional<std::int64_t> integer_value(const DocNode& node);
std::optional<std::uint64_t> unsigned_value(const DocNode& node);
std::optional<double> number_value(const DocNode& node);

enum class ValueKind {
    string,       // any text
    path,         // a file path, relative to the file that sets it
    integer,      // a whole number (fits an int)
    seed,         // a whole number 0..2^64-1
    year,         // a calendar year inside the projection (see year_rule below)
    number,       // a decimal number
    choice,       // one of `choices`
    age_range,    // [min, max], whole years
    mapping,      // keys declared below this one
    list,         // a sequence of mappings, each with the keys declared below `path[]`
    one_or_list,  // one mapping or a sequence of them (keys below `path[]`)
};

struct SchemaKey {
    std::string_view path{};
    ValueKind kind = ValueKind::string;
    bool required = false;
    std::string_view default_value{};  // as documented; "" = none (optional, no effect if absent)
    std::string_view unit{};
    Bound min{};
    Bound max{};
    bool non_zero = false;      // 0 is meaningless (e.g. building 0 dwellings)
    bool zero_allowed = false;  // 0 is accepted outside [min, max] ("not given", "closed")
    // For numbers: what a valid value is, in the words of a message, with its unit; `{min}` and
    // `{max}` stand for the bounds, so each figure has one source. Empty: "a number in
    // {min}..{max}".
    std::string_view expected{};
    // A fraction (0.02 = 2%). A planner may well write 2 meaning 2%: a value out of range that
    // would be in range divided by 100 gets a hint saying so.
    bool fraction = false;
    std::span<const std::string_view> choices{};
    std::string_view not_before{};  // a sibling key this value may not be less than
    bool inherited = true;          // taken over from the parent by `extends`
    std::string_view what{};        // for text: what it names, in messages ("an area code")
    std::string_view meaning{};
};

// Every key of the scenario YAML, parents before children.
std::span<const SchemaKey> scenario_schema() noexcept;
// The key with this path pattern (`rates.<target>[].factor`), or nullptr.
const SchemaKey* find_schema_key(std::string_view path) noexcept;
// Names a `<placeholder>` path component stands for (e.g. the rate names for `<target>`).
std::vector<std::string_view> placeholder_names(std::string_view placeholder);

// Whether `value` is allowed by the bounds of a number or whole-number key (zero_allowed and
// non_zero included), and what is allowed in the words of a message ("a whole number of runs in
// 1..1000"). For values given elsewhere than in a scenario file, such as `run --replicates`.
bool accepts_number(const SchemaKey& key, double value);
std::string expected_value_text(const SchemaKey& key);
// The hint for an out-of-range value of a fraction key that was probably meant as a percentage
// ("2 looks like a percentage: write 0.02 for 2%"); "" if none applies.
std::string percentage_hint(const SchemaKey& key, double value);

// Every problem of a (merged) scenario document against the schema: unknown keys (with a
// near-miss suggestion), missing required keys, wrong types, values out of range, years outside
// the projection, `to` before `from`. Empty = valid.
std::vector<InputProblem> validate_scenario_document(const DocNode& root);

// docs/scenario-reference.md, generated from the table (printed by `socialtwin schema`).
std::string scenario_reference_markdown();

}  // namespace socialtwin
