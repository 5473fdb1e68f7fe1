#include "engine/input/scenario_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "engine/core/suggest.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/csv.hpp"
#include "engine/formats/input_file.hpp"
#include "models/registry.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

fs::path shipped_scenarios() {
    if (const char* env = std::getenv("SOCIALTWIN_SCENARIOS"); env && *env) return env;
    return fs::path(shipped_scenario_dir());
}

// What `extends: NAME` can name, sorted.
std::vector<std::string> shipped_names() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(shipped_scenarios(), ec))
        if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

// "did you mean 'baseline'? The shipped scenarios are: ...".
std::string shipped_hint(std::string_view typed) {
    const std::vector<std::string> names = shipped_names();
    if (names.empty()) return "no shipped scenarios were found there";
    const std::vector<std::string_view> candidates(names.begin(), names.end());
    const std::string guess = did_you_mean(typed, candidates);
    return fmt::format("{}the shipped scenarios are: {}", guess.empty() ? "" : guess + " ",
                       fmt::join(names, ", "));
}

// yaml-cpp counts lines and columns from 0; editors and our messages from 1.
SourceLocation location(const std::string& file, const YAML::Mark& mark) {
    if (mark.line < 0) return where_in(file);
    return where_in(file, mark.line + 1, mark.column + 1);
}

void drop_key(DocNode& doc, std::string_view key) {
    if (doc.kind == DocNode::Kind::mapping)
        std::erase_if(doc.entries, [&](const DocEntry& e) { return e.key == key; });
}

// Reads scenario files and resolves `extends`, collecting problems instead of stopping at the
// first. Problems that leave no document to validate (unreadable file, syntax error, cycle) are
// `fatal`.
class DocumentReader {
public:
    // The merged document of `file`; `text` is its content when already in memory.
    std::optional<DocNode> read(const fs::path& file, std::optional<std::string_view> text) {
        return read(file, text, nullptr, {});
    }

    // Files of other kinds (sweep files) have no `extends` to follow.
    void ignore_extends() noexcept { follow_extends_ = false; }

    // A YAML value given outside any file (an override's), named `name` in messages: the
    // checks of a file's values, and no line or column, which would count within the value.
    std::optional<DocNode> read_value(std::string_view text, const std::string& name,
                                      const std::string& key_path) {
        YAML::Node yaml;
        try {
            yaml = YAML::Load(std::string{text});
            check_yaml_limits(yaml, name);
        } catch (const YAML::ParserException& e) {
            problems_.push_back(
                problem_at(where_in(name, 0, 0, key_path), "expected a YAML value: " + e.msg));
            return std::nullopt;
        } catch (const InputError& e) {
            for (const InputProblem& p : e.problems()) problems_.push_back(p);
            return std::nullopt;
        }
        DocNode value = convert(yaml, name, where_in(name), key_path);
        forget_places(value, name);
        return value;
    }

