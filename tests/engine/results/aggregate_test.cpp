#include "engine/results/aggregate_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/result_file.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

class AggregateTest : public testing::ResultFileTest {};

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> read(hid_t file, const std::string& name) {
    auto dataset = hdf5::open_dataset(file, name);
    return hdf5::read_doubles(dataset.id());
}

std::vector<std::string> strings(hid_t file, const std::string& name) {
    auto dataset = hdf5::open_dataset(file, name);
    return hdf5::read_strings(dataset.id());
}

// Sum of `values` (years x units x per) per year.
std::vector<double> per_year(const std::vector<double>& values, std::size_t years) {
    std::vector<double> out(years, 0.0);
    const std::size_t per = values.size() / years;
    for (std::size_t y = 0; y < years; ++y)
        for (std::size_t i = 0; i < per; ++i) out[y] += values[y * per + i];
    return out;
}

TEST_F(AggregateTest, ARunWritesOneGroupPerLargerAreaLevel) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    auto aggregates = hdf5::open_group(file.id(), "aggregates");
    EXPECT_EQ(hdf5::link_names(aggregates.id()),
              (std::vector<std::string>{"pc4", "buurt", "wijk", "gemeente"}));
    EXPECT_EQ(strings(file.id(), "aggregates/buurt/buurt"),
              (std::vector<std::string>{"BU1", "BU2"}));
    EXPECT_EQ(strings(file.id(), "aggregates/pc4/pc4"),
              (std::vector<std::string>{"1000", "1001", "1002"}));
    auto population = hdf5::open_dataset(file.id(), "aggregates/buurt/population");
    EXPECT_EQ(hdf5::dimension_names(population.id()), (std::vector<std::string>{"year", "buurt"}));
    auto by_age = hdf5::open_dataset(file.id(), "aggregates/buurt/population_by_age_sex");
    EXPECT_EQ(hdf5::dimension_names(by_age.id()),
              (std::vector<std::string>{"year", "buurt", "sex", "age_band"}));
}

TEST_F(AggregateTest, TheFilesOwnLevelGetsNoGroup) {
    FixtureRun fixture;
    fixture.areas = AreaTable("buurt", {"BU1", "BU2", "BU3", "BU4", "BU5"});
    fixture.areas.add_attribute({"buurt", {"BU1", "BU2", "BU3", "BU4", "BU5"}});
    fixture.areas.add_attribute({"gemeente", {"GM1", "GM1", "GM1", "GM2", "GM2"}});
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    auto aggregates = hdf5::open_group(file.id(), "aggregates");
    EXPECT_EQ(hdf5::link_names(aggregates.id()), (std::vector<std::string>{"gemeente"}));
}

TEST_F(AggregateTest, TotalsAgreeOverAreasBuurtenPc4AndGemeente) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    for (const char* name :
         {"population", "population_by_age_sex", "gp_contacts", "cost_wmo_eur"}) {
        const auto areas = per_year(read(file.id(), name), 2);
        for (const char* level : {"pc4", "buurt", "wijk", "gemeente"}) {
            const auto groups =
                per_year(read(file.id(), fmt::format("aggregates/{}/{}", level, name)), 2);
            for (std::size_t y = 0; y < 2; ++y)
                EXPECT_NEAR(groups[y], areas[y], 1e-9 * areas[y]) << name << " " << level;
        }
    }
    // By hand: BU1 = A1 + A2 + A3 = 10 + 20 + 30 in 2024, 11 + 21 + 31 in 2025.
    EXPECT_EQ(read(file.id(), "aggregates/buurt/population"),
              (std::vector<double>{60, 90, 63, 92}));
}

TEST_F(AggregateTest, AMeasureIsTheMeanWeightedByItsWeightIndicator) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    // BU1: distances 1, 2, 3 km for 10, 20, 30 inhabitants; BU2: 4, 5 km for 40, 50.
    const auto buurt = read(file.id(), "aggregates/buurt/gp_distance_km");
    EXPECT_DOUBLE_EQ(buurt[0], (1 * 10 + 2 * 20 + 3 * 30) / 60.0);
    EXPECT_DOUBLE_EQ(buurt[1], (4 * 40 + 5 * 50) / 90.0);
    EXPECT_DOUBLE_EQ(buurt[2], (1 * 11 + 2 * 21 + 3 * 31) / 63.0);  // 2025's weights
    auto dataset = hdf5::open_dataset(file.id(), "aggregates/buurt/gp_distance_km");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "kind"), "measure");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "weight"), "population");
    EXPECT_NE(
        hdf5::read_string_attribute(dataset.id(), "aggregation").find("weighted by population"),
        std::string::npos);
}

