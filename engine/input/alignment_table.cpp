#include "engine/input/alignment_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "engine/core/suggest.hpp"
#include "engine/core/types.hpp"
#include "engine/formats/csv.hpp"

namespace socialtwin {

namespace {

constexpr std::string_view total_level = "total";

std::optional<int> whole_age(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < 0 || v > max_age)
        return std::nullopt;
    return v;
}

// "0-14" -> [0, 14], "65+" -> [65, 105], "40" -> [40, 40]; nullopt if not a band of ages
// 0..105 with min <= max.
std::optional<std::pair<int, int>> age_band(std::string_view text) {
    if (!text.empty() && text.back() == '+') {
        const auto min = whole_age(text.substr(0, text.size() - 1));
        if (!min) return std::nullopt;
        return std::pair{*min, max_age};
    }
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        const auto age = whole_age(text);
        if (!age) return std::nullopt;
        return std::pair{*age, *age};
    }
    const auto min = whole_age(text.substr(0, dash)), max = whole_age(text.substr(dash + 1));
    if (!min || !max || *min > *max) return std::nullopt;
    return std::pair{*min, *max};
}

SourceLocation at_key(const AlignmentTable& t, std::string_view key) {
    SourceLocation where = t.where;
    where.key_path += key;
    return where;
}

