#include "engine/results/aggregate_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// A result that keeps its breakdowns only per larger area (output.breakdowns_per_area: none)
// cannot compute them again from its areas: a level of its /aggregates rewritten (or dropped by
// --only) would lose them without a word. New levels are fine: they get what the areas keep.
void refuse_to_lose_breakdowns(hid_t root, const ResultLayout& layout,
                               const AggregateOptions& options, const fs::path& source) {
    const std::string aggregates(derived_layout::aggregates);
    if (!breakdowns_only_per_larger_area(root) || !hdf5::link_exists(root, aggregates)) return;
    const auto levels = aggregate_levels(layout, options.levels, source);
    std::vector<std::string> lost;
    const auto group = hdf5::open_group(root, aggregates);
    for (const auto& level : hdf5::link_names(group.id())) {
        if (!hdf5::is_group(group.id(), level)) continue;
        const bool rewritten = std::find(levels.begin(), levels.end(), level) != levels.end();
        if (rewritten || options.only_these_levels) lost.push_back(level);
    }
    if (lost.empty()) return;
    throw InputError(problem_at(
        where_in(source.string(), 0, 0, "/aggregates"),
        fmt::format("holds the only breakdowns of this result (by sex and age band, household "
                    "type, dwelling type ...) per {}: the run kept none per area "
                    "(output.breakdowns_per_area: none), so aggregating again would lose them",
                    fmt::join(lost, ", ")),
        "name only levels the file lacks with --levels (without --only), or run the scenario "
        "again with output.breakdowns_per_area: all"));
}

}  // namespace

std::vector<std::string> aggregate_result_file(const fs::path& source,
                                               const AggregateOptions& options,
                                               const fs::path& output) {
    static constexpr std::array<std::string_view, 1> results{derived_layout::result};
    {
        // Checked whole (every variable fits its dimensions) before anything is copied or read.
        const auto file = open_result(source, false, results);
        const ResultLayout layout = read_result_layout(file.id(), source);
        refuse_to_lose_breakdowns(file.id(), layout, options, source);
    }
    // Without -o the result is rewritten in place by design (atomically: the new file replaces
    // it only when complete); with -o the source is protected.
    const std::array<ProtectedInput, 1> inputs{ProtectedInput{source, "the result read"}};
    AtomicOutput out(output.empty() ? source : output,
                     output.empty() ? std::span<const ProtectedInput>{} : inputs);
    std::error_code error;
    fs::copy_file(source, out.temporary(), fs::copy_options::overwrite_existing, error);
    if (error)
        throw std::runtime_error(fmt::format("cannot copy '{}' to '{}': {}", source.string(),
                                             out.temporary().string(), error.message()));
    std::vector<std::string> levels;
    {
        auto file = hdf5::open_file_read_write(out.temporary());
        levels = write_aggregates(file.id(), options, source);
        apply_cf_conventions(file.id());  // an older result becomes CF-conformant too
        file.close(fmt::format("closing '{}'", out.temporary().string()));
    }
    out.commit();
    return levels;
}

}  // namespace socialtwin
