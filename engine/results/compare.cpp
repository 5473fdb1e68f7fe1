#include "engine/results/compare.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "engine/core/errors.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/headline.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The headline table prints the figures of engine/output/headline.hpp marked `businesscase`,
// when both results have them; "wmo_clients_" stands for every indicator starting with it.
constexpr std::string_view wmo_prefix = "wmo_clients_";

// Copied from the scenario's indicator onto its differences (units, description, quantity and
// cost are written for each dataset: an older input may lack the last two).
constexpr std::array<std::string_view, 3> copied_attributes{
    indicator_attribute::source, indicator_attribute::kind, indicator_attribute::weight};

struct Input {
    fs::path path;
    hdf5::File file;
    ResultLayout layout;
    std::map<std::string, std::vector<double>, std::less<>> cache;

    // An indicator's values (year x area x ...), read once.
    const std::vector<double>& values(const std::string& name) {
        auto found = cache.find(name);
        if (found != cache.end()) return found->second;
        try {
            auto dataset = hdf5::open_dataset(file.id(), name);
            return cache.emplace(name, hdf5::read_doubles(dataset.id())).first->second;
        } catch (const hdf5::Error&) {
            // Its layout was checked on opening: what fails now is the stored bytes.
            throw InputError(problem_at(where_in(path.string(), 0, 0, "/" + name),
                                        "its values cannot be read: the file is damaged",
                                        "was it written or copied completely?"));
        }
    }
};

std::string years_text(const std::vector<std::int32_t>& years) {
    if (years.empty()) return "no years";
    return fmt::format("{}-{} ({} years)", years.front(), years.back(), years.size());
}

std::string dims_text(const ResultIndicator& indicator) {
    std::vector<std::string> parts;
    for (std::size_t axis = 0; axis < indicator.dims.size(); ++axis)
        parts.push_back(fmt::format("{} {}", indicator.dims[axis],
                                    axis < indicator.shape.size() ? indicator.shape[axis] : 0));
    return fmt::format("({})", fmt::join(parts, ", "));
}

// "0.0225", "2.25%" -> 0.0225; nullopt when not a number.
std::optional<double> parse_rate(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.erase(text.begin());
    const bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
    return percent ? value / 100 : value;
}

constexpr double min_rate = -0.5, max_rate = 0.5;

