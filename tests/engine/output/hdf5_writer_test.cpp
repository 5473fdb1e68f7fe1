#include "engine/output/hdf5_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/aggregate.hpp"
#include "engine/output/quantiles.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class Hdf5WriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("socialtwin-" + std::string(test->name()) + "-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(dir_, fs::perms::owner_all, ignored);
        fs::remove_all(dir_, ignored);
    }
    std::vector<fs::path> files_in(const fs::path& directory) const {
        std::vector<fs::path> out;
        for (const auto& entry : fs::directory_iterator(directory)) out.push_back(entry.path());
        return out;
    }
    fs::path dir_;
};

// Two indicators (one per area, one per area x sex x age band), three areas with a buurt code
// and name, two years; every value distinct so a misplaced block shows.
struct TinyRun {
    TinyRun() : areas("buurt", {"BU05990101", "BU05990102", "BU05990203"}) {
        areas.add_attribute({"buurt", {"0101", "0102", "0203"}});
        areas.add_attribute({"buurt_name", {"Oude Westen", "Cool", "Noordereiland–Oost"}});
        population = catalog.add({.name = "population",
                                  .units = "persons",
                                  .description = "Residents on 1 January",
                                  .dims = {},
                                  .source = ""});
        by_age_sex = catalog.add({.name = "population_by_age_sex",
                                  .units = "persons",
                                  .description = "Residents by sex and five-year age band",
                                  .dims = by_sex_and_age_band,
                                  .source = "CBS 83502NED"});
        scenario.name = "tiny";
        scenario.dataset = "rotterdam-test";
        scenario.seed = 18446744073709551615ULL;  // the largest seed must survive
        scenario.horizon = 1;
        scenario.source_path = "scenarios/tiny.yaml";
        scenario.source_text = "name: tiny\ndataset: rotterdam-test\nhorizon: 1\n";
        run.scenario = &scenario;
        run.areas = &areas;
        run.catalog = &catalog;
        run.years = {2024, 2025};
        run.core = "cohort";
        run.metadata = {{"rate_set", "cbs-2023 (sha256 abc123)"}, {"price_year", "2022"}};
    }

    static double value(int year, std::size_t area, std::size_t k) {
        return year * 1000.0 + static_cast<double>(area) * 100.0 + static_cast<double>(k) + 0.25;
    }
    // Replicate r's values are value() + offset(r): 3, -1, 7 for replicates 0, 1, 2, so neither
    // the order of replicates nor their order of arrival is the sorted order.
    static double offset(int replicate) {
        constexpr std::array<double, 3> offsets{3.0, -1.0, 7.0};
        return offsets.at(static_cast<std::size_t>(replicate));
    }
    static double value(int replicate, int year, std::size_t area, std::size_t k) {
        return value(year, area, k) + offset(replicate);
    }

    YearResults results(int year) const {
        YearResults r(catalog, areas.size());
        r.year = year;
        for (std::size_t a = 0; a < areas.size(); ++a) {
            r.area_values(population, a)[0] = value(year, a, 0);
            auto v = r.area_values(by_age_sex, a);
            for (std::size_t k = 0; k < v.size(); ++k) v[k] = value(year, a, k);
        }
        return r;
    }
    YearResults results(int replicate, int year) const {
        YearResults r(catalog, areas.size());
        r.year = year;
        r.replicate = replicate;
        for (std::size_t a = 0; a < areas.size(); ++a) {
            r.area_values(population, a)[0] = value(replicate, year, a, 0);
            auto v = r.area_values(by_age_sex, a);
            for (std::size_t k = 0; k < v.size(); ++k) v[k] = value(replicate, year, a, k);
        }
        return r;
    }

    void write(Hdf5Writer& writer) const {
        writer.on_start(run);
        for (int year : run.years) writer.on_year(results(year));
        writer.on_finish({.phase_timings = {{"ageing", 0.5}, {"mortality", 1.25}},
                          .wall_seconds = 2.0,
                          .person_years = 1234.0});
    }
    // Three replicates as the agent core may report them: every year of replicate 0, then of
    // replicate 1, then of 2.
    void write_replicates(Hdf5Writer& writer) {
        run.replicates = 3;
        writer.on_start(run);
        for (int replicate = 0; replicate < 3; ++replicate)
            for (int year : run.years) writer.on_year(results(replicate, year));
        writer.on_finish({});
    }

    AreaTable areas;
    IndicatorCatalog catalog;
    IndicatorId population = 0;
    IndicatorId by_age_sex = 0;
    Scenario scenario;
    RunDescription run;
};

TEST_F(Hdf5WriterTest, WritesDimensionsAsLabelledScales) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    const hid_t root = file.id();

    auto year = hdf5::open_dataset(root, "year");
    EXPECT_TRUE(hdf5::is_dimension_scale(year.id()));
    EXPECT_EQ(hdf5::read_ints(year.id()), (std::vector<std::int32_t>{2024, 2025}));

    auto area = hdf5::open_dataset(root, "area");
    EXPECT_TRUE(hdf5::is_dimension_scale(area.id()));
    EXPECT_EQ(hdf5::read_strings(area.id()), tiny.areas.codes());
    EXPECT_EQ(hdf5::read_string_attribute(area.id(), "level"), "buurt");

    auto sex = hdf5::open_dataset(root, "sex");
    EXPECT_EQ(hdf5::read_strings(sex.id()), (std::vector<std::string>{"male", "female"}));

    auto band = hdf5::open_dataset(root, "age_band");
    const auto bands = hdf5::read_strings(band.id());
    ASSERT_EQ(bands.size(), 20u);
    EXPECT_EQ(bands.front(), "0-4");
    EXPECT_EQ(bands[1], "5-9");
    EXPECT_EQ(bands.back(), "95+");
}

TEST_F(Hdf5WriterTest, WritesAreaAttributesOverTheAreaDimension) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    for (const auto& attribute : tiny.areas.attributes()) {
        auto dataset = hdf5::open_dataset(file.id(), attribute.name);
        EXPECT_FALSE(hdf5::is_dimension_scale(dataset.id()));
        EXPECT_EQ(hdf5::dimension_names(dataset.id()), (std::vector<std::string>{"area"}));
        EXPECT_EQ(hdf5::read_strings(dataset.id()), attribute.values);  // UTF-8 intact
    }
}

TEST_F(Hdf5WriterTest, WritesEachYearsValuesInPlace) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);

    auto population = hdf5::open_dataset(file.id(), "population");
    EXPECT_EQ(hdf5::shape(population.id()), (std::vector<hsize_t>{2, 3}));
    EXPECT_EQ(hdf5::dimension_names(population.id()), (std::vector<std::string>{"year", "area"}));
    const auto totals = hdf5::read_doubles(population.id());
    for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t a = 0; a < 3; ++a)
            EXPECT_EQ(totals[y * 3 + a], TinyRun::value(2024 + static_cast<int>(y), a, 0));

    auto by_age_sex = hdf5::open_dataset(file.id(), "population_by_age_sex");
    EXPECT_EQ(hdf5::shape(by_age_sex.id()), (std::vector<hsize_t>{2, 3, 2, 20}));
    EXPECT_EQ(hdf5::dimension_names(by_age_sex.id()),
              (std::vector<std::string>{"year", "area", "sex", "age_band"}));
    const auto values = hdf5::read_doubles(by_age_sex.id());
    ASSERT_EQ(values.size(), 2u * 3 * 40);
    for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t a = 0; a < 3; ++a)
            for (std::size_t k = 0; k < 40; ++k)  // k = sex * 20 + age band
                EXPECT_EQ(values[(y * 3 + a) * 40 + k],
                          TinyRun::value(2024 + static_cast<int>(y), a, k));
}