    std::vector<InputProblem>& problems() noexcept { return problems_; }
    bool fatal() const noexcept { return fatal_; }
    // The files read, the one asked for first, then its parent, and so on.
    const std::vector<std::string>& files() const noexcept { return files_; }

private:
    std::optional<DocNode> read(const fs::path& file, std::optional<std::string_view> text,
                                const SourceLocation* referred_from, std::vector<fs::path> chain) {
        const std::string name = file.string();
        std::string content;
        if (text) {
            content = std::string{*text};
        } else if (!read_text(file, content, referred_from)) {
            return std::nullopt;
        }
        files_.push_back(name);

        // Result files store the scenario's text in attributes typed UTF-8.
        if (const auto fault = first_text_fault(content)) {
            problems_.push_back(problem_at(where_in(name, fault->line, fault->column),
                                           "expected UTF-8 text, found " + fault->what,
                                           "is it a text file saved as UTF-8?"));
            fatal_ = true;
            return std::nullopt;
        }
        YAML::Node yaml;
        try {
            yaml = YAML::Load(content);
            // Before convert(), which expands every alias: a bomb or a cycle stops here.
            check_yaml_limits(yaml, name);
        } catch (const YAML::ParserException& e) {
            problems_.push_back(problem_at(location(name, e.mark), "YAML syntax error: " + e.msg));
            fatal_ = true;
            return std::nullopt;
        } catch (const InputError& e) {
            for (const InputProblem& p : e.problems()) problems_.push_back(p);
            fatal_ = true;
            return std::nullopt;
        }
        DocNode doc = convert(yaml, name, where_in(name, 1, 1), "");

        const DocNode* extends = follow_extends_ ? doc.find("extends") : nullptr;
        if (!extends || doc.kind != DocNode::Kind::mapping) return doc;
        if (extends->kind != DocNode::Kind::scalar || extends->text.empty()) return doc;
        // (The schema reports an `extends` that is not a path.)

        const fs::path parent_file = parent_path(file, extends->text);
        if (std::error_code ec; is_scenario_name(extends->text) && !fs::exists(parent_file, ec)) {
            problems_.push_back(problem_at(
                where_in(extends->where.file, extends->where.line, extends->where.column,
                         "extends"),
                fmt::format("no file '{}' beside this scenario and no shipped scenario of that "
                            "name in {}",
                            extends->text, shipped_scenarios().string()),
                shipped_hint(extends->text)));
            fatal_ = true;
            return std::nullopt;
        }
        chain.push_back(identity(file));
        const fs::path parent_id = identity(parent_file);
        if (const auto it = std::find(chain.begin(), chain.end(), parent_id); it != chain.end()) {
            std::string cycle;
            for (auto f = it; f != chain.end(); ++f) cycle += f->filename().string() + " -> ";
            cycle += parent_id.filename().string();
            problems_.push_back(problem_at(where_in(extends->where.file, extends->where.line,
                                                    extends->where.column, "extends"),
                                           fmt::format("a cycle: {}", cycle)));
            fatal_ = true;
            return std::nullopt;
        }
        SourceLocation from = extends->where;
        from.key_path = "extends";
        std::optional<DocNode> parent = read(parent_file, std::nullopt, &from, chain);
        if (!parent) return std::nullopt;
        // A base year is the 1 January its file's dataset describes: a file that names a
        // dataset of its own and no base year starts at that dataset's date, not at the
        // inherited one (which would only clash: `extends: baseline`, `dataset: nl-pc4-2021`).
        DocNode inherited = inheritable(std::move(*parent));
        if (doc.kind == DocNode::Kind::mapping && doc.find("dataset") && !doc.find("base_year"))
            drop_key(inherited, "base_year");
        return merge(std::move(inherited), without_extends(std::move(doc)));
    }

    bool read_text(const fs::path& file, std::string& content,
                   const SourceLocation* referred_from) {
        InputText input = read_input_file(file, yaml_input_limit);
        if (input.ok()) {
            content = std::move(input.text);
            return true;
        }
        fatal_ = true;
        if (referred_from)
            problems_.push_back(
                problem_at(*referred_from,
                           fmt::format("cannot open \"{}\" ({})", file.string(), input.why_not)));
        else
            problems_.push_back(problem_at(
                where_in(file.string()), fmt::format("cannot open the file ({})", input.why_not)));
        return false;
    }

    // A path (relative to the file, or absolute), or the name of a shipped scenario: a planner's
    // own file says `extends: baseline` without knowing where the repository is. A file of that
    // name (or that name .yaml) beside the scenario comes first: the planner's own baseline.
    static bool is_scenario_name(std::string_view text) {
        return !text.empty() && text.find_first_of("/.\\") == std::string_view::npos;
    }

    static fs::path parent_path(const fs::path& file, const std::string& extends) {
        const fs::path p{extends};
        if (p.is_absolute()) return p.lexically_normal();
        const fs::path beside = (file.parent_path() / p).lexically_normal();
        if (!is_scenario_name(extends)) return beside;
        std::error_code ec;
        for (const fs::path& candidate : {beside, fs::path(beside.string() + ".yaml"),
                                          shipped_scenarios() / (extends + ".yaml")})
            if (fs::exists(candidate, ec)) return candidate;
        return beside;
    }