TEST_F(AggregateTest, IndicatorsKeepTheirUnitsDescriptionSourceAndKind) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    auto dataset = hdf5::open_dataset(file.id(), "aggregates/gemeente/cost_wmo_eur");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "units"), "year-1");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "unit_label"),
              "EUR per year (price level 2022)");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "source"), "test");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "kind"), "amount");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "aggregation"),
              "sum over the areas of each gemeente");
    EXPECT_NE(hdf5::read_string_attribute(dataset.id(), "description").find("Wmo spending"),
              std::string::npos);
}

TEST_F(AggregateTest, NameLabelsTravelWhereEachLargerAreaHasOneValue) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    EXPECT_EQ(strings(file.id(), "aggregates/buurt/buurt_name"),
              (std::vector<std::string>{"Noord", "Zuid"}));
    EXPECT_EQ(strings(file.id(), "aggregates/buurt/gemeente"),
              (std::vector<std::string>{"GM1", "GM1"}));
    // PC4 1001 lies in both buurten: no buurt or buurt_name for PC4.
    EXPECT_FALSE(hdf5::link_exists(file.id(), "aggregates/pc4/buurt_name"));
    EXPECT_FALSE(hdf5::link_exists(file.id(), "aggregates/pc4/buurt"));
    auto n_areas = hdf5::open_dataset(file.id(), "aggregates/pc4/n_areas");
    EXPECT_EQ(hdf5::read_ints(n_areas.id()), (std::vector<std::int32_t>{2, 2, 1}));
    auto population = hdf5::open_dataset(file.id(), "aggregates/buurt/population");
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "coordinates"),
              "n_areas buurt_name wijk gemeente");
}

TEST_F(AggregateTest, DimensionsAreNumberedFileWideWithoutClashes) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    // Root: year 0, area 1, sex 2, age_band 3; /meta/phase_timings/phase 4; then the groups.
    auto year = hdf5::open_dataset(file.id(), "aggregates/pc4/year");
    EXPECT_EQ(hdf5::attribute_text(year.id(), "_Netcdf4Dimid"), "5");
    auto pc4 = hdf5::open_dataset(file.id(), "aggregates/pc4/pc4");
    EXPECT_EQ(hdf5::attribute_text(pc4.id(), "_Netcdf4Dimid"), "6");
    auto buurt_year = hdf5::open_dataset(file.id(), "aggregates/buurt/year");
    EXPECT_EQ(hdf5::attribute_text(buurt_year.id(), "_Netcdf4Dimid"), "9");
}

TEST_F(AggregateTest, NoAggregatesWhenSwitchedOff) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5", {.aggregates = false});
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    EXPECT_FALSE(hdf5::link_exists(file.id(), "aggregates"));
}

TEST_F(AggregateTest, TheAggregateCommandAddsChosenLevelsInPlace) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5", {.aggregates = false});
    const auto levels = aggregate_result_file(dir_ / "run.h5", {.levels = {"gemeente", "buurt"}});
    EXPECT_EQ(levels, (std::vector<std::string>{"gemeente", "buurt"}));
    EXPECT_EQ(files(), (std::vector<fs::path>{"run.h5"}));  // no temporary file left
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    auto aggregates = hdf5::open_group(file.id(), "aggregates");
    EXPECT_EQ(hdf5::link_names(aggregates.id()), (std::vector<std::string>{"gemeente", "buurt"}));
    EXPECT_EQ(read(file.id(), "aggregates/gemeente/population"), (std::vector<double>{150, 155}));
    // The run's own datasets are there as they were.
    EXPECT_EQ(read(file.id(), "population"),
              (std::vector<double>{10, 20, 30, 40, 50, 11, 21, 31, 41, 51}));
}