TEST_F(Hdf5WriterTest, IndicatorsAreChunkedAndCompressed) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto dataset = hdf5::open_dataset(file.id(), "population_by_age_sex");
    hdf5::PropertyList dcpl(H5Dget_create_plist(dataset.id()));
    ASSERT_EQ(H5Pget_layout(dcpl.id()), H5D_CHUNKED);
    std::array<hsize_t, 4> chunk{};
    ASSERT_EQ(H5Pget_chunk(dcpl.id(), 4, chunk.data()), 4);
    EXPECT_EQ(chunk, (std::array<hsize_t, 4>{1, 3, 2, 20}));  // one year, all (3) areas
    EXPECT_GT(H5Pget_filter_by_id2(dcpl.id(), H5Z_FILTER_SHUFFLE, nullptr, nullptr, nullptr, 0,
                                   nullptr, nullptr),
              -1);
    unsigned level = 0;
    std::size_t n_values = 1;
    EXPECT_GT(H5Pget_filter_by_id2(dcpl.id(), H5Z_FILTER_DEFLATE, nullptr, &n_values, &level, 0,
                                   nullptr, nullptr),
              -1);
    EXPECT_EQ(level, 1u);
}

TEST_F(Hdf5WriterTest, LabelsIndicatorsWithUnitsDescriptionSourceAndCoordinates) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto population = hdf5::open_dataset(file.id(), "population");
    // CF: UDUNITS-2 units, the declared label beside them, the name in plain words.
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "units"), "1");
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "unit_label"), "persons");
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "long_name"), "population");
    EXPECT_TRUE(std::isnan(std::stod(hdf5::attribute_text(population.id(), "_FillValue"))));
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "Conventions"), "CF-1.8");
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "description"),
              "Residents on 1 January (mean over replicates)");
    EXPECT_FALSE(hdf5::has_attribute(population.id(), "source"));  // empty: left out
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "coordinates"), "buurt buurt_name");

    auto by_age_sex = hdf5::open_dataset(file.id(), "population_by_age_sex");
    EXPECT_EQ(hdf5::read_string_attribute(by_age_sex.id(), "source"), "CBS 83502NED");
    EXPECT_EQ(hdf5::read_string_attribute(by_age_sex.id(), "coordinates"), "buurt buurt_name");
}

TEST_F(Hdf5WriterTest, LabelsCompanionsLikeTheirIndicator) {
    TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write_replicates(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    // The companions carry the same labels; their descriptions say what they hold.
    for (const char* name :
         {"population_by_age_sex_replicates", "population_by_age_sex_quantiles"}) {
        auto dataset = hdf5::open_dataset(file.id(), name);
        EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "units"), "1") << name;
        EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "unit_label"), "persons") << name;
        EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "source"), "CBS 83502NED") << name;
        EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "coordinates"), "buurt buurt_name")
            << name;
    }
    auto replicates = hdf5::open_dataset(file.id(), "population_replicates");
    EXPECT_EQ(hdf5::read_string_attribute(replicates.id(), "description"),
              "Residents on 1 January (each replicate)");
    EXPECT_FALSE(hdf5::has_attribute(replicates.id(), "source"));
    auto quantiles = hdf5::open_dataset(file.id(), "population_quantiles");
    EXPECT_EQ(hdf5::read_string_attribute(quantiles.id(), "description"),
              "Residents on 1 January (5th, 50th, 95th percentile over replicates)");
    EXPECT_EQ(hdf5::read_string_attribute(quantiles.id(), "quantile_method"),
              result_layout::quantile_method);
}

TEST_F(Hdf5WriterTest, RecordsProvenanceAndTimingsInMeta) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    EXPECT_EQ(hdf5::attribute_text(file.id(), "socialtwin_result_version"), "1");
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "title"), "socialtwin projection: tiny");
    EXPECT_NE(hdf5::read_string_attribute(file.id(), "history").find("cohort core"),
              std::string::npos);
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "Conventions"), "CF-1.8");

    auto meta = hdf5::open_group(file.id(), "meta");
    auto attr = [&](const std::string& name) {
        return hdf5::read_string_attribute(meta.id(), name);
    };
    EXPECT_EQ(attr("scenario_name"), "tiny");
    EXPECT_EQ(attr("scenario_path"), "scenarios/tiny.yaml");
    EXPECT_EQ(attr("dataset"), "rotterdam-test");
    EXPECT_EQ(attr("seed"), "18446744073709551615");
    EXPECT_EQ(attr("core"), "cohort");
    EXPECT_EQ(attr("replicates"), "1");
    EXPECT_EQ(attr("base_year"), "2024");
    EXPECT_EQ(attr("horizon"), "1");
    EXPECT_EQ(attr("area_level"), "buurt");
    EXPECT_FALSE(attr("engine_version").empty());
    EXPECT_FALSE(attr("git_commit").empty());
    EXPECT_EQ(attr("created_utc").size(), std::string("2024-01-01T00:00:00Z").size());
    EXPECT_EQ(attr("rate_set"), "cbs-2023 (sha256 abc123)");
    EXPECT_EQ(attr("price_year"), "2022");

    auto yaml = hdf5::open_dataset(meta.id(), "scenario_yaml");
    EXPECT_EQ(hdf5::read_strings(yaml.id()), (std::vector<std::string>{tiny.scenario.source_text}));

    auto timings = hdf5::open_group(meta.id(), "phase_timings");
    auto phase = hdf5::open_dataset(timings.id(), "phase");
    auto seconds = hdf5::open_dataset(timings.id(), "seconds");
    EXPECT_EQ(hdf5::read_strings(phase.id()), (std::vector<std::string>{"ageing", "mortality"}));
    EXPECT_EQ(hdf5::read_doubles(seconds.id()), (std::vector<double>{0.5, 1.25}));
    EXPECT_EQ(hdf5::dimension_names(seconds.id()), (std::vector<std::string>{"phase"}));
    EXPECT_EQ(hdf5::attribute_text(timings.id(), "wall_seconds"), "2");
    EXPECT_EQ(hdf5::attribute_text(timings.id(), "person_years"), "1234");
}

TEST_F(Hdf5WriterTest, MetadataEntriesOverrideTheWritersOwn) {
    TinyRun tiny;
    tiny.run.metadata["dataset"] = "/data/rotterdam-test (resolved)";
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "dataset"), "/data/rotterdam-test (resolved)");
}

TEST_F(Hdf5WriterTest, LeavesOnlyTheTargetBehind) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    Hdf5Writer writer(target);
    EXPECT_EQ(writer.temporary_path().parent_path(), dir_);
    EXPECT_TRUE(fs::exists(writer.temporary_path()));
    EXPECT_FALSE(fs::exists(target));
    tiny.write(writer);
    EXPECT_EQ(files_in(dir_), (std::vector<fs::path>{target}));
}

TEST_F(Hdf5WriterTest, YearsMayArriveInAnyOrder) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        writer.on_year(tiny.results(2025));
        writer.on_year(tiny.results(2024));
        writer.on_finish({});
    }
    auto file = hdf5::open_file_read_only(target);
    auto population = hdf5::open_dataset(file.id(), "population");
    EXPECT_EQ(hdf5::read_doubles(population.id())[0], TinyRun::value(2024, 0, 0));
}

TEST_F(Hdf5WriterTest, DestroyedBeforeFinishLeavesNoTargetAndNoTemporary) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        writer.on_year(tiny.results(2024));
        // e.g. an exception in the projection unwinds past the writer here
    }
    EXPECT_TRUE(files_in(dir_).empty());
}

TEST_F(Hdf5WriterTest, DestroyedBeforeFinishLeavesAnExistingTargetUntouched) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    std::ofstream(target) << "previous results";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
    }
    EXPECT_EQ(files_in(dir_), (std::vector<fs::path>{target}));
    std::ifstream in(target);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "previous results");
}

TEST_F(Hdf5WriterTest, FinishReplacesAnExistingTarget) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    std::ofstream(target) << "previous results";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    EXPECT_GT(H5Fis_hdf5(target.c_str()), 0);
}

TEST_F(Hdf5WriterTest, MissingYearAtFinishIsAnErrorAndLeavesNothing) {
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        writer.on_year(tiny.results(2024));
        EXPECT_THROW(writer.on_finish({}), std::logic_error);
        EXPECT_THROW(writer.on_year(tiny.results(2024)), std::logic_error);  // twice
        EXPECT_THROW(writer.on_year(tiny.results(2030)), std::logic_error);  // not in run
    }
    EXPECT_TRUE(files_in(dir_).empty());
}