// The prices of the costs, from their units: "EUR per year (constant prices of 2022)" or
// "(price level 2022)" -> "2022"; "(current prices: ...)" -> "current prices"; else /meta
// price_year.
std::string price_year_of(const ResultLayout& layout) {
    // The four digits after "price level " or "prices of ", if there are four.
    auto year_after = [](const std::string& units) -> std::optional<std::string> {
        for (const std::string_view marker : {"price level ", "prices of "}) {
            const auto at = units.find(marker);
            if (at == std::string::npos) continue;
            const std::string year = units.substr(at + marker.size(), 4);
            if (year.size() == 4 &&
                std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return year;
        }
        return std::nullopt;
    };
    std::set<std::string> years;
    for (const auto& indicator : layout.indicators) {
        if (!indicator.cost) continue;
        if (indicator.units.find("current prices") != std::string::npos)
            years.insert("current prices");
        else if (auto year = year_after(indicator.units))
            years.insert(*year);
    }
    if (!years.empty()) return fmt::format("{}", fmt::join(years, ", "));
    return layout.meta_value("price_year");
}

std::string without_per_year(std::string units) {
    if (const auto at = units.find(" per year"); at != std::string::npos) units.erase(at, 9);
    return units;
}

// Where the differences go: the root (each area), a level's group, or the total's.
struct Place {
    hid_t id = H5I_INVALID_HID;
    hdf5::Group group;
    std::string level;                       // "area", a level, or "total"
    const AreaGrouping* grouping = nullptr;  // nullptr: the areas themselves
    bool unit_axis = true;                   // false for the total
    hdf5::Dataset year, unit;
    std::map<std::string, hdf5::Dataset, std::less<>> catalog;
    std::string coordinates;
    bool positions = false;  // x, y and crs (RD New) are in the place's group: a grid_mapping
};

// values (years x areas x per_area) aggregated year by year to (years x groups x per_area).
std::vector<double> aggregate_years(const AreaGrouping& grouping, const ResultIndicator& indicator,
                                    const std::vector<double>& values, std::size_t n_years,
                                    const std::vector<double>* weights,
                                    std::size_t weights_per_area) {
    const std::size_t per_area = indicator.values_per_area();
    const std::size_t n_areas = grouping.group_of_area.size();
    const std::size_t in = n_areas * per_area, out = grouping.codes.size() * per_area;
    std::vector<double> result(n_years * out);
    for (std::size_t y = 0; y < n_years; ++y) {
        std::span<const double> w;
        if (weights != nullptr)
            w = std::span<const double>(*weights).subspan(y * n_areas * weights_per_area,
                                                          n_areas * weights_per_area);
        aggregate_values(grouping, indicator.kind,
                         std::span<const double>(values).subspan(y * in, in), per_area, w,
                         weights_per_area, std::span<double>(result).subspan(y * out, out));
    }
    return result;
}

struct Totals {
    std::vector<double> baseline, scenario;  // years x per_area
    const ResultIndicator* indicator = nullptr;
};

class Comparison {
public:
    Comparison(const CompareOptions& options, CompareReport& report)
        : options_(options), report_(report) {}

    void run() {
        open();
        check();
        if (!options_.output.empty()) {
            AtomicOutput out(options_.output);
            {
                hdf5::File file = hdf5::create_file(out.temporary());
                write(file.id());
                apply_cf_conventions(file.id());
                file.close(fmt::format("closing '{}'", out.temporary().string()));
            }
            out.commit();
        } else {
            for (const auto* indicator : common_) difference(*indicator, H5I_INVALID_HID);
        }
        headlines();
    }

private:
    void open() {
        baseline_.path = options_.baseline;
        scenario_.path = options_.scenario;
        // Both opened (and every problem with them reported) before either is read.
        std::vector<InputProblem> problems;
        for (Input* input : {&baseline_, &scenario_}) {
            try {
                input->file = open_result(input->path);
                input->layout = read_result_layout(input->file.id(), input->path);
            } catch (const InputError& e) {
                problems.insert(problems.end(), e.problems().begin(), e.problems().end());
            }
        }
        // The target is checked now, before the work (engine/formats/output_file.hpp).
        if (!options_.output.empty()) {
            const std::array<ProtectedInput, 2> inputs{
                ProtectedInput{options_.baseline, "the baseline result"},
                ProtectedInput{options_.scenario, "the scenario result"}};
            try {
                check_output_target(options_.output, inputs);
            } catch (const InputError& e) {
                problems.insert(problems.end(), e.problems().begin(), e.problems().end());
            }
        }
        if (!problems.empty()) throw InputError(std::move(problems));
    }

    // Every problem of the two inputs, reported together (InputError) before anything is read.
    void check() {
        check_years_and_areas();
        match_indicators();
        check_levels();
        choose_discount_rate();
        if (!problems_.empty()) throw InputError(std::move(problems_));
        prepare_report();
    }

    // A problem of the scenario result at `key`, said against the baseline.
    void problem(std::string key, std::string message) {
        problems_.push_back(problem_at(where_in(scenario_.path.string(), 0, 0, std::move(key)),
                                       std::move(message)));
    }

    // The same years and areas in the same order: the differences are taken value by value.
    void check_years_and_areas() {
        const ResultLayout& b = baseline_.layout;
        const ResultLayout& s = scenario_.layout;
        if (b.years != s.years)
            problem("year", fmt::format("years {}; the baseline {} has {}", years_text(s.years),
                                        baseline_.path.string(), years_text(b.years)));
        if (b.areas != s.areas) {
            std::string first;
            for (std::size_t a = 0; a < std::min(b.areas.size(), s.areas.size()); ++a)
                if (b.areas[a] != s.areas[a]) {
                    first = fmt::format(
                        "; the first to differ is number {}: '{}' here, '{}' in "
                        "the baseline",
                        a + 1, s.areas[a], b.areas[a]);
                    break;
                }
            problem("area", fmt::format("{} areas ({}); the baseline {} has {} ({}){}",
                                        s.areas.size(), s.area_level, baseline_.path.string(),
                                        b.areas.size(), b.area_level, first));
        }
    }

    // The indicators both have with the same dims, labels and units (common_), and those only one
    // has.
    void match_indicators() {
        const ResultLayout& b = baseline_.layout;
        const ResultLayout& s = scenario_.layout;
        for (const auto& indicator : s.indicators) {
            const ResultIndicator* other = b.find(indicator.name);
            if (other == nullptr) {
                report_.only_in_scenario.push_back(indicator.name);
                continue;
            }
            bool same = true;
            if (indicator.dims != other->dims || indicator.shape != other->shape) {
                problem(indicator.name, fmt::format("dimensions {}; in the baseline {}",
                                                    dims_text(indicator), dims_text(*other)));
                same = false;
            } else {
                for (std::size_t axis = 2; axis < indicator.dims.size(); ++axis) {
                    const auto* here = s.dimension(indicator.dims[axis]);
                    const auto* there = b.dimension(indicator.dims[axis]);
                    if (here == nullptr || there == nullptr || here->labels != there->labels) {
                        problem(indicator.dims[axis],
                                "labels differ from the baseline's: the results use different "
                                "catalogs");
                        same = false;
                    }
                }
            }
            if (indicator.units != other->units) {
                problem(indicator.name, fmt::format("units '{}'; in the baseline '{}'",
                                                    indicator.units, other->units));
                same = false;
            }
            if (same) common_.push_back(&indicator);
        }
        for (const auto& indicator : b.indicators)
            if (s.find(indicator.name) == nullptr)
                report_.only_in_baseline.push_back(indicator.name);
        if (common_.empty() && problems_.empty())
            problem("indicators", fmt::format("no indicator in common with the baseline {}",
                                              baseline_.path.string()));
    }

    // The levels, with the same area attributes in both.
    void check_levels() {
        const ResultLayout& b = baseline_.layout;
        const ResultLayout& s = scenario_.layout;
        try {
            report_.levels = aggregate_levels(s, options_.levels, scenario_.path);
        } catch (const InputError& e) {
            problems_.insert(problems_.end(), e.problems().begin(), e.problems().end());
        }
        for (const auto& level : report_.levels) {
            const auto* here = s.attribute(level);
            const auto* there = b.attribute(level);
            if (there == nullptr)
                problem(level, fmt::format("the baseline {} has no area attribute '{}'",
                                           baseline_.path.string(), level));
            else if (here != nullptr && here->values != there->values)
                problem(level, fmt::format("area attribute '{}' differs from the baseline's: the "
                                           "areas lie in other {}s",
                                           level, level));
        }
    }

    // The discount rate: the command line's, else the scenario's, else the default.
    void choose_discount_rate() {
        const std::string file = scenario_.path.string();
        report_.discount_rate = default_discount_rate;
        report_.discount_rate_source =
            fmt::format("the default ({})", default_discount_rate_source);
        if (options_.discount_rate) {
            report_.discount_rate = *options_.discount_rate;
            report_.discount_rate_source = "--discount-rate";
            if (!(report_.discount_rate > min_rate && report_.discount_rate < max_rate))
                problems_.push_back(problem_at(
                    where_in("--discount-rate"),
                    fmt::format("{} is not a discount rate: expected a fraction a year between {} "
                                "and {}, e.g. 0.0225 for 2.25%",
                                report_.discount_rate, min_rate, max_rate)));
        } else if (const std::string text = scenario_.layout.meta_value("discount_rate");
                   !text.empty()) {
            const auto rate = parse_rate(text);
            if (!rate || !(*rate > min_rate && *rate < max_rate))
                problem("/meta discount_rate",
                        fmt::format("'{}' is not a discount rate: expected a fraction a year "
                                    "between {} and {}, e.g. 0.0225",
                                    text, min_rate, max_rate));
            else {
                report_.discount_rate = *rate;
                report_.discount_rate_source =
                    fmt::format("the scenario's businesscase.discount_rate ({} /meta)", file);
            }
        }
    }

    // What the report says of the inputs, the groupings of the levels and the discount factors.
    void prepare_report() {
        const ResultLayout& b = baseline_.layout;
        const ResultLayout& s = scenario_.layout;
        const std::string file = scenario_.path.string();

        report_.baseline_path = baseline_.path;
        report_.scenario_path = scenario_.path;
        report_.output = options_.output;
        report_.baseline_name = b.meta_value("scenario_name");
        report_.scenario_name = s.meta_value("scenario_name");
        report_.dataset = s.meta_value("dataset");
        for (const auto* indicator : common_) report_.compared.push_back(indicator->name);
        if (!s.years.empty()) {
            report_.first_year = s.years.front();
            report_.last_year = s.years.back();
        }
        // Present values in the base year: the run's first year.
        report_.base_year = report_.first_year;
        report_.price_year = price_year_of(s);
        if (const auto there = price_year_of(b); !there.empty() && there != report_.price_year)
            throw InputError(
                problem_at(where_in(file, 0, 0, "units"),
                           fmt::format("costs at prices of {}; the baseline {} has prices of {}",
                                       report_.price_year, baseline_.path.string(), there)));

        for (const auto& level : report_.levels) groupings_.push_back(group_areas(s, level, file));
        total_ = single_group(s.areas.size());
        discount_.clear();
        for (std::int32_t year : s.years)
            discount_.push_back(1.0 /
                                std::pow(1.0 + report_.discount_rate, year - report_.base_year));
    }

    // ---- writing ----------------------------------------------------------------------------

    void write(hid_t root) {
        const std::string created = utc_timestamp();
        write_identity(root, created);
        lay_out_places(root);
        for (const auto* indicator : common_) difference(*indicator, root);
        write_meta(root, created);
    }

    // The root's title, history, layout version and content: a difference, never a result.
    void write_identity(hid_t root, const std::string& created) {
        hdf5::write_attribute(root, "title",
                              fmt::format("socialtwin businesscase: {} minus {}",
                                          report_.scenario_name, report_.baseline_name));
        hdf5::write_attribute(
            root, "history",
            fmt::format("{} socialtwin {} compare {} {}", created, engine_version(),
                        baseline_.path.string(), scenario_.path.string()));
        hdf5::write_attribute(root, std::string(result_layout::version_attribute),
                              std::int32_t{result_layout::version});
        hdf5::write_attribute(root, std::string(derived_layout::content_attribute),
                              derived_layout::difference);
    }

    // Where the differences go: the root (each area), a group per level under /aggregates, and
    // /aggregates/total.
    void lay_out_places(hid_t root) {
        DimensionNumbers numbers(root);
        {
            Place place;
            place.id = root;
            place.level = "area";
            lay_out(place, numbers, scenario_.layout.areas, "area");
            hdf5::write_attribute(place.unit.id(), "level", scenario_.layout.area_level);
            for (const auto& attribute : scenario_.layout.attributes) {
                write_labels(root, attribute.name, attribute.values, place.unit.id());
                place.coordinates += (place.coordinates.empty() ? "" : " ") + attribute.name;
            }
            // The areas' positions travel along, so a difference is mapped like a result.
            if (copy_area_positions(scenario_.file.id(), root, place.unit.id())) {
                place.positions = true;
                place.coordinates += (place.coordinates.empty() ? "" : " ") + std::string(cf::x) +
                                     " " + std::string(cf::y);
            }
            places_.push_back(std::move(place));
        }
        auto aggregates = hdf5::create_group(root, std::string(derived_layout::aggregates));
        hdf5::write_attribute(aggregates.id(), "description",
                              "scenario minus baseline per larger area (each input aggregated, "
                              "then differenced) and over all areas (total)");
        for (const auto& grouping : groupings_) {
            Place place;
            place.group = hdf5::create_group(aggregates.id(), grouping.level);
            place.id = place.group.id();
            place.level = grouping.level;
            place.grouping = &grouping;
            lay_out(place, numbers, grouping.codes, fmt::format("{} code", grouping.level));
            std::vector<std::int32_t> counts;
            for (std::size_t n : grouping.n_areas) counts.push_back(static_cast<std::int32_t>(n));
            write_values(place.id, "n_areas", counts, place.unit.id());
            place.coordinates = "n_areas";
            for (const auto& label : grouping.labels) {
                write_labels(place.id, label.name, label.values, place.unit.id());
                place.coordinates += ' ' + label.name;
            }
            places_.push_back(std::move(place));
        }
        {
            Place place;
            place.group = hdf5::create_group(aggregates.id(), "total");
            place.id = place.group.id();
            place.level = "total";
            place.grouping = &total_;
            place.unit_axis = false;
            lay_out(place, numbers, {}, "");
            places_.push_back(std::move(place));
        }
    }

    // The place's dimensions: year, its unit (areas or larger areas) unless it is the total, and
    // the catalog's.
    void lay_out(Place& place, DimensionNumbers& numbers, const std::vector<std::string>& codes,
                 const std::string& description) {
        const ResultLayout& s = scenario_.layout;
        place.year = write_dimension(place.id, std::string(result_layout::year), s.years,
                                     numbers.next(), "calendar year");
        if (place.unit_axis)
            place.unit = write_dimension(
                place.id, place.level == "area" ? std::string(result_layout::area) : place.level,
                codes, numbers.next(), description);
        for (const auto& dimension : s.dimensions)
            place.catalog.emplace(dimension.name,
                                  write_dimension(place.id, dimension.name, dimension.labels,
                                                  numbers.next(), dimension.description));
    }

    // A measure's weight indicator, when both inputs have it with one value per area or one per
    // cell of the measure; nullptr otherwise (the plain mean).
    const ResultIndicator* weight_of(const ResultIndicator& indicator) const {
        if (indicator.kind != IndicatorKind::measure) return nullptr;
        const auto* w = scenario_.layout.find(indicator.weight);
        if (w == nullptr || baseline_.layout.find(indicator.weight) == nullptr) return nullptr;
        const std::size_t per_area = indicator.values_per_area();
        return w->values_per_area() == 1 || w->values_per_area() == per_area ? w : nullptr;
    }

    // Both inputs' values of `indicator` aggregated over `grouping`, year by year.
    Totals aggregated(const AreaGrouping& grouping, const ResultIndicator& indicator,
                      const ResultIndicator* weight) {
        const std::size_t n_years = scenario_.layout.years.size();
        const std::size_t weights_per_area = weight != nullptr ? weight->values_per_area() : 1;
        Totals t;
        t.indicator = &indicator;
        t.baseline = aggregate_years(grouping, indicator, baseline_.values(indicator.name), n_years,
                                     weight != nullptr ? &baseline_.values(weight->name) : nullptr,
                                     weights_per_area);
        t.scenario = aggregate_years(grouping, indicator, scenario_.values(indicator.name), n_years,
                                     weight != nullptr ? &scenario_.values(weight->name) : nullptr,
                                     weights_per_area);
        return t;
    }

    // How a place's values came from the areas', for the `aggregation` attribute ("" at the root).
    static std::string aggregation_of(const ResultIndicator& indicator, const Place& place,
                                      bool total, const ResultIndicator* weight) {
        if (place.grouping == nullptr) return {};
        if (!total)
            return aggregation_text(indicator.kind, place.level,
                                    weight != nullptr ? weight->name : "");
        if (indicator.kind != IndicatorKind::measure) return "sum over all areas";
        return fmt::format(
            "mean over all areas{}",
            weight != nullptr ? fmt::format(" weighted by {}", weight->name) : std::string{});
    }

    // Scenario minus baseline of one indicator, written to every place (when `root` is a file)
    // and kept for the headline table over all areas.
    void difference(const ResultIndicator& indicator, hid_t root) {
        const ResultIndicator* weight = weight_of(indicator);
        if (root < 0) {
            totals_[indicator.name] = aggregated(total_, indicator, weight);
            release(indicator);
            return;
        }
        const auto source = hdf5::open_dataset(scenario_.file.id(), indicator.name);
        for (auto& place : places_) {
            std::vector<double> diff;
            std::size_t units = scenario_.layout.areas.size();
            const bool total = place.grouping == &total_;
            if (place.grouping == nullptr) {
                const auto& b = baseline_.values(indicator.name);
                const auto& s = scenario_.values(indicator.name);
                diff.resize(s.size());
                for (std::size_t i = 0; i < s.size(); ++i) diff[i] = s[i] - b[i];
            } else {
                units = place.grouping->codes.size();
                Totals t = aggregated(*place.grouping, indicator, weight);
                diff.resize(t.scenario.size());
                for (std::size_t i = 0; i < diff.size(); ++i)
                    diff[i] = t.scenario[i] - t.baseline[i];
                if (total) totals_[indicator.name] = std::move(t);
            }
            write_place(place, indicator, source.id(), diff, units,
                        aggregation_of(indicator, place, total, weight));
        }
        release(indicator);
    }

    // Indicator values are kept only while needed; weights (e.g. population) stay.
    void release(const ResultIndicator& indicator) {
        bool is_weight = false;
        for (const auto* other : common_)
            if (other->weight == indicator.name) is_weight = true;
        if (is_weight) return;
        baseline_.cache.erase(indicator.name);
        scenario_.cache.erase(indicator.name);
    }

    // What a written dataset is: the source indicator's meaning (copied_attributes), then its
    // own units, description and quantity, whether it is a cost, how it was aggregated and its
    // coordinates.
    static void label(hid_t dataset, hid_t source, const Place& place,
                      const std::string& aggregation, const std::string& description,
                      const std::string& units, Quantity quantity, bool cost) {
        copy_string_attributes(source, dataset, copied_attributes);
        hdf5::write_attribute(
            dataset, std::string(indicator_attribute::cost),
            std::string(cost ? indicator_attribute::yes : indicator_attribute::no));
        hdf5::write_attribute(dataset, std::string(indicator_attribute::units), units);
        hdf5::write_attribute(dataset, std::string(indicator_attribute::description), description);
        hdf5::write_attribute(dataset, std::string(indicator_attribute::quantity),
                              std::string(to_string(quantity)));
        if (!aggregation.empty())
            hdf5::write_attribute(dataset, std::string(indicator_attribute::aggregation),
                                  aggregation);
        if (!place.coordinates.empty())
            hdf5::write_attribute(dataset, std::string(indicator_attribute::coordinates),
                                  place.coordinates);
        if (place.positions) hdf5::write_attribute(dataset, std::string(cf::grid_mapping), cf::crs);
    }

    // /X of one place, and for a cost its _cumulative and _npv.
    void write_place(Place& place, const ResultIndicator& indicator, hid_t source,
                     const std::vector<double>& diff, std::size_t units,
                     const std::string& aggregation) {
        std::vector<hid_t> scales{place.year.id()};
        std::vector<hsize_t> shape{scenario_.layout.years.size()};
        if (place.unit_axis) {
            scales.push_back(place.unit.id());
            shape.push_back(units);
        }
        for (std::size_t axis = 2; axis < indicator.dims.size(); ++axis) {
            scales.push_back(place.catalog.at(indicator.dims[axis]).id());
            shape.push_back(indicator.shape[axis]);
        }
        auto dataset = create_variable(place.id, indicator.name, scales, shape, 0);
        hdf5::write(dataset.id(), std::span<const double>(diff));
        label(dataset.id(), source, place, aggregation,
              fmt::format("scenario minus baseline: {}", indicator.description), indicator.units,
              indicator.quantity, indicator.cost);
        if (indicator.cost)
            write_cost_companions(place, indicator, source, diff,
                                  units * indicator.values_per_area(), aggregation, scales, shape);
    }

    // A cost's difference summed over the years so far (a running total: a stock at the end of
    // each year) and its net present value in the base year.
    void write_cost_companions(Place& place, const ResultIndicator& indicator, hid_t source,
                               const std::vector<double>& diff, std::size_t cells,
                               const std::string& aggregation, std::vector<hid_t> scales,
                               std::vector<hsize_t> shape) {
        const std::size_t n_years = scenario_.layout.years.size();
        std::vector<double> cumulative(diff.size()), npv(cells, 0.0);
        for (std::size_t y = 0; y < n_years; ++y)
            for (std::size_t c = 0; c < cells; ++c) {
                const double d = diff[y * cells + c];
                cumulative[y * cells + c] = (y == 0 ? 0.0 : cumulative[(y - 1) * cells + c]) + d;
                npv[c] += d * discount_[y];
            }
        const std::string units_text = without_per_year(indicator.units);
        {
            auto dataset =
                create_variable(place.id, indicator.name + "_cumulative", scales, shape, 0);
            hdf5::write(dataset.id(), std::span<const double>(cumulative));
            label(dataset.id(), source, place, aggregation,
                  fmt::format("scenario minus baseline, summed over the years from {} up to and "
                              "including `year`: {}",
                              report_.first_year, indicator.description),
                  units_text, Quantity::stock, true);
        }
        scales.erase(scales.begin());
        shape.erase(shape.begin());
        auto dataset = create_variable(place.id, indicator.name + "_npv", scales, shape);
        hdf5::write(dataset.id(), std::span<const double>(npv));
        label(dataset.id(), source, place, aggregation,
              fmt::format("net present value in {} of scenario minus baseline over {}-{}: "
                          "sum over years t of difference_t / (1 + {})^(t - {}): {}",
                          report_.base_year, report_.first_year, report_.last_year,
                          report_.discount_rate, report_.base_year, indicator.description),
              fmt::format("{}, present value in {}", units_text, report_.base_year),
              Quantity::stock, true);
        hdf5::write_attribute(dataset.id(), "discount_rate",
                              fmt::format("{}", report_.discount_rate));
        hdf5::write_attribute(dataset.id(), "present_value_year",
                              std::to_string(report_.base_year));
    }

    void write_meta(hid_t root, const std::string& created) {
        auto meta = hdf5::create_group(root, std::string(result_layout::meta));
        const ResultLayout& b = baseline_.layout;
        const ResultLayout& s = scenario_.layout;
        auto absolute = [](const fs::path& p) {
            std::error_code error;
            const auto a = fs::absolute(p, error);
            return error ? p.string() : a.lexically_normal().string();
        };
        auto join = [](const std::vector<std::string>& names) {
            return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
        };
        const std::vector<std::pair<std::string, std::string>> entries{
            {"content",
             "scenario minus baseline (the difference a maatschappelijke businesscase reports) "
             "for every indicator both results have"},
            {"baseline_path", absolute(baseline_.path)},
            {"baseline_scenario_name", b.meta_value("scenario_name")},
            {"baseline_git_commit", b.meta_value("git_commit")},
            {"baseline_created_utc", b.meta_value("created_utc")},
            {"baseline_core", b.meta_value("core")},
            {"scenario_path", absolute(scenario_.path)},
            {"scenario_name", s.meta_value("scenario_name")},
            {"scenario_git_commit", s.meta_value("git_commit")},
            {"scenario_created_utc", s.meta_value("created_utc")},
            {"scenario_core", s.meta_value("core")},
            {"dataset", s.meta_value("dataset")},
            {"area_level", s.area_level},
            {"years", years_text(s.years)},
            {"discount_rate", fmt::format("{}", report_.discount_rate)},
            {"discount_rate_source", report_.discount_rate_source},
            {"discount_rate_default",
             fmt::format("{} ({})", default_discount_rate, default_discount_rate_source)},
            {"present_value_year", std::to_string(report_.base_year)},
            {"price_year", report_.price_year.empty() ? "unknown" : report_.price_year},
            {"npv_formula",
             fmt::format("<cost>_npv = sum over years t of (scenario - baseline)_t / (1 + r)^(t - "
                         "{}), r = discount_rate; costs during year t",
                         report_.base_year)},
            {"indicators", join(report_.compared)},
            {"only_in_baseline", join(report_.only_in_baseline)},
            {"only_in_scenario", join(report_.only_in_scenario)},
            {"levels", join(report_.levels)},
            {"datasets",
             "/<indicator>: scenario minus baseline per year and area (same dims and units as "
             "the inputs). /<cost>_cumulative (costs: attribute cost true): the difference "
             "summed over the years up to and including `year`. /<cost>_npv: the net present "
             "value of the difference in present_value_year at discount_rate. "
             "/aggregates/<level>/: the same per larger area (each input aggregated as "
             "`socialtwin aggregate` does: counts and amounts summed, measures weighted by "
             "their weight indicator, then differenced). /aggregates/total/: the same over all "
             "areas. Only means are compared, not replicates or quantiles."},
            {"engine_version", std::string(engine_version())},
            {"git_commit", std::string(engine_git_commit())},
            {"created_utc", created},
        };
        for (const auto& [key, value] : entries) hdf5::write_attribute(meta.id(), key, value);
    }

    // ---- headline table ---------------------------------------------------------------------

    // Per year, summed over the indicator's other dims.
    static std::vector<double> per_year(const std::vector<double>& values, std::size_t n_years) {
        std::vector<double> out(n_years, 0.0);
        if (n_years == 0) return out;
        const std::size_t per = values.size() / n_years;
        for (std::size_t y = 0; y < n_years; ++y)
            for (std::size_t k = 0; k < per; ++k) out[y] += values[y * per + k];
        return out;
    }

    void add_rows(const std::string& figure, const std::string& label, const std::vector<double>& b,
                  const std::vector<double>& s, bool flow, bool cost, int decimals,
                  double scale = 1) {
        if (b.empty()) return;
        const std::size_t last = b.size() - 1;
        report_.rows.push_back({label, std::to_string(report_.last_year), figure,
                                HeadlinePeriod::last_year, cost, b[last] / scale, s[last] / scale,
                                decimals});
        if (!flow && !cost) return;
        double b_sum = 0, s_sum = 0, b_pv = 0, s_pv = 0;
        for (std::size_t y = 0; y < b.size(); ++y) {
            b_sum += b[y];
            s_sum += s[y];
            b_pv += b[y] * discount_[y];
            s_pv += s[y] * discount_[y];
        }
        report_.rows.push_back({label,
                                fmt::format("{}-{} {}", report_.first_year, report_.last_year,
                                            cost ? "cumulative" : "sum"),
                                figure, cost ? HeadlinePeriod::cumulative : HeadlinePeriod::sum,
                                cost, b_sum / scale, s_sum / scale, decimals});
        if (cost)
            report_.rows.push_back({label,
                                    fmt::format("NPV {} at {}%", report_.base_year,
                                                format_number(report_.discount_rate * 100, 2)),
                                    figure, HeadlinePeriod::present_value, cost, b_pv / scale,
                                    s_pv / scale, decimals});
    }

    // The share of the population aged `from` or more [%], per year, from population_by_age_sex.
    std::optional<std::pair<std::vector<double>, std::vector<double>>> share_aged(int from) const {
        std::optional<Totals> from_aggregates;
        ResultIndicator kept_larger;  // as the areas would have it
        auto found = totals_.find("population_by_age_sex");
        if (found == totals_.end()) {
            // Results that keep it only per larger area (output.breakdowns_per_area: none).
            from_aggregates = aggregate_totals("population_by_age_sex", kept_larger);
            if (!from_aggregates) return std::nullopt;
        }
        const Totals& totals = from_aggregates ? *from_aggregates : found->second;
        const ResultIndicator& indicator = *totals.indicator;
        const auto axis = std::find(indicator.dims.begin(), indicator.dims.end(), "age_band");
        const auto* bands = scenario_.layout.dimension("age_band");
        if (axis == indicator.dims.end() || bands == nullptr) return std::nullopt;
        const auto a = static_cast<std::size_t>(axis - indicator.dims.begin());
        std::size_t stride = 1;
        for (std::size_t k = a + 1; k < indicator.shape.size(); ++k) stride *= indicator.shape[k];
        const std::size_t per = indicator.values_per_area();
        const std::size_t n_years = scenario_.layout.years.size();
        auto share = [&](const std::vector<double>& values) {
            std::vector<double> out(n_years, nan);
            for (std::size_t y = 0; y < n_years; ++y) {
                double all = 0, old = 0;
                for (std::size_t k = 0; k < per; ++k) {
                    const double v = values[y * per + k];
                    const auto& label = bands->labels.at((k / stride) % bands->labels.size());
                    all += v;
                    if (std::atoi(label.c_str()) >= from) old += v;
                }
                out[y] = all > 0 ? 100 * old / all : nan;
            }
            return out;
        };
        return std::pair{share(totals.baseline), share(totals.scenario)};
    }

    // The totals over all areas of `name` from each result's /aggregates (the level with the
    // fewest units), where neither keeps it per area; `described` is filled as its layout.
    std::optional<Totals> aggregate_totals(const std::string& name,
                                           ResultIndicator& described) const {
        if (baseline_.layout.find(name) != nullptr || scenario_.layout.find(name) != nullptr)
            return std::nullopt;
        const std::size_t n_years = scenario_.layout.years.size();
        const auto b = fewest_aggregate(baseline_.file.id(), name, n_years);
        const auto s = fewest_aggregate(scenario_.file.id(), name, n_years);
        if (!b || !s) return std::nullopt;
        const std::size_t n_areas = scenario_.layout.areas.size();
        const auto as_scenario = as_if_per_area(s->first.id(), name, n_areas);
        const auto as_baseline = as_if_per_area(b->first.id(), name, n_areas);
        if (!as_scenario || !as_baseline || as_scenario->shape != as_baseline->shape)
            return std::nullopt;
        described = *as_scenario;
        Totals t;
        t.indicator = &described;
        const std::size_t per = described.values_per_area();
        auto summed = [&](const std::pair<hdf5::Dataset, hsize_t>& at) {
            return sum_over_units(hdf5::read_doubles(at.first.id()), n_years, at.second, per);
        };
        t.baseline = summed(*b);
        t.scenario = summed(*s);
        return t;
    }

    // care_cost: the cost components both results have, added up, in million EUR.
    void add_care_cost_rows(const std::string& prices) {
        const std::size_t n_years = scenario_.layout.years.size();
        std::vector<std::string> parts;
        std::vector<double> b(n_years, 0.0), s(n_years, 0.0);
        for (auto [component, short_name] : care_cost_components) {
            const auto found = totals_.find(component);
            if (found == totals_.end()) continue;
            parts.emplace_back(short_name);
            const auto bc = per_year(found->second.baseline, n_years);
            const auto sc = per_year(found->second.scenario, n_years);
            for (std::size_t y = 0; y < n_years; ++y) {
                b[y] += bc[y];
                s[y] += sc[y];
            }
        }
        if (!parts.empty())
            add_rows(std::string(care_cost),
                     fmt::format("care cost {} (million EUR{})", fmt::join(parts, "+"), prices), b,
                     s, true, true, 1, 1e6);
    }

    void headlines() {
        const std::size_t n_years = scenario_.layout.years.size();
        std::string prices;
        if (report_.price_year == "current prices")
            prices = ", current prices";
        else if (!report_.price_year.empty())
            prices = fmt::format(", {} prices", report_.price_year);
        auto add = [&](const std::string& name) {
            const auto found = totals_.find(name);
            if (found == totals_.end()) return;
            const ResultIndicator& indicator = *found->second.indicator;
            const auto b = per_year(found->second.baseline, n_years);
            const auto s = per_year(found->second.scenario, n_years);
            if (indicator.cost) {
                add_rows(name, fmt::format("{} (million EUR{})", name, prices), b, s, true, true, 1,
                         1e6);
                return;
            }
            const int decimals = indicator.kind == IndicatorKind::measure           ? 2
                                 : indicator.units.find("FTE") != std::string::npos ? 1
                                                                                    : 0;
            add_rows(name, fmt::format("{} ({})", name, indicator.units), b, s,
                     (indicator.quantity == Quantity::flow), false, decimals);
        };
        for (const HeadlineFigure& figure : headline_figures) {
            if (!figure.businesscase) continue;
            const std::string_view name = figure.name;
            if (name == share_65 || name == share_80) {
                const int from = share_from_age(name);
                if (auto shares = share_aged(from))
                    add_rows(std::string(name), fmt::format("share aged {}+ (%)", from),
                             shares->first, shares->second, false, false, 1);
            } else if (name == care_cost) {
                add_care_cost_rows(prices);
            } else {
                add(std::string(name));
                if (name == "wmo_clients")
                    for (const auto& compared : report_.compared)
                        if (compared.rfind(wmo_prefix, 0) == 0) add(compared);
            }
        }
    }

    const CompareOptions& options_;
    CompareReport& report_;
    Input baseline_, scenario_;
    std::vector<const ResultIndicator*> common_;
    std::vector<AreaGrouping> groupings_;
    AreaGrouping total_;
    std::vector<double> discount_;  // 1 / (1 + r)^(t - base year), per year
    std::vector<Place> places_;
    std::map<std::string, Totals, std::less<>> totals_;
    std::vector<InputProblem> problems_;  // of the inputs, gathered by check()
};

}  // namespace