TEST_F(AggregateTest, TheAggregateCommandKeepsOtherLevelsUnlessOnlyTheGivenAreAsked) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5");
    aggregate_result_file(dir_ / "run.h5", {.levels = {"wijk"}}, dir_ / "more.h5");
    aggregate_result_file(dir_ / "run.h5", {.levels = {"wijk"}, .only_these_levels = true},
                          dir_ / "wijk.h5");
    {
        auto file = hdf5::open_file_read_only(dir_ / "more.h5");
        auto aggregates = hdf5::open_group(file.id(), "aggregates");
        EXPECT_EQ(hdf5::link_names(aggregates.id()),
                  (std::vector<std::string>{"pc4", "buurt", "gemeente", "wijk"}));
        EXPECT_EQ(hdf5::attribute_text(aggregates.id(), "levels"), "pc4,buurt,gemeente,wijk");
    }
    auto file = hdf5::open_file_read_only(dir_ / "wijk.h5");
    auto aggregates = hdf5::open_group(file.id(), "aggregates");
    EXPECT_EQ(hdf5::link_names(aggregates.id()), (std::vector<std::string>{"wijk"}));
    auto original = hdf5::open_file_read_only(dir_ / "run.h5");
    EXPECT_TRUE(hdf5::link_exists(original.id(), "aggregates/pc4"));  // -o leaves it alone
}

TEST_F(AggregateTest, UnknownOrOwnLevelsAreInputErrorsAndChangeNothing) {
    FixtureRun fixture;
    fixture.write(dir_ / "run.h5", {.aggregates = false});
    try {
        aggregate_result_file(dir_ / "run.h5", {.levels = {"buurtt", "pc6"}});
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        ASSERT_EQ(e.problems().size(), 2u);
        EXPECT_NE(e.problems()[0].message.find("no area attribute 'buurtt'"), std::string::npos);
        EXPECT_EQ(e.problems()[0].hint, "did you mean 'buurt'?");
        EXPECT_NE(e.problems()[1].message.find("own area level"), std::string::npos);
    }
    EXPECT_EQ(files(), (std::vector<fs::path>{"run.h5"}));
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    EXPECT_FALSE(hdf5::link_exists(file.id(), "aggregates"));
}

TEST_F(AggregateTest, AFileThatIsNotAResultIsAnInputError) {
    EXPECT_THROW(aggregate_result_file(dir_ / "missing.h5", {}), InputError);
    { hdf5::create_file(dir_ / "other.h5"); }
    EXPECT_THROW(aggregate_result_file(dir_ / "other.h5", {}), InputError);
}

TEST_F(AggregateTest, ReplicatesAreAggregatedEachAndTheirQuantilesTakenAfterwards) {
    FixtureRun fixture;
    const auto base = fixture.value;
    // Replicate r adds r x 10 to every area's contacts: a buurt of n areas gains n x r x 10.
    fixture.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                           int replicate) {
        return base(id, year, area, k, replicate) + (id == 2 ? 10.0 * replicate : 0.0);
    };
    fixture.write(dir_ / "run.h5", {}, 3);
    auto file = hdf5::open_file_read_only(dir_ / "run.h5");
    auto replicates = hdf5::open_dataset(file.id(), "aggregates/buurt/gp_contacts_replicates");
    EXPECT_EQ(hdf5::dimension_names(replicates.id()),
              (std::vector<std::string>{"replicate", "year", "buurt"}));
    const auto values = hdf5::read_doubles(replicates.id());
    // (replicate, year, buurt): BU1 in 2024 is 5 x 60 + 3 x 10 x r.
    EXPECT_DOUBLE_EQ(values[0 * 4 + 0], 300);
    EXPECT_DOUBLE_EQ(values[1 * 4 + 0], 330);
    EXPECT_DOUBLE_EQ(values[2 * 4 + 0], 360);
    const auto quantiles = read(file.id(), "aggregates/buurt/gp_contacts_quantiles");
    // (quantile, year, buurt): 5th, 50th, 95th percentile of 300, 330, 360.
    EXPECT_DOUBLE_EQ(quantiles[0 * 4 + 0], 303);
    EXPECT_DOUBLE_EQ(quantiles[1 * 4 + 0], 330);
    EXPECT_DOUBLE_EQ(quantiles[2 * 4 + 0], 357);
    EXPECT_DOUBLE_EQ(read(file.id(), "aggregates/buurt/gp_contacts")[0], 330);
}

