#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). A draw is a pure function of
// (seed, replicate, stream, entity, year, draw index) -- the seed is Philox's key, the rest its
// counter (years 0..65535, streams below 65536) -- with no generator state is shared between
// threads, so results do not depend on the thread count, and every random-draw site has its
// own stream, so switching one process off does not change another's draws.

#include <array>
#include <cstddef>
#include <cstdint>

namespace socialtwin {

// One stream per random-draw site. The numbers are part of the results' identity: never
// renumber, only add.
enum class Stream : std::uint32_t {
    mortality = 1,
    fertility = 2,
    newborn = 3,
    household_positions = 4,
    migration_out = 5,
    migration_in = 6,
    demolition = 7,
    synthesis = 8,
    moves = 9,
    person_year = 10,  // one block per person and year, a lane per process (PersonYearLane)
};

// The lanes of a person's Stream::person_year block: the processes every person meets every
// year share one Philox call. A process switched off leaves the other lanes as they were.
enum class PersonYearLane : std::size_t {
    mortality = 0,
    household_positions = 1,
    migration_out = 2,
    moves = 3
};

class RandomStreams {
public:
    RandomStreams(std::uint64_t seed, std::uint32_t replicate) noexcept;

    // Four independent uniform numbers in (0, 1) for one entity (a person id, or an area index
    // for area-level draws) in one year; `draw` numbers further blocks of four.
    std::array<double, 4> uniforms(Stream stream, std::uint32_t entity, int year,
                                   std::uint32_t draw = 0) const noexcept;

    std::uint64_t seed() const noexcept { return seed_; }
    std::uint32_t replicate() const noexcept { return replicate_; }

private:
    std::uint64_t seed_;
    std::uint32_t replicate_;
    std::array<std::uint32_t, 2> key_;
};

}  // namespace socialtwin
