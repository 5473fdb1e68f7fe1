#include "engine/results/report.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/headline.hpp"
#include "engine/output/quantiles.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/results/compare.hpp"
#include "engine/results/svg_chart.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// The largest changes listed under the map.
constexpr std::size_t changes_listed = 10;
// The levels a map and its table may take by default, in this order.
constexpr std::array<std::string_view, 3> default_levels{"buurt", "wijk", "pc4"};
// Scenario keys that name the run rather than assume something about the future.
constexpr std::array<std::string_view, 7> identity_keys{
    "name", "description", "dataset", "base_year", "horizon", "seed", "extends"};

// One result file, read as the report needs it.
struct Result {
    fs::path path;
    hdf5::File file;
    ResultLayout layout;

    // The scenario's name; with the file's name beside it where two results share it (the same
    // scenario run with other --set values, say), so that every column and line is told apart.
    std::string label;
    const std::string& name() const { return label; }

    // The indicators the areas keep (the layout's), and those a result keeps only per larger
    // area (output.breakdowns_per_area: none; counts and amounts), as if per area.
    std::vector<ResultIndicator> aggregated_only;
    const ResultIndicator* find(std::string_view indicator) const {
        if (const ResultIndicator* found = layout.find(indicator)) return found;
        for (const auto& other : aggregated_only)
            if (other.name == indicator) return &other;
        return nullptr;
    }
    // The counts and amounts of /aggregates that the areas lack, described from the level with
    // the fewest units (what totals() then sums).
    void find_aggregated_only() {
        const std::string aggregates(result_layout::aggregates);
        if (!hdf5::link_exists(file.id(), aggregates)) return;
        const auto group = hdf5::open_group(file.id(), aggregates);
        std::set<std::string> names;
        for (const auto& level : hdf5::link_names(group.id()))
            if (hdf5::is_group(group.id(), level))
                for (const auto& name : hdf5::link_names(hdf5::open_group(group.id(), level).id()))
                    names.insert(name);
        for (const auto& name : names) {
            if (layout.find(name) != nullptr || name.ends_with(result_layout::replicates_suffix) ||
                name.ends_with(result_layout::quantiles_suffix))
                continue;
            const auto fewest = fewest_aggregate(name, false);
            if (!fewest) continue;
            auto indicator = as_if_per_area(fewest->first.id(), name, layout.areas.size());
            // A measure's aggregates are averages, which do not add up to a total.
            if (indicator && indicator->kind != IndicatorKind::measure)
                aggregated_only.push_back(std::move(*indicator));
        }
    }
    // The values of `name` summed over areas: years x (the values per area), or nullopt when the
    // result lacks it. An indicator kept only per larger area is summed over those.
    std::optional<std::vector<double>> totals(const std::string& indicator) {
        const ResultIndicator* found = find(indicator);
        if (found == nullptr) return std::nullopt;
        if (layout.find(indicator) != nullptr)
            return summed(values(indicator), layout.areas.size(), 1, *found);
        const auto fewest = fewest_aggregate(indicator, false);
        if (!fewest) return std::nullopt;
        return summed(hdf5::read_doubles(fewest->first.id()), fewest->second, 1, *found);
    }
    // Each replicate's totals: replicates x years x per_area, or nullopt without replicates.
    std::optional<std::vector<double>> replicate_totals(const std::string& indicator) {
        const ResultIndicator* found = find(indicator);
        if (found == nullptr || layout.replicates < 2) return std::nullopt;
        const std::string name = indicator + std::string(result_layout::replicates_suffix);
        if (found->has_replicates)
            return summed(values(name), layout.areas.size(), layout.replicates, *found);
        // Per area only the mean and percentiles (output.replicates_per_area: percentiles): each
        // replicate's total is the sum over the larger areas of /aggregates, which keep every
        // replicate; over the level with the fewest. Counts and amounts only: a measure's
        // aggregates are averages, which do not add up to its total.
        if (found->kind == IndicatorKind::measure) return std::nullopt;
        const auto fewest = fewest_aggregate(name, true);
        if (!fewest) return std::nullopt;
        return summed(hdf5::read_doubles(fewest->first.id()), fewest->second, layout.replicates,
                      *found);
    }
    // `name` in the level of /aggregates with the fewest units that has it, with that number.
    std::optional<std::pair<hdf5::Dataset, hsize_t>> fewest_aggregate(const std::string& name,
                                                                      bool replicates) const {
        return socialtwin::fewest_aggregate(
            file.id(), name, layout.years.size(),
            replicates ? std::optional<std::size_t>(layout.replicates) : std::nullopt);
    }
    // The scenario as run (its extends chain merged): /meta/scenario_yaml; "" in a file without.
    std::string scenario_yaml() const {
        try {
            auto meta = hdf5::open_group(file.id(), std::string(result_layout::meta));
            if (!hdf5::link_exists(meta.id(), std::string(result_layout::scenario_yaml))) return {};
            auto dataset = hdf5::open_dataset(meta.id(), std::string(result_layout::scenario_yaml));
            const auto text = hdf5::read_strings(dataset.id());
            return text.empty() ? std::string{} : text.front();
        } catch (const hdf5::Error&) {
            return {};
        }
    }
    std::vector<double> values(const std::string& dataset) {
        auto d = hdf5::open_dataset(file.id(), dataset);
        return hdf5::read_doubles(d.id());
    }

private:
    // `all` (blocks x years x units x per_area) summed over its units (areas, or larger areas).
    std::vector<double> summed(const std::vector<double>& all, std::size_t n_areas,
                               std::size_t blocks, const ResultIndicator& indicator) const {
        return sum_over_units(all, blocks * layout.years.size(), n_areas,
                              indicator.values_per_area());
    }
};

// A line of a chart: the mean, and the 5th and 95th percentile over replicates when there are.
struct Trajectory {
    std::vector<double> mean, low, high;
};

// Which of an indicator's values per area count: all, or those whose label along `dimension`
// passes `keep` (e.g. age bands from 65).
struct Selection {
    std::string dimension;
    std::function<bool(const std::string&)> keep;
};

std::vector<bool> selection_mask(const ResultIndicator& indicator, const ResultLayout& layout,
                                 const Selection& selection) {
    const std::size_t per = indicator.values_per_area();
    std::vector<bool> mask(per, true);
    if (selection.dimension.empty()) return mask;
    const auto axis = std::find(indicator.dims.begin(), indicator.dims.end(), selection.dimension);
    const auto* labels = layout.dimension(selection.dimension);
    if (axis == indicator.dims.end() || labels == nullptr) return std::vector<bool>(per, false);
    const auto a = static_cast<std::size_t>(axis - indicator.dims.begin());
    std::size_t stride = 1;
    for (std::size_t k = a + 1; k < indicator.shape.size(); ++k) stride *= indicator.shape[k];
    for (std::size_t k = 0; k < per; ++k)
        mask[k] = selection.keep(labels->labels.at((k / stride) % labels->labels.size()));
    return mask;
}