std::string format_number(double value, int decimals, bool sign) {
    if (std::isnan(value)) return "n/a";
    std::string digits = fmt::format("{:.{}f}", std::abs(value), decimals);
    const bool zero = digits.find_first_not_of("0.") == std::string::npos;
    const std::size_t point = digits.find('.');
    std::size_t end = point == std::string::npos ? digits.size() : point;
    while (end > 3) {
        end -= 3;
        digits.insert(end, ",");
    }
    if (zero) return digits;
    if (value < 0) return "-" + digits;
    return sign ? "+" + digits : digits;
}

std::string format_percent(double percent, int decimals) {
    if (std::isnan(percent)) return {};
    return format_number(percent, decimals, true) + "%";
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                 std::size_t text_columns, bool markdown) {
    if (rows.empty()) return;
    if (markdown) {
        auto line = [&](const std::vector<std::string>& cells) {
            out << "| " << fmt::format("{}", fmt::join(cells, " | ")) << " |\n";
        };
        line(rows.front());
        std::vector<std::string> rule;
        for (std::size_t c = 0; c < rows.front().size(); ++c)
            rule.emplace_back(c < text_columns ? "---" : "---:");
        line(rule);
        for (std::size_t r = 1; r < rows.size(); ++r) line(rows[r]);
        return;
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
            if (c > 0) line += "  ";
            line += c < text_columns ? fmt::format("{:<{}}", row[c], widths[c])
                                     : fmt::format("{:>{}}", row[c], widths[c]);
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << '\n';
    }
}

