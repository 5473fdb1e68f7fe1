#include "engine/results/publish.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

// Inhabitants per area: 3 (below CBS's threshold of 5), 12, 13, 40, 52.5 in 2024; in 2025 the
// first area has 5 (published again). GP contacts 12, 13, 12.5, 2.4, -7.5 (all counts);
// Wmo spending 1234.56 EUR per area (an amount).
class PublishTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun fixture;
        const auto base = fixture.value;
        fixture.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                               int replicate) {
            static constexpr std::array<double, 5> population{3, 12, 13, 40, 52.5};
            static constexpr std::array<double, 5> contacts{12, 13, 12.5, 2.4, -7.5};
            const double pop = area == 0 && year == 2025 ? 5 : population.at(area);
            switch (id) {
                case 0:
                    return pop;
                case 1:
                    return pop / 40;
                case 2:
                    return contacts.at(area);
                case 3:
                    return 1234.56;
                default:
                    return base(id, year, area, k, replicate);
            }
        };
        fixture.write(dir_ / "run.h5", {.aggregates = with_aggregates_});
    }
    PublishReport publish() {
        return publish_result(
            {.source = dir_ / "run.h5", .output = dir_ / "publish.h5", .disclosure = "cbs"});
    }
    static std::vector<double> read(const fs::path& path, const std::string& name) {
        auto file = hdf5::open_file_read_only(path);
        auto dataset = hdf5::open_dataset(file.id(), name);
        return hdf5::read_doubles(dataset.id());
    }
    bool with_aggregates_ = true;
};

TEST_F(PublishTest, AnAreaWithFewerThanFiveInhabitantsIsSuppressedInThatYear) {
    const auto report = publish();
    EXPECT_EQ(report.area_years, 10u);
    EXPECT_EQ(report.suppressed_area_years, 1u);
    const auto population = read(dir_ / "publish.h5", "population");
    EXPECT_TRUE(std::isnan(population[0]));  // 2024: 3 inhabitants
    EXPECT_EQ(population[5], 5);             // 2025: 5 inhabitants, published
    for (const char* name : {"gp_contacts", "cost_wmo_eur", "gp_distance_km"})
        EXPECT_TRUE(std::isnan(read(dir_ / "publish.h5", name)[0])) << name;
    const auto by_age = read(dir_ / "publish.h5", "population_by_age_sex");
    for (std::size_t k = 0; k < 40; ++k) EXPECT_TRUE(std::isnan(by_age[k]));
    EXPECT_FALSE(std::isnan(by_age[40]));
}

TEST_F(PublishTest, CountsAreRoundedToMultiplesOfFiveAndAmountsAreNot) {
    publish();
    const auto contacts = read(dir_ / "publish.h5", "gp_contacts");
    // Area 1 is suppressed; 13 -> 15, 12.5 -> 15 (halves away from zero), 2.4 -> 0, -7.5 -> -10.
    EXPECT_EQ(std::vector<double>(contacts.begin() + 1, contacts.begin() + 5),
              (std::vector<double>{15, 15, 0, -10}));
    const auto population = read(dir_ / "publish.h5", "population");
    EXPECT_EQ(population[1], 10);  // 12 -> 10
    EXPECT_EQ(population[2], 15);  // 13 -> 15
    EXPECT_EQ(population[4], 55);  // 52.5 -> 55
    const auto cost = read(dir_ / "publish.h5", "cost_wmo_eur");
    EXPECT_EQ(cost[1], 1234.56);
    const auto distance = read(dir_ / "publish.h5", "gp_distance_km");
    EXPECT_EQ(distance[1], 2);  // a measure: not rounded
}

TEST_F(PublishTest, AggregatesAreRoundedFromTheExactValues) {
    publish();
    // BU1 = 3 + 12 + 13 = 28 -> 30 (the suppressed area counts in its buurt's exact total).
    const auto buurt = read(dir_ / "publish.h5", "aggregates/buurt/population");
    EXPECT_EQ(buurt[0], 30);
    // PC4 1000 = 3 + 12 = 15 -> 15; contacts 12 + 13 = 25.
    EXPECT_EQ(read(dir_ / "publish.h5", "aggregates/pc4/gp_contacts")[0], 25);
    EXPECT_DOUBLE_EQ(read(dir_ / "publish.h5", "aggregates/gemeente/cost_wmo_eur")[0], 5 * 1234.56);
}

