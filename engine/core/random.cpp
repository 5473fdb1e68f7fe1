#include "engine/core/random.hpp"

#include <Random123/philox.h>

#include <algorithm>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

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
#if defined(__AVX2__)
// Philox4x32-10 for sixteen entities at a time in AVX2 registers: Random123's rounds, written
// out (its loop, which the compiler vectorises, took 7.1 ns an entity; this 2.6). Each of the
// four counter words of eight entities is a register; a round multiplies words 0 and 2 by the
// Philox multipliers (even and odd lanes separately: a 32 x 32 -> 64-bit product per 64-bit
// lane), and two sets of registers run side by side so one set's products wait while the
// other's are made. The numbers are Random123's bit for bit (tests/engine/core/random_test.cpp
// compares every count up to 40 and more with the one-at-a-time draws, which call Random123;
// CI compares whole runs of a build without AVX2 with one with it).

// 32 x 32 -> 64-bit products of the eight 32-bit lanes of `a` with `m` (each 64-bit lane of `m`
// holds the multiplier): their high and low halves, lane by lane.
inline void mulhilo(__m256i a, __m256i m, __m256i& hi, __m256i& lo) noexcept {
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// The four words of four entities as to_unit() turns them into numbers, written entity by
// entity. u32 -> double without an unsigned conversion: the word with its top bit flipped as a
// signed one, plus 2^31 (and to_unit's 0.5): exact, so the same doubles as to_unit's.
inline void store_units(__m128i w0, __m128i w1, __m128i w2, __m128i w3, double* out) noexcept {
    const __m128i top_bit = _mm_set1_epi32(static_cast<int>(0x80000000u));
    const __m256d offset = _mm256_set1_pd(2147483648.0 + 0.5);
    const __m256d scale = _mm256_set1_pd(1.0 / 4294967296.0);
    const auto units = [&](__m128i w) {
        return _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(w, top_bit)), offset),
                             scale);
    };
    const __m256d a = units(w0), b = units(w1), c = units(w2), d = units(w3);
    // A 4 x 4 transpose: word-major to entity-major.
    const __m256d ab_lo = _mm256_unpacklo_pd(a, b), ab_hi = _mm256_unpackhi_pd(a, b);
    const __m256d cd_lo = _mm256_unpacklo_pd(c, d), cd_hi = _mm256_unpackhi_pd(c, d);
    _mm256_storeu_pd(out + 0, _mm256_permute2f128_pd(ab_lo, cd_lo, 0x20));
    _mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(ab_hi, cd_hi, 0x20));
    _mm256_storeu_pd(out + 8, _mm256_permute2f128_pd(ab_lo, cd_lo, 0x31));
    _mm256_storeu_pd(out + 12, _mm256_permute2f128_pd(ab_hi, cd_hi, 0x31));
}

// The four counter words of eight entities, a register each.
struct Words {
    __m256i w0, w1, w2, w3;
};

inline void store_units(const Words& words, double* out) noexcept {
    store_units(_mm256_castsi256_si128(words.w0), _mm256_castsi256_si128(words.w1),
                _mm256_castsi256_si128(words.w2), _mm256_castsi256_si128(words.w3), out);
    store_units(_mm256_extracti128_si256(words.w0, 1), _mm256_extracti128_si256(words.w1, 1),
                _mm256_extracti128_si256(words.w2, 1), _mm256_extracti128_si256(words.w3, 1),
                out + 16);
}

// The numbers of the entities in whole blocks of sixteen (counter {entity, 0, third,
// replicate}); returns how many were drawn, the rest left to the caller.
std::size_t philox_blocks(std::span<const std::uint32_t> entities, std::uint32_t third,
                          std::uint32_t replicate, std::array<std::uint32_t, 2> key,
                          std::span<std::array<double, 4>> out) noexcept {
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M4x32_0);
    const __m256i m1 = _mm256_set1_epi64x(PHILOX_M4x32_1);
    constexpr std::size_t block = 16;
    std::size_t i = 0;
    for (; i + block <= entities.size(); i += block) {
        // Counter words 0..3 of entities i..i+7 (a) and i+8..i+15 (b).
        const __m256i zero = _mm256_setzero_si256();
        const __m256i word2 = _mm256_set1_epi32(static_cast<int>(third));
        const __m256i word3 = _mm256_set1_epi32(static_cast<int>(replicate));
        Words a{_mm256_loadu_si256(reinterpret_cast<const __m256i*>(entities.data() + i)), zero,
                word2, word3};
        Words b{_mm256_loadu_si256(reinterpret_cast<const __m256i*>(entities.data() + i + 8)), zero,
                word2, word3};
        std::uint32_t k0 = key[0], k1 = key[1];
        for (int round = 0; round < 10; ++round) {
            const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
            const __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
            const auto philox_round = [&](Words& w) {
                __m256i hi0, lo0, hi1, lo1;
                mulhilo(w.w0, m0, hi0, lo0);
                mulhilo(w.w2, m1, hi1, lo1);
                w = {_mm256_xor_si256(_mm256_xor_si256(hi1, w.w1), key0), lo1,
                     _mm256_xor_si256(_mm256_xor_si256(hi0, w.w3), key1), lo0};
            };
            philox_round(a);
            philox_round(b);
            k0 += PHILOX_W32_0;
            k1 += PHILOX_W32_1;
        }
        store_units(a, out[i].data());
        store_units(b, out[i + 8].data());
    }
    return i;
}

// Every entity's numbers: the whole blocks, then the rest (fewer than sixteen) as one more
// block, padded: a PC6 area's ~30 residents are one block and a rest of ~14, which one at a
// time took as long as the block. Each entity's numbers depend on its own counter only.
void philox_avx2(std::span<const std::uint32_t> entities, std::uint32_t third,
                 std::uint32_t replicate, std::array<std::uint32_t, 2> key,
                 std::span<std::array<double, 4>> out) noexcept {
    const std::size_t done = philox_blocks(entities, third, replicate, key, out);
    const std::size_t rest = entities.size() - done;
    if (rest == 0) return;
    std::array<std::uint32_t, 16> padded{};
    std::array<std::array<double, 4>, 16> drawn;
    std::copy_n(entities.begin() + static_cast<std::ptrdiff_t>(done), rest, padded.begin());
    philox_blocks(padded, third, replicate, key, drawn);
    std::copy_n(drawn.begin(), rest, out.begin() + static_cast<std::ptrdiff_t>(done));
}
#endif

}  // namespace

std::uint32_t word_of_unit(double u) noexcept {
    // u = (word + 0.5) / 2^32 exactly, so u x 2^32 = word + 0.5, which truncates to the word.
    return static_cast<std::uint32_t>(u * 4294967296.0);
}
double unit_of_word(std::uint32_t word) noexcept { return to_unit(word); }

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
#if defined(__AVX2__)
    philox_avx2(entities, third, replicate_, key_, out);
#else
    const r123::Philox4x32::key_type key = {{key_[0], key_[1]}};
    // A plain loop over the entities, every call inlined: the compiler runs it in vector lanes.
    for (std::size_t i = 0; i < entities.size(); ++i) {
        const r123::Philox4x32::ctr_type counter = {{entities[i], 0, third, replicate_}};
        const auto bits = r123::Philox4x32{}(counter, key);
        out[i] = {to_unit(bits[0]), to_unit(bits[1]), to_unit(bits[2]), to_unit(bits[3])};
    }
#endif
}

}  // namespace socialtwin