std::optional<Trajectory> trajectory(Result& result, const std::string& indicator,
                                     const Selection& selection = {}, double scale = 1) {
    const auto totals = result.totals(indicator);
    if (!totals) return std::nullopt;
    const ResultIndicator& found = *result.find(indicator);
    const auto mask = selection_mask(found, result.layout, selection);
    const std::size_t per = found.values_per_area(), n_years = result.layout.years.size();
    auto select = [&](const std::vector<double>& values, std::size_t block) {
        std::vector<double> out(n_years, 0.0);
        for (std::size_t y = 0; y < n_years; ++y)
            for (std::size_t k = 0; k < per; ++k)
                if (mask[k]) out[y] += values[(block * n_years + y) * per + k] / scale;
        return out;
    };
    Trajectory t{select(*totals, 0), {}, {}};
    // The band of a total is the quantiles of each replicate's total (not a sum of quantiles,
    // which would be no quantile of anything: docs/output-schema.md, "Replicates").
    if (const auto reps = result.replicate_totals(indicator)) {
        const std::size_t n = result.layout.replicates;
        std::vector<std::vector<double>> per_replicate;
        for (std::size_t r = 0; r < n; ++r) per_replicate.push_back(select(*reps, r));
        constexpr std::array<double, 2> levels{0.05, 0.95};
        t.low.resize(n_years);
        t.high.resize(n_years);
        for (std::size_t y = 0; y < n_years; ++y) {
            std::vector<double> cell(n);
            for (std::size_t r = 0; r < n; ++r) cell[r] = per_replicate[r][y];
            std::array<double, 2> q{};
            replicate_quantiles(cell, levels, q);
            t.low[y] = q[0];
            t.high[y] = q[1];
        }
    }
    return t;
}

int age_from(const std::string& band) { return std::atoi(band.c_str()); }

// A scenario's YAML as "key.path: value" lines, value in YAML's flow style; maps are walked, the
// rest (lists of rate changes, say) shown whole.
void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
    if (node.IsMap()) {
        for (const auto& entry : node) {
            const auto key = entry.first.as<std::string>();
            flatten(entry.second, prefix.empty() ? key : prefix + "." + key, out);
        }
        return;
    }
    // One line: the node's collections in flow style ("[{trend: -0.015, ages: [65, 105]}]"),
    // whatever style the file had.
    std::function<void(YAML::Node)> to_flow = [&](YAML::Node n) {
        if (!n.IsMap() && !n.IsSequence()) return;
        n.SetStyle(YAML::EmitterStyle::Flow);
        for (auto child : n) to_flow(n.IsMap() ? child.second : child);
    };
    YAML::Node copy = YAML::Clone(node);
    to_flow(copy);
    YAML::Emitter emitter;
    emitter << copy;
    out[prefix] = emitter.c_str();
}

std::optional<YAML::Node> parse_yaml(const std::string& text) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception&) {
        return std::nullopt;
    }
}

std::string yaml_text(const std::optional<YAML::Node>& root, const std::string& key) {
    if (!root || !root->IsMap() || !(*root)[key] || !(*root)[key].IsScalar()) return {};
    return (*root)[key].as<std::string>();
}

// The facility types of /meta facilities (a CSV) and how many of each are modelled (status
// "modelled"), e.g. {"gp_practice": {12, 12}}.
std::map<std::string, std::pair<int, int>> modelled_facilities(const std::string& csv) {
    std::map<std::string, std::pair<int, int>> out;
    std::istringstream in(csv);
    std::string line;
    if (!std::getline(in, line)) return out;
    auto split = [](const std::string& text) {
        std::vector<std::string> cells;
        std::string cell;
        bool quoted = false;
        for (char c : text) {
            if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted)
                cells.push_back(std::exchange(cell, {}));
            else
                cell += c;
        }
        cells.push_back(cell);
        return cells;
    };
    const auto header = split(line);
    const auto type_at = std::find(header.begin(), header.end(), "type") - header.begin();
    const auto status_at = std::find(header.begin(), header.end(), "status") - header.begin();
    while (std::getline(in, line)) {
        const auto cells = split(line);
        if (static_cast<std::size_t>(std::max(type_at, status_at)) >= cells.size()) continue;
        auto& [modelled, all] = out[cells[static_cast<std::size_t>(type_at)]];
        ++all;
        if (cells[static_cast<std::size_t>(status_at)] == "modelled") ++modelled;
    }
    return out;
}

class Report {
public:
    explicit Report(const ReportOptions& options) : options_(options), lang_(options.language) {
        format_ = [this](double v, int decimals) { return local_number(v, decimals, lang_); };
    }

    void open() {
        if (options_.results.empty())
            throw InputError(problem_at(where_in("", 0, 0, "results"),
                                        "no result given: expected BASE.h5 [SCENARIO.h5 ...]"));
        std::vector<InputProblem> problems;
        for (const auto& path : options_.results) {
            try {
                Result r;
                r.path = path;
                r.file = open_result(path);
                r.layout = read_result_layout(r.file.id(), path);
                r.find_aggregated_only();
                results_.push_back(std::move(r));
            } catch (const InputError& e) {
                problems.insert(problems.end(), e.problems().begin(), e.problems().end());
            }
        }
        if (!problems.empty()) throw InputError(std::move(problems));
        for (auto& r : results_) {
            r.label = r.layout.meta_value("scenario_name");
            if (r.label.empty()) r.label = r.path.stem().string();
        }
        for (auto& r : results_) {
            const auto same = std::count_if(results_.begin(), results_.end(), [&](const Result& o) {
                return o.layout.meta_value("scenario_name") == r.layout.meta_value("scenario_name");
            });
            if (same > 1) r.label = fmt::format("{} ({})", r.label, r.path.stem().string());
        }
        check_same_dataset();
        choose_level();
        check_map_indicator();
    }

    std::string html(ReportSummary& summary) {
        summary_ = &summary;
        std::string body;
        body += header();
        body += headline_section();
        body += population_section();
        body += housing_section();
        body += care_section();
        body += map_section();
        body += assumptions_section();
        return page(body);
    }

private:
    // ---- checks --------------------------------------------------------------------------------

