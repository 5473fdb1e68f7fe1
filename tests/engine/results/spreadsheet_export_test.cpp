#include "engine/results/spreadsheet_export.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/xlsx_workbook.hpp"
#include "engine/output/result_file.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

TEST(ExportFormat, FollowsTheOptionElseTheOutputsExtension) {
    EXPECT_EQ(export_format("csv", "out.xlsx"), ExportFormat::csv);
    EXPECT_EQ(export_format("", "out.XLSX"), ExportFormat::xlsx);
    EXPECT_EQ(export_format("", "dir/out.csv"), ExportFormat::csv);
    EXPECT_EQ(export_format("", "out.nc"), ExportFormat::hdf5);
    EXPECT_EQ(export_format("", "published"), ExportFormat::hdf5);  // as before --format existed
    EXPECT_THROW(export_format("ods", "out.ods"), InputError);
    try {
        export_format("", "out.xls");
        FAIL() << "an .xls output has no format this command writes";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("--format"), std::string::npos) << error.what();
    }
}

TEST(ThemeOf, GroupsIndicatorsAsPlannersLookForThem) {
    EXPECT_EQ(theme_of("population_by_age_sex"), Theme::population);
    EXPECT_EQ(theme_of("migration_in"), Theme::population);
    EXPECT_EQ(theme_of("households_single"), Theme::households);
    EXPECT_EQ(theme_of("households_per_dwelling"), Theme::housing);
    EXPECT_EQ(theme_of("dwelling_shortage"), Theme::housing);
    EXPECT_EQ(theme_of("gp_fte_needed"), Theme::care);
    EXPECT_EQ(theme_of("gp_fte_available"), Theme::accessibility);
    EXPECT_EQ(theme_of("distance_to_gp_practice_km"), Theme::accessibility);
    EXPECT_EQ(theme_of("cost_zvw_gp_eur"), Theme::costs);
    EXPECT_EQ(theme_of("something_new"), Theme::other);  // still exported, on its own sheet
    EXPECT_EQ(theme_name(Theme::care, SheetLanguage::nl), "Zorg");
    EXPECT_EQ(theme_name(Theme::care, SheetLanguage::en), "Care");
}

TEST(CsvLevelPath, NamesOneFilePerLevelBesideTheOutput) {
    EXPECT_EQ(csv_level_path("out/x.csv", "pc6", true), fs::path("out/x.csv"));
    EXPECT_EQ(csv_level_path("out/x.csv", "buurt", false), fs::path("out/x_buurt.csv"));
}

// The fixture's run: 5 areas, 2024-2025; area A1 has 3 inhabitants in 2024.
class SpreadsheetExportTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun fixture;
        const auto base = fixture.value;
        fixture.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                               int replicate) {
            if (id == 0 && area == 0 && year == 2024) return 3.0;
            if (id == 2) return 12.5 + static_cast<double>(area);  // gp_contacts, a count
            return base(id, year, area, k, replicate);
        };
        fixture.write(dir_ / "run.h5", {.aggregates = true});
    }
    // The CSV's rows, split at `separator` (the fixture's texts hold none).
    static std::vector<std::vector<std::string>> rows(const fs::path& path, char separator) {
        std::ifstream in(path, std::ios::binary);
        std::vector<std::vector<std::string>> out;
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::vector<std::string> cells;
            std::stringstream stream(line);
            for (std::string cell; std::getline(stream, cell, separator);) cells.push_back(cell);
            if (!line.empty() && line.back() == separator) cells.emplace_back();
            out.push_back(std::move(cells));
        }
        return out;
    }
    static std::vector<double> read(const fs::path& path, const std::string& name) {
        auto file = hdf5::open_file_read_only(path);
        return hdf5::read_doubles(hdf5::open_dataset(file.id(), name).id());
    }
    // The header export gives `name`: "long_name [unit_label]".
    std::string header(const std::string& name) const {
        auto file = hdf5::open_file_read_only(dir_ / "run.h5");
        auto dataset = hdf5::open_dataset(file.id(), name);
        const std::string long_name = hdf5::has_attribute(dataset.id(), "long_name")
                                          ? hdf5::attribute_text(dataset.id(), "long_name")
                                          : name;
        return long_name + " [" + unit_label_of(dataset.id()) + "]";
    }
};

