#include "engine/input/dataset_listing.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "engine/core/errors.hpp"
#include "engine/core/suggest.hpp"
#include "engine/core/types.hpp"
#include "engine/formats/csv.hpp"

namespace socialtwin {

namespace {

// The larger-area attributes in the order a planner reads them, smallest first.
constexpr std::array<std::string_view, 4> levels_in_order{"pc4", "buurt", "wijk", "gemeente"};

// 84880 -> "84,880": counts as a planner reads them.
std::string grouped(double value) {
    const auto whole = static_cast<long long>(std::llround(value));
    const std::string digits = std::to_string(whole < 0 ? -whole : whole);
    std::string text = whole < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
        text += digits[i];
    }
    return text;
}

std::vector<double> inhabitants_per_area(const Dataset& dataset) {
    std::vector<double> per_area(dataset.areas.size(), 0.0);
    for (std::size_t a = 0; a < per_area.size(); ++a)
        per_area[a] = dataset.base.persons.area_total(a);
    return per_area;
}

// The larger-area levels the dataset's areas carry, smallest first.
std::vector<std::string> larger_levels(const Dataset& dataset) {
    std::vector<std::string> levels;
    for (const auto level : levels_in_order)
        if (dataset.areas.attribute(std::string(level)) && level != dataset.area_level)
            levels.emplace_back(level);
    return levels;
}

std::string plural(std::string_view level, std::size_t n) {
    if (n == 1) return std::string(level);
    if (level == "buurt") return "buurten";
    if (level == "wijk") return "wijken";
    if (level == "gemeente") return "gemeenten";
    return std::string(level) + " areas";
}

// The value of attribute `name` shared by the areas of each group, "" where they differ or the
// dataset has no such attribute.
std::vector<std::string> shared_values(const AreaTable& areas, const std::string& name,
                                       const std::vector<std::size_t>& group_of, std::size_t n) {
    std::vector<std::string> values(n);
    std::vector<bool> differs(n, false), seen(n, false);
    const AreaAttribute* attribute = areas.attribute(name);
    if (!attribute) return values;
    for (std::size_t a = 0; a < group_of.size(); ++a) {
        const std::size_t g = group_of[a];
        if (!seen[g]) {
            values[g] = attribute->values[a];
            seen[g] = true;
        } else if (values[g] != attribute->values[a]) {
            differs[g] = true;
        }
    }
    for (std::size_t g = 0; g < n; ++g)
        if (differs[g]) values[g].clear();
    return values;
}

}  // namespace

std::string dataset_overview(const Dataset& dataset) {
    std::vector<std::string> parts;
    for (const std::string& level : larger_levels(dataset)) {
        const auto groups = dataset.areas.groups(level);
        const std::size_t n =
            groups.empty() ? 0 : *std::max_element(groups.begin(), groups.end()) + 1;
        parts.push_back(fmt::format("{} {}", grouped(static_cast<double>(n)), plural(level, n)));
    }
    const auto inhabitants = inhabitants_per_area(dataset);
    return fmt::format("{} {}{}{}; {} inhabitants on 1 January {}",
                       grouped(static_cast<double>(dataset.areas.size())), dataset.area_level,
                       dataset.areas.size() == 1 ? " area" : " areas",
                       parts.empty() ? "" : fmt::format(" in {}", fmt::join(parts, ", ")),
                       grouped(std::accumulate(inhabitants.begin(), inhabitants.end(), 0.0)),
                       dataset.base.year);
}

