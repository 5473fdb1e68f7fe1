#include "engine/results/result_info.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/hdf5_writer.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class ResultInfoTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("socialtwin-info-" + std::string(test->name()) + "-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // A finished result file: two indicators, three areas with a buurt attribute, two years,
    // `replicates` replicates and a scenario YAML of 20 lines.
    fs::path write_result(int replicates = 1) {
        AreaTable areas("pc6", {"2311AA", "2311AB", "2312CD"});
        areas.add_attribute({"buurt", {"BU05460101", "BU05460101", "BU05460202"}});
        IndicatorCatalog catalog;
        catalog.add({.name = "population",
                     .units = "persons",
                     .description = "Residents on 1 January",
                     .dims = {},
                     .source = ""});
        catalog.add({.name = "gp_contacts",
                     .units = "contacts per year",
                     .description = "Contacts with a general practitioner",
                     .dims = by_sex_and_age_band,
                     .source = "Nivel"});
        Scenario scenario;
        scenario.name = "leiden-baseline";
        scenario.dataset = "leiden";
        scenario.source_path = "scenarios/leiden-baseline.yaml";
        for (int i = 1; i <= 20; ++i) scenario.source_text += fmt::format("line_{}: {}\n", i, i);
        RunDescription run{.scenario = &scenario,
                           .areas = &areas,
                           .catalog = &catalog,
                           .years = {2024, 2025},
                           .core = "agent",
                           .replicates = replicates,
                           .metadata = {{"rate_set", "cbs-2023\nsecond line not shown"}}};
        const fs::path path = dir_ / "result.h5";
        Hdf5Writer writer(path);
        writer.on_start(run);
        for (int replicate = 0; replicate < replicates; ++replicate)
            for (int year : run.years) {
                YearResults results(catalog, areas.size());
                results.year = year;
                results.replicate = replicate;
                writer.on_year(results);
            }
        writer.on_finish({.phase_timings = {{"mortality", 0.25}}, .wall_seconds = 1.5});
        return path;
    }

    std::string describe(const fs::path& path) {
        std::ostringstream out;
        describe_result_file(path, out);
        return out.str();
    }

    std::string error_of(const fs::path& path) {
        try {
            describe(path);
        } catch (const InputError& e) {
            return e.what();
        }
        ADD_FAILURE() << "no InputError for " << path;
        return {};
    }

    fs::path dir_;
};

TEST_F(ResultInfoTest, DescribesTheRun) {
    const std::string text = describe(write_result());
    EXPECT_THAT(text, HasSubstr("leiden-baseline (scenarios/leiden-baseline.yaml)"));
    EXPECT_THAT(text, HasSubstr("dataset     leiden"));
    EXPECT_THAT(text, HasSubstr("core        agent"));
    EXPECT_THAT(text, HasSubstr("replicates  1\n"));
    EXPECT_THAT(text, HasSubstr("years       2024-2025 (2 years)"));
    EXPECT_THAT(text, HasSubstr("areas       3 (pc6); attributes buurt"));
    // One replicate: no replicate or quantile dimension, no companions to mention.
    EXPECT_THAT(text, HasSubstr("dimensions  year 2, area 3, sex 2, age_band 20\n"));
    EXPECT_THAT(text, Not(HasSubstr("X_replicates")));
    EXPECT_THAT(text, Not(HasSubstr("Values are the mean")));
}

TEST_F(ResultInfoTest, ShowsTheReplicateCount) {
    const std::string text = describe(write_result(3));
    EXPECT_THAT(text, HasSubstr("replicates  3\n"));
    EXPECT_THAT(text, HasSubstr("dimensions  year 2, area 3, sex 2, age_band 20, replicate 3, "
                                "quantile 3\n"));
}

TEST_F(ResultInfoTest, ListsEachIndicatorOnceAndSaysTheCompanionsExist) {
    const std::string text = describe(write_result(3));
    EXPECT_THAT(text, HasSubstr("indicators (2)\n"));
    EXPECT_THAT(text, Not(HasSubstr("population_replicates")));
    EXPECT_THAT(text, Not(HasSubstr("gp_contacts_quantiles")));
    EXPECT_THAT(text, HasSubstr("  Values are the mean over replicates (3 here). Every indicator "
                                "X also comes as\n"
                                "  X_replicates (replicate first: each replicate's values) and "
                                "X_quantiles (quantile first:\n"
                                "  their 0.05, 0.5, 0.95 quantiles over replicates).\n"));
}

