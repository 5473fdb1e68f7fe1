// Telling from the environment whether an MPI launcher started this process; built with and
// without the MPI driver, so that a build without it can refuse to run a sweep N times over.
#include <charconv>
#include <cstring>

#include "engine/sweep/sweep_mpi.hpp"

namespace socialtwin {

std::optional<MpiLaunch> mpi_launch(const std::function<const char*(const char*)>& variable) {
    const auto is_set = [&](const char* name) {
        const char* value = variable(name);
        return value != nullptr && *value != '\0';
    };
    const auto number = [&](const char* name) -> std::optional<long> {
        const char* value = variable(name);
        if (value == nullptr) return std::nullopt;
        long n = 0;
        const char* end = value + std::strlen(value);
        const auto [stop, error] = std::from_chars(value, end, n);
        if (error != std::errc{} || stop != end || n < 0) return std::nullopt;
        return n;
    };
    if (is_set("OMPI_COMM_WORLD_SIZE"))
        return MpiLaunch{"OMPI_COMM_WORLD_SIZE", number("OMPI_COMM_WORLD_SIZE"),
                         number("OMPI_COMM_WORLD_RANK")};
    if (is_set("PMI_SIZE") || is_set("PMI_RANK"))
        return MpiLaunch{is_set("PMI_SIZE") ? "PMI_SIZE" : "PMI_RANK", number("PMI_SIZE"),
                         number("PMI_RANK")};
    if (is_set("PMIX_RANK"))
        return MpiLaunch{"PMIX_RANK", number("SLURM_STEP_NUM_TASKS"), number("PMIX_RANK")};
    return std::nullopt;
}

}  // namespace socialtwin