    // The same file reached by different spellings must be recognised in a cycle.
    static fs::path identity(const fs::path& file) {
        std::error_code ec;
        fs::path p = fs::weakly_canonical(file, ec);
        return ec ? file.lexically_normal() : p;
    }

    // `path` is the node's key path (rates.fertility[0]), for problems found here.
    DocNode convert(const YAML::Node& yaml, const std::string& file, const SourceLocation& fallback,
                    const std::string& path) {
        DocNode node;
        node.where = location(file, yaml.Mark());
        // yaml-cpp places an empty value at the start of the next line; the key is clearer.
        if (node.where.line == 0 || yaml.IsNull()) node.where = fallback;
        switch (yaml.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                node.kind = DocNode::Kind::null;
                break;
            case YAML::NodeType::Scalar:
                node.kind = DocNode::Kind::scalar;
                node.text = yaml.Scalar();
                // "?" = a plain scalar, whose type is up to the reader; anything else was quoted
                // or tagged, and means text.
                node.quoted = yaml.Tag() != "?";
                check_text(node.text, node.where, path);
                break;
            case YAML::NodeType::Sequence:
                node.kind = DocNode::Kind::sequence;
                for (const YAML::Node& item : yaml)
                    node.items.push_back(convert(item, file, node.where,
                                                 fmt::format("{}[{}]", path, node.items.size())));
                break;
            case YAML::NodeType::Map:
                node.kind = DocNode::Kind::mapping;
                for (auto it = yaml.begin(); it != yaml.end(); ++it) {
                    const SourceLocation key_where = location(file, it->first.Mark());
                    if (!it->first.IsScalar()) {
                        problems_.push_back(problem_at(key_where, "expected a plain key name"));
                        continue;
                    }
                    DocEntry entry;
                    entry.key = it->first.Scalar();
                    entry.key_where = key_where;
                    const std::string entry_path =
                        path.empty() ? entry.key : path + "." + entry.key;
                    check_text(entry.key, key_where, entry_path);
                    for (const DocEntry& earlier : node.entries) {
                        if (earlier.key != entry.key) continue;
                        SourceLocation at = key_where;
                        at.key_path = entry.key;
                        problems_.push_back(
                            problem_at(at, fmt::format("key written twice (also on line {})",
                                                       earlier.key_where.line)));
                        break;
                    }
                    entry.value = convert(it->second, file, key_where, entry_path);
                    node.entries.push_back(std::move(entry));
                }
                break;
        }
        return node;
    }

    // The file's bytes are checked before parsing, but an escape in a quoted scalar ("\0")
    // can still put a NUL byte into a value. (yaml-cpp itself refuses "\uD800".)
    void check_text(const std::string& text, const SourceLocation& where, const std::string& path) {
        const auto fault = first_text_fault(text);
        if (!fault) return;
        SourceLocation at = where;
        at.key_path = path;
        problems_.push_back(problem_at(
            at, fmt::format("expected UTF-8 text, found {} (written as an escape)", fault->what)));
    }

    // A parent's keys that the schema does not pass on to the files extending it (the name and
    // description of the parent scenario are not those of the child).
    static DocNode inheritable(DocNode parent) {
        if (parent.kind != DocNode::Kind::mapping) return parent;
        std::erase_if(parent.entries, [](const DocEntry& e) {
            const SchemaKey* key = find_schema_key(e.key);
            return key && !key->inherited;
        });
        return parent;
    }

    static DocNode without_extends(DocNode doc) {
        std::erase_if(doc.entries, [](const DocEntry& e) { return e.key == "extends"; });
        return doc;
    }

    // Mappings merge key by key; anything else in the child replaces the parent's value.
    static DocNode merge(DocNode parent, DocNode child) {
        if (parent.kind != DocNode::Kind::mapping || child.kind != DocNode::Kind::mapping)
            return child;
        for (DocEntry& c : child.entries) {
            auto it = std::find_if(parent.entries.rbegin(), parent.entries.rend(),
                                   [&](const DocEntry& p) { return p.key == c.key; });
            if (it == parent.entries.rend()) {
                parent.entries.push_back(std::move(c));
                continue;
            }
            it->value = merge(std::move(it->value), std::move(c.value));
            it->key_where = c.key_where;
        }
        // A problem about the mapping as a whole (a missing key) belongs to the child's file.
        parent.where = child.where;
        return parent;
    }