TEST_F(Hdf5WriterTest, CreatesMissingParentDirectories) {
    const TinyRun tiny;
    const fs::path target = dir_ / "runs" / "2024" / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    EXPECT_TRUE(fs::exists(target));
}

TEST_F(Hdf5WriterTest, UnusableDirectoryIsAnErrorNamingThePath) {
    std::ofstream(dir_ / "plain-file") << "not a directory";
    const fs::path target = dir_ / "plain-file" / "out.h5";
    try {
        Hdf5Writer writer(target);
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find((dir_ / "plain-file").string()), std::string::npos)
            << e.what();
    }
}

// The directory of the result cannot be made: a regular file stands where it should be. Unlike
// a directory without write permission this stops root too (CI runs as root), so the test
// always runs. The error names the result file and the reason, and nothing is left behind.
TEST_F(Hdf5WriterTest, UnwritableDirectoryIsAnErrorNamingTheTarget) {
    const fs::path blocker = dir_ / "results";
    std::ofstream(blocker) << "a file, not a directory\n";
    const fs::path target = blocker / "out.h5";
    try {
        Hdf5Writer writer(target);
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(target.string()), std::string::npos) << message;
        EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
    }
    EXPECT_EQ(files_in(dir_), std::vector<fs::path>{blocker});
    EXPECT_TRUE(fs::is_regular_file(blocker));
    std::ifstream in(blocker);
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "a file, not a directory");
}

TEST_F(Hdf5WriterTest, AreaAttributeNamesThatCannotBeCoordinatesAreInputErrors) {
    TinyRun tiny;
    tiny.areas.add_attribute({"wijk naam", {"a", "b", "c"}});
    tiny.areas.add_attribute({"sex", {"a", "b", "c"}});
    Hdf5Writer writer(dir_ / "out.h5");
    try {
        writer.on_start(tiny.run);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        ASSERT_EQ(e.problems().size(), 2u);
        EXPECT_NE(std::string(e.what()).find("'wijk naam'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("'sex'"), std::string::npos) << e.what();
    }
}

TEST_F(Hdf5WriterTest, ARunWithoutReplicatesIsALogicError) {
    TinyRun tiny;
    tiny.run.replicates = 0;
    Hdf5Writer writer(dir_ / "out.h5");
    EXPECT_THROW(writer.on_start(tiny.run), std::logic_error);
}

TEST_F(Hdf5WriterTest, CompanionNamesThatCollideAreLogicErrors) {
    TinyRun tiny;
    tiny.catalog.add({.name = "population_quantiles",
                      .units = "persons",
                      .description = "clashes with population's quantiles",
                      .dims = {},
                      .source = ""});
    Hdf5Writer writer(dir_ / "out.h5");
    EXPECT_THROW(writer.on_start(tiny.run), std::logic_error);
}

TEST_F(Hdf5WriterTest, AreaAttributesNamedLikeTheNewDimensionsAreInputErrors) {
    TinyRun tiny;
    tiny.areas.add_attribute({"replicate", {"a", "b", "c"}});
    tiny.areas.add_attribute({"quantile", {"a", "b", "c"}});
    Hdf5Writer writer(dir_ / "out.h5");
    try {
        writer.on_start(tiny.run);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.problems().size(), 2u) << e.what();
    }
}

// ---- replicates --------------------------------------------------------------------------

TEST_F(Hdf5WriterTest, ASingleRunHasNoReplicateOrQuantileDatasets) {
    // One replicate (the cohort core, or an agent run with replicates: 1): its values go
    // straight into each indicator, and the file holds no second copy of them.
    const TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    for (const char* name :
         {"replicate", "quantile", "population_replicates", "population_quantiles",
          "population_by_age_sex_replicates", "population_by_age_sex_quantiles"})
        EXPECT_FALSE(hdf5::link_exists(file.id(), name)) << name;
    std::vector<std::string> datasets;
    for (const auto& name : hdf5::link_names(file.id()))
        if (hdf5::is_dataset(file.id(), name)) datasets.push_back(name);
    std::sort(datasets.begin(), datasets.end());
    EXPECT_EQ(datasets,
              (std::vector<std::string>{"age_band", "area", "buurt", "buurt_name", "population",
                                        "population_by_age_sex", "sex", "year"}));
    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "replicates"), "1");
    // netCDF numbers the dimensions without a gap: year, area, sex, age_band, then phase.
    auto timings = hdf5::open_group(meta.id(), "phase_timings");
    auto phase = hdf5::open_dataset(timings.id(), "phase");
    EXPECT_EQ(hdf5::attribute_text(phase.id(), "_Netcdf4Dimid"), "4");
}

TEST_F(Hdf5WriterTest, WithOneReplicateTheIndicatorHoldsItsValuesToTheBit) {
    // on_year writes into the indicator itself and on_finish derives nothing: what was
    // reported, to the bit, however odd.
    TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    const std::array<double, 3> odd{0.1 + 0.2, 1e308, -4.9e-324};
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int year : tiny.run.years) {
            YearResults r = tiny.results(year);
            for (std::size_t a = 0; a < 3; ++a) r.area_values(tiny.population, a)[0] = odd[a];
            writer.on_year(r);
        }
        writer.on_finish({});
    }
    auto file = hdf5::open_file_read_only(target);
    auto population = hdf5::open_dataset(file.id(), "population");
    const auto values = hdf5::read_doubles(population.id());
    ASSERT_EQ(values.size(), 6u);
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(std::bit_cast<std::uint64_t>(values[i]), std::bit_cast<std::uint64_t>(odd[i % 3]))
            << i;
}

TEST_F(Hdf5WriterTest, IndicatorsAreTheSameWithOneReplicateOrSeveral) {
    // Dims, shape, chunks, filters and attributes of /<indicator> do not depend on the number
    // of replicates, so a reader of one works on the other.
    TinyRun single, several;
    const fs::path one = dir_ / "one.h5", three = dir_ / "three.h5";
    {
        Hdf5Writer writer(one);
        single.write(writer);
    }
    {
        Hdf5Writer writer(three);
        several.write_replicates(writer);
    }
    auto a = hdf5::open_file_read_only(one);
    auto b = hdf5::open_file_read_only(three);
    for (const std::string name : {"population", "population_by_age_sex"}) {
        auto x = hdf5::open_dataset(a.id(), name);
        auto y = hdf5::open_dataset(b.id(), name);
        EXPECT_EQ(hdf5::shape(x.id()), hdf5::shape(y.id())) << name;
        EXPECT_EQ(hdf5::dimension_names(x.id()), hdf5::dimension_names(y.id())) << name;
        const auto attributes = hdf5::attribute_names(x.id());
        EXPECT_EQ(attributes, hdf5::attribute_names(y.id())) << name;
        for (const auto& attribute : attributes) {
            if (attribute == "DIMENSION_LIST") continue;  // references, each into its own file
            EXPECT_EQ(hdf5::attribute_text(x.id(), attribute),
                      hdf5::attribute_text(y.id(), attribute))
                << name << " " << attribute;
        }
        hdf5::PropertyList px(H5Dget_create_plist(x.id())), py(H5Dget_create_plist(y.id()));
        std::array<hsize_t, 4> cx{}, cy{};
        EXPECT_EQ(H5Pget_chunk(px.id(), 4, cx.data()), H5Pget_chunk(py.id(), 4, cy.data()));
        EXPECT_EQ(cx, cy) << name;
        EXPECT_EQ(H5Pget_nfilters(px.id()), H5Pget_nfilters(py.id())) << name;
    }
}

