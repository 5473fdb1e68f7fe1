#include "engine/core/indicators.hpp"

#include <numeric>
#include <stdexcept>

namespace socialtwin {

IndicatorId IndicatorCatalog::add(IndicatorSpec spec) {
    if (find(spec.name)) throw std::logic_error("indicator '" + spec.name + "' declared twice");
    specs_.push_back(std::move(spec));
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
    values_.reserve(catalog.size());
    for (const auto& spec : catalog.specs())
        values_.emplace_back(n_areas * values_per_area(spec.shape), 0.0);
}

std::span<double> YearResults::area_values(IndicatorId id, std::size_t area) {
    const std::size_t n = values_per_area(catalog_->spec(id).shape);
    return std::span<double>(values_.at(id)).subspan(area * n, n);
}

std::span<const double> YearResults::area_values(IndicatorId id, std::size_t area) const {
    const std::size_t n = values_per_area(catalog_->spec(id).shape);
    return std::span<const double>(values_.at(id)).subspan(area * n, n);
}

double YearResults::total(IndicatorId id) const {
    const auto& v = values_.at(id);
    return std::accumulate(v.begin(), v.end(), 0.0);
}

void YearResults::clear() {
    for (auto& v : values_) std::fill(v.begin(), v.end(), 0.0);
}

}  // namespace socialtwin