    static void forget_places(DocNode& node, const std::string& name) {
        node.where = where_in(name);
        for (DocNode& item : node.items) forget_places(item, name);
        for (DocEntry& e : node.entries) {
            e.key_where = where_in(name);
            forget_places(e.value, name);
        }
    }

    std::vector<InputProblem> problems_;
    std::vector<std::string> files_;
    bool fatal_ = false;
    bool follow_extends_ = true;
};

// ---------------------------------------------------------------------------------------------
// Overrides

// The name an override goes by in messages: the argument as typed on the command line.
std::string override_name(std::string_view argument) { return fmt::format("--set {}", argument); }

struct KeyStep {
    std::string name;
    std::optional<std::size_t> index;  // name[i]
};

// "construction[0].dwellings" -> {construction, 0}, {dwellings}; nullopt when malformed.
std::optional<std::vector<KeyStep>> key_steps(std::string_view key) {
    std::vector<KeyStep> steps;
    while (true) {
        const auto dot = key.find('.');
        std::string_view part = key.substr(0, dot);
        KeyStep step;
        if (const auto open = part.find('['); open != std::string_view::npos) {
            if (part.back() != ']' || open + 2 > part.size() - 1) return std::nullopt;
            const std::string_view digits = part.substr(open + 1, part.size() - open - 2);
            if (!std::all_of(digits.begin(), digits.end(),
                             [](char c) { return c >= '0' && c <= '9'; }) ||
                digits.size() > 6)
                return std::nullopt;
            step.index = static_cast<std::size_t>(std::stoul(std::string{digits}));
            part = part.substr(0, open);
        }
        if (part.empty()) return std::nullopt;
        step.name = std::string{part};
        steps.push_back(std::move(step));
        if (dot == std::string_view::npos) return steps;
        key.remove_prefix(dot + 1);
    }
}

// Puts the override's value into `doc` at its key, making the mappings on the way that the file
// does not have. A key the schema does not know is put in too: validation then reports it with
// "did you mean", as it would in the file.
void apply_override(DocNode& doc, const ScenarioOverride& o, std::vector<InputProblem>& problems) {
    const SourceLocation at = where_in(override_name(o.argument), 0, 0, o.key);
    const auto steps = key_steps(o.key);
    if (!steps) {
        problems.push_back(problem_at(at,
                                      "expected a key path such as rates.fertility.factor "
                                      "or construction[0].dwellings"));
        return;
    }
    if (steps->front().name == "extends") {
        problems.push_back(problem_at(at,
                                      "`extends` cannot be set: it names the files the "
                                      "scenario is read from; give that file instead"));
        return;
    }
    DocNode* node = &doc;
    std::string path;
    for (const KeyStep& step : *steps) {
        if (node->kind == DocNode::Kind::null) {
            node->kind = DocNode::Kind::mapping;
            node->where = at;
        }
        if (node->kind != DocNode::Kind::mapping) {
            problems.push_back(
                problem_at(at,
                           fmt::format("{} is {} in the scenario, so it has no key '{}'",
                                       path.empty() ? "the scenario" : path,
                                       node->kind == DocNode::Kind::sequence ? "a list" : "a value",
                                       step.name),
                           node->kind == DocNode::Kind::sequence
                               ? fmt::format("set one item's key, e.g. {}[0].{}", path, step.name)
                               : std::string{}));
            return;
        }
        path += (path.empty() ? "" : ".") + step.name;
        auto it = std::find_if(node->entries.rbegin(), node->entries.rend(),
                               [&](const DocEntry& e) { return e.key == step.name; });
        if (it == node->entries.rend()) {
            node->entries.push_back({step.name, at, DocNode{}});
            node->entries.back().value.where = at;
            node = &node->entries.back().value;
        } else {
            node = &it->value;
        }
        if (!step.index) continue;
        const std::size_t i = *step.index;
        if (node->kind == DocNode::Kind::null) node->kind = DocNode::Kind::sequence;
        const std::size_t size = node->kind == DocNode::Kind::sequence ? node->items.size() : 0;
        if (node->kind != DocNode::Kind::sequence || i > size) {
            problems.push_back(problem_at(
                at, node->kind == DocNode::Kind::sequence
                        ? fmt::format("{} has {} item{}: index {} is neither one of them nor the "
                                      "next",
                                      path, size, size == 1 ? "" : "s", i)
                        : fmt::format("{} is not a list in the scenario", path)));
            return;
        }
        if (i == size) {
            node->items.emplace_back();
            node->items.back().where = at;
        }
        node = &node->items[i];
        path += fmt::format("[{}]", i);
    }
    *node = o.value;
}