CompareReport compare_results(const CompareOptions& options) {
    CompareReport report;
    Comparison(options, report).run();
    return report;
}

void print_comparison(const CompareReport& report, std::ostream& out, bool markdown) {
    const std::string heading =
        fmt::format("Businesscase: scenario '{}' ({}) minus baseline '{}' ({}), {}-{}",
                    report.scenario_name, report.scenario_path.string(), report.baseline_name,
                    report.baseline_path.string(), report.first_year, report.last_year);
    const std::string rate = fmt::format(
        "Costs{}; net present values in {} at a discount rate of {}% a year, from {}.",
        report.price_year.empty()               ? std::string{}
        : report.price_year == "current prices" ? std::string(" in current prices")
                                                : fmt::format(" in {} prices", report.price_year),
        report.base_year, format_number(report.discount_rate * 100, 2),
        report.discount_rate_source);
    out << (markdown ? "**" + heading + "**" : heading) << "\n\n" << rate << "\n\n";
    std::vector<std::vector<std::string>> rows{
        {"indicator", "period", "baseline", "scenario", "difference", "relative"}};
    for (const auto& row : report.rows) {
        const double diff = row.difference();
        std::string relative;
        if (std::isfinite(diff) && std::isfinite(row.baseline) && row.baseline != 0)
            relative = format_percent(100 * diff / std::abs(row.baseline));
        rows.push_back({row.label, row.period, format_number(row.baseline, row.decimals),
                        format_number(row.scenario, row.decimals),
                        format_number(diff, row.decimals, true), relative});
    }
    if (report.rows.empty())
        out << "No headline indicator in both results.\n";
    else
        print_table(out, rows, 2, markdown);
    if (!report.only_in_baseline.empty() || !report.only_in_scenario.empty()) {
        out << '\n';
        if (!report.only_in_baseline.empty())
            out << fmt::format("Only in the baseline (not compared): {}\n",
                               fmt::join(report.only_in_baseline, ", "));
        if (!report.only_in_scenario.empty())
            out << fmt::format("Only in the scenario (not compared): {}\n",
                               fmt::join(report.only_in_scenario, ", "));
    }
}

