#include "engine/sweep/sweep_plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "engine/core/suggest.hpp"
#include "engine/formats/csv.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// More tasks than this is a typo in a range's step, not a sweep.
constexpr std::size_t max_tasks = 100000;
constexpr std::int64_t max_replicates = 1000;

constexpr std::array<std::string_view, 7> sweep_keys{"name",   "description", "base",  "vary",
                                                     "sample", "replicates",  "output"};
constexpr std::array<std::string_view, 3> range_keys{"from", "to", "step"};
constexpr std::array<std::string_view, 3> sample_keys{"method", "n", "seed"};
constexpr std::array<std::string_view, 2> sample_methods{"random", "latin_hypercube"};

// What a value was, for "expected ..., got ..." messages.
std::string got(const DocNode& n) {
    switch (n.kind) {
        case DocNode::Kind::null:
            return "nothing";
        case DocNode::Kind::scalar:
            return n.quoted ? fmt::format("\"{}\"", n.text) : n.text;
        case DocNode::Kind::mapping:
            return "a mapping";
        case DocNode::Kind::sequence:
            return "a list";
    }
    return "?";
}

class Checker {
public:
    // Problems in the order of the file, as a reader fixes them.
    void throw_problems() {
        std::stable_sort(problems.begin(), problems.end(),
                         [](const InputProblem& a, const InputProblem& b) {
                             return std::tuple(a.where.file, a.where.line, a.where.column) <
                                    std::tuple(b.where.file, b.where.line, b.where.column);
                         });
        throw_input_problems(std::move(problems));
    }

    void add(SourceLocation where, std::string key, std::string message, std::string hint = {}) {
        where.key_path = std::move(key);
        problems.push_back(problem_at(std::move(where), std::move(message), std::move(hint)));
    }

    // Reports the keys of `map` that are not `allowed`, with "did you mean".
    template <std::size_t N>
    void known_keys(const DocNode& map, const std::array<std::string_view, N>& allowed,
                    const std::string& prefix) {
        const std::vector<std::string_view> names(allowed.begin(), allowed.end());
        for (const DocEntry& e : map.entries)
            if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
                add(e.key_where, prefix + e.key,
                    fmt::format("unknown key (expected one of: {})", fmt::join(names, ", ")),
                    did_you_mean(e.key, names));
    }

    std::optional<double> number(const DocNode* n, const std::string& key) {
        if (!n) return std::nullopt;
        if (const auto v = number_value(*n)) return v;
        add(n->where, key, fmt::format("expected a number, got {}", got(*n)));
        return std::nullopt;
    }

    std::optional<std::int64_t> whole(const DocNode* n, const std::string& key, std::int64_t min,
                                      std::int64_t max) {
        if (!n) return std::nullopt;
        const auto v = integer_value(*n);
        if (v && *v >= min && *v <= max) return v;
        add(n->where, key,
            fmt::format("expected a whole number in {}..{}, got {}", min, max, got(*n)));
        return std::nullopt;
    }

    std::optional<std::string> text(const DocNode* n, const std::string& key) {
        if (!n) return std::nullopt;
        if (n->kind == DocNode::Kind::scalar && !n->text.empty()) return n->text;
        add(n->where, key, fmt::format("expected text, got {}", got(*n)));
        return std::nullopt;
    }

    std::vector<InputProblem> problems;
};

// A number as a value a scenario reads back the same: 12 significant digits, so that 0.1 steps
// give 0.3 and not 0.30000000000000004.
DocNode number_node(double value, const SourceLocation& where) {
    DocNode n;
    n.kind = DocNode::Kind::scalar;
    n.text = fmt::format("{:.12g}", value);
    n.where = where;
    return n;
}

// One entry of vary:, read.
struct VaryEntry {
    SweepParameter parameter;
    std::vector<DocNode> values;  // a list's items or a range's steps (empty when sampled)
    double from = 0, to = 0;      // a range's bounds
};

// Counter-based, so a sample is the same on every platform: std's distributions are not.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

private:
    std::uint64_t state_;
};

