#include "engine/output/result_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/core/version.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/quantiles.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

std::string qualified(std::string description, std::string_view qualifier) {
    const bool stop = !description.empty() && description.back() == '.';
    if (stop) description.pop_back();
    return fmt::format("{}{}({}){}", description, description.empty() ? "" : " ", qualifier,
                       stop ? "." : "");
}

std::string without_qualifier(std::string description, std::string_view qualifier) {
    const std::string added = fmt::format(" ({})", qualifier);
    const bool stop = !description.empty() && description.back() == '.';
    const std::size_t end = description.size() - (stop ? 1 : 0);
    if (end >= added.size() && description.compare(end - added.size(), added.size(), added) == 0)
        description.erase(end - added.size(), added.size());
    return description;
}

NamedValues result_meta(const RunDescription& run, const std::string& created_utc) {
    const Scenario& scenario = *run.scenario;
    NamedValues entries{
        {"scenario_name", scenario.name},
        {"scenario_path", scenario.source_path},
        {"dataset", scenario.dataset},
        {"seed", std::to_string(scenario.seed)},
        {"core", run.core},
        {"replicates", std::to_string(run.replicates)},
        {"base_year", std::to_string(run.years.front())},
        {"horizon", std::to_string(scenario.horizon)},
        {"area_level", run.areas->level()},
        {"engine_version", std::string(engine_version())},
        {"git_commit", std::string(engine_git_commit())},
        {"created_utc", created_utc},
    };
    // The caller knows best (e.g. the resolved dataset path): its entries replace ours in place;
    // the rest follow ours, so the file lists the run's identity first.
    for (const auto& [key, value] : run.metadata) {
        auto same = std::find_if(entries.begin(), entries.end(),
                                 [&](const auto& entry) { return entry.first == key; });
        if (same != entries.end())
            same->second = value;
        else
            entries.emplace_back(key, value);
    }
    return entries;
}

bool has_positions(const AreaTable& areas) {
    return areas.quantity("x_km") != nullptr && areas.quantity("y_km") != nullptr;
}

std::string area_coordinates(const AreaTable& areas) {
    std::string coordinates;
    for (const auto& attribute : areas.attributes()) {
        if (!coordinates.empty()) coordinates += ' ';
        coordinates += attribute.name;
    }
    if (has_positions(areas)) {
        if (!coordinates.empty()) coordinates += ' ';
        coordinates += fmt::format("{} {}", cf::x, cf::y);
    }
    return coordinates;
}

NamedValues indicator_attributes(const IndicatorSpec& spec, std::string_view qualifier,
                                 const std::string& coordinates) {
    namespace attribute = indicator_attribute;
    NamedValues out;
    // The mean is the indicator itself: its long_name is the plain name, the companions say
    // what they hold.
    const std::string words = long_name_of(spec.name);
    out.emplace_back(cf::long_name, qualifier == result_layout::mean_qualifier
                                        ? words
                                        : qualified(words, qualifier));
    out.emplace_back(attribute::units, udunits_of(spec.units));
    out.emplace_back(cf::unit_label, spec.units);
    if (const std::string currency = currency_of(spec.units); !currency.empty())
        out.emplace_back(cf::currency, currency);
    out.emplace_back(attribute::description, qualified(spec.description, qualifier));
    if (!spec.source.empty()) out.emplace_back(attribute::source, spec.source);
    out.emplace_back(attribute::kind, to_string(spec.kind));
    if (!spec.weight.empty()) out.emplace_back(attribute::weight, spec.weight);
    out.emplace_back(attribute::quantity, to_string(spec.quantity));
    out.emplace_back(attribute::cost, spec.cost ? attribute::yes : attribute::no);
    if (!coordinates.empty()) out.emplace_back(attribute::coordinates, coordinates);
    // Positions among the coordinates: they are RD New metres, described by /crs.
    std::string padded = " " + coordinates + " ";
    if (padded.find(fmt::format(" {} ", cf::x)) != std::string::npos)
        out.emplace_back(cf::grid_mapping, cf::crs);
    return out;
}

void summarise_replicates(std::span<const double> block, std::size_t n, std::span<double> mean,
                          std::span<double> quantiles) {
    const std::size_t m = mean.size();
    const std::span<const double> levels(result_layout::quantile_levels);
    if (n == 0 || block.size() != n * m || quantiles.size() != levels.size() * m)
        throw std::logic_error("summarise_replicates: block, mean and quantiles do not match");
    std::vector<double> cell(n), cell_quantiles(levels.size());
    for (std::size_t k = 0; k < m; ++k) {
        double sum = block[k];
        for (std::size_t r = 1; r < n; ++r) sum += block[r * m + k];
        mean[k] = sum / static_cast<double>(n);
        for (std::size_t r = 0; r < n; ++r) cell[r] = block[r * m + k];
        replicate_quantiles(cell, levels, cell_quantiles);
        for (std::size_t q = 0; q < levels.size(); ++q) quantiles[q * m + k] = cell_quantiles[q];
    }
}

}  // namespace socialtwin
