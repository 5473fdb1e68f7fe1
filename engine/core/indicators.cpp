#include "engine/core/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <numeric>
#include <stdexcept>

#include "engine/core/large_table.hpp"
#include "engine/core/non_finite.hpp"
#include "engine/core/parallel.hpp"

namespace socialtwin {

std::string_view to_string(IndicatorKind kind) noexcept {
    switch (kind) {
        case IndicatorKind::count:
            return "count";
        case IndicatorKind::amount:
            return "amount";
        case IndicatorKind::measure:
            return "measure";
    }
    return "count";
}

std::string_view to_string(Quantity quantity) noexcept {
    return quantity == Quantity::flow ? "flow" : "stock";
}

IndicatorCatalog::IndicatorCatalog() {
    Dimension sex{"sex", {}, "sex"};
    for (Sex s : all_sexes) sex.labels.emplace_back(to_string(s));
    Dimension age_band{"age_band", {}, "5-year age band on 1 January (stocks) or during the year"};
    for (int band = 0; band < n_age_bands; ++band) age_band.labels.push_back(age_band_label(band));
    add_dimension(std::move(sex));
    add_dimension(std::move(age_band));
}

void IndicatorCatalog::add_dimension(Dimension dimension) {
    for (const auto& existing : dimensions_)
        if (existing.name == dimension.name)
            throw std::logic_error("dimension '" + dimension.name + "' declared twice");
    if (dimension.labels.empty())
        throw std::logic_error("dimension '" + dimension.name + "' has no labels");
    dimensions_.push_back(std::move(dimension));
}

const Dimension& IndicatorCatalog::dimension(const std::string& name) const {
    for (const auto& d : dimensions_)
        if (d.name == name) return d;
    throw std::logic_error("dimension '" + name + "' was never declared");
}

IndicatorId IndicatorCatalog::add(IndicatorSpec spec) {
    if (find(spec.name)) throw std::logic_error("indicator '" + spec.name + "' declared twice");
    if (spec.kind == IndicatorKind::measure && spec.weight.empty())
        throw std::logic_error("measure '" + spec.name + "' names no weight");
    if (spec.cost && spec.quantity != Quantity::flow)
        throw std::logic_error("cost '" + spec.name +
                               "' is not declared a flow: spending is an amount during the year");
    std::size_t n = 1;
    for (const auto& d : spec.dims) n *= dimension(d).labels.size();
    specs_.push_back(std::move(spec));
    values_per_area_.push_back(n);
    return specs_.size() - 1;
}

std::optional<IndicatorId> IndicatorCatalog::find(const std::string& name) const {
    for (std::size_t i = 0; i < specs_.size(); ++i)
        if (specs_[i].name == name) return i;
    return std::nullopt;
}

IndicatorId IndicatorCatalog::id(const std::string& name) const {
    if (auto found = find(name)) return *found;
    throw std::logic_error("indicator '" + name + "' was never declared");
}

YearResults::YearResults(const IndicatorCatalog& catalog, std::size_t n_areas)
    : catalog_(&catalog), n_areas_(n_areas) {
    starts_.assign(1, 0);
    for (std::size_t i = 0; i < catalog.size(); ++i)
        starts_.push_back(starts_.back() + n_areas * catalog.values_per_area(i));
    // calloc: a large block comes straight from the kernel, already zero, page by page -- in
    // 2 MB pages where the kernel offers them: a PC6 country's 800 MB in 4 KB pages were
    // ~200,000 faults, a second of system CPU on the project's (virtual) machine.
    const std::size_t n = std::max<std::size_t>(starts_.back(), 1);
    storage_.reset(static_cast<double*>(std::calloc(n, sizeof(double))));
    if (!storage_) throw std::bad_alloc();
    advise_huge_pages(storage_.get(), n * sizeof(double));
}

YearResults::YearResults(const YearResults& other)
    : year(other.year),
      replicate(other.replicate),
      catalog_(other.catalog_),
      n_areas_(other.n_areas_),
      starts_(other.starts_),
      storage_(static_cast<double*>(
          std::malloc(std::max<std::size_t>(starts_.back(), 1) * sizeof(double)))) {
    if (!storage_) throw std::bad_alloc();
    advise_huge_pages(storage_.get(), std::max<std::size_t>(starts_.back(), 1) * sizeof(double));
    std::copy_n(other.storage_.get(), starts_.back(), storage_.get());
}

YearResults& YearResults::operator=(const YearResults& other) {
    if (this != &other) *this = YearResults(other);
    return *this;
}

void YearResults::Free::operator()(double* values) const noexcept { std::free(values); }

double YearResults::total(IndicatorId id) const {
    const auto v = values(id);
    return std::accumulate(v.begin(), v.end(), 0.0);
}

void YearResults::clear() {
    parallel_for_ranges(starts_.back(), [&](const tbb::blocked_range<std::size_t>& range) {
        std::fill(storage_.get() + range.begin(), storage_.get() + range.end(), 0.0);
    });
}

std::optional<YearResults::ValueAt> YearResults::first_non_finite() const {
    // Each indicator's first, in parallel; then the first indicator's that has one.
    const std::size_t n_indicators = starts_.size() - 1;
    std::vector<std::optional<ValueAt>> first(n_indicators);
    parallel_for_each_index(n_indicators, [&](std::size_t id) {
        const bool nan_allowed = catalog_->spec(id).nan_allowed;
        const auto v = values(id);
        // The common case, asked of all values at once: then where is not asked (the search value
        // by value took 1,500 instructions an area-year at PC6 density).
        if (!any_not_finite(v)) return;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (std::isfinite(v[i]) || (nan_allowed && std::isnan(v[i]))) continue;
            const std::size_t n = catalog_->values_per_area(id);
            first[id] = ValueAt{id, i / n, i % n, v[i]};
            return;
        }
    });
    for (const auto& found : first)
        if (found) return found;
    return std::nullopt;
}

std::string YearResults::labels_at(IndicatorId id, std::size_t index) const {
    // Row-major over the dims, the last one fastest, as the values are laid out.
    const auto& dims = catalog_->spec(id).dims;
    std::vector<std::string> labels(dims.size());
    for (std::size_t d = dims.size(); d-- > 0;) {
        const auto& dimension_labels = catalog_->dimension(dims[d]).labels;
        labels[d] = dimension_labels[index % dimension_labels.size()];
        index /= dimension_labels.size();
    }
    std::string out;
    for (const auto& label : labels) out += (out.empty() ? "" : ", ") + label;
    return out;
}

}  // namespace socialtwin