void print_scenario_table(const std::vector<CompareReport>& reports, std::ostream& out,
                          bool markdown) {
    if (reports.empty()) return;
    const CompareReport& first = reports.front();
    const std::string heading =
        fmt::format("Scenarios minus baseline '{}' ({}), {}-{}", first.baseline_name,
                    first.baseline_path.string(), first.first_year, first.last_year);
    const std::string rate = fmt::format(
        "Each scenario column: difference with the baseline (relative difference). Costs{}; net "
        "present values in {} at a discount rate of {}% a year.",
        first.price_year.empty()               ? std::string{}
        : first.price_year == "current prices" ? std::string(" in current prices")
                                               : fmt::format(" in {} prices", first.price_year),
        first.base_year, format_number(first.discount_rate * 100, 2));
    out << (markdown ? "**" + heading + "**" : heading) << "\n\n" << rate << "\n\n";
    std::vector<std::vector<std::string>> rows{{"indicator", "period", "baseline"}};
    for (const auto& report : reports) rows.front().push_back(report.scenario_name);
    for (const auto& row : first.rows) {
        // The flows' sums over the period make the table long and add little to the last year.
        if (row.period.find("sum") != std::string::npos) continue;
        std::vector<std::string> cells{row.label, row.period,
                                       format_number(row.baseline, row.decimals)};
        for (const auto& report : reports) {
            const auto match = std::find_if(
                report.rows.begin(), report.rows.end(),
                [&](const auto& r) { return r.label == row.label && r.period == row.period; });
            if (match == report.rows.end()) {
                cells.emplace_back("");
                continue;
            }
            const double diff = match->difference();
            std::string cell = format_number(diff, match->decimals, true);
            if (std::isfinite(diff) && std::isfinite(match->baseline) && match->baseline != 0)
                cell +=
                    fmt::format(" ({})", format_percent(100 * diff / std::abs(match->baseline)));
            cells.push_back(std::move(cell));
        }
        rows.push_back(std::move(cells));
    }
    print_table(out, rows, 2, markdown);
}

}  // namespace socialtwin
