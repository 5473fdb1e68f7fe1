#pragma once
// Output indicators are declared apart from the processes that fill them: a model declares what
// it reports (name, unit, meaning), the projection fills one value per area (and sex x age band
// where its dimensions say so) each year, and observers such as the HDF5 writer format them.

#include <cassert>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/core/types.hpp"

namespace socialtwin {

// A dimension an indicator has besides year and area, e.g. sex or household type: its name in
// the result file and one label per position.
struct Dimension {
    std::string name;                 // e.g. "sex", "age_band", "household_type"
    std::vector<std::string> labels;  // e.g. "male", "female"
    std::string description;          // one sentence for the result file
};

// What kind of quantity an indicator is, which says how it aggregates over areas and how it is
// treated for publication (disclosure control).
enum class IndicatorKind {
    count,    // persons, households, dwellings, contacts: summed; rounded to 5 for publication
    amount,   // EUR, FTE, hours: summed; published as computed
    measure,  // distances, ratios: averaged over areas weighted by `weight`, never summed
};
std::string_view to_string(IndicatorKind kind) noexcept;

// Whether an indicator's yearly values may be added up over years: a flow is an amount during
// the year (births, GP contacts, spending), a stock a level at a moment or over the year
// (population on 1 January, FTE needed, a distance). A businesscase sums flows over the period;
// summing a stock over years would count the same persons once a year.
enum class Quantity {
    stock,
    flow,
};
std::string_view to_string(Quantity quantity) noexcept;

struct IndicatorSpec {
    std::string name{};         // stable output name, e.g. "gp_contacts"
    std::string units{};        // e.g. "persons", "contacts per year", "EUR (price level 2022)"
    std::string description{};  // one sentence a planner understands
    // Dimensions after (year, area), each declared in the catalog; empty = one value per area.
    std::vector<std::string> dims{};
    std::string source{};  // where its rates come from; may be empty
    IndicatorKind kind = IndicatorKind::count;
    // For a measure: the indicator whose per-area values weight it when areas are combined
    // (e.g. "population" for a distance residents travel).
    std::string weight{};
    // NaN is one of its values, said in its description (a distance to the nearest facility
    // when none is open). Otherwise a NaN, like an infinity in any indicator, fails the run.
    bool nan_allowed = false;
    // Declared by the process (not read from `units`), and written with the values so that
    // readers of the result file need not guess: Quantity above; a cost is money spent during
    // the year (so also a flow), which a businesscase cumulates and discounts.
    Quantity quantity = Quantity::stock;
    bool cost = false;
};

using IndicatorId = std::size_t;

class IndicatorCatalog {
public:
    // Starts with the dimensions every run has: sex and age_band.
    IndicatorCatalog();

    // Declares a dimension; the same name twice is a programming error.
    void add_dimension(Dimension dimension);
    const Dimension& dimension(const std::string& name) const;  // throws std::logic_error
    const std::vector<Dimension>& dimensions() const noexcept { return dimensions_; }

    // Declares an indicator; declaring the same name twice, naming an undeclared dimension, a
    // measure without a weight or a cost that is not a flow is a programming error.
    IndicatorId add(IndicatorSpec spec);
    std::optional<IndicatorId> find(const std::string& name) const;
    IndicatorId id(const std::string& name) const;  // throws std::logic_error if unknown
    const IndicatorSpec& spec(IndicatorId id) const { return specs_.at(id); }
    const std::vector<IndicatorSpec>& specs() const noexcept { return specs_; }
    std::size_t size() const noexcept { return specs_.size(); }
    // Values per area of an indicator: the product of its dimensions' sizes (1 without any).
    std::size_t values_per_area(IndicatorId id) const { return values_per_area_.at(id); }

private:
    std::vector<Dimension> dimensions_;
    std::vector<IndicatorSpec> specs_;
    std::vector<std::size_t> values_per_area_;
};

// The dims of an indicator reported by sex and 5-year age band (sex-major).
inline const std::vector<std::string> by_sex_and_age_band{"sex", "age_band"};

// A run whose numbers left the finite: an indicator, or an area's population, became infinite
// or NaN. Not bad input (every value passed the scenario's bounds) and not always a bug: a
// scenario can be implausible within plausible bounds (a tenfold fertility growing by 20% a
// year for a century). Either way the run has failed and has no result.
class RunFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// All indicator values of one projected year (and replicate), area-major per indicator.
class YearResults {
public:
    // Zeros. Held in one block whose pages the kernel zeroes as they are first written: a PC6
    // country's 800 MB are not swept at the start of a run, on one thread.
    YearResults(const IndicatorCatalog& catalog, std::size_t n_areas);
    YearResults(const YearResults& other);
    YearResults& operator=(const YearResults& other);
    YearResults(YearResults&&) noexcept = default;
    YearResults& operator=(YearResults&&) noexcept = default;
    ~YearResults() = default;

    int year = 0;
    int replicate = 0;

    std::size_t n_areas() const noexcept { return n_areas_; }
    const IndicatorCatalog& catalog() const noexcept { return *catalog_; }
    std::span<double> values(IndicatorId id) { return {storage_.get() + start(id), size(id)}; }
    std::span<const double> values(IndicatorId id) const {
        return {storage_.get() + start(id), size(id)};
    }
    // The values of one indicator for one area (catalog().values_per_area(id) of them). Inline:
    // the count-based models ask for a few dozen an area-year, 3% of the instructions of a
    // PC6-density run when each was a call.
    std::span<double> area_values(IndicatorId id, std::size_t area) {
        assert(area < n_areas_);
        const std::size_t n = catalog_->values_per_area(id);
        return {storage_.get() + start(id) + area * n, n};
    }
    std::span<const double> area_values(IndicatorId id, std::size_t area) const {
        assert(area < n_areas_);
        const std::size_t n = catalog_->values_per_area(id);
        return {storage_.get() + start(id) + area * n, n};
    }
    double total(IndicatorId id) const;  // sum over areas (and sexes, age bands)
    // Every value back to zero, in parallel on the current task arena.
    void clear();

    // The first value that is not finite (a NaN passes where the indicator allows it), in the
    // catalog's order, then by area, then by the indicator's own dims: the same value at any
    // thread count (the indicators are searched in parallel on the current task arena). nullopt
    // when every value is finite.
    struct ValueAt {
        IndicatorId indicator = 0;
        std::size_t area = 0;
        std::size_t index = 0;  // within the area's values (catalog().values_per_area)
        double value = 0;
    };
    std::optional<ValueAt> first_non_finite() const;
    // "female, 65-69": the labels of the indicator's dims at `index` of an area's values ("" for
    // an indicator without dims).
    std::string labels_at(IndicatorId id, std::size_t index) const;

private:
    struct Free {
        void operator()(double* values) const noexcept;
    };
    std::size_t start(IndicatorId id) const { return starts_.at(id); }
    std::size_t size(IndicatorId id) const { return starts_.at(id + 1) - starts_[id]; }

    const IndicatorCatalog* catalog_;
    std::size_t n_areas_;
    std::vector<std::size_t> starts_;  // indicator id's values are [starts_[id], starts_[id + 1])
    std::unique_ptr<double[], Free> storage_;
};

}  // namespace socialtwin
