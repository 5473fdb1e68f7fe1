#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). A draw is a pure function of
// (seed, replicate, stream, entity, year, draw index) -- the seed is Philox's key, the rest its
// counter (years 0..65535, streams below 65536) -- with no generator state is shared between
// threads, so results do not depend on the thread count, and every random-draw site has its
// own stream, so switching one process off does not change another's draws.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/core/parameters.hpp"

namespace socialtwin {

// Every random-draw site has its own stream (a DrawStream, engine/core/parameters.hpp), declared
// by the process that draws from it in its registry entry. The core's own two are here.

// Draws of the start population's synthesis from area counts.
inline constexpr DrawStream synthesis_stream{.name = "synthesis", .number = 8};
// One block of four numbers per person and year, a lane per process (PersonYearLane): the
// processes every person meets every year share one Philox call, and a process switched off
// leaves the other lanes as they were.
inline constexpr DrawStream person_year_stream{.name = "person_year", .number = 10};

// A number of RandomStreams::uniforms() as the 32-bit word it was made from, and back, exactly:
// for holding many drawn numbers in half the memory.
std::uint32_t word_of_unit(double u) noexcept;
double unit_of_word(std::uint32_t word) noexcept;

class RandomStreams {
public:
    RandomStreams(std::uint64_t seed, std::uint32_t replicate) noexcept;

    // Four independent uniform numbers in (0, 1) for one entity (a person id, or an area index
    // for area-level draws) in one year; `draw` numbers further blocks of four.
    std::array<double, 4> uniforms(DrawStream stream, std::uint32_t entity, int year,
                                   std::uint32_t draw = 0) const noexcept;
    // The same for many entities at once (draw 0): out[i] is uniforms(stream, entities[i], year).
    // A plain loop the compiler vectorises (Philox's rounds for several entities side by side):
    // 7.4 against 9.1 ns a draw one at a time (AVX2 build), where the draws are ~10% of the
    // national run's CPU.
    void uniforms(DrawStream stream, std::span<const std::uint32_t> entities, int year,
                  std::span<std::array<double, 4>> out) const noexcept;

    std::uint64_t seed() const noexcept { return seed_; }
    std::uint32_t replicate() const noexcept { return replicate_; }

private:
    std::uint64_t seed_;
    std::uint32_t replicate_;
    std::array<std::uint32_t, 2> key_;
};

}  // namespace socialtwin
