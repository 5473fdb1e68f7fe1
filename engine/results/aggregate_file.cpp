#include "engine/results/aggregate_file.hpp"

#include <fmt/format.h>
#include <array>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/cf_conventions.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

std::vector<std::string> aggregate_result_file(const fs::path& source,
                                               const AggregateOptions& options,
                                               const fs::path& output) {
    static constexpr std::array<std::string_view, 1> results{derived_layout::result};
    {
        // Checked whole (every variable fits its dimensions) before anything is copied or read.
        const auto file = open_result(source, false, results);
        read_result_layout(file.id(), source);
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
