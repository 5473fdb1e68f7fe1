#pragma once
// Results per area (PC6, PC4, buurt) aggregated to the larger areas each lies in, in the same
// result file: the computation (group_areas, aggregate_values), shared by the result writer, the
// `socialtwin aggregate` command (engine/results/aggregate_file.hpp), compare and monitor, so that
// a planner reads a buurt's or the gemeente's figures without adding them up (and cannot add them
// up wrongly: a measure such as a distance is averaged, not summed).
//
//   /aggregates                      attrs description, levels
//   /aggregates/<level>/             one group per level (pc4, buurt, wijk, gemeente by default;
//                                    any area attribute on request), never the file's own level
//     year      (year)               int32, dimension scale
//     <level>   (<level>)            the larger areas' codes, sorted; dimension scale
//     sex, age_band, ...             the catalog dimensions, as at the root
//     replicate, quantile            [N > 1] as at the root
//     n_areas   (<level>)            int32: how many of the file's areas each holds
//     <attr>    (<level>)            every other area attribute with one value per larger area
//                                    (buurt_name, wijk, gemeente_name ...): coordinates
//     <indicator> (year, <level>[, ...])   float64, attrs as at the root (units, kind, quantity,
//                                    cost ...) plus `aggregation`
//     <indicator>_replicates, _quantiles   [N > 1] each replicate aggregated, and the quantiles
//                                    over replicates of those aggregates (not aggregated
//                                    quantiles, which would not be quantiles of anything)
//
// How an indicator aggregates follows its kind: count and amount are summed over the member
// areas; a measure is averaged weighted by its `weight` indicator's values of the same year
// (and replicate), or by the plain mean where those weights sum to 0 or the weight is missing.
// NaN values (and NaN weights) are left out; a larger area with no value at all is NaN.

#include <hdf5.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/result_file.hpp"

namespace socialtwin {

// The levels written by default, where the file has such an area attribute.
inline const std::vector<std::string> default_aggregate_levels{"pc4", "buurt", "wijk", "gemeente"};

// The file's areas grouped by one area attribute (or each area on its own, for the file's own
// level).
struct AreaGrouping {
    std::string level;
    std::vector<std::string> codes;          // the larger areas, sorted
    std::vector<std::size_t> group_of_area;  // index into codes, per area
    std::vector<std::size_t> n_areas;        // member areas per larger area
    // The other area attributes that have one value in every larger area (e.g. buurt_name for
    // buurt), over the larger areas.
    std::vector<AreaAttribute> labels;
};

// Groups `areas` by the attribute `level`; `level` equal to `area_level` (or "area") groups each
// area on its own. Throws InputError (naming `file`, when given) for an unknown level, listing the
// attributes there are.
AreaGrouping group_areas(const std::vector<std::string>& areas, const std::string& area_level,
                         const std::vector<AreaAttribute>& attributes, const std::string& level,
                         const std::string& file = {});
AreaGrouping group_areas(const ResultLayout& layout, const std::string& level,
                         const std::string& file = {});
// All areas in one group, `code`.
AreaGrouping single_group(std::size_t n_areas, std::string code = "total");

// One year's values of one indicator, [areas x per_area] row-major, aggregated into `out`
// [groups x per_area]. `weights` (for a measure) are the weight indicator's values of the same
// year, [areas x weights_per_area] with weights_per_area 1 (one weight per area, broadcast) or
// per_area (one per cell); empty = none (the plain mean).
void aggregate_values(const AreaGrouping& grouping, IndicatorKind kind,
                      std::span<const double> values, std::size_t per_area,
                      std::span<const double> weights, std::size_t weights_per_area,
                      std::span<double> out);
std::vector<double> aggregate_values(const AreaGrouping& grouping, IndicatorKind kind,
                                     std::span<const double> values, std::size_t per_area,
                                     std::span<const double> weights = {},
                                     std::size_t weights_per_area = 1);
// The same for several groupings of the same areas at once, into outs[g] for groupings[g]: the
// values read once for all of them (a run's pc4, buurt, wijk and gemeente), each grouping's sums
// added in the same order, so the numbers equal one call per grouping to the bit.
void aggregate_values(std::span<const AreaGrouping* const> groupings, IndicatorKind kind,
                      std::span<const double> values, std::size_t per_area,
                      std::span<const double> weights, std::size_t weights_per_area,
                      std::span<const std::span<double>> outs);
// What aggregate_values does for `kind`, in words, for the `aggregation` attribute.
std::string aggregation_text(IndicatorKind kind, const std::string& level,
                             const std::string& weight);

struct AggregateOptions {
    // Levels to write; empty = default_aggregate_levels where the file has them. A level named
    // here must be an area attribute of the file and not its own level (else InputError).
    std::vector<std::string> levels;
    bool companions = true;  // also aggregate <indicator>_replicates and _quantiles
    // Levels already in /aggregates that `levels` does not name are kept (they were computed
    // from the same indicators), so adding buurt does not silently drop pc4; true drops them
    // (`socialtwin aggregate --only`).
    bool only_these_levels = false;
    // Threads that deflate the aggregates' chunks (0: all the machine has; a run passes its own).
    int threads = 0;
};

// The levels to aggregate `layout` to: `requested`, each checked (an area attribute of the file,
// not its own level; InputError naming `path` otherwise), or when empty the
// default_aggregate_levels the file has.
std::vector<std::string> aggregate_levels(const ResultLayout& layout,
                                          const std::vector<std::string>& requested,
                                          const std::filesystem::path& path = {});

// The aggregates of a run computed as its years arrive, so the result writer need not read the
// file back at the end. Holds, per level and indicator, the aggregated values of each year: of
// <indicator> and, with several replicates, of each replicate. The same aggregate_values over the
// same values in the same order as write_aggregates reading the file back: bit-identical numbers.
// They are the larger areas only, but every year of them: for a PC6 run of the whole country
// with its pc4, buurt and wijk some 39 MB a year, 1.2 GB over 30 years. So a writer that finds
// them large keeps them in a scratch file instead (keep_in), and memory holds a year at a time.
class AggregateAccumulator {
public:
    // `layout` is the result's structure (read from the file being written once its indicators
    // are laid out); the levels are those write_aggregates(options) will write.
    AggregateAccumulator(const ResultLayout& layout, const AggregateOptions& options,
                         const std::filesystem::path& path = {});
    // One replicate's values of year index `year`, per indicator in the layout's order (with one
    // replicate they are <indicator>'s values).
    void add_replicate(std::size_t year, std::size_t replicate,
                       std::span<const std::span<const double>> values);
    // The same for the one indicator at `indicator` (an index into the layout's indicators), at
    // every level; `values` are still every indicator's (a measure is weighted by another's).
    // Calls for different indicators store different values, so they may run at once, on
    // different threads; each gives the same numbers as add_replicate.
    void add_replicate(std::size_t year, std::size_t replicate,
                       std::span<const std::span<const double>> values, std::size_t indicator);
    std::size_t n_indicators() const noexcept { return layout_.indicators.size(); }
    // The layout's indicators, in its order (those the file keeps only in /aggregates too).
    const std::vector<ResultIndicator>& indicators() const noexcept { return layout_.indicators; }
    // Whether each replicate of `indicator` is aggregated: its has_replicates in the layout given
    // (the writer gives every indicator its replicates, kept per area in the file or not).
    bool has_replicates(std::string_view indicator) const;
    // The result's structure it was made from, its indicators as above, without the areas' codes
    // and attributes (in the groupings instead): what write_aggregates writes from, instead of
    // reading the file back.
    const ResultLayout& layout() const noexcept { return layout_; }
    // The levels, in write order, and their groupings of the areas.
    const std::vector<AreaGrouping>& groupings() const noexcept { return groupings_; }
    // The mean over replicates (<indicator>) of year index `year`, with several replicates.
    void add_mean(std::size_t year, std::span<const std::span<const double>> values);