// ---------------------------------------------------------------------------------------------
// Building the Scenario from a valid document

// By value: the fallback is often a temporary.
std::string text_of(const DocNode* n, std::string_view fallback) {
    return n && n->kind == DocNode::Kind::scalar ? n->text : std::string{fallback};
}

template <typename T>
T integer_of(const DocNode* n, T fallback) {
    if (!n) return fallback;
    const auto v = integer_value(*n);
    return v ? static_cast<T>(*v) : fallback;
}

double number_of(const DocNode* n, double fallback) {
    if (!n) return fallback;
    return number_value(*n).value_or(fallback);
}

RateChange rate_change(const DocNode& node) {
    RateChange c;
    c.factor = number_of(node.find("factor"), c.factor);
    c.trend = number_of(node.find("trend"), c.trend);
    c.from_year = integer_of(node.find("from"), c.from_year);
    c.to_year = integer_of(node.find("to"), c.to_year);
    if (const DocNode* ages = node.find("ages"); ages && ages->items.size() == 2) {
        c.age_min = integer_of(&ages->items[0], c.age_min);
        c.age_max = integer_of(&ages->items[1], c.age_max);
    }
    if (const DocNode* sex = node.find("sex"))
        c.sex = sex_filter_names.from_string(sex->text).value_or(c.sex);
    return c;
}

// A dataset path is written relative to the file that sets it, but the dataset loader looks
// relative to the scenario file it was given: rewrite a path inherited from a parent in
// another folder so it still points at the same place. Names stay as they are.
// The folder a relative path is read from: that of the file the value was written in, or for a
// value given on the command line (line 0: in no file), the current folder.
fs::path declared_folder(const SourceLocation& where) {
    if (where.line == 0) return fs::current_path();
    return fs::path{where.file}.parent_path();
}

std::string dataset_path(const DocNode& value, const fs::path& file) {
    const fs::path p{value.text};
    if (value.text.find('/') == std::string::npos || p.is_absolute()) return value.text;
    const fs::path declared_in = declared_folder(value.where);
    const fs::path loaded_from = file.parent_path();
    if (fs::absolute(declared_in).lexically_normal() ==
        fs::absolute(loaded_from).lexically_normal())
        return value.text;
    const fs::path target = fs::absolute(declared_in / p).lexically_normal();
    return target.lexically_relative(fs::absolute(loaded_from).lexically_normal()).generic_string();
}

// The value at a dotted key path ("housing.frictional_vacancy"), or nullptr.
const DocNode* find_path(const DocNode& doc, std::string_view path) {
    const DocNode* node = &doc;
    while (node) {
        const auto dot = path.find('.');
        node = node->find(path.substr(0, dot));
        if (dot == std::string_view::npos) return node;
        path.remove_prefix(dot + 1);
    }
    return nullptr;
}

// The values the document gives for the declared parameters (models/registry.hpp), read the
// same way for every key: numbers and integers as numbers (the schema has checked that an
// integer is whole), choices as their text.
ParameterValues parameter_values(const DocNode& doc) {
    ParameterValues values;
    for (const ParameterTable* table : declared_parameters())
        for (const ParameterDeclaration& d : table->declarations()) {
            const DocNode* node = find_path(doc, d.path);
            if (!node || node->kind != DocNode::Kind::scalar) continue;
            if (d.kind == ParameterKind::number || d.kind == ParameterKind::integer) {
                if (const auto v = number_value(*node)) values.set(std::string{d.path}, *v);
            } else if (d.kind == ParameterKind::choice) {
                values.set(std::string{d.path}, node->text);
            }
        }
    return values;
}

