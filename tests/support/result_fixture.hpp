#pragma once
// Small result files for the tests of what is derived from results (aggregate, compare, monitor,
// publish), written by the real Hdf5Writer: five PC6-like areas in two buurten, three PC4, one
// wijk and one gemeente, two years, and one indicator of each kind. Every value comes from
// `value`, so a test can set the numbers it computes by hand.
//
//   area  pc4   buurt  buurt_name  wijk  gemeente
//   A1    1000  BU1    Noord       WK1   GM1
//   A2    1000  BU1    Noord       WK1   GM1
//   A3    1001  BU1    Noord       WK1   GM1
//   A4    1001  BU2    Zuid        WK1   GM1
//   A5    1002  BU2    Zuid        WK1   GM1

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/area_table.hpp"
#include "engine/core/indicators.hpp"
#include "engine/core/observer.hpp"
#include "engine/core/scenario.hpp"
#include "engine/output/hdf5_writer.hpp"

namespace socialtwin::testing {

struct FixtureRun {
    explicit FixtureRun(std::string name = "baseline")
        : areas("pc6", {"A1", "A2", "A3", "A4", "A5"}) {
        areas.add_attribute({"pc4", {"1000", "1000", "1001", "1001", "1002"}});
        areas.add_attribute({"buurt", {"BU1", "BU1", "BU1", "BU2", "BU2"}});
        areas.add_attribute({"buurt_name", {"Noord", "Noord", "Noord", "Zuid", "Zuid"}});
        areas.add_attribute({"wijk", {"WK1", "WK1", "WK1", "WK1", "WK1"}});
        areas.add_attribute({"gemeente", {"GM1", "GM1", "GM1", "GM1", "GM1"}});
        population = catalog.add({.name = "population",
                                  .units = "persons",
                                  .description = "Inhabitants on 1 January",
                                  .kind = IndicatorKind::count});
        by_age_sex = catalog.add({.name = "population_by_age_sex",
                                  .units = "persons",
                                  .description = "Inhabitants by sex and age band",
                                  .dims = by_sex_and_age_band,
                                  .kind = IndicatorKind::count});
        contacts = catalog.add({.name = "gp_contacts",
                                .units = "contacts per year",
                                .description = "GP contacts",
                                .kind = IndicatorKind::count,
                                .quantity = Quantity::flow});
        cost = catalog.add({.name = "cost_wmo_eur",
                            .units = "EUR per year (price level 2022)",
                            .description = "Wmo spending",
                            .source = "test",
                            .kind = IndicatorKind::amount,
                            .quantity = Quantity::flow,
                            .cost = true});
        distance = catalog.add({.name = "gp_distance_km",
                                .units = "km",
                                .description = "Distance to the nearest GP",
                                .kind = IndicatorKind::measure,
                                .weight = "population"});
        scenario.name = std::move(name);
        scenario.dataset = "fixture";
        scenario.horizon = 1;
        scenario.source_path = "scenarios/" + scenario.name + ".yaml";
        scenario.source_text = "name: " + scenario.name + "\n";
        run.scenario = &scenario;
        run.areas = &areas;
        run.catalog = &catalog;
        run.years = {2024, 2025};
        run.core = "cohort";
        // Defaults: population 10, 20, 30, 40, 50 (+1 in 2025), spread evenly over the 40
        // sex x age band cells; contacts 5 per inhabitant; Wmo 1000 x (area + 1) EUR (+100 in
        // 2025); distance area + 1 km.
        value = [](IndicatorId id, int year, std::size_t area, std::size_t /*k*/,
                   int /*replicate*/) {
            const double a = static_cast<double>(area);
            const double pop = 10 * (a + 1) + (year - 2024);
            switch (id) {
                case 0:
                    return pop;
                case 1:
                    return pop / 40;
                case 2:
                    return 5 * pop;
                case 3:
                    return 1000 * (a + 1) + 100 * (year - 2024);
                default:
                    return a + 1;
            }
        };
    }

    YearResults results(int year, int replicate) const {
        YearResults r(catalog, areas.size());
        r.year = year;
        r.replicate = replicate;
        for (IndicatorId id = 0; id < catalog.size(); ++id)
            for (std::size_t a = 0; a < areas.size(); ++a) {
                auto v = r.area_values(id, a);
                for (std::size_t k = 0; k < v.size(); ++k) v[k] = value(id, year, a, k, replicate);
            }
        return r;
    }

    void write(const std::filesystem::path& target, Hdf5WriterOptions options = {},
               int replicates = 1) {
        run.replicates = replicates;
        Hdf5Writer writer(target, options);
        writer.on_start(run);
        for (int replicate = 0; replicate < replicates; ++replicate)
            for (int year : run.years) writer.on_year(results(year, replicate));
        writer.on_finish({});
    }

    AreaTable areas;
    IndicatorCatalog catalog;
    IndicatorId population = 0, by_age_sex = 0, contacts = 0, cost = 0, distance = 0;
    Scenario scenario;
    RunDescription run;
    std::function<double(IndicatorId, int year, std::size_t area, std::size_t k, int replicate)>
        value;
};

// A fresh directory per test, removed afterwards.
class ResultFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("socialtwin-" + std::string(test->test_suite_name()) + "-" + test->name() + "-" +
                std::to_string(getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::vector<std::filesystem::path> files() const {
        std::vector<std::filesystem::path> out;
        for (const auto& entry : std::filesystem::directory_iterator(dir_))
            out.push_back(entry.path().filename());
        return out;
    }
    std::filesystem::path dir_;
};

}  // namespace socialtwin::testing
