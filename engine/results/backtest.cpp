#include "engine/results/backtest.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "engine/core/errors.hpp"
#include "engine/formats/input_file.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/input/observations.hpp"
#include "engine/results/compare.hpp"
#include "engine/results/monitor.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double error_percent(double forecast, double observed) {
    return observed != 0 && !std::isnan(forecast) ? (forecast - observed) / observed * 100 : nan;
}

using SeriesKey = std::tuple<std::string, std::string, std::string, std::string>;

SeriesKey key_of(const ObservedRow& row) {
    return {row.area, row.indicator, row.sex, row.age_band};
}

std::string percent_text(double value) {
    return std::isnan(value) ? std::string("-") : fmt::format("{:.2f}%", value);
}

std::string share_text(double value) {
    return std::isnan(value) ? std::string("-") : fmt::format("{:.0f}%", value * 100);
}

std::string group_text(const std::string& sex, const std::string& age_band) {
    if (sex.empty() && age_band.empty()) return "total";
    if (sex.empty()) return age_band;
    if (age_band.empty()) return sex;
    return sex + " " + age_band;
}

}  // namespace

double error_quantile(std::vector<double> values, double q) {
    values.erase(
        std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
        values.end());
    if (values.empty()) return nan;
    std::sort(values.begin(), values.end());
    const double at = q * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(at));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    const double fraction = at - static_cast<double>(below);
    return values[below] + fraction * (values[above] - values[below]);
}

BacktestPlan plan_backtest(const fs::path& observation, const std::string& level) {
    const ObservationInfo info = read_observation_info(observation, level);
    return {info.dataset, observed_years(info)};
}

int dataset_base_year(const fs::path& dataset_dir) {
    const fs::path yaml = dataset_dir / "dataset.yaml";
    const std::string text = read_input_text_or_throw(yaml, yaml_input_limit);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw InputError({problem_at(where_in(yaml.string(), e.mark.line + 1, e.mark.column + 1),
                                     fmt::format("not valid YAML: {}", e.msg))});
    }
    const YAML::Node year = root["base_year"];
    int value = 0;
    if (year && year.IsScalar()) try {
            value = year.as<int>();
        } catch (const YAML::Exception&) {
            value = 0;
        }
    if (value <= 0)
        throw InputError(
            {problem_at(where_in(yaml.string(), 1, 1, "base_year"),
                        "expected the dataset's base year (a whole year, e.g. 2021)")});
    return value;
}

