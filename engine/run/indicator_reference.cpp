#include "engine/run/indicator_reference.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "engine/core/accounts.hpp"
#include "engine/core/facilities.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/scenario.hpp"
#include "models/rate_set.hpp"
#include "models/registry.hpp"

namespace socialtwin {

namespace {

// A Markdown table cell: a '|' in a description would end the cell.
std::string cell(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::string dims_of(const IndicatorSpec& spec) {
    std::string out = "year, area";
    for (const std::string& dim : spec.dims) out += ", " + dim;
    return out;
}

// How it adds up: over areas (kind, a measure's weight) and over years (stock or flow, cost).
std::string kind_of(const IndicatorSpec& spec) {
    std::string out{to_string(spec.kind)};
    if (spec.kind == IndicatorKind::measure) out += fmt::format(" (weight `{}`)", spec.weight);
    out += fmt::format(", {}", to_string(spec.quantity));
    if (spec.cost) out += ", cost";
    return out;
}

}  // namespace

std::string indicator_reference_markdown() {
    // The shipped rate sets are at 2022 prices; a run's `units` attribute says its own prices.
    RateSet rates;
    rates.price_year = 2022;
    // One GP practice: the accessibility model declares a distance per facility type of the run,
    // and the capacity indicators only when there are GP practices.
    Facility gp_practice;
    gp_practice.id = "gp-1";
    gp_practice.type = "gp_practice";
    gp_practice.capacity = 1;
    gp_practice.capacity_units = "FTE";
    gp_practice.status = "observed";
    const std::vector<Facility> facilities{gp_practice};
    // A scenario that aligns: the alignment model declares its indicators only then.
    Scenario aligning;
    aligning.alignment.push_back({.table = "prognosis.csv", .level = "gemeente"});
    IndicatorCatalog catalog;
    const PopulationAccounts accounts(catalog);  // the indicators the cores declare themselves
    for (const auto& model : create_models({.rates = rates, .facilities = facilities})) {
        model->configure(aligning);
        model->declare_indicators(catalog);
    }
    std::string md{indicator_table_begin};
    md += "| name | dims | units | kind | meaning |\n";
    md += "|---|---|---|---|---|\n";
    for (const IndicatorSpec& spec : catalog.specs())
        md += fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.name, dims_of(spec),
                          cell(spec.units), kind_of(spec), cell(spec.description));
    md += indicator_table_end;
    return md;
}

std::string with_generated_indicators(const std::string& doc, const std::string& generated) {
    const auto begin = doc.find(indicator_table_begin.substr(0, indicator_table_begin.find(';')));
    const auto end = doc.find(indicator_table_end, begin == std::string::npos ? 0 : begin);
    if (begin == std::string::npos || end == std::string::npos)
        throw std::runtime_error(
            "the doc has no generated indicator table between '<!-- generated: indicators' and "
            "'<!-- end generated -->'");
    return doc.substr(0, begin) + generated + doc.substr(end + indicator_table_end.size());
}

}  // namespace socialtwin