Scenario build(const DocNode& doc, const fs::path& file) {
    Scenario s;
    s.name = file.stem().string();
    if (const DocNode* n = doc.find("name"); n && n->kind == DocNode::Kind::scalar)
        s.name = n->text;
    s.description = text_of(doc.find("description"), "");
    if (const DocNode* d = doc.find("dataset")) s.dataset = dataset_path(*d, file);
    s.base_year = integer_of(doc.find("base_year"), s.base_year);
    s.horizon = integer_of(doc.find("horizon"), s.horizon);
    if (const DocNode* seed = doc.find("seed")) s.seed = unsigned_value(*seed).value_or(s.seed);
    if (const DocNode* core = doc.find("core"))
        s.core = core_names.from_string(core->text).value_or(s.core);
    s.replicates = integer_of(doc.find("replicates"), s.replicates);

    if (const DocNode* rates = doc.find("rates")) {
        // The schema has checked that every key is a declared lever.
        for (const DocEntry& e : rates->entries) {
            std::vector<RateChange> changes;
            if (e.value.kind == DocNode::Kind::mapping) changes.push_back(rate_change(e.value));
            for (const DocNode& item : e.value.items) changes.push_back(rate_change(item));
            if (changes.empty())
                s.rate_changes.erase(e.key);
            else
                s.rate_changes[e.key] = std::move(changes);
        }
    }

    if (const DocNode* construction = doc.find("construction")) {
        for (std::size_t i = 0; i < construction->items.size(); ++i) {
            const DocNode& item = construction->items[i];
            ConstructionProject p;
            p.name = text_of(item.find("name"), "");
            p.year = integer_of(item.find("year"), p.year);
            p.area = text_of(item.find("area"), "");
            p.dwellings = number_of(item.find("dwellings"), p.dwellings);
            if (const DocNode* type = item.find("type"))
                p.type = dwelling_type_names.from_string(type->text).value_or(p.type);
            if (const DocNode* tenure = item.find("tenure"))
                p.tenure = tenure_names.from_string(tenure->text);
            p.occupancy = number_of(item.find("occupancy"), p.occupancy);
            p.intended_for = text_of(item.find("for"), "");
            p.where = item.where;
            p.where.key_path = fmt::format("construction[{}]", i);
            s.construction.push_back(std::move(p));
        }
    }

    if (const DocNode* facilities = doc.find("facilities")) {
        // Each change remembers its place, for problems found with the dataset (unknown ids).
        const auto items = [&](std::string_view list, auto add) {
            const DocNode* node = facilities->find(list);
            if (!node) return;
            for (std::size_t i = 0; i < node->items.size(); ++i) {
                SourceLocation where = node->items[i].where;
                where.key_path = fmt::format("facilities.{}[{}]", list, i);
                add(node->items[i], std::move(where));
            }
        };
        FacilityChanges& f = s.facilities;
        items("open", [&](const DocNode& item, SourceLocation where) {
            f.open.push_back({.id = text_of(item.find("id"), ""),
                              .type = text_of(item.find("type"), ""),
                              .area = text_of(item.find("area"), ""),
                              .year = integer_of(item.find("year"), 0),
                              .capacity = number_of(item.find("capacity"), 0.0),
                              .name = text_of(item.find("name"), ""),
                              .where = std::move(where)});
        });
        items("close", [&](const DocNode& item, SourceLocation where) {
            f.close.push_back({.facility = text_of(item.find("facility"), ""),
                               .year = integer_of(item.find("year"), 0),
                               .where = std::move(where)});
        });
        items("resize", [&](const DocNode& item, SourceLocation where) {
            f.resize.push_back({.facility = text_of(item.find("facility"), ""),
                                .year = integer_of(item.find("year"), 0),
                                .capacity = number_of(item.find("capacity"), 0.0),
                                .where = std::move(where)});
        });
    }

    if (const DocNode* align = doc.find("align")) {
        for (std::size_t i = 0; i < align->items.size(); ++i) {
            const DocNode& item = align->items[i];
            AlignmentTable t;
            // Relative to the file that names it, which may be a parent the scenario extends.
            if (const DocNode* table = item.find("table")) {
                const fs::path p{table->text};
                t.table = (p.is_absolute() ? p : declared_folder(table->where) / p)
                              .lexically_normal()
                              .string();
            }
            t.level = text_of(item.find("level"), "");
            t.from_year = integer_of(item.find("from"), 0);
            t.to_year = integer_of(item.find("to"), 0);
            t.where = item.where;
            t.where.key_path = fmt::format("align[{}]", i);
            s.alignment.push_back(std::move(t));
        }
    }

    s.parameters = parameter_values(doc);
    scenario_parameters().bind(s, s.parameters);
    return s;
}