// One entry: its regions from the dataset, then the table's rows. Problems go to `problems`.
void read_table(AlignmentTable& t, const Scenario& scenario, const AreaTable& areas,
                std::vector<InputProblem>& problems) {
    // The regions: every area together, the areas themselves, or a column of areas.csv.
    std::vector<std::string> region_of_area_code;  // per area: its region's code
    if (t.level == total_level) {
        region_of_area_code.assign(areas.size(), std::string{total_level});
    } else if (const AreaAttribute* attribute = areas.attribute(t.level)) {
        region_of_area_code = attribute->values;
    } else if (t.level == areas.level()) {
        region_of_area_code = areas.codes();
    } else {
        std::vector<std::string_view> levels{total_level, areas.level()};
        for (const AreaAttribute& a : areas.attributes()) levels.push_back(a.name);
        std::string list;
        for (const std::string_view l : levels)
            list += fmt::format("{}{}", list.empty() ? "" : ", ", l);
        problems.push_back(problem_at(
            at_key(t, ".level"),
            fmt::format("level '{}' is not in the dataset; expected one of {}", t.level, list),
            did_you_mean(t.level, levels)));
        return;
    }
    std::map<std::string, int, std::less<>> region_index;
    t.regions.clear();
    for (const std::string& code : region_of_area_code)
        if (!code.empty() && region_index.emplace(code, static_cast<int>(t.regions.size())).second)
            t.regions.push_back(code);

    const bool total = t.level == total_level;
    std::vector<std::string> required{"year", "population"};
    if (!total) required.push_back(t.level);
    std::optional<CsvTable> read;
    try {
        read.emplace(read_csv(t.table, required));
    } catch (const InputError& e) {
        problems.push_back(problem_at(at_key(t, ".table"),
                                      fmt::format("alignment table '{}' cannot be used", t.table),
                                      "see the problems with the file below"));
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
        return;
    }
    CsvTable& csv = *read;
    const auto year_col = csv.column("year"), population_col = csv.column("population");
    const std::optional<CsvColumn> region_col =
        total ? std::nullopt : std::optional{csv.column(t.level)};
    const std::optional<CsvColumn> sex_col = csv.find_column("sex");
    const std::optional<CsvColumn> band_col = csv.find_column("age_band");
    t.by_sex = sex_col.has_value();

    // The age groups: the table's distinct bands, which may not overlap.
    t.age_groups.clear();
    std::vector<std::optional<std::pair<int, int>>> band_of_row(csv.size());
    if (band_col) {
        std::map<std::pair<int, int>, std::size_t> first_row;
        for (std::size_t row = 0; row < csv.size(); ++row) {
            band_of_row[row] = age_band(csv.text(row, *band_col));
            if (!band_of_row[row]) {
                csv.report(row, *band_col,
                           fmt::format("expected an age band such as 0-14, 65+ or 40 (whole "
                                       "years 0..{}), got \"{}\"",
                                       max_age, csv.text(row, *band_col)));
                continue;
            }
            first_row.emplace(*band_of_row[row], row);
        }
        for (const auto& [band, row] : first_row) t.age_groups.push_back(band);
        for (std::size_t g = 1; g < t.age_groups.size(); ++g)
            if (t.age_groups[g].first <= t.age_groups[g - 1].second)
                csv.report(first_row[t.age_groups[g]], *band_col,
                           fmt::format("age band \"{}\" overlaps band {}-{} of the same table",
                                       csv.text(first_row[t.age_groups[g]], *band_col),
                                       t.age_groups[g - 1].first, t.age_groups[g - 1].second),
                           "the bands of a table must not overlap");
    } else {
        t.age_groups.push_back({0, max_age});
    }

    const int first = scenario.base_year + 1, last = scenario.base_year + scenario.horizon;
    const std::size_t per_region = t.cells_per_region();
    std::vector<bool> region_used(t.regions.size(), false);
    std::map<std::tuple<int, int, std::size_t>, int> seen;  // (year, region, cell) -> line
    const std::vector<std::string_view> region_codes(t.regions.begin(), t.regions.end());
    for (std::size_t row = 0; row < csv.size(); ++row) {
        const auto year = csv.whole_number(row, year_col);
        const double population = csv.number(row, population_col, 0.0);
        const std::size_t problems_before = csv.problems().size();
        if ((t.from_year && year < t.from_year) || (t.to_year && year > t.to_year)) continue;
        if (year < first || year > last)
            csv.report(row, year_col,
                       fmt::format("year {} lies outside the projection: targets are for 1 "
                                   "January of {}..{} (base_year + 1 .. base_year + horizon)",
                                   year, first, last),
                       "leave the row out, or limit the entry with from/to");
        int region = 0;
        if (region_col) {
            const std::string code{csv.text(row, *region_col)};
            const auto it = region_index.find(code);
            if (it == region_index.end())
                csv.report(row, *region_col,
                           fmt::format("{} '{}' is not in the dataset", t.level, code),
                           did_you_mean(code, region_codes));
            else
                region = it->second;
        }
        std::size_t sex_group = 0;
        if (sex_col) {
            static constexpr std::array<std::string_view, 2> sexes{"male", "female"};
            sex_group = csv.choice(row, *sex_col, sexes) == "female" ? 1 : 0;
        }
        std::size_t group = 0;
        if (band_col && band_of_row[row])
            group = static_cast<std::size_t>(
                std::find(t.age_groups.begin(), t.age_groups.end(), *band_of_row[row]) -
                t.age_groups.begin());
        if (csv.problems().size() != problems_before || (band_col && !band_of_row[row])) continue;
        const std::size_t c = sex_group * t.age_groups.size() + group;
        const auto [it, fresh] =
            seen.emplace(std::tuple{static_cast<int>(year), region, c}, csv.row(row).line);
        if (!fresh) {
            csv.report(row, year_col,
                       fmt::format("duplicate row: line {} already gives this target", it->second),
                       "one row per region, year, sex and age band");
            continue;
        }
        auto& targets = t.targets[static_cast<int>(year)];
        if (targets.empty())
            targets.assign(t.regions.size() * per_region, std::numeric_limits<double>::quiet_NaN());
        targets[static_cast<std::size_t>(region) * per_region + c] = population;
        region_used[static_cast<std::size_t>(region)] = true;
    }
    problems.insert(problems.end(), csv.problems().begin(), csv.problems().end());

    // Areas of regions the table never names are not aligned (another table may align them).
    t.region_of_area.assign(areas.size(), -1);
    for (std::size_t a = 0; a < areas.size(); ++a) {
        const auto it = region_index.find(region_of_area_code[a]);
        if (it != region_index.end() && region_used[static_cast<std::size_t>(it->second)])
            t.region_of_area[a] = it->second;
    }
}

}  // namespace

void read_alignment_tables(Scenario& scenario, const AreaTable& areas) {
    std::vector<InputProblem> problems;
    for (AlignmentTable& t : scenario.alignment) read_table(t, scenario, areas, problems);
    if (!problems.empty()) throw_input_problems(std::move(problems));

    // An area is aligned by one table in a year: two would pull it to two targets.
    for (std::size_t j = 0; j < scenario.alignment.size(); ++j)
        for (std::size_t i = 0; i < j; ++i) {
            const AlignmentTable &a = scenario.alignment[i], &b = scenario.alignment[j];
            for (const auto& [year, unused] : b.targets) {
                if (!a.targets.contains(year)) continue;
                bool overlap = false;
                for (std::size_t x = 0; x < areas.size() && !overlap; ++x)
                    overlap = a.region_of_area[x] >= 0 && b.region_of_area[x] >= 0;
                if (!overlap) continue;
                problems.push_back(problem_at(
                    b.where, fmt::format("aligns areas that align[{}] aligns too, in {}", i, year),
                    "an area can be aligned to one table a year: split the tables or their "
                    "years (from/to)"));
                break;
            }
        }
    if (!problems.empty()) throw_input_problems(std::move(problems));
}

}  // namespace socialtwin