TEST_F(Hdf5WriterTest, WithReplicatesReplicateAndQuantileAreDimensions) {
    TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write_replicates(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto replicate = hdf5::open_dataset(file.id(), "replicate");
    EXPECT_TRUE(hdf5::is_dimension_scale(replicate.id()));
    EXPECT_EQ(hdf5::read_ints(replicate.id()), (std::vector<std::int32_t>{0, 1, 2}));
    auto quantile = hdf5::open_dataset(file.id(), "quantile");
    EXPECT_TRUE(hdf5::is_dimension_scale(quantile.id()));
    EXPECT_EQ(hdf5::read_doubles(quantile.id()), (std::vector<double>{0.05, 0.5, 0.95}));
    EXPECT_EQ(hdf5::read_string_attribute(quantile.id(), "quantile_method"),
              result_layout::quantile_method);

    auto replicates = hdf5::open_dataset(file.id(), "population_by_age_sex_replicates");
    EXPECT_EQ(hdf5::shape(replicates.id()), (std::vector<hsize_t>{3, 2, 3, 2, 20}));
    EXPECT_EQ(hdf5::dimension_names(replicates.id()),
              (std::vector<std::string>{"replicate", "year", "area", "sex", "age_band"}));
    auto quantiles = hdf5::open_dataset(file.id(), "population_quantiles");
    EXPECT_EQ(hdf5::shape(quantiles.id()), (std::vector<hsize_t>{3, 2, 3}));
    EXPECT_EQ(hdf5::dimension_names(quantiles.id()),
              (std::vector<std::string>{"quantile", "year", "area"}));
    // netCDF dimension numbers: year 0 ... age_band 3, replicate 4, quantile 5, phase 6.
    EXPECT_EQ(hdf5::attribute_text(replicate.id(), "_Netcdf4Dimid"), "4");
    EXPECT_EQ(hdf5::attribute_text(quantile.id(), "_Netcdf4Dimid"), "5");
    auto timings = hdf5::open_group(file.id(), "meta/phase_timings");
    auto phase = hdf5::open_dataset(timings.id(), "phase");
    EXPECT_EQ(hdf5::attribute_text(phase.id(), "_Netcdf4Dimid"), "6");
}

TEST_F(Hdf5WriterTest, WritesEveryReplicateAndTheirMeanAndQuantiles) {
    TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write_replicates(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto replicate = hdf5::open_dataset(file.id(), "replicate");
    EXPECT_EQ(hdf5::read_ints(replicate.id()), (std::vector<std::int32_t>{0, 1, 2}));
    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "replicates"), "3");

    auto replicates = hdf5::open_dataset(file.id(), "population_by_age_sex_replicates");
    ASSERT_EQ(hdf5::shape(replicates.id()), (std::vector<hsize_t>{3, 2, 3, 2, 20}));
    const auto all = hdf5::read_doubles(replicates.id());
    for (int r = 0; r < 3; ++r)
        for (std::size_t y = 0; y < 2; ++y)
            for (std::size_t a = 0; a < 3; ++a)
                for (std::size_t k = 0; k < 40; ++k)
                    ASSERT_EQ(all[((static_cast<std::size_t>(r) * 2 + y) * 3 + a) * 40 + k],
                              TinyRun::value(r, 2024 + static_cast<int>(y), a, k));

    // Offsets 3, -1, 7: mean +3; sorted -1, 3, 7, so (n - 1) q = 0.1, 1 and 1.9 give
    // -1 + 0.1 * 4 = -0.6, 3 and 3 + 0.9 * 4 = 6.6 above value(year, area, k).
    const std::array<double, 3> quantile_offsets{-0.6, 3.0, 6.6};
    constexpr double tolerance = 1e-8;  // values are ~2e6: a few ulps
    for (const std::string name : {"population", "population_by_age_sex"}) {
        const std::size_t per_area = name == "population" ? 1 : 40;
        auto mean = hdf5::open_dataset(file.id(), name);
        auto quantiles = hdf5::open_dataset(file.id(), name + "_quantiles");
        EXPECT_EQ(hdf5::shape(quantiles.id()).front(), 3u);
        const auto means = hdf5::read_doubles(mean.id());
        const auto qs = hdf5::read_doubles(quantiles.id());
        ASSERT_EQ(means.size(), 2 * 3 * per_area);
        ASSERT_EQ(qs.size(), 3 * means.size());
        for (std::size_t y = 0; y < 2; ++y)
            for (std::size_t a = 0; a < 3; ++a)
                for (std::size_t k = 0; k < per_area; ++k) {
                    const std::size_t i = (y * 3 + a) * per_area + k;
                    const double base = TinyRun::value(2024 + static_cast<int>(y), a, k);
                    EXPECT_NEAR(means[i], base + 3.0, tolerance) << name << " " << i;
                    for (std::size_t q = 0; q < 3; ++q)
                        EXPECT_NEAR(qs[q * means.size() + i], base + quantile_offsets[q], tolerance)
                            << name << " quantile " << q << " " << i;
                }
    }
}

