#include "engine/results/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

// The baseline is the fixture; the scenario spends 100 EUR more per area in 2024 and 200 more in
// 2025, has 2 more inhabitants per area in 2025, and every area lies 1 km further from a GP.
class CompareTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun baseline("baseline");
        baseline.write(dir_ / "baseline.h5");
        FixtureRun scenario("more_care");
        const auto base = scenario.value;
        scenario.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                                int replicate) {
            const double v = base(id, year, area, k, replicate);
            switch (id) {
                case 0:
                    return v + (year == 2025 ? 2.0 : 0.0);
                case 3:
                    return v + (year == 2024 ? 100.0 : 200.0);
                case 4:
                    return v + 1.0;
                default:
                    return v;
            }
        };
        scenario.run.metadata = metadata_;
        scenario.write(dir_ / "scenario.h5");
    }
    CompareOptions options(double rate) const {
        return {.baseline = dir_ / "baseline.h5",
                .scenario = dir_ / "scenario.h5",
                .output = dir_ / "diff.h5",
                .discount_rate = rate,
                .levels = {}};
    }
    static std::vector<double> read(hid_t file, const std::string& name) {
        auto dataset = hdf5::open_dataset(file, name);
        return hdf5::read_doubles(dataset.id());
    }
    std::map<std::string, std::string> metadata_;
};

TEST_F(CompareTest, DifferencesPerAreaAreScenarioMinusBaseline) {
    compare_results(options(0.1));
    auto file = hdf5::open_file_read_only(dir_ / "diff.h5");
    EXPECT_EQ(read(file.id(), "population"), (std::vector<double>{0, 0, 0, 0, 0, 2, 2, 2, 2, 2}));
    EXPECT_EQ(read(file.id(), "cost_wmo_eur"),
              (std::vector<double>{100, 100, 100, 100, 100, 200, 200, 200, 200, 200}));
    auto dataset = hdf5::open_dataset(file.id(), "cost_wmo_eur");
    EXPECT_EQ(hdf5::dimension_names(dataset.id()), (std::vector<std::string>{"year", "area"}));
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "units"), "year-1");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "unit_label"),
              "EUR per year (price level 2022)");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "currency"), "EUR");
    // Not costs: no cumulative or NPV.
    EXPECT_FALSE(hdf5::link_exists(file.id(), "population_cumulative"));
    EXPECT_FALSE(hdf5::link_exists(file.id(), "gp_contacts_npv"));
}

TEST_F(CompareTest, CostsGetTheirCumulativeAndDiscountedDifference) {
    compare_results(options(0.1));
    auto file = hdf5::open_file_read_only(dir_ / "diff.h5");
    EXPECT_EQ(read(file.id(), "cost_wmo_eur_cumulative"),
              (std::vector<double>{100, 100, 100, 100, 100, 300, 300, 300, 300, 300}));
    // Present value in 2024 at 10%: 100 + 200 / 1.1 per area.
    const double npv = 100 + 200 / 1.1;
    const auto per_area = read(file.id(), "cost_wmo_eur_npv");
    ASSERT_EQ(per_area.size(), 5u);
    for (double v : per_area) EXPECT_NEAR(v, npv, 1e-9);
    EXPECT_NEAR(read(file.id(), "aggregates/buurt/cost_wmo_eur_npv")[0], 3 * npv, 1e-9);
    EXPECT_NEAR(read(file.id(), "aggregates/total/cost_wmo_eur_npv")[0], 5 * npv, 1e-9);
    EXPECT_EQ(read(file.id(), "aggregates/total/cost_wmo_eur_cumulative"),
              (std::vector<double>{500, 1500}));
    auto dataset = hdf5::open_dataset(file.id(), "cost_wmo_eur_npv");
    EXPECT_EQ(hdf5::dimension_names(dataset.id()), (std::vector<std::string>{"area"}));
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "units"), "1");
    EXPECT_EQ(hdf5::read_string_attribute(dataset.id(), "unit_label"),
              "EUR (price level 2022), present value in 2024");
}