TEST(AggregateValues, SumsSkipNanAndAGroupWithoutValuesIsNan) {
    const AreaGrouping grouping =
        group_areas({"a", "b", "c"}, "pc6", {{"buurt", {"X", "X", "Y"}}}, "buurt");
    const std::array<double, 3> values{1.5, nan, nan};
    EXPECT_EQ(aggregate_values(grouping, IndicatorKind::count, values, 1)[0], 1.5);
    EXPECT_TRUE(std::isnan(aggregate_values(grouping, IndicatorKind::count, values, 1)[1]));
}

TEST(AggregateValues, AMeasureWithWeightsSummingToZeroIsThePlainMean) {
    const AreaGrouping grouping =
        group_areas({"a", "b", "c"}, "pc6", {{"buurt", {"X", "X", "X"}}}, "buurt");
    const std::array<double, 3> values{1, 2, 6};
    const std::array<double, 3> zero{0, 0, 0};
    EXPECT_DOUBLE_EQ(aggregate_values(grouping, IndicatorKind::measure, values, 1, zero, 1)[0], 3);
    // A NaN weight leaves its value out of the weighted mean.
    const std::array<double, 3> weights{1, nan, 3};
    EXPECT_DOUBLE_EQ(aggregate_values(grouping, IndicatorKind::measure, values, 1, weights, 1)[0],
                     (1 * 1 + 6 * 3) / 4.0);
    // One weight per cell when the weight has the measure's dims.
    const std::array<double, 6> by_cell{1, 0, 1, 0, 2, 1};
    const std::array<double, 6> cells{1, 10, 2, 20, 4, 40};
    const auto mean = aggregate_values(grouping, IndicatorKind::measure, cells, 2, by_cell, 2);
    EXPECT_DOUBLE_EQ(mean[0], (1 + 2 + 8) / 4.0);
    EXPECT_DOUBLE_EQ(mean[1], 40);
}

// NaN and -0.0 compared as they are stored, not as numbers.
std::vector<std::uint64_t> bits(const std::vector<double>& values) {
    std::vector<std::uint64_t> out;
    for (const double v : values) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
}

// Several groupings at once (a run's levels): each the same numbers, to the bit, as its own
// call -- sums and counts, NaN skipped, a measure weighted per cell, an empty group NaN.
TEST(AggregateValues, SeveralGroupingsAtOnceEqualEachOnItsOwn) {
    const std::vector<std::string> areas{"a", "b", "c", "d", "e"};
    const std::vector<AreaAttribute> attributes{{"buurt", {"X", "Y", "X", "Z", "Y"}},
                                                {"wijk", {"W", "W", "W", "V", "W"}}};
    const AreaGrouping buurt = group_areas(areas, "pc6", attributes, "buurt");
    const AreaGrouping wijk = group_areas(areas, "pc6", attributes, "wijk");
    const std::array<double, 10> values{0.1, 7, nan, 1e-3, 1.0 / 3, 2, 5e8, nan, 0.7, 11};
    const std::array<double, 10> weights{1, 2, 0, 3, nan, 1, 4, 4, 2, 0.5};
    const std::array<const AreaGrouping*, 2> both{&buurt, &wijk};
    for (const IndicatorKind kind : {IndicatorKind::count, IndicatorKind::measure}) {
        std::vector<double> by_buurt(buurt.codes.size() * 2), by_wijk(wijk.codes.size() * 2);
        const std::array<std::span<double>, 2> outs{by_buurt, by_wijk};
        aggregate_values(both, kind, values, 2, weights, 2, outs);
        EXPECT_EQ(bits(by_buurt), bits(aggregate_values(buurt, kind, values, 2, weights, 2)));
        EXPECT_EQ(bits(by_wijk), bits(aggregate_values(wijk, kind, values, 2, weights, 2)));
    }
}