TEST_F(Hdf5WriterTest, ReplicatesChunkByReplicateAndYearQuantilesByYear) {
    TinyRun tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write_replicates(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    // One replicate and year per chunk; all three quantiles of a year in one, so that equal
    // quantiles compress away.
    for (const auto& [name, leading] : {std::pair{"population_by_age_sex_replicates", hsize_t{1}},
                                        std::pair{"population_by_age_sex_quantiles", hsize_t{3}}}) {
        auto dataset = hdf5::open_dataset(file.id(), name);
        hdf5::PropertyList dcpl(H5Dget_create_plist(dataset.id()));
        ASSERT_EQ(H5Pget_layout(dcpl.id()), H5D_CHUNKED) << name;
        std::array<hsize_t, 5> chunk{};
        ASSERT_EQ(H5Pget_chunk(dcpl.id(), 5, chunk.data()), 5) << name;
        EXPECT_EQ(chunk, (std::array<hsize_t, 5>{leading, 1, 3, 2, 20})) << name;
        unsigned level = 0;
        std::size_t n_values = 1;
        EXPECT_GT(H5Pget_filter_by_id2(dcpl.id(), H5Z_FILTER_DEFLATE, nullptr, &n_values, &level, 0,
                                       nullptr, nullptr),
                  -1)
            << name;
        EXPECT_EQ(level, 1u) << name;
    }
    // The mean keeps the single run's chunks.
    auto mean = hdf5::open_dataset(file.id(), "population_by_age_sex");
    hdf5::PropertyList dcpl(H5Dget_create_plist(mean.id()));
    std::array<hsize_t, 4> chunk{};
    ASSERT_EQ(H5Pget_chunk(dcpl.id(), 4, chunk.data()), 4);
    EXPECT_EQ(chunk, (std::array<hsize_t, 4>{1, 3, 2, 20}));
}

// output.replicates_per_area: percentiles (the scenario's default): the areas keep their means
// and quantiles, the larger areas every replicate; the replicates wait in a scratch file.
TEST_F(Hdf5WriterTest, WithoutAreaReplicatesTheFileHoldsTheSameMeansQuantilesAndAggregates) {
    const fs::path every = dir_ / "every.h5", kept = dir_ / "kept.h5";
    for (const auto& [target, area_replicates] : {std::pair{every, true}, std::pair{kept, false}}) {
        TinyRun tiny;
        tiny.areas.add_attribute({"wijk", {"WK059901", "WK059901", "WK059902"}});  // a larger area
        Hdf5Writer writer(target, {.area_replicates = area_replicates});
        tiny.write_replicates(writer);
    }
    // Only the two results: the scratch file is gone.
    std::vector<fs::path> files = files_in(dir_);
    std::sort(files.begin(), files.end());
    EXPECT_EQ(files, (std::vector<fs::path>{every, kept}));

    const auto a = hdf5::open_file_read_only(every);
    const auto b = hdf5::open_file_read_only(kept);
    EXPECT_EQ(hdf5::read_string_attribute(a.id(), "replicates_per_area"), "all");
    EXPECT_EQ(hdf5::read_string_attribute(b.id(), "replicates_per_area"), "percentiles");
    for (const std::string name : {"population", "population_by_age_sex"}) {
        SCOPED_TRACE(name);
        EXPECT_TRUE(hdf5::link_exists(a.id(), name + "_replicates"));
        EXPECT_FALSE(hdf5::link_exists(b.id(), name + "_replicates"));
        for (const std::string& path : {name, name + "_quantiles", "aggregates/wijk/" + name,
                                        "aggregates/wijk/" + name + "_replicates",
                                        "aggregates/wijk/" + name + "_quantiles"}) {
            SCOPED_TRACE(path);
            const auto x = hdf5::open_dataset(a.id(), path);
            const auto y = hdf5::open_dataset(b.id(), path);
            EXPECT_EQ(hdf5::shape(x.id()), hdf5::shape(y.id()));
            EXPECT_EQ(hdf5::read_doubles(x.id()), hdf5::read_doubles(y.id()));
            EXPECT_EQ(hdf5::read_string_attribute(x.id(), "description"),
                      hdf5::read_string_attribute(y.id(), "description"));
        }
    }
}

// output.breakdowns_per_area: none: an area keeps the indicators without a breakdown, a larger
// area every indicator, the same numbers and descriptions as with every breakdown per area; with
// one replicate and with several.
TEST_F(Hdf5WriterTest, WithoutAreaBreakdownsTheLargerAreasHoldTheSameBreakdowns) {
    for (const bool several : {false, true}) {
        SCOPED_TRACE(several ? "3 replicates" : "1 replicate");
        const fs::path every = dir_ / "every.h5", kept = dir_ / "kept.h5";
        for (const auto& [target, area_breakdowns] :
             {std::pair{every, true}, std::pair{kept, false}}) {
            TinyRun tiny;
            tiny.areas.add_attribute({"wijk", {"WK059901", "WK059901", "WK059902"}});
            Hdf5Writer writer(target, {.area_breakdowns = area_breakdowns});
            if (several)
                tiny.write_replicates(writer);
            else
                tiny.write(writer);
        }
        std::vector<fs::path> files = files_in(dir_);  // no scratch file left
        std::sort(files.begin(), files.end());
        EXPECT_EQ(files, (std::vector<fs::path>{every, kept}));

        const auto a = hdf5::open_file_read_only(every);
        const auto b = hdf5::open_file_read_only(kept);
        EXPECT_EQ(hdf5::read_string_attribute(a.id(), "breakdowns_per_area"), "all");
        EXPECT_EQ(hdf5::read_string_attribute(b.id(), "breakdowns_per_area"), "none");
        EXPECT_TRUE(hdf5::link_exists(a.id(), "population_by_age_sex"));
        EXPECT_FALSE(hdf5::link_exists(b.id(), "population_by_age_sex"));
        EXPECT_FALSE(hdf5::link_exists(b.id(), "population_by_age_sex_quantiles"));
        std::vector<std::string> paths{"population", "aggregates/wijk/population",
                                       "aggregates/wijk/population_by_age_sex"};
        if (several)
            for (const std::string suffix : {"_replicates", "_quantiles"})
                paths.push_back("aggregates/wijk/population_by_age_sex" + suffix);
        for (const std::string& path : paths) {
            SCOPED_TRACE(path);
            const auto x = hdf5::open_dataset(a.id(), path);
            const auto y = hdf5::open_dataset(b.id(), path);
            EXPECT_EQ(hdf5::shape(x.id()), hdf5::shape(y.id()));
            EXPECT_EQ(hdf5::read_doubles(x.id()), hdf5::read_doubles(y.id()));
            for (const std::string attribute : {"description", "units", "kind", "long_name"})
                EXPECT_EQ(hdf5::read_string_attribute(x.id(), attribute),
                          hdf5::read_string_attribute(y.id(), attribute))
                    << attribute;
        }
        fs::remove(every);
        fs::remove(kept);
    }
}

TEST_F(Hdf5WriterTest, DestroyedBeforeFinishLeavesNeitherTheResultNorTheScratchFile) {
    TinyRun tiny;
    tiny.run.replicates = 3;
    {
        Hdf5Writer writer(dir_ / "out.h5", {.area_replicates = false});
        writer.on_start(tiny.run);
        writer.on_year(tiny.results(0, 2024));
        EXPECT_EQ(files_in(dir_).size(), 2u);  // the result's and the replicates' temporaries
    }
    EXPECT_TRUE(files_in(dir_).empty());
}

TEST_F(Hdf5WriterTest, MissingReplicateAtFinishIsAnErrorNamingYearAndReplicate) {
    TinyRun tiny;
    tiny.run.replicates = 3;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int replicate : {0, 2})
            for (int year : tiny.run.years) writer.on_year(tiny.results(replicate, year));
        writer.on_year(tiny.results(1, 2025));
        EXPECT_THROW(writer.on_year(tiny.results(1, 2025)), std::logic_error);  // twice
        YearResults beyond = tiny.results(0, 2025);
        beyond.replicate = 3;
        EXPECT_THROW(writer.on_year(beyond), std::logic_error);  // not in the run
        try {
            writer.on_finish({});
            ADD_FAILURE() << "expected a logic_error";
        } catch (const std::logic_error& e) {
            EXPECT_NE(std::string(e.what()).find("2024 (replicate 1)"), std::string::npos)
                << e.what();
            EXPECT_EQ(std::string(e.what()).find("2025"), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(files_in(dir_).empty());
}

TEST_F(Hdf5WriterTest, QualifiersGoBeforeAFinalFullStop) {
    TinyRun tiny;
    tiny.catalog.add({.name = "deaths",
                      .units = "persons per year",
                      .description = "Deaths during the year.",
                      .dims = {},
                      .source = ""});
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        tiny.write_replicates(writer);
    }
    auto file = hdf5::open_file_read_only(target);
    auto description = [&](const char* name) {
        auto dataset = hdf5::open_dataset(file.id(), name);
        return hdf5::read_string_attribute(dataset.id(), "description");
    };
    EXPECT_EQ(description("deaths"), "Deaths during the year (mean over replicates).");
    EXPECT_EQ(description("deaths_replicates"), "Deaths during the year (each replicate).");
    EXPECT_EQ(description("deaths_quantiles"),
              "Deaths during the year (5th, 50th, 95th percentile over replicates).");
}

TEST_F(Hdf5WriterTest, NegativeReplicateIsALogicError) {
    TinyRun tiny;
    tiny.run.replicates = 2;
    Hdf5Writer writer(dir_ / "out.h5");
    writer.on_start(tiny.run);
    YearResults results = tiny.results(0, 2024);
    results.replicate = -1;
    EXPECT_THROW(writer.on_year(results), std::logic_error);
}

// The quantile definition, against numpy 1.24's np.quantile(values, [0.05, 0.5, 0.95]) printed
// with repr (the shortest text that reads back as the same double).
TEST(ReplicateQuantiles, MatchNumpysLinearMethodToTheBit) {
    const std::array<double, 3> levels{0.05, 0.5, 0.95};
    auto quantiles = [&](std::vector<double> values) {
        std::array<double, 3> out{};
        replicate_quantiles(values, levels, out);
        return out;
    };
    using Q = std::array<double, 3>;
    EXPECT_EQ(quantiles({3.0, -1.0, 7.0}), (Q{-0.6, 3.0, 6.6}));
    EXPECT_EQ(quantiles({2.5}), (Q{2.5, 2.5, 2.5}));
    EXPECT_EQ(quantiles({1.0, 2.0}), (Q{1.05, 1.5, 1.95}));
    EXPECT_EQ(quantiles({10.0, 1.0, 100.0, 1000.0}), (Q{2.35, 55.0, 864.9999999999997}));
    EXPECT_EQ(quantiles({0.1, 0.7, 0.2, 0.9, 0.3, 0.11, 5.5, 1e6, -3.25, 0.0}),
              (Q{-1.7874999999999999, 0.25, 550002.4749999989}));
}

TEST(ReplicateQuantiles, AreNanWhenAnyValueIsNanOrThereAreNone) {
    const std::array<double, 2> levels{0.05, 0.95};
    std::array<double, 2> out{};
    std::vector<double> values{1.0, std::nan(""), 3.0};
    replicate_quantiles(values, levels, out);
    EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
    replicate_quantiles({}, levels, out);
    EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
}

// A small but demographically consistent run (stocks and flows balance per area and replicate)
// under the indicator names of the real runs, with three replicates as the agent core would
// write them, for tests/python/test_hdf5_layout.py. Written to
// $SOCIALTWIN_SAMPLE_H5 when set, so the Python check can be pointed at it by hand:
//   SOCIALTWIN_SAMPLE_H5=/tmp/sample.h5 socialtwin_unit_tests --gtest_filter='*Sample*'
//   SOCIALTWIN_H5=/tmp/sample.h5 python3 -m pytest tests/python/test_hdf5_layout.py
TEST_F(Hdf5WriterTest, WritesSampleForThePythonLayoutCheck) {
    AreaTable areas("buurt", {"BU05990101", "BU05990102", "BU05990203"});
    areas.add_attribute({"buurt", {"BU05990101", "BU05990102", "BU05990203"}});
    areas.add_attribute({"wijk", {"WK059901", "WK059901", "WK059902"}});
    areas.add_attribute({"gemeente", {"GM0599", "GM0599", "GM0599"}});
    areas.add_attribute({"buurt_name", {"Stadsdriehoek", "Cool", "Oude Westen"}});
    IndicatorCatalog catalog;
    auto per_area = [&](std::string name, std::string description) {
        return catalog.add({.name = std::move(name),
                            .units = "persons",
                            .description = std::move(description),
                            .dims = {},
                            .source = ""});
    };
    const auto population = per_area("population", "Residents on 1 January");
    const auto by_age_sex = catalog.add({.name = "population_by_age_sex",
                                         .units = "persons",
                                         .description = "Residents by sex and age band",
                                         .dims = by_sex_and_age_band,
                                         .source = "CBS 83502NED"});
    const auto births = per_area("births", "Live births during the year");
    const auto deaths = per_area("deaths", "Deaths during the year");
    const auto migration_in = per_area("migration_in", "Persons moving into the area");
    const auto migration_out = per_area("migration_out", "Persons moving out of the area");

    Scenario scenario;
    scenario.name = "sample";
    scenario.dataset = "rotterdam-sample";
    scenario.horizon = 2;
    scenario.source_text = "name: sample\ndataset: rotterdam-sample\nhorizon: 2\n";
    RunDescription run{.scenario = &scenario,
                       .areas = &areas,
                       .catalog = &catalog,
                       .years = {2024, 2025, 2026},
                       .core = "cohort",
                       .replicates = 3,
                       .metadata = {{"provenance", "hand-made test sample"}}};

    const fs::path target = [&] {
        const char* env = std::getenv("SOCIALTWIN_SAMPLE_H5");
        return env != nullptr && *env != '\0' ? fs::path(env) : dir_ / "sample.h5";
    }();
    Hdf5Writer writer(target);
    writer.on_start(run);
    // As the engine reports them: stocks on 1 January, flows during the year, so the flows of
    // year t take each area from its stock of t to that of t+1 (the last year's flows are zero).
    // Stocks by (replicate, area, sex, band) follow a made-up pattern; out-migration closes the
    // balance. Replicates arrive replicate-major, as the agent core reports them.
    auto cell = [](std::size_t replicate, int year, std::size_t area, std::size_t k) {
        return 40.0 + 10.0 * static_cast<double>(area) +
               0.5 * static_cast<double>(
                         (k * 7 + static_cast<std::size_t>(year) + 3 * replicate * (k + 1)) % 11);
    };
    auto stock = [&](std::size_t replicate, int year, std::size_t area) {
        double total = 0;
        for (std::size_t k = 0; k < std::size_t{n_sexes} * n_age_bands; ++k)
            total += cell(replicate, year, area, k);
        return total;
    };
    for (std::size_t replicate = 0; replicate < 3; ++replicate)
        for (int year : run.years) {
            YearResults r(catalog, areas.size());
            r.year = year;
            r.replicate = static_cast<int>(replicate);
            for (std::size_t a = 0; a < areas.size(); ++a) {
                auto cells = r.area_values(by_age_sex, a);
                for (std::size_t k = 0; k < cells.size(); ++k)
                    cells[k] = cell(replicate, year, a, k);
                r.area_values(population, a)[0] = stock(replicate, year, a);
                if (year == run.years.back()) continue;
                const double change = stock(replicate, year + 1, a) - stock(replicate, year, a);
                const double b = 12.5 + static_cast<double>(a) + static_cast<double>(replicate);
                const double d = 9.0;
                const double in = 30.0 + std::abs(change);
                r.area_values(births, a)[0] = b;
                r.area_values(deaths, a)[0] = d;
                r.area_values(migration_in, a)[0] = in;
                r.area_values(migration_out, a)[0] = b - d + in - change;
            }
            writer.on_year(r);
        }
    writer.on_finish(
        {.phase_timings = {{"ageing", 0.01}, {"mortality", 0.02}, {"accounting", 0.005}},
         .wall_seconds = 0.05,
         .person_years = 4000});
    EXPECT_TRUE(fs::exists(target));
}

// ---- the writer thread and the aggregates computed as the years arrive ----------------------

// Every dataset under `group` (recursively) with its values, by path.
void collect_values(hid_t group, const std::string& prefix,
                    std::map<std::string, std::vector<double>>& out) {
    for (const auto& name : hdf5::link_names(group)) {
        if (hdf5::is_group(group, name)) {
            collect_values(hdf5::open_group(group, name).id(), prefix + name + "/", out);
            continue;
        }
        auto dataset = hdf5::open_dataset(group, name);
        hdf5::Datatype type(H5Dget_type(dataset.id()));
        if (H5Tget_class(type.id()) == H5T_FLOAT)
            out[prefix + name] = hdf5::read_doubles(dataset.id());
    }
}

// The bits of every value, so NaN equals NaN and -0 differs from +0.
std::vector<std::uint64_t> bits(const std::vector<double>& values) {
    std::vector<std::uint64_t> out;
    for (double v : values) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
}

// A TinyRun with wijken and a measure weighted by population (the weighted path too).
struct TinyRunWithMeasure : TinyRun {
    TinyRunWithMeasure() {
        // A larger area to aggregate to: two buurten in wijk 01, one in 02.
        areas.add_attribute({"wijk", {"01", "01", "02"}});
        distance = catalog.add({.name = "distance_to_gp",
                                .units = "km",
                                .description = "Distance to the nearest GP",
                                .dims = {},
                                .source = "",
                                .kind = IndicatorKind::measure,
                                .weight = "population"});
    }
    YearResults with_distance(YearResults r) const {
        for (std::size_t a = 0; a < areas.size(); ++a)
            r.area_values(distance, a)[0] =
                0.1 * static_cast<double>(a + 1) + 0.01 * r.year + r.replicate;
        return r;
    }
    IndicatorId distance = 0;
};

// The aggregates the writer computed from memory equal, bit for bit, those computed from the
// finished file by reading it back (what `socialtwin aggregate` does, and the writer did before).
void expect_aggregates_as_read_back(const fs::path& written, const fs::path& copy) {
    fs::copy_file(written, copy);
    {
        auto file = hdf5::open_file_read_write(copy);
        write_aggregates(file.id(), {}, copy);
    }
    std::map<std::string, std::vector<double>> from_memory, read_back;
    {
        auto file = hdf5::open_file_read_only(written);
        collect_values(hdf5::open_group(file.id(), "aggregates").id(), "", from_memory);
    }
    {
        auto file = hdf5::open_file_read_only(copy);
        collect_values(hdf5::open_group(file.id(), "aggregates").id(), "", read_back);
    }
    ASSERT_FALSE(from_memory.empty());
    ASSERT_EQ(from_memory.size(), read_back.size());
    for (const auto& [name, values] : from_memory) {
        ASSERT_TRUE(read_back.count(name)) << name;
        EXPECT_EQ(bits(values), bits(read_back.at(name))) << name;
    }
}

TEST_F(Hdf5WriterTest, AggregatesFromMemoryEqualThoseReadBackFromTheFile) {
    TinyRunWithMeasure tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int year : tiny.run.years) writer.on_year(tiny.with_distance(tiny.results(year)));
        writer.on_finish({});
    }
    expect_aggregates_as_read_back(target, dir_ / "read-back.h5");
}