// n points in the box of the ranges: independent uniform draws, or a Latin hypercube (each
// range cut into n equal strata, each stratum used once, strata matched at random).
std::vector<std::vector<DocNode>> sample_variants(const std::vector<VaryEntry>& vary,
                                                  std::string_view method, std::size_t n,
                                                  std::uint64_t seed) {
    SplitMix64 random(seed);
    std::vector<std::vector<DocNode>> variants(n);
    if (method == "random") {
        for (auto& variant : variants)
            for (const VaryEntry& e : vary)
                variant.push_back(
                    number_node(e.from + (e.to - e.from) * random.unit(), e.parameter.where));
        return variants;
    }
    for (const VaryEntry& e : vary) {
        std::vector<std::size_t> strata(n);
        std::iota(strata.begin(), strata.end(), std::size_t{0});
        for (std::size_t i = n; i > 1; --i)  // Fisher-Yates
            std::swap(strata[i - 1], strata[random.next() % i]);
        for (std::size_t i = 0; i < n; ++i) {
            const double u =
                (static_cast<double>(strata[i]) + random.unit()) / static_cast<double>(n);
            variants[i].push_back(number_node(e.from + (e.to - e.from) * u, e.parameter.where));
        }
    }
    return variants;
}

// Every combination of the entries' values, the first entry changing slowest.
std::vector<std::vector<DocNode>> grid_variants(const std::vector<VaryEntry>& vary) {
    std::vector<std::vector<DocNode>> variants{{}};
    for (const VaryEntry& e : vary) {
        std::vector<std::vector<DocNode>> next;
        for (const auto& variant : variants)
            for (const DocNode& value : e.values) {
                next.push_back(variant);
                next.back().push_back(value);
            }
        variants = std::move(next);
    }
    return variants;
}

std::string short_hash(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    // FNV-1a alone leaves similar texts with similar hashes; one SplitMix64 step spreads them.
    hash = SplitMix64(hash).next();
    return fmt::format("{:08x}", static_cast<std::uint32_t>(hash >> 32));
}

// A problem of a task's resolved scenario, at the vary: entry whose value made it; problems of
// the base scenario itself stay where they are.
InputProblem at_vary_entry(InputProblem p, const std::vector<VaryEntry>& vary,
                           const std::vector<DocNode>& values, const SweepTask& task) {
    for (std::size_t i = 0; i < vary.size(); ++i) {
        if (p.where.file != "--set " + task.set_arguments[i]) continue;
        const std::string key = p.where.key_path;
        p.where = values[i].where;
        p.where.key_path = fmt::format("vary.{}", key);
        p.message = fmt::format("{} = {}: {}", vary[i].parameter.key, task.values[i], p.message);
        return p;
    }
    return p;
}

}  // namespace

std::string coordinate_name(std::string_view key) {
    if (key.starts_with("rates.")) key.remove_prefix(6);
    std::string name;
    for (const char c : key) {
        const bool separator = c == '.' || c == '[' || c == ']';
        if (!separator)
            name += c;
        else if (!name.empty() && name.back() != '_')
            name += '_';
    }
    while (!name.empty() && name.back() == '_') name.pop_back();
    return name;
}

fs::path tasks_folder(const SweepPlan& plan) { return plan.output / "tasks"; }

