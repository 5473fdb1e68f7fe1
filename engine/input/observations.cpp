#include "engine/input/observations.hpp"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>

#include "engine/core/suggest.hpp"
#include "engine/formats/csv.hpp"
#include "engine/formats/input_file.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view yaml_name = "observation.yaml";
constexpr std::string_view csv_name = "observed.csv";
constexpr std::array<std::string_view, 6> columns{"area", "year",     "indicator",
                                                  "sex",  "age_band", "value"};
constexpr int min_year = 1800, max_year = 2300;

SourceLocation at_node(const fs::path& file, const YAML::Node& node, std::string key) {
    return where_in(file.string(), node.Mark().line + 1, node.Mark().column + 1, std::move(key));
}

std::string scalar(const fs::path& file, const YAML::Node& root, const std::string& key,
                   bool required, std::vector<InputProblem>& problems) {
    const YAML::Node node = root[key];
    if (!node) {
        if (required)
            problems.push_back(
                problem_at(where_in(file.string(), 1, 1, key), "missing; expected a text value"));
        return {};
    }
    if (!node.IsScalar() || node.Scalar().empty()) {
        problems.push_back(problem_at(at_node(file, node, key), "expected a non-empty text value"));
        return {};
    }
    return node.Scalar();
}

}  // namespace

ObservationInfo read_observation_info(const fs::path& path, const std::string& level) {
    ObservationInfo info;
    std::error_code error;
    if (fs::is_directory(path, error)) {
        info.folder = path;
        info.yaml = path / yaml_name;
        info.csv = path / csv_name;
        if (!fs::exists(info.yaml, error))
            throw InputError(problem_at(
                where_in(path.string()),
                fmt::format("not an observation folder: no {} in it", yaml_name),
                fmt::format("an observation folder holds {} and {}", yaml_name, csv_name)));
    } else if (fs::is_regular_file(path, error)) {
        info.folder = path.parent_path();
        info.csv = path;
        if (fs::exists(info.folder / yaml_name, error)) info.yaml = info.folder / yaml_name;
    } else {
        throw InputError(problem_at(where_in(path.string()), "no such file or folder"));
    }
    if (!fs::is_regular_file(info.csv, error))
        throw InputError(
            problem_at(where_in(info.csv.string()), "no such file",
                       fmt::format("an observation folder holds {} and {}", yaml_name, csv_name)));

    if (info.yaml.empty()) {
        // A bare CSV: the level must come from the command line.
        info.name = info.csv.stem().string();
        info.level = level;
        info.level_at = where_in("--level");
        if (level.empty())
            throw InputError(problem_at(
                where_in(info.csv.string()),
                fmt::format("no {} beside it to say which area level its codes are", yaml_name),
                "add one, or pass --level (e.g. --level pc4)"));
        return info;
    }

    const std::string text = read_input_text_or_throw(info.yaml, yaml_input_limit);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        throw InputError(
            problem_at(where_in(info.yaml.string(), e.mark.line + 1, e.mark.column + 1), e.msg));
    }
    check_yaml_limits(root, info.yaml.string());
    if (!root.IsMap())
        throw InputError(problem_at(where_in(info.yaml.string(), 1, 1),
                                    "expected a mapping with name, level, title, dataset, "
                                    "provenance"));
    std::vector<InputProblem> problems;
    info.name = scalar(info.yaml, root, "name", true, problems);
    info.title = scalar(info.yaml, root, "title", false, problems);
    info.dataset = scalar(info.yaml, root, "dataset", false, problems);
    if (level.empty()) {
        info.level = scalar(info.yaml, root, "level", true, problems);
        info.level_at = root["level"] ? at_node(info.yaml, root["level"], "level")
                                      : where_in(info.yaml.string(), 1, 1, "level");
    } else {
        info.level = level;
        info.level_at = where_in("--level");
    }
    if (const YAML::Node also = root["also_matches"]) {
        if (also.IsSequence()) {
            for (const auto& item : also)
                if (item.IsScalar()) info.also_matches.push_back(item.Scalar());
        } else if (also.IsScalar()) {
            info.also_matches.push_back(also.Scalar());
        } else {
            problems.push_back(problem_at(at_node(info.yaml, also, "also_matches"),
                                          "expected a list of dataset names"));
        }
    }
    if (const YAML::Node provenance = root["provenance"]) {
        YAML::Emitter out;
        out << provenance;
        info.provenance = out.c_str();
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return info;
}

namespace {

// The bounds of an age band: "15-24" -> [15, 25), "65+" -> [65, infinity); nullopt otherwise.
std::optional<std::pair<int, int>> band_bounds(std::string_view band) {
    constexpr int open_end = 1 << 20;
    auto whole = [](std::string_view text) -> std::optional<int> {
        if (text.empty() || text.size() > 3) return std::nullopt;
        int value = 0;
        for (const char c : text) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + (c - '0');
        }
        return value;
    };
    if (!band.empty() && band.back() == '+') {
        const auto low = whole(band.substr(0, band.size() - 1));
        if (low) return std::pair{*low, open_end};
        return std::nullopt;
    }
    const auto dash = band.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto low = whole(band.substr(0, dash)), high = whole(band.substr(dash + 1));
    if (!low || !high || *high < *low) return std::nullopt;
    return std::pair{*low, *high + 1};
}

}  // namespace