TEST_F(Hdf5WriterTest, AggregatesOfReplicatesFromMemoryEqualThoseReadBackFromTheFile) {
    TinyRunWithMeasure tiny;
    tiny.run.replicates = 3;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int replicate = 0; replicate < 3; ++replicate)
            for (int year : tiny.run.years)
                writer.on_year(tiny.with_distance(tiny.results(replicate, year)));
        writer.on_finish({});
    }
    expect_aggregates_as_read_back(target, dir_ / "read-back.h5");
}

// Aggregates larger than the writer holds in memory (here: any) wait in a scratch file beside the
// target as the years come, and the file is the same to the bit: with one replicate, and with
// several (each replicate, the mean and the quantiles). The scratch file is gone afterwards.
TEST_F(Hdf5WriterTest, AggregatesKeptInAScratchFileAreThoseKeptInMemory) {
    for (const int replicates : {1, 3}) {
        SCOPED_TRACE(replicates);
        TinyRunWithMeasure tiny;
        tiny.run.replicates = replicates;
        const fs::path folder = dir_ / fmt::format("replicates-{}", replicates);
        fs::create_directories(folder);
        auto write = [&](const fs::path& target, std::size_t in_memory) {
            Hdf5WriterOptions options;
            options.aggregates_in_memory = in_memory;
            Hdf5Writer writer(target, options);
            writer.on_start(tiny.run);
            for (int replicate = 0; replicate < replicates; ++replicate)
                for (int year : tiny.run.years)
                    writer.on_year(tiny.with_distance(tiny.results(replicate, year)));
            writer.on_finish({});
        };
        write(folder / "in-memory.h5", Hdf5WriterOptions{}.aggregates_in_memory);
        write(folder / "kept-aside.h5", 0);
        std::vector<std::string> files;
        for (const auto& entry : fs::directory_iterator(folder))
            files.push_back(entry.path().filename().string());
        std::sort(files.begin(), files.end());
        EXPECT_EQ(files, (std::vector<std::string>{"in-memory.h5", "kept-aside.h5"}));
        std::map<std::string, std::vector<double>> in_memory, kept_aside;
        for (auto [name, values] :
             {std::pair{"in-memory.h5", &in_memory}, std::pair{"kept-aside.h5", &kept_aside}}) {
            auto file = hdf5::open_file_read_only(folder / name);
            collect_values(hdf5::open_group(file.id(), "aggregates").id(), "", *values);
        }
        ASSERT_FALSE(in_memory.empty());
        ASSERT_EQ(in_memory.size(), kept_aside.size());
        for (const auto& [name, values] : in_memory) {
            ASSERT_TRUE(kept_aside.count(name)) << name;
            EXPECT_EQ(bits(values), bits(kept_aside.at(name))) << name;
        }
        expect_aggregates_as_read_back(folder / "kept-aside.h5", folder / "read-back.h5");
    }
}

