#include "engine/results/monitor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/input/observations.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

const fs::path observations = fs::path(SOCIALTWIN_TEST_DATA_DIR) / "observations";

// The fixture result (buurt BU1: 60 inhabitants in 2024, 63 in 2025; BU2: 90, 92) against the
// observation folders in tests/data/observations.
class MonitorTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun().write(dir_ / "run.h5");
    }
    MonitorOptions options(const std::string& folder, bool write = true) const {
        return {.projection = dir_ / "run.h5",
                .observation = observations / folder,
                .output = write ? dir_ / "monitor.h5" : fs::path{},
                .level = {}};
    }
    // The problems of monitoring against `folder`, formatted; and nothing written.
    std::vector<std::string> problems(const std::string& folder) {
        std::vector<std::string> out;
        try {
            monitor_projection(options(folder));
            ADD_FAILURE() << "expected an InputError for " << folder;
        } catch (const InputError& e) {
            for (const auto& p : e.problems()) out.push_back(format(p));
        }
        EXPECT_FALSE(fs::exists(dir_ / "monitor.h5"));
        EXPECT_EQ(files().size(), 1u) << "a temporary file was left behind";
        return out;
    }
    static bool contains(const std::vector<std::string>& problems, const std::string& text) {
        for (const auto& p : problems)
            if (p.find(text) != std::string::npos) return true;
        return false;
    }
};

TEST_F(MonitorTest, ProjectionIsAggregatedToTheObservationsLevelAndSetBesideIt) {
    const auto report = monitor_projection(options("good"));
    EXPECT_EQ(report.level, "buurt");
    EXPECT_EQ(report.observation_name, "good");
    EXPECT_EQ(report.n_compared, 4u);
    EXPECT_EQ(report.n_outside_years, 1u);  // BU2 in 2023
    EXPECT_EQ(report.not_projected, (std::vector<std::string>{"households"}));

    auto file = hdf5::open_file_read_only(dir_ / "monitor.h5");
    auto strings = [&](const char* name) {
        auto d = hdf5::open_dataset(file.id(), name);
        return hdf5::read_strings(d.id());
    };
    auto doubles = [&](const char* name) {
        auto d = hdf5::open_dataset(file.id(), name);
        return hdf5::read_doubles(d.id());
    };
    // Sorted by indicator, area, sex, age band, year.
    EXPECT_EQ(strings("indicator"),
              (std::vector<std::string>{"population", "population", "population",
                                        "population_by_age_sex"}));
    EXPECT_EQ(strings("area"), (std::vector<std::string>{"BU1", "BU1", "BU2", "BU1"}));
    EXPECT_EQ(strings("sex"), (std::vector<std::string>{"", "", "", "female"}));
    {
        auto year = hdf5::open_dataset(file.id(), "year");
        EXPECT_EQ(hdf5::read_ints(year.id()), (std::vector<std::int32_t>{2024, 2025, 2024, 2024}));
    }
    EXPECT_EQ(doubles("projected"), (std::vector<double>{60, 63, 90, 1.5}));
    EXPECT_EQ(doubles("observed"), (std::vector<double>{66, 63, 90, 2}));
    EXPECT_EQ(doubles("difference"), (std::vector<double>{-6, 0, 0, -0.5}));
    EXPECT_DOUBLE_EQ(doubles("relative_difference")[0], -6.0 / 66);
    auto observed = hdf5::open_dataset(file.id(), "observed");
    EXPECT_EQ(hdf5::dimension_names(observed.id()), (std::vector<std::string>{"observation"}));

    // Summary: population 2024 over BU1 and BU2.
    ASSERT_EQ(report.rows.size(), 3u);
    const auto& row = report.rows[0];
    EXPECT_EQ(row.indicator, "population");
    EXPECT_EQ(row.year, 2024);
    EXPECT_EQ(row.n_areas, 2u);
    EXPECT_DOUBLE_EQ(row.projected, 150);
    EXPECT_DOUBLE_EQ(row.observed, 156);
    EXPECT_DOUBLE_EQ(row.mape_percent, (6.0 / 66 * 100 + 0) / 2);
    auto mape = hdf5::open_dataset(file.id(), "summary/mape_percent");
    EXPECT_DOUBLE_EQ(hdf5::read_doubles(mape.id())[0], row.mape_percent);

    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "observation_level"), "buurt");
    EXPECT_NE(
        hdf5::read_string_attribute(meta.id(), "observation_provenance").find("socialtwin tests"),
        std::string::npos);
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "socialtwin_content"), "monitoring");

    std::ostringstream text;
    print_monitoring(report, text, false);
    EXPECT_NE(text.str().find("population"), std::string::npos);
    EXPECT_NE(text.str().find("4.5%"), std::string::npos) << text.str();
}

TEST_F(MonitorTest, ABareCsvNeedsALevel) {
    const fs::path csv = observations / "good" / "observed.csv";
    // observation.yaml beside it gives the level.
    EXPECT_EQ(monitor_projection(
                  {.projection = dir_ / "run.h5", .observation = csv, .output = {}, .level = {}})
                  .level,
              "buurt");
    fs::copy_file(csv, dir_ / "bare.csv");
    EXPECT_THROW(monitor_projection({.projection = dir_ / "run.h5",
                                     .observation = dir_ / "bare.csv",
                                     .output = {},
                                     .level = {}}),
                 InputError);
    EXPECT_EQ(monitor_projection({.projection = dir_ / "run.h5",
                                  .observation = dir_ / "bare.csv",
                                  .output = {},
                                  .level = "buurt"})
                  .n_compared,
              4u);
}