// Values without a NaN (a run's indicators) take a shorter way than those with one: the same
// sums to the bit, the areas added in their order. Area f is a buurt of its own, NaN or not, so
// the other buurten must come out alike either way.
TEST(AggregateValues, WithoutANanTheSumsAndMeansAreThoseOfTheWayWithOne) {
    const std::vector<std::string> areas{"a", "b", "c", "d", "e", "f"};
    const std::vector<AreaAttribute> attributes{{"buurt", {"X", "Y", "X", "X", "Y", "Q"}}};
    const AreaGrouping buurt = group_areas(areas, "pc6", attributes, "buurt");
    const AreaGrouping wijk = single_group(areas.size());
    ASSERT_EQ(buurt.codes, (std::vector<std::string>{"Q", "X", "Y"}));
    for (const std::size_t per_area : {std::size_t{1}, std::size_t{2}}) {
        // Buurt X's a, c, d: 0.1, 1e16, -1e16 sum to 0 in that order and to 0.1 in the other.
        const std::array<double, 6> first{0.1, 7, 1e16, -1e16, 0.3, 2.5};
        const std::array<double, 6> second{1e16, 5, -1e16, 0.1, 1.0 / 3, 4};
        std::vector<double> values;
        for (std::size_t a = 0; a < 6; ++a) {
            values.push_back(first[a]);
            if (per_area == 2) values.push_back(second[a]);
        }
        std::vector<double> with_nan = values;
        with_nan[5 * per_area] = nan;  // area f
        for (const IndicatorKind kind : {IndicatorKind::count, IndicatorKind::measure}) {
            const auto plain = aggregate_values(buurt, kind, values, per_area);
            const auto with_one = aggregate_values(buurt, kind, with_nan, per_area);
            // Q (f alone) aside, every buurt alike; Q is f's value, or NaN.
            const std::vector<double> rest(plain.begin() + per_area, plain.end());
            const std::vector<double> rest_with_one(with_one.begin() + per_area, with_one.end());
            EXPECT_EQ(bits(rest), bits(rest_with_one)) << "per_area " << per_area;
            EXPECT_EQ(plain[0], values[5 * per_area]);
            EXPECT_TRUE(std::isnan(with_one[0]));
            // Buurt X is a, c, d added in that order (and their mean for a measure).
            double x = 0;
            for (const std::size_t a : {0, 2, 3}) x += values[a * per_area];
            if (kind == IndicatorKind::measure) x /= 3;
            EXPECT_EQ(std::bit_cast<std::uint64_t>(plain[per_area]),
                      std::bit_cast<std::uint64_t>(x));
            // Several groupings at once, as one at a time.
            std::vector<double> by_buurt(buurt.codes.size() * per_area), total(per_area);
            const std::array<const AreaGrouping*, 2> both{&buurt, &wijk};
            const std::array<std::span<double>, 2> outs{by_buurt, total};
            aggregate_values(both, kind, values, per_area, {}, 0, outs);
            EXPECT_EQ(bits(by_buurt), bits(plain));
            EXPECT_EQ(bits(total), bits(aggregate_values(wijk, kind, values, per_area)));
            // More groupings than are summed side by side (four): each still as on its own.
            const std::array<const AreaGrouping*, 5> five{&buurt, &wijk, &buurt, &wijk, &buurt};
            std::vector<std::vector<double>> five_outs;
            for (const AreaGrouping* g : five) five_outs.emplace_back(g->codes.size() * per_area);
            const std::vector<std::span<double>> five_spans(five_outs.begin(), five_outs.end());
            aggregate_values(five, kind, values, per_area, {}, 0, five_spans);
            for (std::size_t g = 0; g < five.size(); ++g)
                EXPECT_EQ(bits(five_outs[g]), bits(g % 2 == 0 ? plain : total)) << "grouping " << g;
        }
    }
}

TEST(AggregateValues, UnknownLevelSuggestsTheNearestAttribute) {
    try {
        group_areas({"a"}, "pc6", {{"gemeente", {"G"}}}, "gemeete", "run.h5");
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.problems().front().where.file, "run.h5");
        EXPECT_EQ(e.problems().front().hint, "did you mean 'gemeente'?");
    }
}

}  // namespace
}  // namespace socialtwin