    void check_same_dataset() {
        const Result& base = results_.front();
        std::vector<InputProblem> problems;
        for (std::size_t i = 1; i < results_.size(); ++i) {
            const Result& r = results_[i];
            auto differs = [&](const std::string& key, const std::string& here,
                               const std::string& there) {
                problems.push_back(problem_at(
                    where_in(r.path.string(), 0, 0, key),
                    fmt::format("{} here, {} in the baseline {}: a report compares results of one "
                                "dataset, areas and years",
                                here, there, base.path.string())));
            };
            if (r.layout.meta_value("dataset") != base.layout.meta_value("dataset"))
                differs("/meta dataset",
                        fmt::format("dataset '{}'", r.layout.meta_value("dataset")),
                        fmt::format("'{}'", base.layout.meta_value("dataset")));
            else if (r.layout.areas != base.layout.areas)
                differs("area", fmt::format("{} areas", r.layout.areas.size()),
                        fmt::format("{}", base.layout.areas.size()));
            if (r.layout.years != base.layout.years)
                differs(
                    "year",
                    fmt::format("years {}-{}", r.layout.years.empty() ? 0 : r.layout.years.front(),
                                r.layout.years.empty() ? 0 : r.layout.years.back()),
                    fmt::format("{}-{}", base.layout.years.empty() ? 0 : base.layout.years.front(),
                                base.layout.years.empty() ? 0 : base.layout.years.back()));
        }
        if (!problems.empty()) throw InputError(std::move(problems));
        if (base.layout.years.empty())
            throw InputError(problem_at(where_in(base.path.string(), 0, 0, "year"),
                                        "no years: expected a projection of at least one year"));
    }

    void choose_level() {
        const ResultLayout& layout = results_.front().layout;
        auto has = [&](std::string_view level) {
            return level == layout.area_level || layout.attribute(level) != nullptr;
        };
        if (!options_.level.empty()) {
            if (!has(options_.level)) {
                std::vector<std::string> there{layout.area_level};
                for (auto level : default_levels)
                    if (has(level) && level != layout.area_level) there.emplace_back(level);
                throw InputError(problem_at(
                    where_in("", 0, 0, "--level"),
                    fmt::format("'{}' is not a level of {}: expected one of {}", options_.level,
                                results_.front().path.string(), fmt::join(there, ", "))));
            }
            level_ = options_.level;
            return;
        }
        level_ = layout.area_level;
        for (auto level : default_levels)
            if (has(level)) {
                level_ = std::string(level);
                break;
            }
    }

    void check_map_indicator() {
        const Result& base = results_.front();
        const auto* found = base.layout.find(options_.map_indicator);
        std::string problem;
        if (found == nullptr)
            problem = "not an indicator of the result";
        else if (found->values_per_area() != 1)
            problem = "has values per area by " + fmt::format("{}", fmt::join(found->dims, ", ")) +
                      "; expected one value per year and area";
        if (problem.empty()) return;
        throw InputError(problem_at(
            where_in("", 0, 0, "--map-indicator"),
            fmt::format("'{}' {} ({})", options_.map_indicator, problem, base.path.string()),
            "e.g. population, households, dwellings_needed, gp_fte_needed, wmo_clients"));
    }

    // ---- words ---------------------------------------------------------------------------------

    std::string_view text(std::string_view key) const { return report_text(key, lang_); }
    // An indicator's or figure's label; the result's own name where the table has none.
    std::string label(const std::string& name) const {
        if (auto l = report_label(name, lang_)) return std::string(*l);
        return name;
    }
    std::string unit(const std::string& units) const {
        if (auto l = report_label("unit:" + units, lang_)) return std::string(*l);
        static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> known{
            {"persons", {"personen", "persons"}},
            {"households", {"huishoudens", "households"}},
            {"dwellings", {"woningen", "dwellings"}},
            {"FTE", {"fte", "FTE"}},
            {"contacts per year", {"contacten per jaar", "contacts per year"}},
            {"hours per year", {"uren per jaar", "hours per year"}},
            {"km", {"km", "km"}},
            {"FTE needed per FTE available",
             {"fte nodig per fte beschikbaar", "FTE needed per FTE available"}},
            {"%", {"%", "%"}},
        };
        if (const auto found = known.find(units); found != known.end())
            return lang_ == ReportLanguage::nl ? found->second.first : found->second.second;
        return units;
    }
    std::string fmt_number(double v, int decimals, bool sign = false) const {
        return local_number(v, decimals, lang_, sign);
    }

    std::string engine_line(const Result& r) const {
        const std::string commit = r.layout.meta_value("git_commit");
        return fmt::format("socialtwin {}{}", r.layout.meta_value("engine_version"),
                           commit.empty() ? std::string{} : fmt::format(" (git {})", commit));
    }

    // "Bron: socialtwin 0.1.0 (git 1234), model; data: CBS ..., Den Haag Zuid-West ...".
    std::string source_line(std::string_view modelled = {}) const {
        const Result& base = results_.front();
        const auto provenance = parse_yaml(base.layout.meta_value("dataset_provenance"));
        std::string publisher = yaml_text(provenance, "publisher");
        if (publisher.empty()) publisher = base.layout.meta_value("dataset");
        std::string line =
            fmt::format("{}: {}, {}; {}: {}, {}", text("source"), engine_line(base), text("model"),
                        text("data"), publisher, base.layout.meta_value("dataset_title"));
        line += fmt::format(". {}{}{}", text("modelled_note"), text("projection"),
                            modelled.empty() ? std::string{} : fmt::format("; {}", modelled));
        return line;
    }

    // ---- page ----------------------------------------------------------------------------------