TEST_F(CompareTest, AggregatesAreDifferencesOfEachInputsAggregates) {
    compare_results(options(0.1));
    auto file = hdf5::open_file_read_only(dir_ / "diff.h5");
    EXPECT_EQ(read(file.id(), "aggregates/buurt/population"), (std::vector<double>{0, 0, 6, 4}));
    EXPECT_EQ(read(file.id(), "aggregates/total/population"), (std::vector<double>{0, 10}));
    // The measure: each input's population-weighted mean, then differenced. In 2025 the
    // scenario's weights are 2 higher per area.
    const auto distance = read(file.id(), "aggregates/buurt/gp_distance_km");
    EXPECT_NEAR(distance[0], 1.0, 1e-12);  // 2024: same weights, 1 km more everywhere
    const double baseline_2025 = (1 * 11 + 2 * 21 + 3 * 31) / 63.0;
    const double scenario_2025 = (2 * 13 + 3 * 23 + 4 * 33) / 69.0;
    EXPECT_NEAR(distance[2], scenario_2025 - baseline_2025, 1e-12);
    auto buurt = hdf5::open_dataset(file.id(), "aggregates/buurt/buurt");
    EXPECT_EQ(hdf5::read_strings(buurt.id()), (std::vector<std::string>{"BU1", "BU2"}));
    auto total = hdf5::open_dataset(file.id(), "aggregates/total/population_by_age_sex");
    EXPECT_EQ(hdf5::dimension_names(total.id()),
              (std::vector<std::string>{"year", "sex", "age_band"}));
}

TEST_F(CompareTest, MetaRecordsTheInputsAndTheDiscountRate) {
    compare_results(options(0.1));
    auto file = hdf5::open_file_read_only(dir_ / "diff.h5");
    auto meta = hdf5::open_group(file.id(), "meta");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "discount_rate"), "0.1");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "discount_rate_source"), "--discount-rate");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "baseline_scenario_name"), "baseline");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "scenario_name"), "more_care");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "price_year"), "2022");
    EXPECT_EQ(hdf5::read_string_attribute(meta.id(), "present_value_year"), "2024");
    EXPECT_NE(hdf5::read_string_attribute(meta.id(), "baseline_path").find("baseline.h5"),
              std::string::npos);
    for (const char* key : {"scenario_git_commit", "baseline_git_commit", "datasets", "npv_formula",
                            "discount_rate_default"})
        EXPECT_TRUE(hdf5::has_attribute(meta.id(), key)) << key;
    EXPECT_EQ(hdf5::read_string_attribute(file.id(), "socialtwin_content"), "difference");
}

TEST_F(CompareTest, TheDiscountRateComesFromTheScenarioFileElseTheDefault) {
    auto report = compare_results({.baseline = dir_ / "baseline.h5",
                                   .scenario = dir_ / "scenario.h5",
                                   .output = {},
                                   .discount_rate = std::nullopt,
                                   .levels = {}});
    EXPECT_DOUBLE_EQ(report.discount_rate, default_discount_rate);
    EXPECT_NE(report.discount_rate_source.find("Werkgroep discontovoet 2020"), std::string::npos);
    EXPECT_EQ(files().size(), 2u);  // no output asked for, none written

    metadata_ = {{"discount_rate", "0.04"}};
    SetUp();  // the scenario again, now with /meta discount_rate
    report = compare_results({.baseline = dir_ / "baseline.h5",
                              .scenario = dir_ / "scenario.h5",
                              .output = {},
                              .discount_rate = std::nullopt,
                              .levels = {}});
    EXPECT_DOUBLE_EQ(report.discount_rate, 0.04);
    EXPECT_NE(report.discount_rate_source.find("businesscase.discount_rate"), std::string::npos);
}