// Sixty years: more than the writer thread holds at once, so years wait for it.
struct SixtyYears : TinyRun {
    SixtyYears() {
        run.years.clear();
        for (int year = 2000; year < 2060; ++year) run.years.push_back(year);
    }
};

// Many years handed over faster than they are written: each lands in its own place, as when
// every year was written before on_year returned.
TEST_F(Hdf5WriterTest, YearsHandedToTheWriterThreadAreWrittenAsGiven) {
    const SixtyYears tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int year : tiny.run.years) writer.on_year(tiny.results(year));
        writer.on_finish({});
    }
    auto file = hdf5::open_file_read_only(target);
    const auto values =
        hdf5::read_doubles(hdf5::open_dataset(file.id(), "population_by_age_sex").id());
    const std::size_t per_area = tiny.catalog.values_per_area(tiny.by_age_sex);
    ASSERT_EQ(values.size(), tiny.run.years.size() * tiny.areas.size() * per_area);
    std::size_t i = 0;
    for (int year : tiny.run.years)
        for (std::size_t a = 0; a < tiny.areas.size(); ++a)
            for (std::size_t k = 0; k < per_area; ++k, ++i)
                ASSERT_EQ(values[i], TinyRun::value(year, a, k)) << year << " " << a << " " << k;
}

// A failed write on the writer thread (here: the file size limit, as a full disk) is thrown on
// the caller's thread, at the latest from on_finish, and leaves no file behind.
TEST_F(Hdf5WriterTest, AFailedWriteOnTheWriterThreadIsThrownToTheCallerAndLeavesNoFile) {
    const SixtyYears tiny;
    const fs::path target = dir_ / "out.h5";
    rlimit before{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);  // writes fail with EFBIG
    const rlimit small{16 * 1024, before.rlim_max};
    bool thrown = false;
    {
        Hdf5Writer writer(target);
        ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
        try {
            writer.on_start(tiny.run);
            for (int year : tiny.run.years) writer.on_year(tiny.results(year));
            writer.on_finish({});
        } catch (const std::runtime_error& e) {
            thrown = true;
            EXPECT_NE(std::string(e.what()).find("File too large"), std::string::npos) << e.what();
        }
    }
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, previous_handler);
    EXPECT_TRUE(thrown);
    EXPECT_TRUE(files_in(dir_).empty());
}

// An interrupt unwinds past the writer while years wait for the writer thread: they are
// dropped, and neither the target nor the temporary file stays.
TEST_F(Hdf5WriterTest, DestroyedWithYearsInHandLeavesNoFile) {
    const SixtyYears tiny;
    const fs::path target = dir_ / "out.h5";
    {
        Hdf5Writer writer(target);
        writer.on_start(tiny.run);
        for (int year : tiny.run.years) writer.on_year(tiny.results(year));
        // no on_finish: Interrupted unwinds here
    }
    EXPECT_TRUE(files_in(dir_).empty());
}

// ---- chunks compressed on the run's threads, written as they are -----------------------------

// 1001 areas in wijken of 100 and a measure weighted by population: population_by_age_sex (40
// values per area) is chunked 800 areas at a time, so its second chunk is an edge chunk of 201
// areas, padded in the file to the full chunk with NaN, which no reader sees. Values have
// fractions, so float32 rounds them.
struct ManyAreas : TinyRunWithMeasure {
    static constexpr std::size_t n_areas = 1001;
    static constexpr std::size_t chunk_areas = 800;  // 32 000 values / 40 per area

    explicit ManyAreas(int replicates = 1) {
        std::vector<std::string> codes, wijk;
        for (std::size_t a = 0; a < n_areas; ++a) {
            codes.push_back(fmt::format("BU{:08}", a));
            wijk.push_back(fmt::format("{:02}", a / 100));
        }
        areas = AreaTable("buurt", codes);
        areas.add_attribute({"wijk", wijk});
        scenario.horizon = 2;
        run.years = {2024, 2025, 2026};
        run.replicates = replicates;
    }
    static double many_value(int replicate, int year, std::size_t area, std::size_t k) {
        return static_cast<double>((area * 37 + k * 11 + static_cast<std::size_t>(year)) % 50) /
                   3.0 +
               replicate * 0.7;
    }
    YearResults many_results(int replicate, int year) const {
        YearResults r(catalog, areas.size());
        r.year = year;
        r.replicate = replicate;
        for (std::size_t a = 0; a < areas.size(); ++a) {
            r.area_values(population, a)[0] = many_value(replicate, year, a, 0) * 40;
            r.area_values(distance, a)[0] = many_value(replicate, year, a, 1) / 10;
            auto v = r.area_values(by_age_sex, a);
            for (std::size_t k = 0; k < v.size(); ++k) v[k] = many_value(replicate, year, a, k);
        }
        return r;
    }
    void write(const fs::path& target, Hdf5WriterOptions options) const {
        Hdf5Writer writer(target, std::move(options));
        writer.on_start(run);
        for (int replicate = 0; replicate < run.replicates; ++replicate)
            for (int year : run.years) writer.on_year(many_results(replicate, year));
        writer.on_finish({});
    }
};

// What the file holds for `value` at the given precision.
double stored(double value, bool float32) {
    return float32 ? static_cast<double>(hdf5::to_stored_float32(value)) : value;
}

// The chunk shape of a dataset (empty when not chunked).
std::vector<hsize_t> chunk_of(hid_t file, const std::string& name) {
    return hdf5::chunk_shape(hdf5::open_dataset(file, name).id());
}

