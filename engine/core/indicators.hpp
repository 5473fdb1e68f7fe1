#pragma once
// Output indicators are declared apart from the processes that fill them: a model declares what
// it reports (name, unit, meaning), the projection fills one value per area (and sex x age band
// where the shape says so) each year, and observers such as the HDF5 writer format them.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/types.hpp"

namespace socialtwin {

enum class IndicatorShape {
    per_area,               // dims (year, area)
    per_area_sex_age_band,  // dims (year, area, sex, age_band)
};

// Values per area for one indicator and year: 1 or n_sexes * n_age_bands (sex-major).
constexpr std::size_t values_per_area(IndicatorShape shape) noexcept {
    return shape == IndicatorShape::per_area ? 1 : std::size_t{n_sexes} * n_age_bands;
}

struct IndicatorSpec {
    std::string name;         // stable output name, e.g. "gp_contacts"
    std::string units;        // e.g. "persons", "contacts per year", "EUR (price level 2022)"
    std::string description;  // one sentence a planner understands
    IndicatorShape shape = IndicatorShape::per_area;
    std::string source;  // where its rates come from; may be empty
};

using IndicatorId = std::size_t;

class IndicatorCatalog {
public:
    // Declares an indicator; declaring the same name twice is a programming error.
    IndicatorId add(IndicatorSpec spec);
    std::optional<IndicatorId> find(const std::string& name) const;
    IndicatorId id(const std::string& name) const;  // throws std::logic_error if unknown
    const IndicatorSpec& spec(IndicatorId id) const { return specs_.at(id); }
    const std::vector<IndicatorSpec>& specs() const noexcept { return specs_; }
    std::size_t size() const noexcept { return specs_.size(); }

private:
    std::vector<IndicatorSpec> specs_;
};

// All indicator values of one projected year (and replicate), area-major per indicator.
class YearResults {
public:
    YearResults(const IndicatorCatalog& catalog, std::size_t n_areas);

    int year = 0;
    int replicate = 0;

    std::size_t n_areas() const noexcept { return n_areas_; }
    const IndicatorCatalog& catalog() const noexcept { return *catalog_; }
    std::span<double> values(IndicatorId id) { return values_.at(id); }
    std::span<const double> values(IndicatorId id) const { return values_.at(id); }
    // The values of one indicator for one area (1 or n_sexes * n_age_bands of them).
    std::span<double> area_values(IndicatorId id, std::size_t area);
    std::span<const double> area_values(IndicatorId id, std::size_t area) const;
    double total(IndicatorId id) const;  // sum over areas (and sexes, age bands)
    void clear();

private:
    const IndicatorCatalog* catalog_;
    std::size_t n_areas_;
    std::vector<std::vector<double>> values_;
};

}  // namespace socialtwin