    std::string page(const std::string& body) const {
        constexpr std::string_view style = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#222;max-width:1420px;margin:0 auto;padding:16px 24px;font-size:14px}
h1{font-size:26px;margin:4px 0}h2{font-size:20px;border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:32px}
h3{font-size:16px}table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid #ddd;vertical-align:top}
th{text-align:left;background:#f2f5f8}td.n{text-align:right;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;break-inside:avoid;page-break-inside:avoid;flex:0 1 calc(50% - 8px);min-width:420px}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid #e4e4e4}
svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11px;fill:#222}svg text.title{font-size:14px;font-weight:bold}
svg text.small{font-size:9px}svg .legend text{font-size:10px}svg .grid{stroke:#e6e6e6}svg text.note{fill:#a00}
figcaption{font-size:11px;color:#555;max-width:680px}.modelled{color:#8a4b00}.unit{color:#666;font-size:12px}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;font-size:12px}.meta td{font-size:12px}
@page{size:A4 landscape;margin:12mm}@media print{body{max-width:none;padding:0}h2{break-before:page}}
)";
        const Result& base = results_.front();
        return fmt::format(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"generator\" content=\"{}\">\n<title>{} {}</title>\n<style>{}</style>\n"
            "</head>\n<body>\n{}</body>\n</html>\n",
            lang_ == ReportLanguage::nl ? "nl" : "en", svg::escape(engine_line(base)),
            text("title"), svg::escape(area_name()), style, body);
    }

    std::string area_name() const {
        const Result& base = results_.front();
        std::string title = base.layout.meta_value("dataset_title");
        if (const auto comma = title.find(','); comma != std::string::npos) title.resize(comma);
        return title.empty() ? base.layout.meta_value("dataset") : title;
    }

    std::string figure(const std::string& svg, std::string_view modelled = {}) {
        const bool drawn = svg.find("data-chart=\"missing\"") == std::string::npos;
        if (drawn) ++summary_->charts;
        return fmt::format("<figure>{}<figcaption class=\"source\">{}</figcaption></figure>\n", svg,
                           svg::escape(source_line(modelled)));
    }

    std::string missing(const std::string& id, const std::string& title,
                        const std::vector<std::string>& names) {
        summary_->not_drawn.push_back(title);
        return svg::missing_chart(
            id, title, fmt::format("{}{}", text("not_in_results"), fmt::join(names, ", ")));
    }

    std::string header() const {
        const Result& base = results_.front();
        std::string out =
            fmt::format("<header><h1>{} {}</h1><p>{} ({}–{}). {} {}.</p>", text("title"),
                        svg::escape(area_name()), text("subtitle"), base.layout.years.front(),
                        base.layout.years.back(), text("made_by"), svg::escape(engine_line(base)));
        out += fmt::format("<table class=\"meta\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
                           text("scenario"), text("files"), text("engine"));
        for (const auto& r : results_)
            out +=
                fmt::format("<tr><td>{}</td><td>{}</td><td>{}, {}</td></tr>", svg::escape(r.name()),
                            svg::escape(r.path.filename().string()), svg::escape(engine_line(r)),
                            svg::escape(r.layout.meta_value("created_utc")));
        return out + "</table></header>\n";
    }

    // ---- headline table ------------------------------------------------------------------------

    std::string period_text(const HeadlineRow& row, const CompareReport& report) const {
        switch (row.period_kind) {
            case HeadlinePeriod::last_year:
                return std::to_string(report.last_year);
            case HeadlinePeriod::sum:
            case HeadlinePeriod::cumulative:
                return fmt::format(
                    "{}–{} {}", report.first_year, report.last_year,
                    text(row.period_kind == HeadlinePeriod::sum ? "sum" : "cumulative"));
            case HeadlinePeriod::present_value:
                return fmt::format("{} {} {} {}%", text("npv"), report.base_year, text("at"),
                                   fmt_number(report.discount_rate * 100, 2));
        }
        return row.period;
    }

    std::string row_unit(const HeadlineRow& row) const {
        if (row.euros) return "€";
        if (row.figure == share_65 || row.figure == share_80) return "%";
        const auto* indicator = results_.front().layout.find(row.figure);
        return indicator == nullptr ? std::string{} : unit(indicator->units);
    }

    std::string value_text(const HeadlineRow& row, double value, bool sign) const {
        return row.euros ? local_euros(value * 1e6, lang_, sign)
                         : fmt_number(value, row.decimals, sign);
    }

    std::string headline_section() {
        std::string out = fmt::format("<section id=\"headline\"><h2>{}</h2>", text("headline"));
        if (results_.size() < 2) {
            return out + fmt::format("<p>{}</p></section>\n",
                                     lang_ == ReportLanguage::nl
                                         ? "Alleen de basis: geen scenario om te vergelijken."
                                         : "The baseline only: no scenario to compare.");
        }
        std::vector<CompareReport> reports;
        for (std::size_t i = 1; i < results_.size(); ++i)
            reports.push_back(compare_results({.baseline = results_.front().path,
                                               .scenario = results_[i].path,
                                               .output = {},
                                               .discount_rate = std::nullopt,
                                               .levels = {}}));
        const CompareReport& first = reports.front();
        out += fmt::format(
            "<p>{} {} {}; {} {}%.</p><table id=\"headline-table\"><tr><th>{}</th>"
            "<th>{}</th><th>{}</th>",
            text("headline_note"), text("price_level"), first.price_year, text("discount_rate"),
            fmt_number(first.discount_rate * 100, 2), text("indicator"), text("period"),
            text("baseline"));
        for (std::size_t i = 1; i < results_.size(); ++i)
            out += fmt::format("<th>{}</th>", svg::escape(results_[i].name()));
        out += "</tr>";
        for (const auto& row : first.rows) {
            // As compare's scenario table: the flows' sums add little to the last year.
            if (row.period_kind == HeadlinePeriod::sum) continue;
            out += fmt::format(
                "<tr><td>{} <span class=\"unit\">({})</span></td><td>{}</td><td "
                "class=\"n\">{}</td>",
                svg::escape(label(row.figure)), svg::escape(row_unit(row)),
                svg::escape(period_text(row, first)), value_text(row, row.baseline, false));
            for (const auto& report : reports) {
                const auto match =
                    std::find_if(report.rows.begin(), report.rows.end(), [&](const HeadlineRow& r) {
                        return r.figure == row.figure && r.period_kind == row.period_kind;
                    });
                if (match == report.rows.end()) {
                    out += "<td></td>";
                    continue;
                }
                const double diff = match->difference();
                std::string cell = value_text(*match, diff, true);
                if (std::isfinite(diff) && match->baseline != 0)
                    cell += fmt::format(
                        " ({})", local_percent(100 * diff / std::abs(match->baseline), lang_));
                out += fmt::format("<td class=\"n\">{}</td>", cell);
            }
            out += "</tr>";
        }
        return out + "</table></section>\n";
    }

    // ---- charts --------------------------------------------------------------------------------

    std::vector<double> years() const {
        const auto& y = results_.front().layout.years;
        return {y.begin(), y.end()};
    }

    // One line per scenario of `indicator` (selected, scaled), dashed when `dashed`.
    void add_lines(svg::LineChart& chart, const std::string& indicator, const std::string& suffix,
                   bool dashed, std::vector<std::string>& absent, const Selection& selection = {},
                   double scale = 1) {
        bool any = false;
        for (std::size_t i = 0; i < results_.size(); ++i) {
            auto t = trajectory(results_[i], indicator, selection, scale);
            if (!t) continue;
            any = true;
            chart.series.push_back({results_[i].name() + suffix, std::move(t->mean),
                                    std::move(t->low), std::move(t->high), i, dashed});
        }
        if (!any) absent.push_back(indicator);
    }

    std::string line_figure(const std::string& id, const std::string& title,
                            const std::string& y_label,
                            const std::vector<std::pair<std::string, Selection>>& lines,
                            std::string_view modelled = {}, double scale = 1,
                            const std::vector<std::string>& suffixes = {}) {
        svg::LineChart chart{id,      title, std::string(text("year")),     y_label,
                             years(), {},    std::string(text("band_note"))};
        std::vector<std::string> absent;
        for (std::size_t k = 0; k < lines.size(); ++k)
            add_lines(chart, lines[k].first, k < suffixes.size() ? suffixes[k] : std::string{},
                      k > 0, absent, lines[k].second, scale);
        if (chart.series.empty()) return figure(missing(id, title, absent));
        return figure(svg::line_chart(chart, format_), modelled);
    }

    std::string population_section() {
        std::string out =
            fmt::format("<section id=\"population\"><h2>{}</h2><div class=\"charts\">",
                        text("population_section"));
        // Pyramids: the base year (outlined) and the horizon (filled), one per result.
        for (std::size_t i = 0; i < results_.size(); ++i) {
            Result& r = results_[i];
            const std::string id = fmt::format("pyramid-{}", i);
            const std::string title =
                fmt::format("{} {}: {} {} – {}", text("pyramid"), r.name(), text("base_year"),
                            r.layout.years.front(), r.layout.years.back());
            const auto* indicator = r.find("population_by_age_sex");
            const auto* bands = r.layout.dimension(result_layout::age_band);
            const auto* sexes = r.layout.dimension(result_layout::sex);
            const auto totals = r.totals("population_by_age_sex");
            if (indicator == nullptr || bands == nullptr || sexes == nullptr || !totals ||
                indicator->dims.size() != 4 || indicator->dims[2] != result_layout::sex ||
                sexes->labels.size() != 2) {
                out += figure(missing(id, title, {"population_by_age_sex"}));
                continue;
            }
            const std::size_t n_bands = bands->labels.size(), per = 2 * n_bands;
            const std::size_t last = r.layout.years.size() - 1;
            svg::Pyramid p{id,
                           title,
                           std::string(text("persons")),
                           bands->labels,
                           std::string(text("men")),
                           std::string(text("women")),
                           {},
                           {},
                           {},
                           {},
                           std::to_string(r.layout.years.front()),
                           std::to_string(r.layout.years.back())};
            // The catalog's sex labels are "male", "female": men left.
            const std::size_t men = sexes->labels[0] == "female" ? 1 : 0, women = 1 - men;
            for (std::size_t b = 0; b < n_bands; ++b) {
                p.left_first.push_back((*totals)[men * n_bands + b]);
                p.right_first.push_back((*totals)[women * n_bands + b]);
                p.left_second.push_back((*totals)[last * per + men * n_bands + b]);
                p.right_second.push_back((*totals)[last * per + women * n_bands + b]);
            }
            out += figure(svg::pyramid(p, format_), modelled_population());
        }
        const std::string persons = std::string(text("persons"));
        out += line_figure("population", label("population"), persons, {{"population", {}}});
        const Selection from65{std::string(result_layout::age_band),
                               [](const std::string& band) { return age_from(band) >= 65; }};
        const Selection from80{std::string(result_layout::age_band),
                               [](const std::string& band) { return age_from(band) >= 80; }};
        out += line_figure("population-65", label("population_65"), persons,
                           {{"population_by_age_sex", from65}});
        out += line_figure("population-80", label("population_80"), persons,
                           {{"population_by_age_sex", from80}});
        return out + "</div></section>\n";
    }

    std::string modelled_population() const {
        return lang_ == ReportLanguage::nl ? "leeftijdsopbouw per gebied deels gemodelleerd, zie "
                                             "Aannames"
                                           : "age structure per area partly modelled, see "
                                             "Assumptions";
    }

    // Values at the horizon (and the baseline's in the base year) per category: a bar chart.
    std::string bar_figure(const std::string& id, const std::string& title,
                           const std::string& value_label,
                           const std::vector<std::string>& indicators, double scale, int decimals,
                           std::string_view modelled = {}) {
        svg::BarChart chart{id, title, value_label, {}, {}, decimals};
        std::vector<std::string> present;
        for (const auto& name : indicators)
            if (results_.front().layout.find(name) != nullptr) present.push_back(name);
        if (present.empty()) return figure(missing(id, title, indicators));
        for (const auto& name : present) {
            const auto short_label = report_label("short:" + name, lang_);
            chart.categories.push_back(short_label ? std::string(*short_label) : label(name));
        }
        const std::size_t last = results_.front().layout.years.size() - 1;
        svg::Series first{
            fmt::format("{} {}", results_.front().name(), results_.front().layout.years.front()),
            {},
            {},
            {},
            6,
            false};
        for (const auto& name : present) {
            auto t = trajectory(results_.front(), name, {}, scale);
            first.y.push_back(t ? t->mean.front() : nan);
        }
        chart.series.push_back(std::move(first));
        for (std::size_t i = 0; i < results_.size(); ++i) {
            svg::Series s{fmt::format("{} {}", results_[i].name(), results_[i].layout.years.back()),
                          {},
                          {},
                          {},
                          i,
                          false};
            for (const auto& name : present) {
                auto t = trajectory(results_[i], name, {}, scale);
                s.y.push_back(t ? t->mean[last] : nan);
            }
            chart.series.push_back(std::move(s));
        }
        return figure(svg::bar_chart(chart, format_), modelled);
    }

    std::string housing_section() {
        std::string out = fmt::format("<section id=\"housing\"><h2>{}</h2><div class=\"charts\">",
                                      text("households_section"));
        out += line_figure("households", label("households"), std::string(text("households_unit")),
                           {{"households", {}}});
        out += bar_figure(
            "households-by-type", std::string(text("households_by_type_chart")),
            std::string(text("households_unit")),
            {"households_single", "households_couple_no_children",
             "households_couple_with_children", "households_single_parent", "households_other"},
            1, 0);
        out += line_figure(
            "dwellings", std::string(text("dwellings_chart")), std::string(text("dwellings_unit")),
            {{"dwellings_needed", {}}, {"dwellings_stock", {}}}, {}, 1,
            {fmt::format(" – {}", text("needed")), fmt::format(" – {}", text("stock"))});
        return out + "</div></section>\n";
    }

    // "huisartsenpraktijken: 12 van 12 gemodelleerd", from /meta facilities.
    std::string modelled_gp_practices() const {
        const auto counts = modelled_facilities(results_.front().layout.meta_value("facilities"));
        const auto found = counts.find("gp_practice");
        if (found == counts.end() || found->second.first == 0) return {};
        return lang_ == ReportLanguage::nl
                   ? fmt::format("huisartsenpraktijken: {} van {} gemodelleerd",
                                 found->second.first, found->second.second)
                   : fmt::format("GP practices: {} of {} modelled", found->second.first,
                                 found->second.second);
    }

    std::string care_section() {
        std::string out = fmt::format("<section id=\"care\"><h2>{}</h2><div class=\"charts\">",
                                      text("care_section"));
        out += line_figure(
            "gp-fte", std::string(text("gp_chart")), std::string(text("fte_unit")),
            {{"gp_fte_needed", {}}, {"gp_fte_available", {}}}, modelled_gp_practices(), 1,
            {fmt::format(" – {}", text("needed")), fmt::format(" – {}", text("available"))});
        out += line_figure("wmo-clients", label("wmo_clients"), std::string(text("persons")),
                           {{"wmo_clients", {}}});
        std::vector<std::string> services;
        for (const auto& indicator : results_.front().layout.indicators)
            if (indicator.name.rfind("wmo_clients_", 0) == 0 && indicator.values_per_area() == 1)
                services.push_back(indicator.name);
        out += bar_figure(
            "wmo-by-service", std::string(text("wmo_chart")), std::string(text("persons")),
            services.empty() ? std::vector<std::string>{"wmo_clients_home_help"} : services, 1, 0);
        out += line_figure("district-nursing", label("district_nursing_hours"),
                           std::string(text("hours_unit")), {{"district_nursing_hours", {}}});
        std::vector<std::string> schemes;
        for (auto [component, short_name] : care_cost_components) schemes.emplace_back(component);
        out += bar_figure("costs-by-scheme", std::string(text("costs_chart")),
                          std::string(text("million_eur")), schemes, 1e6, 1);
        return out + "</div></section>\n";
    }

    // ---- map -----------------------------------------------------------------------------------

    struct LevelValues {
        AreaGrouping grouping;
        std::vector<std::vector<double>> last_year;  // per result, per larger area
        std::vector<double> base_first_year;         // the baseline's first year, per larger area
        std::vector<double> x, y;                    // per larger area [m]; empty without
    };

    LevelValues level_values() {
        Result& base = results_.front();
        LevelValues out;
        out.grouping = group_areas(base.layout, level_ == base.layout.area_level ? "area" : level_,
                                   base.path.string());
        const ResultIndicator& indicator = *base.layout.find(options_.map_indicator);
        const std::size_t n_areas = base.layout.areas.size();
        const std::size_t last = base.layout.years.size() - 1;
        for (auto& r : results_) {
            const auto* mine = r.layout.find(options_.map_indicator);
            if (mine == nullptr) {
                out.last_year.emplace_back(out.grouping.codes.size(), nan);
                continue;
            }
            const auto all = r.values(options_.map_indicator);
            std::vector<double> w;
            if (indicator.kind == IndicatorKind::measure && r.layout.find(indicator.weight) &&
                r.layout.find(indicator.weight)->values_per_area() == 1)
                w = r.values(indicator.weight);
            auto in_year = [&](std::size_t y) {
                const std::span<const double> year(all.data() + y * n_areas, n_areas);
                std::span<const double> weights;
                if (!w.empty()) weights = std::span<const double>(w).subspan(y * n_areas, n_areas);
                return aggregate_values(out.grouping, indicator.kind, year, 1, weights);
            };
            out.last_year.push_back(in_year(last));
            if (&r == &base) out.base_first_year = in_year(0);
        }
        // Positions: each larger area at the mean of its areas' positions, weighted by their
        // population in the base year where the result has it.
        if (hdf5::link_exists(base.file.id(), "x") && hdf5::link_exists(base.file.id(), "y")) {
            const auto xs = base.values("x"), ys = base.values("y");
            std::vector<double> w(n_areas, 1.0);
            if (base.layout.find("population") != nullptr) {
                const auto pop = base.values("population");
                for (std::size_t a = 0; a < n_areas; ++a) w[a] = std::max(pop[a], 0.0) + 1e-9;
            }
            const std::size_t n = out.grouping.codes.size();
            std::vector<double> sx(n, 0), sy(n, 0), sw(n, 0);
            for (std::size_t a = 0; a < n_areas && a < xs.size() && a < ys.size(); ++a) {
                if (!std::isfinite(xs[a]) || !std::isfinite(ys[a])) continue;
                const std::size_t g = out.grouping.group_of_area[a];
                sx[g] += w[a] * xs[a];
                sy[g] += w[a] * ys[a];
                sw[g] += w[a];
            }
            for (std::size_t g = 0; g < n; ++g) {
                out.x.push_back(sw[g] > 0 ? sx[g] / sw[g] : nan);
                out.y.push_back(sw[g] > 0 ? sy[g] / sw[g] : nan);
            }
        }
        return out;
    }

    std::string level_name(const LevelValues& v, std::size_t g) const {
        for (const auto& l : v.grouping.labels)
            if (l.name == level_ + "_name" && g < l.values.size()) return l.values[g];
        return {};
    }

    std::string map_section() {
        std::string out = fmt::format("<section id=\"map\"><h2>{}</h2>", text("map_section"));
        const auto& indicator = *results_.front().layout.find(options_.map_indicator);
        const std::string value_label = unit(indicator.units);
        const int decimals = indicator.kind == IndicatorKind::measure ? 2 : 0;
        const auto v = level_values();
        const std::size_t n = v.grouping.codes.size();
        const auto& years = results_.front().layout.years;
        // Each scenario against the baseline in the last year; a baseline alone against its own
        // first year.
        const bool alone = results_.size() < 2;
        const std::vector<double>& reference = alone ? v.base_first_year : v.last_year.front();
        const std::string reference_label =
            alone ? std::to_string(years.front())
                  : fmt::format("{} {}", text("baseline"), years.back());
        std::vector<std::pair<std::string, const std::vector<double>*>> compared;
        if (alone) compared.emplace_back(results_.front().name(), &v.last_year.front());
        for (std::size_t i = 1; i < results_.size(); ++i)
            compared.emplace_back(results_[i].name(), &v.last_year[i]);
        auto change = [&](std::size_t m, std::size_t g) {
            return (*compared[m].second)[g] - reference[g];
        };
        out += fmt::format(
            "<p>{}</p><div class=\"charts\">",
            alone ? std::string(text("map_note_alone")) : std::string(text("map_note")));
        // One colour scale for every map, so that colours compare across them.
        double limit = 0;
        for (std::size_t m = 0; m < compared.size(); ++m)
            for (std::size_t g = 0; g < n; ++g)
                if (std::isfinite(change(m, g))) limit = std::max(limit, std::abs(change(m, g)));
        const std::string positions_note =
            level_ == results_.front().layout.area_level
                ? std::string{}
                : (lang_ == ReportLanguage::nl
                       ? fmt::format("positie per {}: gewogen gemiddelde van de gebieden", level_)
                       : fmt::format("position per {}: weighted mean of its areas", level_));
        for (std::size_t m = 0; m < compared.size(); ++m) {
            const std::string id = fmt::format("map-{}", alone ? 0 : m + 1);
            const std::string title =
                alone ? fmt::format("{} {} ({}): {}–{}, {}", text("map_title"),
                                    label(options_.map_indicator), compared[m].first, years.front(),
                                    years.back(), level_)
                      : fmt::format("{} {} ({}): {} {}, {}", text("map_title"),
                                    label(options_.map_indicator), compared[m].first,
                                    text("map_against"), level_, years.back());
            if (v.x.empty()) {
                out += figure(missing(id, title, {"x", "y"}));
                continue;
            }
            svg::PointMap map{id, title, value_label, {}, limit, decimals};
            for (std::size_t g = 0; g < n; ++g) {
                const std::string name = level_name(v, g);
                map.points.push_back(
                    {v.x[g], v.y[g], change(m, g),
                     name.empty() ? v.grouping.codes[g] : v.grouping.codes[g] + " " + name});
            }
            out += figure(svg::point_map(map, format_), positions_note);
        }
        out += "</div>";
        // The areas with the largest change on any map.
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        auto largest = [&](std::size_t g) {
            double most = 0;
            for (std::size_t m = 0; m < compared.size(); ++m)
                if (std::isfinite(change(m, g))) most = std::max(most, std::abs(change(m, g)));
            return most;
        };
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return largest(a) > largest(b); });
        order.resize(std::min(order.size(), changes_listed));
        out += fmt::format(
            "<h3>{} {}: {} ({})</h3><table id=\"largest-changes\"><tr><th>{}</th><th>{}</th>",
            text("largest_changes"), level_, label(options_.map_indicator), value_label,
            text("area"), svg::escape(reference_label));
        for (const auto& [name, values] : compared)
            out += fmt::format("<th>{}{}</th>", svg::escape(name),
                               alone ? fmt::format(" {}", years.back()) : std::string{});
        out += "</tr>";
        for (std::size_t g : order) {
            const std::string name = level_name(v, g);
            out += fmt::format("<tr><td>{}{}</td><td class=\"n\">{}</td>",
                               svg::escape(v.grouping.codes[g]),
                               name.empty() ? std::string{} : " " + svg::escape(name),
                               fmt_number(reference[g], decimals));
            for (std::size_t m = 0; m < compared.size(); ++m) {
                const double d = change(m, g);
                std::string cell = fmt_number(d, decimals, true);
                if (std::isfinite(d) && reference[g] != 0)
                    cell += fmt::format(" ({})",
                                        local_percent(100 * d / std::abs(reference[g]), lang_));
                out += fmt::format("<td class=\"n\">{}</td>", cell);
            }
            out += "</tr>";
        }
        return out + "</table></section>\n";
    }