    // The aggregated values stored for (level, indicator, replicate or the mean, year): empty
    // when none were added. Reads them from keep_in's location when they were stored there.
    std::vector<double> values(const std::string& level, const std::string& indicator,
                               std::optional<std::size_t> replicate, std::size_t year) const;

    // Bytes the aggregates of every year (and replicate) take when all are held in memory.
    std::size_t bytes() const noexcept;
    // From now on each (year, replicate or the mean) given to store() is written into a dataset
    // of its level and indicator made here, in `location` (a group of a scratch file), and leaves
    // memory. Makes HDF5 calls, as store() and values() then do: one thread at a time.
    void keep_in(hid_t location);
    bool kept_elsewhere() const noexcept { return !kept_.empty(); }
    // One (year, replicate or the mean)'s aggregated values, per level and indicator.
    struct Year {
        std::size_t year = 0, slot = 0;
        std::vector<std::vector<double>> values;  // [level][indicator]
    };
    // Moves out what was added for (year, replicate) -- nullopt: the mean -- once its adds are
    // done (any thread; the adds of another year may run meanwhile).
    Year take(std::size_t year, std::optional<std::size_t> replicate);
    // Writes a taken year into keep_in's location.
    void store(const Year& year);

private:
    void add(std::size_t year, std::size_t slot, std::span<const std::span<const double>> values);
    void add(std::size_t year, std::size_t slot, std::span<const std::span<const double>> values,
             std::size_t indicator);
    std::size_t slot_of(std::optional<std::size_t> replicate) const noexcept {
        return replicate && slots_ > 1 ? 1 + *replicate : 0;
    }
    std::size_t index(std::size_t level, std::size_t indicator, std::size_t slot,
                      std::size_t year) const noexcept {
        return ((level * layout_.indicators.size() + indicator) * slots_ + slot) * years_ + year;
    }
    std::size_t slots_ = 1;  // the mean, then each replicate (with several)
    std::size_t years_ = 0;
    ResultLayout layout_;
    std::vector<const ResultIndicator*> weights_;  // per indicator; nullptr without
    std::vector<AreaGrouping> groupings_;
    std::map<std::string, std::size_t, std::less<>> level_index_, indicator_index_;
    // [level][indicator][slot][year]
    std::vector<std::vector<double>> stored_;
    // With keep_in: per level and indicator its dataset (slot, year, values) in the location,
    // and per [level][indicator][slot][year] whether store() wrote it there.
    std::vector<hdf5::Dataset> kept_;
    std::vector<char> stored_elsewhere_;
};

// Writes /aggregates into the open, writable result file `file` from its indicators: each level
// written replaces the one there; other levels there stay unless options.only_these_levels.
// Returns the levels written (none and none kept: no /aggregates group). `path` names the file in
// errors. With `computed`, the levels, the structure and the values are those it was made with
// and holds instead of the file's (options.levels is not asked again), and the replicates of
// each indicator it holds are aggregated whether or not the file keeps them per area
// (output.replicates_per_area).
std::vector<std::string> write_aggregates(hid_t file, const AggregateOptions& options = {},
                                          const std::filesystem::path& path = {},
                                          const AggregateAccumulator* computed = nullptr);

}  // namespace socialtwin