BacktestReport backtest_projection(const BacktestOptions& options) {
    const MonitorReport monitored = monitor_projection({.projection = options.projection,
                                                        .observation = options.observation,
                                                        .output = {},
                                                        .level = options.level,
                                                        .allow_unmatched_areas = true});
    BacktestReport report;
    report.observation_path = options.observation;
    report.observation_name = monitored.observation_name;
    report.observation_title = monitored.observation_title;
    report.level = monitored.level;
    report.dataset = options.dataset;
    report.core = options.core;
    report.base_year = monitored.first_year;
    report.unmatched_areas = monitored.unmatched_areas;
    report.not_projected = monitored.not_projected;

    // Every observation in or before the base year, per series: what the naive trend knows.
    std::map<SeriesKey, std::map<int, double>> history;
    auto remember = [&](const ObservedRow& row) {
        if (row.year <= report.base_year) {
            history[key_of(row)][row.year] = row.value;
            ++report.n_before_base;
        }
    };
    for (const auto& v : monitored.values) remember(v.row);
    for (const auto& row : monitored.outside_years) remember(row);

    for (const auto& v : monitored.values) {
        if (v.row.year <= report.base_year) continue;
        BacktestRow row;
        row.area = v.row.area;
        row.indicator = v.row.indicator;
        row.sex = v.row.sex;
        row.age_band = v.row.age_band;
        row.year = v.row.year;
        row.observed = v.row.value;
        row.projected = v.projected;
        row.no_change = v.projected_first_year;
        row.last_trend = nan;
        if (const auto h = history.find(key_of(v.row));
            h != history.end() && h->second.size() >= 2) {
            const auto latest = std::prev(h->second.end());
            const auto before = std::prev(latest);
            const double per_year = (latest->second - before->second) /
                                    static_cast<double>(latest->first - before->first);
            row.last_trend =
                row.no_change + per_year * static_cast<double>(row.year - report.base_year);
        }
        row.error_percent = error_percent(row.projected, row.observed);
        row.no_change_error_percent = error_percent(row.no_change, row.observed);
        row.last_trend_error_percent = error_percent(row.last_trend, row.observed);
        report.rows.push_back(std::move(row));
    }

    // The summary per (indicator, sex, age band, year), in the table's order.
    std::vector<std::tuple<std::string, std::string, std::string, int>> order;
    std::map<std::tuple<std::string, std::string, std::string, int>,
             std::vector<const BacktestRow*>>
        groups;
    for (const auto& row : report.rows) {
        const auto key = std::tuple{row.indicator, row.sex, row.age_band, row.year};
        auto [it, inserted] = groups.try_emplace(key);
        if (inserted) order.push_back(key);
        it->second.push_back(&row);
    }
    // Indicators in their documented order; within one, the total, then each sex; within those,
    // all ages and then the age bands from young to old.
    auto rank = [](const std::tuple<std::string, std::string, std::string, int>& key) {
        const auto& [indicator, sex, age_band, year] = key;
        const auto at =
            std::find(observable_indicators.begin(), observable_indicators.end(), indicator) -
            observable_indicators.begin();
        int lowest_age = -1;
        if (!age_band.empty()) {
            lowest_age = 0;
            for (const char c : age_band) {
                if (c < '0' || c > '9') break;
                lowest_age = lowest_age * 10 + (c - '0');
            }
        }
        return std::tuple{at, sex, lowest_age, year};
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    for (const auto& key : order) {
        const auto& rows = groups.at(key);
        BacktestSummaryRow s;
        std::tie(s.indicator, s.sex, s.age_band, s.year) = key;
        std::vector<double> model, still, trend;
        std::size_t beats_still = 0, beats_trend = 0, comparable = 0;
        for (const BacktestRow* r : rows) {
            if (std::isnan(r->error_percent)) continue;
            ++comparable;
            model.push_back(std::abs(r->error_percent));
            still.push_back(std::abs(r->no_change_error_percent));
            if (std::abs(r->error_percent) < std::abs(r->no_change_error_percent)) ++beats_still;
            if (!std::isnan(r->last_trend_error_percent)) {
                trend.push_back(std::abs(r->last_trend_error_percent));
                if (std::abs(r->error_percent) < std::abs(r->last_trend_error_percent))
                    ++beats_trend;
            }
        }
        s.n_areas = comparable;
        s.n_trend = trend.size();
        s.median = error_quantile(model, 0.5);
        s.p90 = error_quantile(model, 0.9);
        s.no_change_median = error_quantile(still, 0.5);
        s.no_change_p90 = error_quantile(still, 0.9);
        s.trend_median = error_quantile(trend, 0.5);
        s.trend_p90 = error_quantile(trend, 0.9);
        s.beats_no_change = comparable > 0
                                ? static_cast<double>(beats_still) / static_cast<double>(comparable)
                                : nan;
        s.beats_trend = trend.empty()
                            ? nan
                            : static_cast<double>(beats_trend) / static_cast<double>(trend.size());
        report.summary.push_back(std::move(s));
    }
    return report;
}

void write_backtest_csv(const BacktestReport& report, const fs::path& output) {
    AtomicOutput out(output);
    {
        std::ofstream file(out.temporary());
        file << "level,area,indicator,sex,age_band,year,base_year,observed,projected,no_change,"
                "last_trend,error_percent,no_change_error_percent,last_trend_error_percent\n";
        auto number = [](double v) {
            return std::isnan(v) ? std::string{} : fmt::format("{:.10g}", v);
        };
        auto quoted = [](const std::string& text) {
            if (text.find_first_of(",\"\n") == std::string::npos) return text;
            std::string q = "\"";
            for (const char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + "\"";
        };
        for (const auto& r : report.rows)
            file << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", report.level,
                                quoted(r.area), r.indicator, r.sex, r.age_band, r.year,
                                report.base_year, number(r.observed), number(r.projected),
                                number(r.no_change), number(r.last_trend), number(r.error_percent),
                                number(r.no_change_error_percent),
                                number(r.last_trend_error_percent));
        file.close();
        if (!file)
            throw InputError({problem_at(where_in(output.string()), "could not be written")});
    }
    out.commit();
}

void print_backtest(const BacktestReport& report, std::ostream& out, bool markdown) {
    const std::string heading = fmt::format(
        "Backtest: dataset '{}' ({} core) from {} against '{}'{}, per {}", report.dataset,
        report.core, report.base_year, report.observation_name,
        report.observation_title.empty() ? std::string{}
                                         : fmt::format(" ({})", report.observation_title),
        report.level);
    out << (markdown ? "**" + heading + "**" : heading) << "\n\n";
    std::vector<std::vector<std::string>> rows{
        {"indicator", "group", "year", "areas", "projection median", "projection p90",
         "no change median", "no change p90", "last trend median", "last trend p90", "trend areas",
         "projection beats no change", "beats last trend"}};
    for (const auto& s : report.summary)
        rows.push_back({s.indicator, group_text(s.sex, s.age_band), std::to_string(s.year),
                        std::to_string(s.n_areas), percent_text(s.median), percent_text(s.p90),
                        percent_text(s.no_change_median), percent_text(s.no_change_p90),
                        percent_text(s.trend_median), percent_text(s.trend_p90),
                        std::to_string(s.n_trend), share_text(s.beats_no_change),
                        share_text(s.beats_trend)});
    if (report.summary.empty())
        out << "No observed value lies after the base year.\n";
    else
        print_table(out, rows, 2, markdown);

    // The largest errors of the total population, for "what explains them".
    std::vector<const BacktestRow*> totals;
    int last_year = 0;
    for (const auto& r : report.rows)
        if (r.indicator == "population") last_year = std::max(last_year, r.year);
    for (const auto& r : report.rows)
        if (r.indicator == "population" && r.year == last_year && !std::isnan(r.error_percent))
            totals.push_back(&r);
    if (totals.size() > 1) {
        std::stable_sort(totals.begin(), totals.end(), [](const auto* a, const auto* b) {
            return std::abs(a->error_percent) > std::abs(b->error_percent);
        });
        totals.resize(std::min<std::size_t>(totals.size(), 10));
        out << fmt::format("\nLargest errors of the total population in {}:\n\n", last_year);
        std::vector<std::vector<std::string>> worst{{report.level, "observed", "projected", "error",
                                                     "no change error", "last trend error"}};
        for (const auto* r : totals)
            worst.push_back({r->area, format_number(r->observed, 0), format_number(r->projected, 0),
                             percent_text(r->error_percent),
                             percent_text(r->no_change_error_percent),
                             percent_text(r->last_trend_error_percent)});
        print_table(out, worst, 2, markdown);
    }
    out << fmt::format(
        "\n{} observed values after the base year compared; {} in or before it (for the last "
        "trend). Median and p90 (90th percentile) over the areas of the absolute error "
        "|forecast - observed| / observed; no change = the projection's base year value; last "
        "trend = that + the observed change per year between the last two observations in or "
        "before the base year; beats = share of areas where the projection's absolute error is "
        "smaller.\n",
        report.rows.size(), report.n_before_base);
    if (!report.unmatched_areas.empty())
        out << fmt::format("{} observed {} not in the projection (left out): {}{}\n",
                           report.unmatched_areas.size(), report.level,
                           fmt::join(report.unmatched_areas.begin(),
                                     report.unmatched_areas.begin() +
                                         static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                             report.unmatched_areas.size(), 10)),
                                     ", "),
                           report.unmatched_areas.size() > 10 ? ", ..." : "");
    if (!report.not_projected.empty())
        out << fmt::format("Not in the projection (not compared): {}\n",
                           fmt::join(report.not_projected, ", "));
}

}  // namespace socialtwin
