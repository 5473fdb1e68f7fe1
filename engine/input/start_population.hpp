#pragma once
// A synthesised start population of the agent core, saved to HDF5 and read back, so a sweep
// or a series of runs can start from the same persons (with their partner and mother links)
// instead of synthesising them again. The file names the dataset, base year, seed and area
// codes it belongs to; reading it for another dataset is an input error.
//
// Layout: /persons/{birth_year, sex, position, presence, area, mother, partner, household}
// (int32, one per person;
// sex 0 male 1 female, position in the CBS order of engine/core/types.hpp, -1 = no link;
// household as the links make it, household_of in engine/core/kinship.hpp: checked on reading,
// then left to the links, which decide),
// /area (area codes), attributes dataset, base_year, seed, socialtwin_start_population = 1.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "engine/core/agent_population.hpp"
#include "engine/core/area_table.hpp"
#include "engine/formats/output_file.hpp"

namespace socialtwin {

struct StartPopulationInfo {
    std::string dataset;
    int base_year = 0;
    std::uint64_t seed = 0;
};

// Writes to a temporary name and renames when complete (AtomicOutput,
// engine/formats/output_file.hpp), never onto one of `inputs`.
void save_start_population(const std::filesystem::path& file, const AgentPopulation& persons,
                           const AreaTable& areas, const StartPopulationInfo& info,
                           std::span<const ProtectedInput> inputs = {});

// Reads a saved start population for `areas`; throws InputError when the file is not one, was
// made for other areas or another base year, or holds anything the agent core could not run
// from: every attribute and column is checked (types, lengths, codes, birth years, links in
// range and partners linked both ways, households), each problem naming the variable and the
// first person concerned.
AgentPopulation load_start_population(const std::filesystem::path& file, const AreaTable& areas,
                                      const StartPopulationInfo& expected);

}  // namespace socialtwin