TEST_F(PublishTest, ALargerAreaWithFewerThanFiveInhabitantsIsSuppressedToo) {
    // A run without aggregates, whose PC4 1002 (area A5 alone) has 4 inhabitants: export
    // computes the aggregates from the exact values, then suppresses and rounds them.
    FixtureRun fixture;
    const auto base = fixture.value;
    fixture.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                           int replicate) {
        if (id == 0 && area == 4) return 4.0;
        return base(id, year, area, k, replicate);
    };
    fixture.write(dir_ / "run.h5", {.aggregates = false});
    const auto report = publish();
    EXPECT_TRUE(report.computed_aggregates);
    EXPECT_EQ(report.levels, (std::vector<std::string>{"pc4", "buurt", "wijk", "gemeente"}));
    const auto pc4 = read(dir_ / "publish.h5", "aggregates/pc4/population");
    EXPECT_TRUE(std::isnan(pc4[2]));
    EXPECT_TRUE(std::isnan(read(dir_ / "publish.h5", "aggregates/pc4/gp_contacts")[2]));
    EXPECT_EQ(pc4[0], 30);  // 10 + 20
    // BU2 = 40 + 4 = 44 -> 45.
    EXPECT_EQ(read(dir_ / "publish.h5", "aggregates/buurt/population")[1], 45);
}

TEST_F(PublishTest, MetaSaysWhatWasDoneAndWhereFrom) {
    publish();
    auto file = hdf5::open_file_read_only(dir_ / "publish.h5");
    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(
        hdf5::read_string_attribute(meta.id(), "disclosure_control"),
        "CBS: suppress areas with fewer than 5 inhabitants; counts rounded to multiples of 5");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "disclosure_threshold"), "5");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "disclosure_rounding_base"), "5");
    EXPECT_NE(hdf5::read_string_attribute(meta.id(), "source_path").find("run.h5"),
              std::string::npos);
    EXPECT_TRUE(hdf5::has_attribute(meta.id(), "source_git_commit"));
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "scenario_name"), "baseline");  // kept
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "socialtwin_content"), "published");
}

TEST_F(PublishTest, TheRunsOwnFileIsLeftExact) {
    std::ifstream before_stream(dir_ / "run.h5", std::ios::binary);
    const std::string before{std::istreambuf_iterator<char>(before_stream), {}};
    publish();
    std::ifstream after_stream(dir_ / "run.h5", std::ios::binary);
    const std::string after{std::istreambuf_iterator<char>(after_stream), {}};
    EXPECT_EQ(before, after);
    EXPECT_EQ(read(dir_ / "run.h5", "population")[0], 3);
    // Publishing onto the run's own file is refused.
    EXPECT_THROW(
        publish_result({.source = dir_ / "run.h5", .output = dir_ / "run.h5", .disclosure = "cbs"}),
        InputError);
}

TEST_F(PublishTest, ARuleIsRequiredAndAPublishedFileIsNotPublishedAgain) {
    EXPECT_THROW(publish_result(
                     {.source = dir_ / "run.h5", .output = dir_ / "publish.h5", .disclosure = ""}),
                 InputError);
    EXPECT_THROW(
        publish_result(
            {.source = dir_ / "run.h5", .output = dir_ / "publish.h5", .disclosure = "gdpr"}),
        InputError);
    EXPECT_FALSE(fs::exists(dir_ / "publish.h5"));
    publish();
    EXPECT_THROW(
        publish_result(
            {.source = dir_ / "publish.h5", .output = dir_ / "again.h5", .disclosure = "cbs"}),
        InputError);
    EXPECT_EQ(files().size(), 2u);
}

TEST_F(PublishTest, ReplicatesAndQuantilesAreSuppressedAndRoundedAlike) {
    FixtureRun fixture;
    const auto base = fixture.value;
    fixture.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                           int replicate) {
        if (id == 0 && area == 0) return 2.0 + replicate;  // 2, 3, 4: a mean of 3
        return base(id, year, area, k, replicate) + (id == 2 ? replicate : 0);
    };
    fixture.write(dir_ / "run.h5", {}, 3);
    publish();
    const auto replicates = read(dir_ / "publish.h5", "gp_contacts_replicates");
    EXPECT_TRUE(std::isnan(replicates[0]));  // area 1 suppressed in every replicate
    // Area 2: 5 x 20 = 100 + replicate -> 100, 100, 100.
    EXPECT_EQ(replicates[1], 100);
    EXPECT_EQ(replicates[10 + 1], 100);
    const auto quantiles = read(dir_ / "publish.h5", "gp_contacts_quantiles");
    EXPECT_TRUE(std::isnan(quantiles[0]));
    EXPECT_EQ(quantiles[1], 100);
}

TEST(RoundToBase, RoundsHalvesAwayFromZeroWithoutNegativeZero) {
    EXPECT_EQ(round_to_base(12, 5), 10);
    EXPECT_EQ(round_to_base(13, 5), 15);
    EXPECT_EQ(round_to_base(12.5, 5), 15);
    EXPECT_EQ(round_to_base(-12.5, 5), -15);
    EXPECT_FALSE(std::signbit(round_to_base(-1, 5)));
    EXPECT_TRUE(std::isnan(round_to_base(std::nan(""), 5)));
}

}  // namespace
}  // namespace socialtwin