    // ---- assumptions ---------------------------------------------------------------------------

    std::string assumptions_section() const {
        std::string out = fmt::format("<section id=\"assumptions\"><h2>{}</h2><h3>{}</h3>",
                                      text("assumptions_section"), text("levers"));
        std::map<std::string, std::string> baseline_keys;
        if (const auto root = parse_yaml(results_.front().scenario_yaml()))
            flatten(*root, "", baseline_keys);
        out +=
            fmt::format("<table><tr><th>{}</th><th>{}</th></tr>", text("scenario"), text("levers"));
        for (std::size_t i = 0; i < results_.size(); ++i) {
            const auto& r = results_[i];
            const std::string yaml = r.scenario_yaml();
            const auto root = parse_yaml(yaml);
            std::map<std::string, std::string> keys;
            if (root) flatten(*root, "", keys);
            std::string levers;
            for (const auto& [key, value] : keys) {
                const std::string top = key.substr(0, key.find('.'));
                if (std::find(identity_keys.begin(), identity_keys.end(), top) !=
                    identity_keys.end())
                    continue;
                // A scenario's levers are what it changes against the baseline; the baseline's
                // own are its settings.
                const auto there = baseline_keys.find(key);
                if (i > 0 && there != baseline_keys.end() && there->second == value) continue;
                levers += fmt::format("<li><code>{}: {}</code></li>", svg::escape(key),
                                      svg::escape(value));
            }
            std::string overrides = r.layout.meta_value("overrides");
            while (!overrides.empty() && std::isspace(static_cast<unsigned char>(overrides.back())))
                overrides.pop_back();
            if (!overrides.empty())
                levers += fmt::format("<li><code>--set {}</code></li>", svg::escape(overrides));
            out += fmt::format(
                "<tr><td><b>{}</b></td><td><p>{}</p><ul>{}</ul><details><summary>{}</summary>"
                "<pre>{}</pre></details></td></tr>",
                svg::escape(r.name()), svg::escape(yaml_text(root, "description")),
                levers.empty() ? fmt::format("<li>{}</li>", text("no_levers")) : levers,
                text("scenario_text"), svg::escape(yaml));
        }
        out += "</table>";
        // Sources and what is modelled: the dataset's provenance.
        const Result& base = results_.front();
        const std::string provenance_text = base.layout.meta_value("dataset_provenance");
        const auto provenance = parse_yaml(provenance_text);
        out += fmt::format("<h3>{}</h3><p>{}: {} ({})</p>", text("sources"), text("dataset"),
                           svg::escape(base.layout.meta_value("dataset_title")),
                           svg::escape(base.layout.meta_value("dataset")));
        if (provenance && provenance->IsMap()) {
            out += fmt::format("<p>{}; {}</p>", svg::escape(yaml_text(provenance, "publisher")),
                               svg::escape(yaml_text(provenance, "licence")));
            if ((*provenance)["tables"] && (*provenance)["tables"].IsSequence()) {
                out += "<ul>";
                for (const auto& table : (*provenance)["tables"])
                    if (table.IsScalar())
                        out += fmt::format("<li>{}</li>", svg::escape(table.as<std::string>()));
                out += "</ul>";
            }
            const std::string method = yaml_text(provenance, "method");
            if (!method.empty()) out += fmt::format("<p>{}</p>", svg::escape(method));
            out += fmt::format("<h3>{}</h3><p class=\"modelled\">{}</p>", text("what_modelled"),
                               svg::escape(yaml_text(provenance, "modelled")));
        } else if (!provenance_text.empty()) {
            out += fmt::format("<pre>{}</pre>", svg::escape(provenance_text));
        }
        if (const auto gp = modelled_gp_practices(); !gp.empty())
            out += fmt::format("<p class=\"modelled\">{}</p>", svg::escape(gp));
        out += fmt::format(
            "<p class=\"modelled\">{}</p>",
            lang_ == ReportLanguage::nl
                ? "Alle cijfers na het basisjaar zijn modeluitkomsten (projecties), geen "
                  "waarnemingen."
                : "Every figure after the base year is a model outcome (a projection), not an "
                  "observation.");
        out += fmt::format("<h3>{}</h3><table class=\"meta\">", text("engine"));
        for (const auto& r : results_)
            out += fmt::format(
                "<tr><td>{}</td><td>{}</td><td>core {}, {} {}, seed {}</td><td>{}</td></tr>",
                svg::escape(r.name()), svg::escape(engine_line(r)),
                svg::escape(r.layout.meta_value("core")), r.layout.replicates,
                lang_ == ReportLanguage::nl ? "replicatie(s)" : "replicate(s)",
                svg::escape(r.layout.meta_value("seed")),
                svg::escape(r.layout.meta_value("scenario_hash")));
        return out + "</table></section>\n";
    }