TEST_F(MonitorTest, AnUnknownIndicatorIsReportedAtItsField) {
    const auto p = problems("bad_indicator");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("bad_indicator/observed.csv:2:10: indicator: expected one of population, "
                        "population_by_age_sex"),
              std::string::npos)
        << p[0];
    EXPECT_NE(p[0].find("did you mean 'population'?"), std::string::npos) << p[0];
}

TEST_F(MonitorTest, ValuesAndYearsThatAreNotNumbersAreReported) {
    const auto p = problems("bad_number");
    EXPECT_TRUE(
        contains(p, "observed.csv:2:23: value: expected a non-negative number, got \"sixty\""))
        << p.front();
    EXPECT_TRUE(contains(p, "observed.csv:3:23: value:")) << p.front();
    EXPECT_TRUE(contains(p, "observed.csv:4:5: year:")) << p.front();
}

TEST_F(MonitorTest, AnUnknownAreaCodeIsReportedWithTheNearestCode) {
    const auto p = problems("unknown_area");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("observed.csv:3:1: area: unknown buurt code 'BU3'"), std::string::npos)
        << p[0];
    EXPECT_NE(p[0].find("did you mean"), std::string::npos) << p[0];
}

TEST_F(MonitorTest, ADuplicateRowNamesTheFirst) {
    const auto p = problems("duplicate_row");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("observed.csv:4:1: area: duplicate row: line 2 already has population "
                        "2024 in BU1"),
              std::string::npos)
        << p[0];
}

TEST_F(MonitorTest, SexAndAgeBandOnlyWhereTheyBelongAndKnown) {
    const auto p = problems("bad_sex_age");
    EXPECT_TRUE(contains(p, "observed.csv:2:21: sex: expected an empty field")) << p.front();
    EXPECT_TRUE(contains(p, "observed.csv:3:32: sex: expected one of male, female, got \"woman\""))
        << p.front();
    // 80-85 is no whole number of 5-year bands (80-84 and half of 85-89).
    EXPECT_TRUE(contains(p,
                         "observed.csv:3:38: age_band: expected one of the projection's age "
                         "bands (0-4"))
        << p.front();
    EXPECT_TRUE(contains(p, "observed.csv:4:33: age_band: expected a sex, an age band or both"))
        << p.front();
    EXPECT_TRUE(contains(p,
                         "observed.csv:5:33: age_band: expected one of the projection's age "
                         "bands"))
        << p.front();
}

// Broad age groups (0-14: three 5-year bands) and a sex over all ages are sums of the
// projection's cells: BU1 has 60 inhabitants in 2024, spread evenly over 2 sexes x 20 bands.
TEST_F(MonitorTest, BroadAgeGroupsAndSexTotalsAreSumsOfTheProjectionsBands) {
    const auto report = monitor_projection(options("broad_bands", false));
    ASSERT_EQ(report.values.size(), 3u);
    for (const auto& v : report.values) {
        const double expected = v.row.age_band == "0-14"  ? 60.0 * 6 / 40  // both sexes
                                : v.row.age_band == "65+" ? 60.0 * 7 / 40  // men, 65-69 .. 95+
                                                          : 30;            // women, all ages
        EXPECT_DOUBLE_EQ(v.projected, expected) << v.row.sex << " " << v.row.age_band;
    }
}

TEST(AgeBandMembers, ARangeIsTheWholeBandsItSpansAndNothingElse) {
    const std::vector<std::string> bands{"0-4", "5-9", "10-14", "15-19", "20-24", "25+"};
    EXPECT_EQ(age_band_members("5-9", bands), (std::vector<std::size_t>{1}));
    EXPECT_EQ(age_band_members("0-14", bands), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(age_band_members("15+", bands), (std::vector<std::size_t>{3, 4, 5}));
    EXPECT_TRUE(age_band_members("0-12", bands).empty());   // ends inside 10-14
    EXPECT_TRUE(age_band_members("3-9", bands).empty());    // starts inside 0-4
    EXPECT_TRUE(age_band_members("15-30", bands).empty());  // 25+ is open-ended
    EXPECT_TRUE(age_band_members("old", bands).empty());
}

TEST_F(MonitorTest, AColumnBeyondTheSixIsReported) {
    const auto p = problems("extra_column");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("observed.csv:1:40: note: unexpected column"), std::string::npos) << p[0];
}

TEST_F(MonitorTest, ALevelTheProjectionLacksIsReportedAtTheYamlKey) {
    const auto p = problems("bad_level");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("bad_level/observation.yaml:3:8: level: level 'wijkk'"), std::string::npos)
        << p[0];
    EXPECT_NE(p[0].find("did you mean 'wijk'?"), std::string::npos) << p[0];
}

TEST_F(MonitorTest, AMissingFolderOrProjectionIsAnInputError) {
    EXPECT_FALSE(problems("no_such_folder").empty());
    fs::remove(dir_ / "run.h5");
    FixtureRun().write(dir_ / "elsewhere.h5");
    const auto p = problems("good");
    EXPECT_TRUE(contains(p, "run.h5: no such file"));
}

TEST(IsObservationPath, FoldersAndCsvFilesAreObservationsH5FilesAreNot) {
    EXPECT_TRUE(is_observation_path(observations / "good"));
    EXPECT_TRUE(is_observation_path("x/observed.CSV"));
    EXPECT_FALSE(is_observation_path("out/scenario.h5"));
}

}  // namespace
}  // namespace socialtwin