TEST_F(CompareTest, TheHeadlineTableShowsWhatBothHave) {
    const auto report = compare_results(options(0.1));
    std::vector<std::string> labels;
    for (const auto& row : report.rows) labels.push_back(row.label + " | " + row.period);
    EXPECT_EQ(labels, (std::vector<std::string>{
                          "population (persons) | 2025",
                          "share aged 65+ (%) | 2025",
                          "share aged 80+ (%) | 2025",
                          "gp_contacts (contacts per year) | 2025",
                          "gp_contacts (contacts per year) | 2024-2025 sum",
                          "care cost Wmo (million EUR, 2022 prices) | 2025",
                          "care cost Wmo (million EUR, 2022 prices) | 2024-2025 cumulative",
                          "care cost Wmo (million EUR, 2022 prices) | NPV 2024 at 10.00%",
                      }));
    EXPECT_DOUBLE_EQ(report.rows[0].baseline, 155);
    EXPECT_DOUBLE_EQ(report.rows[0].scenario, 165);
    // Every band holds 1/20 of a sex's inhabitants: 65+ is 7 bands of 20.
    EXPECT_NEAR(report.rows[1].baseline, 35.0, 1e-9);
    EXPECT_NEAR(report.rows.back().difference(), 5 * (100 + 200 / 1.1) / 1e6, 1e-12);

    std::ostringstream text, markdown;
    print_comparison(report, text, false);
    print_comparison(report, markdown, true);
    EXPECT_NE(text.str().find("share aged 65+ (%)"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("NPV 2024 at 10.00%"), std::string::npos) << text.str();
    EXPECT_NE(markdown.str().find("| population (persons) | 2025 | 155 | 165 | +10 | +6.5% |"),
              std::string::npos)
        << markdown.str();
}

TEST_F(CompareTest, DifferentAreasAreRefusedNamingWhatDiffersAndNothingIsWritten) {
    FixtureRun other("other");
    other.areas = AreaTable("pc6", {"A1", "A2", "A3", "A4", "B5"});
    const FixtureRun reference;
    for (const auto& attribute : reference.areas.attributes()) other.areas.add_attribute(attribute);
    other.write(dir_ / "other.h5");
    try {
        compare_results({.baseline = dir_ / "baseline.h5",
                         .scenario = dir_ / "other.h5",
                         .output = dir_ / "diff.h5",
                         .discount_rate = std::nullopt,
                         .levels = {}});
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.problems().front().where.key_path, "area");
        EXPECT_NE(e.problems().front().message.find("number 5: 'B5' here, 'A5' in the baseline"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "diff.h5"));
    EXPECT_EQ(files().size(), 3u);  // no temporary file either
}

TEST_F(CompareTest, DifferentYearsOrDimensionsAreRefused) {
    FixtureRun longer("longer");
    longer.run.years = {2024, 2025, 2026};
    longer.write(dir_ / "longer.h5");
    try {
        compare_results({.baseline = dir_ / "baseline.h5",
                         .scenario = dir_ / "longer.h5",
                         .output = dir_ / "diff.h5",
                         .discount_rate = std::nullopt,
                         .levels = {}});
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.problems().front().where.key_path, "year");
        EXPECT_NE(e.problems().front().message.find("2024-2026 (3 years)"), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(dir_ / "diff.h5"));
}

TEST_F(CompareTest, MissingOrForeignFilesAreInputErrors) {
    { hdf5::create_file(dir_ / "plain.h5"); }
    for (const char* name : {"missing.h5", "plain.h5"}) {
        try {
            compare_results({.baseline = dir_ / "baseline.h5",
                             .scenario = dir_ / name,
                             .output = dir_ / "diff.h5",
                             .discount_rate = std::nullopt,
                             .levels = {}});
            FAIL() << "expected an InputError for " << name;
        } catch (const InputError& e) {
            EXPECT_NE(e.problems().front().where.file.find(name), std::string::npos);
        }
    }
    // A difference file is not a result either.
    compare_results(options(0.1));
    EXPECT_THROW(compare_results({.baseline = dir_ / "baseline.h5",
                                  .scenario = dir_ / "diff.h5",
                                  .output = dir_ / "diff2.h5",
                                  .discount_rate = std::nullopt,
                                  .levels = {}}),
                 InputError);
    // Nor may the output overwrite an input.
    EXPECT_THROW(compare_results({.baseline = dir_ / "baseline.h5",
                                  .scenario = dir_ / "scenario.h5",
                                  .output = dir_ / "scenario.h5",
                                  .discount_rate = std::nullopt,
                                  .levels = {}}),
                 InputError);
}

TEST_F(CompareTest, ADiscountRateThatIsNoRateIsAnInputError) {
    EXPECT_THROW(compare_results(options(2.25)), InputError);
    EXPECT_FALSE(fs::exists(dir_ / "diff.h5"));
}

TEST(FormatNumber, SeparatesThousandsAndSignsDifferences) {
    EXPECT_EQ(format_number(1234567.4, 0), "1,234,567");
    EXPECT_EQ(format_number(-1234.56, 1), "-1,234.6");
    EXPECT_EQ(format_number(12, 0, true), "+12");
    EXPECT_EQ(format_number(-0.2, 0, true), "0");
    EXPECT_EQ(format_percent(-0.01), "0.0%");
    EXPECT_EQ(format_percent(6.49), "+6.5%");
}

}  // namespace
}  // namespace socialtwin