    const ReportOptions& options_;
    ReportLanguage lang_;
    svg::NumberFormat format_;
    std::vector<Result> results_;
    std::string level_;
    ReportSummary* summary_ = nullptr;
};

bool executable(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string report_html(const ReportOptions& options, ReportSummary* summary) {
    ReportSummary local;
    Report report(options);
    report.open();
    return report.html(summary != nullptr ? *summary : local);
}

fs::path find_chromium() {
    if (const char* chosen = std::getenv("SOCIALTWIN_CHROMIUM"); chosen != nullptr && *chosen) {
        if (executable(chosen)) return chosen;
        throw InputError(problem_at(
            where_in("", 0, 0, "SOCIALTWIN_CHROMIUM"),
            fmt::format("'{}' is not an executable file: expected the Chromium to print the PDF "
                        "with",
                        chosen)));
    }
    const char* path = std::getenv("PATH");
    std::istringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string folder; std::getline(folders, folder, ':');)
        for (const char* name : {"chromium", "chromium-browser"})
            if (!folder.empty() && executable(fs::path(folder) / name))
                return fs::path(folder) / name;
    throw InputError(problem_at(
        where_in("", 0, 0, "--pdf"),
        "no Chromium found on PATH (chromium or chromium-browser): the PDF is printed by "
        "headless Chromium",
        "install the Debian package chromium (apt-get install chromium, or ./install-deps.sh "
        "--test), or set SOCIALTWIN_CHROMIUM; the HTML report needs no browser"));
}