SweepPlan plan_sweep(const fs::path& file) {
    const DocNode doc = read_yaml_document(file);
    Checker check;
    const std::string name = file.string();
    if (doc.kind != DocNode::Kind::mapping) {
        check.add(where_in(name, 1, 1), "",
                  fmt::format("expected a sweep (a mapping with base:, vary:, output:), got {}",
                              got(doc)));
        check.throw_problems();
    }
    check.known_keys(doc, sweep_keys, "");
    const fs::path folder = fs::absolute(file).parent_path();
    const auto path_key = [&](std::string_view key) -> std::optional<fs::path> {
        const DocNode* n = doc.find(key);
        if (!n) {
            check.add(doc.where, std::string{key}, "missing: required");
            return std::nullopt;
        }
        const auto text = check.text(n, std::string{key});
        if (!text) return std::nullopt;
        return (folder / *text).lexically_normal();
    };

    SweepPlan plan;
    plan.file = file;
    plan.name = check.text(doc.find("name"), "name").value_or(file.stem().string());
    const auto base = path_key("base");
    if (base && !fs::is_regular_file(*base))
        check.add(doc.find("base")->where, "base",
                  fmt::format("no scenario file {} (a path relative to the sweep file's folder)",
                              base->string()));
    const auto output = path_key("output");
    plan.replicates = static_cast<int>(
        check.whole(doc.find("replicates"), "replicates", 1, max_replicates).value_or(1));

    // sample: {method, n, seed}
    const DocNode* sample = doc.find("sample");
    std::optional<std::string> method;
    std::size_t sample_size = 0;
    std::uint64_t sample_seed = 0;
    if (sample) {
        if (sample->kind != DocNode::Kind::mapping) {
            check.add(sample->where, "sample",
                      fmt::format("expected a mapping {{method: random|latin_hypercube, n: ..., "
                                  "seed: ...}}, got {}",
                                  got(*sample)));
        } else {
            check.known_keys(*sample, sample_keys, "sample.");
            const DocNode* m = sample->find("method");
            if (!m)
                check.add(sample->where, "sample.method",
                          "missing: expected random or latin_hypercube");
            else if (m->kind != DocNode::Kind::scalar ||
                     std::find(sample_methods.begin(), sample_methods.end(), m->text) ==
                         sample_methods.end())
                check.add(m->where, "sample.method",
                          fmt::format("expected random or latin_hypercube, got {}", got(*m)),
                          did_you_mean(m->text, {sample_methods.begin(), sample_methods.end()}));
            else
                method = m->text;
            if (!sample->find("n"))
                check.add(sample->where, "sample.n",
                          "missing: expected the number of variants to draw");
            sample_size = static_cast<std::size_t>(
                check.whole(sample->find("n"), "sample.n", 1, max_tasks).value_or(0));
            if (const DocNode* s = sample->find("seed")) {
                if (const auto v = unsigned_value(*s))
                    sample_seed = *v;
                else
                    check.add(s->where, "sample.seed",
                              fmt::format("expected a whole number 0..2^64-1, got {}", got(*s)));
            }
        }
    }

    // vary: KEY: [values] | {from, to, step}
    std::vector<VaryEntry> vary;
    const DocNode* vary_node = doc.find("vary");
    if (!vary_node) {
        check.add(doc.where, "vary",
                  "missing: expected the scenario keys to vary, e.g. "
                  "rates.fertility.factor: [0.9, 1.0, 1.1]");
    } else if (vary_node->kind != DocNode::Kind::mapping || vary_node->entries.empty()) {
        check.add(vary_node->where, "vary",
                  fmt::format("expected a mapping of scenario keys to lists or ranges, got {}",
                              got(*vary_node)));
    } else {
        std::map<std::string, std::string> coordinates;  // name -> key
        for (const DocEntry& e : vary_node->entries) {
            const std::string key = "vary." + e.key;
            VaryEntry entry;
            entry.parameter = {e.key, coordinate_name(e.key), e.key_where};
            if (const auto [it, fresh] = coordinates.emplace(entry.parameter.coordinate, e.key);
                !fresh)
                check.add(e.key_where, key,
                          fmt::format("its coordinate name '{}' is also that of {}",
                                      entry.parameter.coordinate, it->second));
            const DocNode& v = e.value;
            if (v.kind == DocNode::Kind::sequence) {
                if (sample)
                    check.add(v.where, key,
                              "expected a range {from: ..., to: ...} with sample: (values are "
                              "drawn between from and to), got a list");
                else if (v.items.empty())
                    check.add(v.where, key, "expected at least one value, got an empty list");
                std::set<std::string> seen;
                for (const DocNode& item : v.items)
                    if (!seen.insert(flow_yaml(item)).second)
                        check.add(item.where, key, fmt::format("{} is listed twice", got(item)));
                entry.values = v.items;
            } else if (v.kind == DocNode::Kind::mapping) {
                check.known_keys(v, range_keys, key + ".");
                const auto from = check.number(v.find("from"), key + ".from");
                const auto to = check.number(v.find("to"), key + ".to");
                const auto step = check.number(v.find("step"), key + ".step");
                if (!v.find("from") || !v.find("to"))
                    check.add(v.where, key, "a range needs from: and to:");
                if (from && to && *to < *from)
                    check.add(
                        v.find("to")->where, key + ".to",
                        fmt::format("expected a number not below from ({}), got {}", *from, *to));
                if (sample && v.find("step"))
                    check.add(v.find("step")->where, key + ".step",
                              "not used with sample: (values are drawn between from and to)");
                else if (!sample && !v.find("step"))
                    check.add(v.where, key, "a range needs step: (or draw values with sample:)");
                else if (step && *step <= 0)
                    check.add(v.find("step")->where, key + ".step",
                              fmt::format("expected a number above 0, got {}", *step));
                entry.from = from.value_or(0);
                entry.to = to.value_or(0);
                if (!sample && from && to && step && *step > 0 && *to >= *from) {
                    const double count = std::floor((*to - *from) / *step + 1e-9) + 1;
                    if (count > static_cast<double>(max_tasks))
                        check.add(
                            v.find("step")->where, key + ".step",
                            fmt::format("gives {} values; expected at most {}", count, max_tasks));
                    else
                        for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i)
                            entry.values.push_back(
                                number_node(*from + static_cast<double>(i) * *step, v.where));
                }
            } else {
                check.add(v.where, key,
                          fmt::format("expected a list of values [a, b, ...] or a range {{from: "
                                      "..., to: ..., step: ...}}, got {}",
                                      got(v)));
            }
            vary.push_back(std::move(entry));
        }
    }
    if (!check.problems.empty()) check.throw_problems();

    plan.base = *base;
    plan.output = *output;
    for (const VaryEntry& e : vary) plan.parameters.push_back(e.parameter);
    const auto variants =
        method ? sample_variants(vary, *method, sample_size, sample_seed) : grid_variants(vary);
    if (variants.size() * static_cast<std::size_t>(plan.replicates) > max_tasks)
        check.add(vary_node->where, "vary",
                  fmt::format("{} variants x {} replicates: expected at most {} tasks",
                              variants.size(), plan.replicates, max_tasks));
    if (!check.problems.empty()) check.throw_problems();
    plan.variants = variants.size();

    // Each task's resolved scenario, checked by the scenario schema through the same --set
    // arguments `socialtwin run` will be given, so that its hash is the one the run stores.
    std::set<std::string> reported, variant_ids;
    for (std::size_t v = 0; v < variants.size(); ++v) {
        SweepTask task;
        task.variant = v;
        std::vector<std::string> sorted;
        for (std::size_t i = 0; i < vary.size(); ++i) {
            task.values.push_back(flow_yaml(variants[v][i]));
            task.set_arguments.push_back(vary[i].parameter.key + "=" + task.values.back());
            sorted.push_back(task.set_arguments.back());
        }
        std::sort(sorted.begin(), sorted.end());
        task.variant_id = short_hash(fmt::format("{}", fmt::join(sorted, "\n")));
        if (!variant_ids.insert(task.variant_id).second)
            check.add(vary_node->where, "vary",
                      fmt::format("two variants are the same ({}), or their ids collide",
                                  fmt::join(task.set_arguments, ", ")));
        std::vector<ScenarioOverride> overrides;
        for (const std::string& argument : task.set_arguments)
            overrides.push_back(parse_override(argument));
        std::optional<Scenario> scenario;
        try {
            scenario = load_scenario(plan.base, overrides);
        } catch (const InputError& e) {
            for (const InputProblem& p : e.problems()) {
                InputProblem mapped = at_vary_entry(p, vary, variants[v], task);
                if (reported.insert(format(mapped)).second) check.problems.push_back(mapped);
            }
            continue;
        }
        for (int r = 0; r < plan.replicates; ++r) {
            SweepTask replicate = task;
            replicate.replicate = r;
            replicate.id = fmt::format("{}-r{}", task.variant_id, r);
            // Replicate r runs with the variant's seed + r: every variant sees the same random
            // numbers in replicate r, so differences between variants are the lever's, not noise.
            if (r > 0) {
                replicate.set_arguments.push_back(
                    fmt::format("seed={}", scenario->seed + static_cast<std::uint64_t>(r)));
                overrides.push_back(parse_override(replicate.set_arguments.back()));
                replicate.scenario_hash = scenario_hash(load_scenario(plan.base, overrides));
                overrides.pop_back();
            } else {
                replicate.scenario_hash = scenario_hash(*scenario);
            }
            replicate.result = tasks_folder(plan) / (replicate.id + ".h5");
            plan.tasks.push_back(std::move(replicate));
        }
    }
    if (!check.problems.empty()) check.throw_problems();
    return plan;
}

