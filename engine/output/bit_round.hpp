#pragma once
// BitRound (Kloewer et al. 2021; netCDF-C's NC_QUANTIZE_BITROUND; CF 1.12 section 8.4, "Lossy
// compression via quantization"): a value rounded to its `kept` most significant mantissa bits,
// to nearest with ties to even, the bits below set to zero. What it buys: the shuffle filter
// groups those zero bytes into runs deflate compresses to almost nothing and passes over fast,
// where the full mantissas of modelled values (expected contacts, euros) are noise to it.
//
// What it keeps exactly: zero, infinities, NaN, and every whole number below 2^(kept + 1), so
// counts of persons, households and dwellings stay exact well past any area's size. Relative
// error of anything else: at most 2^-(kept + 1).
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace socialtwin {

// Mantissa bits stored for `digits` significant decimal digits: ceil(digits x log2(10)).
constexpr int bits_for_significant_digits(int digits) noexcept {
    // log2(10) = 3.3219...; integer arithmetic keeps this constexpr and exact for 1..17.
    return (digits * 33219 + 9999) / 10000;
}

template <class Float>
Float bit_round(Float value, int kept) noexcept {
    static_assert(std::is_same_v<Float, double> || std::is_same_v<Float, float>);
    using Bits = std::conditional_t<std::is_same_v<Float, double>, std::uint64_t, std::uint32_t>;
    constexpr int mantissa_bits = std::is_same_v<Float, double> ? 52 : 23;
    if (kept >= mantissa_bits || !std::isfinite(value)) return value;
    const int dropped = mantissa_bits - (kept < 0 ? 0 : kept);
    const auto bits = std::bit_cast<Bits>(value);
    const Bits half = Bits{1} << (dropped - 1);
    const Bits odd = (bits >> dropped) & Bits{1};  // ties go to the even neighbour
    const Bits mask = ~((Bits{1} << dropped) - Bits{1});
    // A carry out of the mantissa moves into the exponent: the next power of two, as it should.
    // Only the largest finite values can round up to infinity; results never hold those.
    return std::bit_cast<Float>((bits + half - Bits{1} + odd) & mask);
}

}  // namespace socialtwin