std::vector<std::size_t> age_band_members(std::string_view band,
                                          const std::vector<std::string>& bands) {
    if (const auto exact = std::find(bands.begin(), bands.end(), band); exact != bands.end())
        return {static_cast<std::size_t>(exact - bands.begin())};
    const auto wanted = band_bounds(band);
    if (!wanted) return {};
    std::vector<std::size_t> members;
    int covered_from = wanted->first, covered_to = wanted->first;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const auto bounds = band_bounds(bands[i]);
        if (!bounds || bounds->first < wanted->first || bounds->second > wanted->second) continue;
        // the members must follow each other without a gap, from the band's lower bound
        if (bounds->first != covered_to) return {};
        members.push_back(i);
        covered_to = bounds->second;
    }
    if (members.empty() || covered_from != wanted->first || covered_to != wanted->second) return {};
    return members;
}

std::vector<int> observed_years(const ObservationInfo& info) {
    CsvTable t = read_csv(info.csv, {"area", "year", "indicator", "sex", "age_band", "value"});
    const auto year = t.column("year");
    std::set<int> years;
    for (std::size_t r = 0; r < t.size(); ++r)
        years.insert(static_cast<int>(t.whole_number(r, year, min_year, max_year)));
    t.throw_if_problems();
    return {years.begin(), years.end()};
}

std::vector<ObservedRow> read_observed(const ObservationInfo& info,
                                       const ObservationVocabulary& vocabulary,
                                       std::vector<std::string>* unmatched_areas) {
    CsvTable t = read_csv(info.csv, {"area", "year", "indicator", "sex", "age_band", "value"});
    // Exactly these columns: another one would be ignored, which for observed data is a mistake
    // waiting to happen (a second value column, a unit).
    {
        std::vector<InputProblem> problems;
        int column = 1;
        for (const auto& name : t.header()) {
            if (std::find(columns.begin(), columns.end(), name) == columns.end())
                problems.push_back(
                    problem_at(where_in(t.file(), t.header_line(), column, name),
                               fmt::format("unexpected column; {} has exactly the columns {}",
                                           csv_name, fmt::join(columns, ","))));
            column += static_cast<int>(name.size()) + 1;
        }
        if (!problems.empty()) throw InputError(std::move(problems));
    }
    const auto area = t.column("area"), year = t.column("year"), indicator = t.column("indicator"),
               sex = t.column("sex"), age_band = t.column("age_band"), value = t.column("value");
    const std::unordered_set<std::string> areas(vocabulary.areas.begin(), vocabulary.areas.end());
    std::vector<std::string_view> area_names(vocabulary.areas.begin(), vocabulary.areas.end());
    std::vector<std::string_view> sexes(vocabulary.sexes.begin(), vocabulary.sexes.end());
    std::vector<std::string_view> bands(vocabulary.age_bands.begin(), vocabulary.age_bands.end());
    std::string examples;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, vocabulary.areas.size()); ++i)
        examples += fmt::format("{}'{}'", i == 0 ? "" : ", ", vocabulary.areas[i]);

    std::vector<ObservedRow> rows;
    std::set<std::string> unmatched_set;
    std::map<std::tuple<std::string, int, std::string, std::string, std::string>, int> seen;
    for (std::size_t r = 0; r < t.size(); ++r) {
        ObservedRow row;
        row.line = t.row(r).line;
        row.indicator = t.choice(r, indicator, observable_indicators);
        const bool known_indicator =
            std::find(observable_indicators.begin(), observable_indicators.end(), row.indicator) !=
            observable_indicators.end();
        row.year = static_cast<int>(t.whole_number(r, year, min_year, max_year));
        row.value = t.number(r, value, 0);
        row.area = t.text(r, area);
        const bool unmatched = areas.count(row.area) == 0;
        if (unmatched && unmatched_areas != nullptr)
            unmatched_set.insert(row.area);
        else if (unmatched)
            t.report(r, area,
                     fmt::format("unknown {} code '{}': expected one of the projection's {} {} "
                                 "codes ({}{})",
                                 info.level, row.area, vocabulary.areas.size(), info.level,
                                 examples, vocabulary.areas.size() > 3 ? ", ..." : ""),
                     did_you_mean(row.area, area_names));
        if (row.indicator == observed_by_age_sex) {
            if (!t.text(r, sex).empty()) row.sex = t.choice(r, sex, sexes);
            row.age_band = t.text(r, age_band);
            if (row.sex.empty() && row.age_band.empty())
                t.report(r, age_band,
                         fmt::format("expected a sex, an age band or both: {} of both sexes and "
                                     "all ages is the indicator population",
                                     observed_by_age_sex));
            else if (!row.age_band.empty() &&
                     age_band_members(row.age_band, vocabulary.age_bands).empty())
                t.report(r, age_band,
                         fmt::format("expected one of the projection's age bands ({}) or a range "
                                     "of whole bands such as 0-14 or 65+, got '{}'",
                                     fmt::join(vocabulary.age_bands, ", "), row.age_band),
                         did_you_mean(row.age_band, bands));
        } else if (known_indicator) {
            for (const auto column : {sex, age_band})
                if (!t.text(r, column).empty())
                    t.report(r, column,
                             fmt::format("expected an empty field: only {} is observed by sex "
                                         "and age band, this row is {}",
                                         observed_by_age_sex, row.indicator));
        }
        const auto key = std::tuple{row.area, row.year, row.indicator, row.sex, row.age_band};
        if (const auto [first, inserted] = seen.emplace(key, row.line); !inserted)
            t.report(
                r, area,
                fmt::format("duplicate row: line {} already has {} {} in {}{}", first->second,
                            row.indicator, row.year, row.area,
                            row.sex.empty() ? std::string{}
                                            : fmt::format(" ({}, {})", row.sex, row.age_band)));
        if (!(unmatched && unmatched_areas != nullptr)) rows.push_back(std::move(row));
    }
    t.throw_if_problems();
    if (unmatched_areas != nullptr)
        unmatched_areas->assign(unmatched_set.begin(), unmatched_set.end());
    return rows;
}

}  // namespace socialtwin