TEST_F(Hdf5WriterTest, EveryValueReadsBackAsWrittenAlsoInAnEdgeChunk) {
    for (const bool float32 : {false, true}) {
        for (const int replicates : {1, 3}) {
            SCOPED_TRACE(
                fmt::format("{}, {} replicate(s)", float32 ? "float32" : "float64", replicates));
            const ManyAreas many(replicates);
            const fs::path target = dir_ / fmt::format("out-{}-{}.h5", float32, replicates);
            many.write(target, {.float32 = float32, .threads = 2});
            auto file = hdf5::open_file_read_only(target);
            // The area axis is cut into a chunk of 800 areas and an edge chunk of 201.
            const std::string name =
                replicates > 1 ? "population_by_age_sex_replicates" : "population_by_age_sex";
            const auto chunk = chunk_of(file.id(), name);
            ASSERT_EQ(chunk.size(), replicates > 1 ? 5u : 4u);
            ASSERT_EQ(chunk[chunk.size() - 3], ManyAreas::chunk_areas);
            const auto values = hdf5::read_doubles(hdf5::open_dataset(file.id(), name).id());
            ASSERT_EQ(values.size(),
                      static_cast<std::size_t>(replicates) * 3 * ManyAreas::n_areas * 40);
            std::size_t i = 0, wrong = 0;
            for (int r = 0; r < replicates; ++r)
                for (int year : many.run.years)
                    for (std::size_t a = 0; a < ManyAreas::n_areas; ++a)
                        for (std::size_t k = 0; k < 40; ++k, ++i)
                            if (std::bit_cast<std::uint64_t>(values[i]) !=
                                std::bit_cast<std::uint64_t>(
                                    stored(ManyAreas::many_value(r, year, a, k), float32)))
                                ++wrong;
            EXPECT_EQ(wrong, 0u);
            // The per-area indicators fit one chunk: every area, as written.
            const auto distance = hdf5::read_doubles(
                hdf5::open_dataset(file.id(),
                                   replicates > 1 ? "distance_to_gp_replicates" : "distance_to_gp")
                    .id());
            ASSERT_EQ(distance.size(),
                      static_cast<std::size_t>(replicates) * 3 * ManyAreas::n_areas);
            EXPECT_EQ(
                distance.back(),
                stored(ManyAreas::many_value(replicates - 1, 2026, ManyAreas::n_areas - 1, 1) / 10,
                       float32));
        }
    }
}

// The datasets are declared as before the writer compressed chunks itself: chunked, shuffle
// (of the stored type's bytes) then deflate at level 1, NaN where never written. What a reader
// (h5py, netCDF, xarray) needs to read the chunks, and what `sweep merge` checks to copy them.
TEST_F(Hdf5WriterTest, DatasetCreationPropertiesAreHdf5sUsualOnes) {
    for (const bool float32 : {false, true}) {
        SCOPED_TRACE(float32 ? "float32" : "float64");
        const ManyAreas many(3);
        const fs::path target = dir_ / fmt::format("out-{}.h5", float32);
        many.write(target, {.float32 = float32});
        auto file = hdf5::open_file_read_only(target);
        const std::map<std::string, std::vector<hsize_t>> chunks{
            {"population", {1, ManyAreas::n_areas}},
            {"population_replicates", {1, 1, ManyAreas::n_areas}},
            {"population_quantiles", {3, 1, ManyAreas::n_areas}},
            {"population_by_age_sex", {1, ManyAreas::chunk_areas, 2, 20}},
            {"population_by_age_sex_replicates", {1, 1, ManyAreas::chunk_areas, 2, 20}},
            {"population_by_age_sex_quantiles", {3, 1, ManyAreas::chunk_areas, 2, 20}}};
        for (const auto& [name, chunk] : chunks) {
            SCOPED_TRACE(name);
            auto dataset = hdf5::open_dataset(file.id(), name);
            hdf5::Datatype type(H5Dget_type(dataset.id()));
            EXPECT_GT(H5Tequal(type.id(), float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE), 0);
            EXPECT_EQ(hdf5::chunk_shape(dataset.id()), chunk);
            hdf5::PropertyList dcpl(H5Dget_create_plist(dataset.id()));
            ASSERT_EQ(H5Pget_nfilters(dcpl.id()), 2);
            const std::array<H5Z_filter_t, 2> filters{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE};
            const std::array<unsigned, 2> parameter{float32 ? 4u : 8u, 1u};  // bytes; level
            for (unsigned f = 0; f < 2; ++f) {
                unsigned flags = 0;
                std::array<unsigned, 4> values{};
                std::size_t n_values = values.size();
                EXPECT_EQ(H5Pget_filter2(dcpl.id(), f, &flags, &n_values, values.data(), 0, nullptr,
                                         nullptr),
                          filters[f]);
                ASSERT_EQ(n_values, 1u);
                EXPECT_EQ(values[0], parameter[f]);
            }
            H5D_fill_value_t defined{};
            ASSERT_GE(H5Pfill_value_defined(dcpl.id(), &defined), 0);
            EXPECT_EQ(defined, H5D_FILL_VALUE_USER_DEFINED);
            double fill = 0;
            ASSERT_GE(H5Pget_fill_value(dcpl.id(), H5T_NATIVE_DOUBLE, &fill), 0);
            EXPECT_TRUE(std::isnan(fill));
        }
    }
}

// The chunks' bytes do not depend on the threads that compressed them, nor do the aggregates
// computed alongside (and those equal the ones read back from the finished file).
TEST_F(Hdf5WriterTest, TheFileIsTheSameAtOneThreadAndTwo) {
    const ManyAreas many(3);
    const fs::path one = dir_ / "one.h5", two = dir_ / "two.h5";
    many.write(one, {.threads = 1});
    many.write(two, {.threads = 2});
    auto a = hdf5::open_file_read_only(one);
    auto b = hdf5::open_file_read_only(two);
    std::size_t compared = 0;
    for (const std::string indicator : {"population", "population_by_age_sex", "distance_to_gp"}) {
        for (const std::string suffix : {"", "_replicates", "_quantiles"}) {
            const std::string name = indicator + suffix;
            auto x = hdf5::open_dataset(a.id(), name);
            auto y = hdf5::open_dataset(b.id(), name);
            const auto shape = hdf5::shape(x.id());
            const auto chunk = hdf5::chunk_shape(x.id());
            ASSERT_EQ(shape, hdf5::shape(y.id())) << name;
            ASSERT_EQ(chunk, hdf5::chunk_shape(y.id())) << name;
            // Every chunk, by its offset: the leading axes one at a time, areas by chunk.
            const std::size_t area_axis = suffix.empty() ? 1 : 2;
            std::vector<hsize_t> offset(shape.size(), 0);
            for (hsize_t lead = 0; lead < (suffix.empty() ? 1 : shape[0]); lead += chunk[0])
                for (hsize_t year = 0; year < shape[area_axis - 1]; ++year)
                    for (hsize_t area = 0; area < shape[area_axis]; area += chunk[area_axis]) {
                        if (!suffix.empty()) offset[0] = lead;
                        offset[area_axis - 1] = year;
                        offset[area_axis] = area;
                        hdf5::StoredChunk cx, cy;
                        ASSERT_TRUE(hdf5::read_stored_chunk(x.id(), offset, cx)) << name;
                        ASSERT_TRUE(hdf5::read_stored_chunk(y.id(), offset, cy)) << name;
                        EXPECT_EQ(cx.bytes, cy.bytes)
                            << name << " year " << year << " area " << area;
                        ++compared;
                    }
        }
    }
    EXPECT_GT(compared, 30u);
    std::map<std::string, std::vector<double>> aggregates_one, aggregates_two;
    collect_values(hdf5::open_group(a.id(), "aggregates").id(), "", aggregates_one);
    collect_values(hdf5::open_group(b.id(), "aggregates").id(), "", aggregates_two);
    ASSERT_FALSE(aggregates_one.empty());
    ASSERT_EQ(aggregates_one.size(), aggregates_two.size());
    for (const auto& [name, values] : aggregates_one)
        EXPECT_EQ(bits(values), bits(aggregates_two.at(name))) << name;
    expect_aggregates_as_read_back(two, dir_ / "read-back.h5");
}

}  // namespace
}  // namespace socialtwin