TEST_F(SpreadsheetExportTest, CsvUnderDisclosureHoldsExactlyThePublishedValues) {
    publish_result(
        {.source = dir_ / "run.h5", .output = dir_ / "published.h5", .disclosure = "cbs"});
    const auto report = export_spreadsheet({.source = dir_ / "run.h5",
                                            .output = dir_ / "x.csv",
                                            .format = ExportFormat::csv,
                                            .disclosure = "cbs"});
    EXPECT_EQ(report.suppressed_area_years, 1u);
    ASSERT_EQ(report.files.size(), 1u + report.levels.size() - 1);
    const auto table = rows(dir_ / "x.csv", ',');
    ASSERT_EQ(table.size(), 1u + 2 * 5);  // header, (2 years x 5 areas)
    for (const std::string name : {"population", "gp_contacts", "cost_wmo_eur"}) {
        const auto column = std::find(table[0].begin(), table[0].end(), header(name));
        ASSERT_NE(column, table[0].end()) << header(name);
        const auto published = read(dir_ / "published.h5", name);
        for (std::size_t row = 1; row < table.size(); ++row) {
            const std::string& cell = table[row][column - table[0].begin()];
            if (std::isnan(published[row - 1]))
                EXPECT_EQ(cell, "") << name << " row " << row;
            else
                EXPECT_EQ(std::stod(cell), published[row - 1]) << name << " row " << row;
        }
    }
}

TEST_F(SpreadsheetExportTest, DutchCsvHasSemicolonsDecimalCommasAndAByteOrderMark) {
    export_spreadsheet({.source = dir_ / "run.h5",
                        .output = dir_ / "x.csv",
                        .format = ExportFormat::csv,
                        .csv = csv_dutch});
    std::ifstream in(dir_ / "x.csv", std::ios::binary);
    std::string first(3, '\0');
    in.read(first.data(), 3);
    EXPECT_EQ(first, "\xEF\xBB\xBF");
    const auto table = rows(dir_ / "x.csv", ';');
    const auto column = std::find(table[0].begin(), table[0].end(), header("gp_contacts"));
    ASSERT_NE(column, table[0].end());
    EXPECT_EQ(table[1][column - table[0].begin()], "12,5");  // exact: no disclosure asked
    EXPECT_EQ(table[1][0], "2024");
    EXPECT_TRUE(fs::exists(dir_ / "x_buurt.csv"));
}

TEST_F(SpreadsheetExportTest, NothingIsWrittenWhenTheOutputIsTheInput) {
    EXPECT_THROW(
        export_spreadsheet(
            {.source = dir_ / "run.h5", .output = dir_ / "run.h5", .format = ExportFormat::csv}),
        InputError);
    EXPECT_EQ(files().size(), 1u);
}

TEST_F(SpreadsheetExportTest, XlsxIsWrittenWhereTheBuildHasTheLibraryAndRefusedOtherwise) {
    const SpreadsheetOptions options{.source = dir_ / "run.h5", .output = dir_ / "x.xlsx"};
    if (!xlsx_supported()) {
        try {
            export_spreadsheet(options);
            FAIL() << "xlsx without libxlsxwriter";
        } catch (const InputError& error) {
            EXPECT_NE(std::string(error.what()).find(xlsx_package), std::string::npos);
        }
        EXPECT_EQ(files().size(), 1u);
        return;
    }
    const auto report = export_spreadsheet(options);
    EXPECT_EQ(report.sheets.front(), "Over dit bestand");
    EXPECT_EQ(report.sheets.back(), "Bronnen");
    std::ifstream in(dir_ / "x.xlsx", std::ios::binary);
    std::string magic(2, '\0');
    in.read(magic.data(), 2);
    EXPECT_EQ(magic, "PK");  // a zip container, as every .xlsx
}

}  // namespace
}  // namespace socialtwin
