#include "engine/core/random.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <set>
#include <vector>

namespace socialtwin {
namespace {

// Two streams as the models declare theirs.
constexpr DrawStream mortality_stream{.name = "mortality", .number = 1};
constexpr DrawStream fertility_stream{.name = "fertility", .number = 2};

TEST(RandomStreams, SameKeyGivesTheSameNumbers) {
    const RandomStreams a(42, 3), b(42, 3);
    EXPECT_EQ(a.uniforms(mortality_stream, 17, 2030), b.uniforms(mortality_stream, 17, 2030));
}

TEST(RandomStreams, EveryPartOfTheKeyChangesTheNumbers) {
    const RandomStreams base(42, 0);
    const auto reference = base.uniforms(mortality_stream, 17, 2030, 0)[0];
    std::set<double> seen{reference};
    seen.insert(RandomStreams(43, 0).uniforms(mortality_stream, 17, 2030, 0)[0]);  // seed
    seen.insert(RandomStreams(42, 1).uniforms(mortality_stream, 17, 2030, 0)[0]);  // replicate
    seen.insert(base.uniforms(fertility_stream, 17, 2030, 0)[0]);                  // stream
    seen.insert(base.uniforms(mortality_stream, 18, 2030, 0)[0]);                  // entity
    seen.insert(base.uniforms(mortality_stream, 17, 2031, 0)[0]);                  // year
    seen.insert(base.uniforms(mortality_stream, 17, 2030, 1)[0]);                  // draw
    EXPECT_EQ(seen.size(), 7u);
}

TEST(RandomStreams, ManyEntitiesAtOnceGetTheNumbersEachGetsAlone) {
    // Any count (the AVX2 build's blocks of sixteen and the rest, one at a time), ids in any
    // order, any key: drawn alone, each number comes from Random123 itself.
    std::vector<std::size_t> counts{1000, 4301};
    for (std::size_t n = 0; n <= 40; ++n) counts.push_back(n);
    for (const auto& [seed, replicate] :
         {std::pair<std::uint64_t, std::uint32_t>{0x123456789ABCDEFull, 7},
          {0, 0},
          {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFu}}) {
        const RandomStreams random(seed, replicate);
        for (const std::size_t n : counts) {
            std::vector<std::uint32_t> entities(n);
            for (std::size_t i = 0; i < n; ++i)
                entities[i] = static_cast<std::uint32_t>((i * 2654435761u) ^ (i << 7));
            if (n > 2) entities[1] = 0xFFFFFFFFu, entities[2] = 0;
            for (const int year : {2041, 0, 65535}) {
                std::vector<std::array<double, 4>> together(n);
                random.uniforms(fertility_stream, entities, year, together);
                for (std::size_t i = 0; i < n; ++i)
                    ASSERT_EQ(together[i], random.uniforms(fertility_stream, entities[i], year))
                        << "entity " << entities[i] << " of " << n << ", year " << year << ", seed "
                        << seed << ", replicate " << replicate;
            }
        }
    }
}

TEST(RandomStreams, ANumberKeptAsItsWordComesBackBitForBit) {
    const RandomStreams random(7, 2);
    for (std::uint32_t i = 0; i < 20000; ++i)
        for (const double u : random.uniforms(synthesis_stream, i, 2024))
            ASSERT_EQ(std::bit_cast<std::uint64_t>(unit_of_word(word_of_unit(u))),
                      std::bit_cast<std::uint64_t>(u));
    // The ends of the range too.
    EXPECT_EQ(word_of_unit(unit_of_word(0)), 0u);
    EXPECT_EQ(word_of_unit(unit_of_word(0xFFFFFFFFu)), 0xFFFFFFFFu);
}

TEST(RandomStreams, NumbersAreUniformOnTheOpenUnitInterval) {
    const RandomStreams random(1, 0);
    double sum = 0, sum_squares = 0;
    int below_tenth = 0;
    constexpr int n = 100000;
    for (std::uint32_t i = 0; i < n / 4; ++i) {
        for (double u : random.uniforms(synthesis_stream, i, 2019)) {
            ASSERT_GT(u, 0.0);
            ASSERT_LT(u, 1.0);
            sum += u;
            sum_squares += u * u;
            below_tenth += u < 0.1;
        }
    }
    // Mean 1/2 and variance 1/12, to within five standard errors.
    EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
    EXPECT_NEAR(sum_squares / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
    EXPECT_NEAR(below_tenth, 0.1 * n, 5 * std::sqrt(0.09 * n));
}

}  // namespace
}  // namespace socialtwin