// ---------------------------------------------------------------------------------------------
// Re-emitting the merged document

// `flow`: everything on one line (flow_yaml); otherwise lists of mappings stay blocks.
void emit(YAML::Emitter& out, const DocNode& node, bool flow = false) {
    switch (node.kind) {
        case DocNode::Kind::null:
            out << YAML::Null;
            return;
        case DocNode::Kind::scalar:
            if (node.text.find('\n') != std::string::npos)
                out << (flow ? YAML::DoubleQuoted : YAML::Literal) << node.text;
            else if (node.quoted)
                out << YAML::DoubleQuoted << node.text;
            else
                out << node.text;
            return;
        case DocNode::Kind::sequence: {
            // [65, 105] stays on one line; lists of mappings stay blocks.
            const bool flat =
                std::all_of(node.items.begin(), node.items.end(), [](const DocNode& i) {
                    return i.kind == DocNode::Kind::scalar || i.kind == DocNode::Kind::null;
                });
            out << (flat || flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
            for (const DocNode& item : node.items) emit(out, item, flow);
            out << YAML::EndSeq;
            return;
        }
        case DocNode::Kind::mapping:
            if (flow) out << YAML::Flow;
            out << YAML::BeginMap;
            for (const DocEntry& e : node.entries) {
                out << YAML::Key << e.key << YAML::Value;
                emit(out, e.value, flow);
            }
            out << YAML::EndMap;
            return;
    }
}

std::string source_text(const DocNode& doc, const std::vector<std::string>& files,
                        std::span<const ScenarioOverride> overrides) {
    std::string text = fmt::format("# Scenario read from {}", files.front());
    for (std::size_t i = 1; i < files.size(); ++i)
        text += fmt::format("\n#   which extends {}", files[i]);
    for (const ScenarioOverride& o : overrides) text += "\n#   with " + override_name(o.argument);
    text += "\n";
    if (doc.kind == DocNode::Kind::mapping && doc.entries.empty()) return text + "{}\n";
    // Top-level keys in schema order (name first), wherever the merge put them.
    DocNode ordered = doc;
    const auto rank = [](const DocEntry& e) {
        const auto keys = scenario_schema();
        return std::find_if(keys.begin(), keys.end(),
                            [&](const SchemaKey& k) { return k.path == e.key; }) -
               keys.begin();
    };
    std::stable_sort(ordered.entries.begin(), ordered.entries.end(),
                     [&](const DocEntry& a, const DocEntry& b) { return rank(a) < rank(b); });
    YAML::Emitter out;
    emit(out, ordered);
    return text + out.c_str() + "\n";
}

// Problems in the order a reader fixes them: the file asked for first, then its parents, each
// from top to bottom.
void sort_problems(std::vector<InputProblem>& problems, const std::vector<std::string>& files) {
    const auto rank = [&](const std::string& f) {
        return std::find(files.begin(), files.end(), f) - files.begin();
    };
    std::stable_sort(problems.begin(), problems.end(),
                     [&](const InputProblem& a, const InputProblem& b) {
                         return std::tuple(rank(a.where.file), a.where.line, a.where.column) <
                                std::tuple(rank(b.where.file), b.where.line, b.where.column);
                     });
}

struct LoadResult {
    std::optional<Scenario> scenario;
    std::vector<InputProblem> problems;
};

// The overrides in turn. As with `extends`, `--set dataset=...` without `--set base_year=...`
// starts at the new dataset's date: the file's base year was its dataset's.
void apply_overrides(DocNode& doc, std::span<const ScenarioOverride> overrides,
                     std::vector<InputProblem>& problems) {
    const auto sets = [&](std::string_view key) {
        return std::any_of(overrides.begin(), overrides.end(),
                           [&](const ScenarioOverride& o) { return o.key == key; });
    };
    if (sets("dataset") && !sets("base_year")) drop_key(doc, "base_year");
    for (const ScenarioOverride& o : overrides) apply_override(doc, o, problems);
}

LoadResult load(const fs::path& file, std::optional<std::string_view> text,
                std::span<const ScenarioOverride> overrides = {}) {
    DocumentReader reader;
    std::optional<DocNode> doc = reader.read(file, text);
    LoadResult result;
    result.problems = std::move(reader.problems());
    if (!doc || reader.fatal()) return result;
    // An override needs a mapping to go into; a file that is not one is reported by the schema.
    if (doc->kind == DocNode::Kind::mapping || doc->kind == DocNode::Kind::null)
        apply_overrides(*doc, overrides, result.problems);
    for (InputProblem& p : validate_scenario_document(*doc))
        result.problems.push_back(std::move(p));
    sort_problems(result.problems, reader.files());
    if (!result.problems.empty()) return result;
    result.scenario = build(*doc, file);
    result.scenario->source_path = file.string();
    result.scenario->source_text = source_text(*doc, reader.files(), overrides);
    return result;
}

Scenario scenario_or_throw(LoadResult result) {
    if (!result.scenario) throw_input_problems(std::move(result.problems));
    return std::move(*result.scenario);
}

}  // namespace

