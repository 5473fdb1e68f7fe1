#pragma once
// SYNTHETIC, for benchmarks only: a PC6-scale Netherlands. The real national dataset has 4,054
// PC4 areas; this splits each into `pc6_per_pc4` made-up areas ("1011-007"), spreading the
// PC4's persons over them at random (by seed) and its dwellings evenly, so the engine can be
// timed on ~450,000 areas with ~17.5 million persons. The area codes and the split are not
// real PC6 figures.

#include <cstdint>

#include "engine/core/agent_population.hpp"
#include "engine/core/area_table.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/input/dataset.hpp"

namespace socialtwin {

struct SyntheticCountry {
    AreaTable areas;
    BasePopulation base;      // dwellings only (no dense tables at this scale)
    AgentPopulation persons;  // stored area by area, partners and mothers linked
};

SyntheticCountry synthetic_pc6_country(const Dataset& national, int pc6_per_pc4,
                                       std::uint64_t seed);

}  // namespace socialtwin