std::string plan_table(const SweepPlan& plan) {
    std::vector<std::string> header{"task", "variant", "replicate"};
    for (const SweepParameter& p : plan.parameters) header.push_back(p.coordinate);
    std::vector<std::vector<std::string>> rows;
    for (const SweepTask& t : plan.tasks) {
        std::vector<std::string> row{t.id, std::to_string(t.variant), std::to_string(t.replicate)};
        row.insert(row.end(), t.values.begin(), t.values.end());
        rows.push_back(std::move(row));
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    }
    std::string out = fmt::format("sweep '{}': {} variant{} x {} replicate{} = {} task{}\n",
                                  plan.name, plan.variants, plan.variants == 1 ? "" : "s",
                                  plan.replicates, plan.replicates == 1 ? "" : "s",
                                  plan.tasks.size(), plan.tasks.size() == 1 ? "" : "s");
    out +=
        fmt::format("base {}\nresults in {}\n\n", plan.base.string(), tasks_folder(plan).string());
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t c = 0; c < cells.size(); ++c)
            text += fmt::format("{}{:<{}}", c ? "  " : "", cells[c], width[c]);
        while (!text.empty() && text.back() == ' ') text.pop_back();
        return text + "\n";
    };
    out += line(header);
    for (const auto& row : rows) out += line(row);
    return out;
}

}  // namespace socialtwin