TEST_F(ResultInfoTest, FileWithoutReplicatesIsASingleRun) {
    // As written before replicates were: no replicates entry in /meta either.
    const fs::path path = write_result();
    {
        hdf5::File file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
        ASSERT_TRUE(file);
        ASSERT_GE(H5Adelete_by_name(file.id(), "meta", "replicates", H5P_DEFAULT), 0);
    }
    const std::string text = describe(path);
    EXPECT_THAT(text, HasSubstr("replicates  1\n"));
    EXPECT_THAT(text, HasSubstr("indicators (2)\n"));
    EXPECT_THAT(text, Not(HasSubstr("X_replicates")));
    EXPECT_THAT(text, Not(HasSubstr("Values are the mean")));
}

TEST_F(ResultInfoTest, ListsIndicatorsWithDimsUnitsAndDescription) {
    const std::string text = describe(write_result());
    EXPECT_THAT(text, HasSubstr("indicators (2)"));
    EXPECT_THAT(text, HasSubstr("population   (year, area)                 persons            "
                                "Residents on 1 January"));
    EXPECT_THAT(text, Not(HasSubstr("January (mean over replicates)")));  // said once, below
    EXPECT_THAT(text, HasSubstr("gp_contacts  (year, area, sex, age_band)  contacts per year  "
                                "Contacts with a general practitioner"));
    EXPECT_THAT(text, Not(HasSubstr("  buurt  (area)")));  // an attribute, not an indicator
}

TEST_F(ResultInfoTest, ListsMetaAndOnlyTheStartOfTheYaml) {
    const std::string text = describe(write_result());
    EXPECT_THAT(text, HasSubstr("rate_set"));
    EXPECT_THAT(text, HasSubstr("cbs-2023 ..."));
    EXPECT_THAT(text, Not(HasSubstr("second line not shown")));
    EXPECT_THAT(text, HasSubstr("engine_version"));
    EXPECT_THAT(text, HasSubstr("scenario YAML (20 lines, first 8 shown)"));
    EXPECT_THAT(text, HasSubstr("line_1: 1\n"));
    EXPECT_THAT(text, HasSubstr("line_8: 8\n"));
    EXPECT_THAT(text, Not(HasSubstr("line_9: 9")));
    EXPECT_THAT(text, HasSubstr("... (12 more lines)"));
    EXPECT_THAT(text, HasSubstr("phase timings (wall time 1.500 s)"));
    EXPECT_THAT(text, HasSubstr("mortality  0.250 s"));
}

TEST_F(ResultInfoTest, MissingFileIsAnInputErrorNamingIt) {
    const fs::path path = dir_ / "nothing.h5";
    EXPECT_THAT(error_of(path), HasSubstr(path.string() + ": no such file"));
}

TEST_F(ResultInfoTest, TextFileIsNotAResult) {
    const fs::path path = dir_ / "notes.h5";
    std::ofstream(path) << "year,area,population\n";
    EXPECT_THAT(error_of(path), HasSubstr(path.string() + ": not an HDF5 file"));
}

TEST_F(ResultInfoTest, OtherHdf5FileIsNotAResult) {
    const fs::path path = dir_ / "other.h5";
    hdf5::create_file(path);
    EXPECT_THAT(error_of(path), HasSubstr(path.string() + ": an HDF5 file, but not a socialtwin"));
}

TEST_F(ResultInfoTest, NewerLayoutIsRefused) {
    const fs::path path = dir_ / "future.h5";
    {
        auto file = hdf5::create_file(path);
        hdf5::write_attribute(file.id(), "socialtwin_result_version", std::int32_t{99});
    }
    EXPECT_THAT(error_of(path), HasSubstr("layout version 99"));
}

}  // namespace
}  // namespace socialtwin