std::vector<fs::path> scenario_files(const fs::path& file) {
    DocumentReader reader;
    reader.read(file, std::nullopt);
    return {reader.files().begin(), reader.files().end()};
}

Scenario load_scenario(const fs::path& file) { return scenario_or_throw(load(file, std::nullopt)); }

Scenario load_scenario(const fs::path& file, std::span<const ScenarioOverride> overrides) {
    return scenario_or_throw(load(file, std::nullopt, overrides));
}

ScenarioOverride parse_override(std::string_view argument) {
    const std::string name = override_name(argument);
    const auto equals = argument.find('=');
    if (equals == std::string_view::npos || equals == 0)
        throw InputError(problem_at(where_in(name), "expected KEY=VALUE",
                                    "e.g. --set rates.fertility.factor=0.9 or --set horizon=10"));
    ScenarioOverride o;
    o.argument = std::string{argument};
    o.key = std::string{argument.substr(0, equals)};
    DocumentReader reader;
    std::optional<DocNode> value = reader.read_value(argument.substr(equals + 1), name, o.key);
    if (!value) throw_input_problems(std::move(reader.problems()));
    o.value = std::move(*value);
    return o;
}

std::string scenario_hash(const Scenario& scenario) {
    std::string_view text = scenario.source_text;
    while (text.starts_with('#')) {
        const auto end = text.find('\n');
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bits
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return fmt::format("{:016x}", hash);
}

std::string flow_yaml(const DocNode& node) {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    emit(out, node, true);
    return out.c_str();
}

DocNode read_yaml_document(const fs::path& file) {
    DocumentReader reader;
    reader.ignore_extends();
    std::optional<DocNode> doc = reader.read(file, std::nullopt);
    if (!doc || reader.fatal() || !reader.problems().empty())
        throw_input_problems(std::move(reader.problems()));
    return std::move(*doc);
}

Scenario load_scenario_from_string(std::string_view yaml, const fs::path& as_file) {
    return scenario_or_throw(load(as_file, yaml));
}

std::vector<InputProblem> validate_scenario_file(const fs::path& file,
                                                 std::span<const ScenarioOverride> overrides) {
    return load(file, std::nullopt, overrides).problems;
}

DocNode read_scenario_document(const fs::path& file) {
    DocumentReader reader;
    std::optional<DocNode> doc = reader.read(file, std::nullopt);
    if (!doc || reader.fatal()) throw_input_problems(std::move(reader.problems()));
    return std::move(*doc);
}

}  // namespace socialtwin
