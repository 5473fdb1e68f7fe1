#include "engine/io/hdf5_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/errors.hpp"
#include "engine/io/hdf5.hpp"

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
                                  .shape = IndicatorShape::per_area,
                                  .source = ""});
        by_age_sex = catalog.add({.name = "population_by_age_sex",
                                  .units = "persons",
                                  .description = "Residents by sex and five-year age band",
                                  .shape = IndicatorShape::per_area_sex_age_band,
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

    void write(Hdf5Writer& writer) const {
        writer.on_start(run);
        for (int year : run.years) writer.on_year(results(year));
        writer.on_finish({.phase_timings = {{"ageing", 0.5}, {"mortality", 1.25}},
                          .wall_seconds = 2.0,
                          .person_years = 1234.0});
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
    EXPECT_EQ(level, 4u);
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
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "units"), "persons");
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "description"),
              "Residents on 1 January");
    EXPECT_FALSE(hdf5::has_attribute(population.id(), "source"));  // empty: left out
    EXPECT_EQ(hdf5::read_string_attribute(population.id(), "coordinates"), "buurt buurt_name");

    auto by_age_sex = hdf5::open_dataset(file.id(), "population_by_age_sex");
    EXPECT_EQ(hdf5::read_string_attribute(by_age_sex.id(), "source"), "CBS 83502NED");
    EXPECT_EQ(hdf5::read_string_attribute(by_age_sex.id(), "coordinates"), "buurt buurt_name");
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
    EXPECT_FALSE(hdf5::has_attribute(file.id(), "Conventions"));

    auto meta = hdf5::open_group(file.id(), "meta");
    auto attr = [&](const std::string& name) {
        return hdf5::read_string_attribute(meta.id(), name);
    };
    EXPECT_EQ(attr("scenario_name"), "tiny");
    EXPECT_EQ(attr("scenario_path"), "scenarios/tiny.yaml");
    EXPECT_EQ(attr("dataset"), "rotterdam-test");
    EXPECT_EQ(attr("seed"), "18446744073709551615");
    EXPECT_EQ(attr("core"), "cohort");
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

TEST_F(Hdf5WriterTest, UnwritableDirectoryIsAnErrorNamingTheTarget) {
    if (geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
    const fs::path locked = dir_ / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    const fs::path target = locked / "out.h5";
    try {
        Hdf5Writer writer(target);
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(target.string()), std::string::npos) << message;
        EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
    }
    EXPECT_TRUE(files_in(locked).empty());
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

TEST_F(Hdf5WriterTest, ReplicatesAreNotWrittenYet) {
    TinyRun tiny;
    tiny.run.replicates = 2;
    Hdf5Writer writer(dir_ / "out.h5");
    EXPECT_THROW(writer.on_start(tiny.run), std::logic_error);
}

// A small but demographically consistent run (stocks and flows balance per area) under the
// indicator names of the real runs, for tests/python/test_hdf5_layout.py. Written to
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
                            .shape = IndicatorShape::per_area,
                            .source = ""});
    };
    const auto population = per_area("population", "Residents on 1 January");
    const auto by_age_sex = catalog.add({.name = "population_by_age_sex",
                                         .units = "persons",
                                         .description = "Residents by sex and age band",
                                         .shape = IndicatorShape::per_area_sex_age_band,
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
                       .replicates = 1,
                       .metadata = {{"provenance", "hand-made test sample"}}};

    const fs::path target = [&] {
        const char* env = std::getenv("SOCIALTWIN_SAMPLE_H5");
        return env != nullptr && *env != '\0' ? fs::path(env) : dir_ / "sample.h5";
    }();
    Hdf5Writer writer(target);
    writer.on_start(run);
    // As the engine reports them: stocks on 1 January, flows during the year, so the flows of
    // year t take each area from its stock of t to that of t+1 (the last year's flows are zero).
    // Stocks by (area, sex, band) follow a made-up pattern; out-migration closes the balance.
    auto cell = [](int year, std::size_t area, std::size_t k) {
        return 40.0 + 10.0 * static_cast<double>(area) +
               0.5 * static_cast<double>((k * 7 + static_cast<std::size_t>(year)) % 11);
    };
    auto stock = [&](int year, std::size_t area) {
        double total = 0;
        for (std::size_t k = 0; k < values_per_area(IndicatorShape::per_area_sex_age_band); ++k)
            total += cell(year, area, k);
        return total;
    };
    for (int year : run.years) {
        YearResults r(catalog, areas.size());
        r.year = year;
        for (std::size_t a = 0; a < areas.size(); ++a) {
            auto cells = r.area_values(by_age_sex, a);
            for (std::size_t k = 0; k < cells.size(); ++k) cells[k] = cell(year, a, k);
            r.area_values(population, a)[0] = stock(year, a);
            if (year == run.years.back()) continue;
            const double change = stock(year + 1, a) - stock(year, a);
            const double b = 12.5 + static_cast<double>(a);
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

}  // namespace
}  // namespace socialtwin
