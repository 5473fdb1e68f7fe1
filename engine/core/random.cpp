#include "engine/core/random.hpp"

#include <Random123/philox.h>

namespace socialtwin {

namespace {
// 32 random bits -> (0, 1): the midpoint of one of 2^32 equal intervals, never 0 or 1.
constexpr double to_unit(std::uint32_t bits) noexcept {
    return (static_cast<double>(bits) + 0.5) * (1.0 / 4294967296.0);
}
// The counter's third word: the year in the high half, the stream in the low.
constexpr std::uint32_t year_and_stream(int year, DrawStream stream) noexcept {
    return (static_cast<std::uint32_t>(year) << 16) | (stream.number & 0xFFFFu);
}
}  // namespace

RandomStreams::RandomStreams(std::uint64_t seed, std::uint32_t replicate) noexcept
    : seed_(seed), replicate_(replicate) {
    key_ = {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
}

std::array<double, 4> RandomStreams::uniforms(DrawStream stream, std::uint32_t entity, int year,
                                              std::uint32_t draw) const noexcept {
    // Distinct (entity, draw, year, stream, replicate) give distinct counters under one key, and
    // distinct seeds distinct keys: no two draw sites share a number.
    const r123::Philox4x32::ctr_type counter = {
        {entity, draw, year_and_stream(year, stream), replicate_}};
    const r123::Philox4x32::key_type key = {{key_[0], key_[1]}};
    const auto bits = r123::Philox4x32{}(counter, key);
    return {to_unit(bits[0]), to_unit(bits[1]), to_unit(bits[2]), to_unit(bits[3])};
}

void RandomStreams::uniforms(DrawStream stream, std::span<const std::uint32_t> entities, int year,
                             std::span<std::array<double, 4>> out) const noexcept {
    const std::uint32_t third = year_and_stream(year, stream);
    const r123::Philox4x32::key_type key = {{key_[0], key_[1]}};
    // A plain loop over the entities, every call inlined: the compiler runs it in vector lanes.
    for (std::size_t i = 0; i < entities.size(); ++i) {
        const r123::Philox4x32::ctr_type counter = {{entities[i], 0, third, replicate_}};
        const auto bits = r123::Philox4x32{}(counter, key);
        out[i] = {to_unit(bits[0]), to_unit(bits[1]), to_unit(bits[2]), to_unit(bits[3])};
    }
}

}  // namespace socialtwin