Listing list_areas(const Dataset& dataset, const std::string& level) {
    const AreaTable& areas = dataset.areas;
    const bool own = level.empty() || level == dataset.area_level;
    if (!own && (!areas.attribute(level) || level.ends_with("_name"))) {
        std::vector<std::string> there{dataset.area_level};
        for (const std::string& l : larger_levels(dataset)) there.push_back(l);
        const std::vector<std::string_view> candidates(there.begin(), there.end());
        const std::string guess = did_you_mean(level, candidates);
        throw InputError(
            problem_at(where_in("", 0, 0, "--level"),
                       fmt::format("dataset '{}' has no level '{}'; expected one of: {}",
                                   dataset.name, level, fmt::join(there, ", ")),
                       guess));
    }
    const std::string shown = own ? dataset.area_level : level;
    std::vector<std::size_t> group_of(areas.size());
    std::vector<std::string> codes;
    if (own) {
        std::iota(group_of.begin(), group_of.end(), std::size_t{0});
        codes = areas.codes();
    } else {
        std::map<std::string, std::size_t> number;
        const AreaAttribute& attribute = *areas.attribute(level);
        for (const std::string& code : attribute.values) number.emplace(code, 0);
        for (auto& [code, n] : number) {
            n = codes.size();
            codes.push_back(code);
        }
        for (std::size_t a = 0; a < areas.size(); ++a) group_of[a] = number.at(attribute.values[a]);
    }
    const std::size_t n = codes.size();
    std::vector<double> inhabitants(n, 0), dwellings(n, 0);
    std::vector<std::size_t> members(n, 0);
    const auto per_area = inhabitants_per_area(dataset);
    for (std::size_t a = 0; a < areas.size(); ++a) {
        inhabitants[group_of[a]] += per_area[a];
        if (a < dataset.base.dwellings.size()) dwellings[group_of[a]] += dataset.base.dwellings[a];
        ++members[group_of[a]];
    }

    Listing listing;
    listing.heading = fmt::format("{} of {} ({}); inhabitants and dwellings on 1 January {}",
                                  plural(shown, 2), dataset.name, dataset.title, dataset.base.year);
    listing.header.push_back(shown);
    std::vector<std::vector<std::string>> columns;
    const auto add_column = [&](const std::string& name) {
        auto values = shared_values(areas, name, group_of, n);
        if (std::all_of(values.begin(), values.end(), [](const auto& v) { return v.empty(); }))
            return;
        listing.header.push_back(name);
        columns.push_back(std::move(values));
    };
    add_column(shown + "_name");
    for (const std::string& larger : larger_levels(dataset)) {
        if (larger == shown) continue;
        // Only levels each of the shown areas lies in wholly (a buurt in one wijk; not a PC4,
        // which may cross buurten).
        const auto values = shared_values(areas, larger, group_of, n);
        if (std::any_of(values.begin(), values.end(), [](const auto& v) { return v.empty(); }))
            continue;
        add_column(larger);
        add_column(larger + "_name");
    }
    if (!own) listing.header.push_back(plural(dataset.area_level, 2));
    listing.header.insert(listing.header.end(), {"inhabitants", "dwellings"});
    for (std::size_t g = 0; g < n; ++g) {
        std::vector<std::string> row{codes[g]};
        for (const auto& column : columns) row.push_back(column[g]);
        if (!own) row.push_back(std::to_string(members[g]));
        row.push_back(fmt::format("{:.0f}", inhabitants[g]));
        row.push_back(fmt::format("{:.0f}", dwellings[g]));
        listing.rows.push_back(std::move(row));
    }
    return listing;
}

Listing list_facilities(const Dataset& dataset) {
    Listing listing;
    listing.heading = fmt::format(
        "facilities of {} on 1 January {}: real = an observed location; modelled = placed by a "
        "method (the dataset's provenance says how), not a real practice",
        dataset.name, dataset.base.year);
    const AreaAttribute* buurt = dataset.areas.attribute("buurt");
    const AreaAttribute* buurt_name = dataset.areas.attribute("buurt_name");
    listing.header = {"facility", "type",  "area",          "buurt",
                      "capacity", "units", "real/modelled", "name"};
    for (const Facility& f : dataset.facilities) {
        std::string where;
        if (buurt) where = buurt->values[f.area];
        if (buurt_name && !buurt_name->values[f.area].empty())
            where += fmt::format(" ({})", buurt_name->values[f.area]);
        listing.rows.push_back({f.id, f.type, dataset.areas.code(f.area), where,
                                fmt::format("{:g}", f.capacity), f.capacity_units,
                                f.status == "observed" ? "real" : f.status, f.name});
    }
    return listing;
}

std::string format_listing(const Listing& listing, bool csv) {
    std::string out;
    if (csv) {
        const auto line = [](const std::vector<std::string>& cells) {
            std::vector<std::string> quoted;
            for (const auto& c : cells) quoted.push_back(csv_cell(c));
            return fmt::format("{}\n", fmt::join(quoted, ","));
        };
        out += line(listing.header);
        for (const auto& row : listing.rows) out += line(row);
        return out;
    }
    std::vector<std::size_t> width(listing.header.size());
    for (std::size_t c = 0; c < width.size(); ++c) {
        width[c] = listing.header[c].size();
        for (const auto& row : listing.rows) width[c] = std::max(width[c], row[c].size());
    }
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t c = 0; c < cells.size(); ++c)
            text += c + 1 == cells.size() ? cells[c] : fmt::format("{:<{}}  ", cells[c], width[c]);
        text.erase(text.find_last_not_of(' ') + 1);
        return text + "\n";
    };
    out += listing.heading + "\n\n" + line(listing.header);
    for (const auto& row : listing.rows) out += line(row);
    return out;
}

}  // namespace socialtwin