void print_to_pdf(const fs::path& html, const fs::path& pdf, std::chrono::seconds timeout) {
    const fs::path browser = find_chromium();
    AtomicOutput out(pdf, std::array{ProtectedInput{html, "the HTML report"}});
    // A profile of its own: a user's running Chromium (or a stale lock) must not catch the job.
    std::string profile_template =
        (fs::temp_directory_path() / "socialtwin-chromium-XXXXXX").string();
    if (::mkdtemp(profile_template.data()) == nullptr)
        throw std::runtime_error("cannot create a temporary Chromium profile folder");
    const fs::path profile = profile_template;
    std::vector<std::string> args{browser.string(),
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--disable-dev-shm-usage",
                                  "--no-pdf-header-footer",
                                  "--user-data-dir=" + profile.string(),
                                  "--print-to-pdf=" + out.temporary().string(),
                                  "file://" + fs::absolute(html).string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("cannot start Chromium: fork failed");
    if (pid == 0) {
        // Its own process group, so that a timeout ends Chromium's helpers too.
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            ::dup2(null, STDIN_FILENO);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    bool ended = false;
    while (!ended) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            ended = true;
        } else if (done < 0 && errno != EINTR) {
            throw std::runtime_error(fmt::format("lost Chromium ({}) while it printed {}: {}",
                                                 browser.string(), html.string(),
                                                 std::strerror(errno)));
        } else if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            std::error_code ec;
            fs::remove_all(profile, ec);
            throw std::runtime_error(
                fmt::format("Chromium ({}) did not print {} within {} s and was stopped",
                            browser.string(), html.string(), timeout.count()));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    std::error_code ec;
    fs::remove_all(profile, ec);
    char head[4] = {};
    {
        std::ifstream in(out.temporary(), std::ios::binary);
        in.read(head, 4);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || std::string_view(head, 4) != "%PDF")
        throw std::runtime_error(fmt::format(
            "Chromium ({}) did not print {} to a PDF (exit status {}): run it by hand with "
            "--headless --print-to-pdf to see why",
            browser.string(), html.string(), WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    out.commit();
}

ReportSummary write_report(const ReportOptions& options) {
    ReportSummary summary;
    std::vector<ProtectedInput> inputs;
    for (const auto& r : options.results) inputs.push_back({r, "a result of the report"});
    // Every check before any work: the targets, the browser for a PDF.
    check_output_target(options.output, inputs);
    if (!options.pdf.empty()) {
        check_output_target(options.pdf, inputs, "--pdf");
        if (fs::absolute(options.pdf) == fs::absolute(options.output))
            throw InputError(problem_at(where_in("", 0, 0, "--pdf"),
                                        "the same file as -o: expected another name, e.g. "
                                        "report.pdf"));
        find_chromium();
    }
    const std::string html = report_html(options, &summary);
    {
        AtomicOutput out(options.output, inputs);
        {
            std::ofstream file(out.temporary(), std::ios::binary | std::ios::trunc);
            file << html;
            file.close();
            if (!file)
                throw std::runtime_error(
                    fmt::format("cannot write '{}'", out.temporary().string()));
        }
        out.commit();
    }
    summary.html = options.output;
    if (!options.pdf.empty()) {
        print_to_pdf(options.output, options.pdf);
        summary.pdf = options.pdf;
    }
    return summary;
}

}  // namespace socialtwin
