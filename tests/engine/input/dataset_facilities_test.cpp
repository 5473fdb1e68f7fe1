// Loading a dataset's area positions and facilities (areas.csv x_km, y_km, access_km,
// observed_gp_distance_km; facilities.csv), and checking a scenario's facility changes against
// the dataset. Every problem names file:line:column, the column or key, and what was expected.

#include "engine/input/dataset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/run/run.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path tiny = fs::path(SOCIALTWIN_TEST_DATA_DIR) / "tiny/datasets/tiny";
const std::string scenarios = std::string(SOCIALTWIN_TEST_DATA_DIR) + "/scenarios";

std::vector<std::string> formatted(const InputError& e) {
    std::vector<std::string> out;
    for (const InputProblem& p : e.problems()) out.push_back(format(p));
    return out;
}

// A copy of the tiny dataset in a fresh folder, with areas.csv and facilities.csv replaced.
class TinyCopy {
public:
    explicit TinyCopy(const std::string& name) : dir_(fs::temp_directory_path() / name) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        for (const auto& entry : fs::directory_iterator(tiny))
            if (entry.path().filename() != "dataset.yaml")
                fs::copy_file(entry.path(), dir_ / entry.path().filename());
        write("dataset.yaml", "name: tiny\nbase_year: 2019\narea_level: test\nrates: " +
                                  (tiny / "../../rates").lexically_normal().string() +
                                  "\nlevels: [buurt, wijk, gemeente]\n");
    }
    ~TinyCopy() { fs::remove_all(dir_); }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(dir_ / file) << text;
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

std::vector<std::string> problems_loading(const fs::path& dir) {
    try {
        load_dataset(dir);
    } catch (const InputError& e) {
        return formatted(e);
    }
    ADD_FAILURE() << dir << " loaded without problems";
    return {};
}

TEST(DatasetFacilities, PositionsAreAreaQuantitiesAndFacilitiesAreReadInFileOrder) {
    const Dataset d = load_dataset(tiny);
    ASSERT_NE(d.areas.quantity("x_km"), nullptr);
    EXPECT_EQ(d.areas.quantity("x_km")->values, (std::vector<double>{80.0, 83.0}));
    EXPECT_EQ(d.areas.quantity("y_km")->values, (std::vector<double>{450.0, 454.0}));
    EXPECT_EQ(d.areas.quantity("access_km")->values, (std::vector<double>{0.3, 0.5}));
    EXPECT_EQ(d.areas.quantity("observed_gp_distance_km")->values[1], 2.9);
    EXPECT_EQ(d.areas.attribute("x_km"), nullptr);  // a number, not a label
    ASSERT_EQ(d.facilities.size(), 2u);
    const Facility& gp = d.facilities[0];
    EXPECT_EQ(gp.id, "gp-1");
    EXPECT_EQ(gp.type, "gp_practice");
    EXPECT_EQ(gp.area, 0u);
    EXPECT_DOUBLE_EQ(gp.capacity, 0.08);
    EXPECT_EQ(gp.capacity_units, "FTE");
    EXPECT_EQ(gp.status, "modelled");
    EXPECT_EQ(gp.name, "Practice T1");
    EXPECT_TRUE(gp.open_in(2019));
    EXPECT_EQ(d.facilities[1].type, "community_centre");
}

TEST(DatasetFacilities, AGapInTheObservedDistanceIsNotKnown) {
    const TinyCopy copy("socialtwin_dataset_gap");
    copy.write("areas.csv",
               "area,buurt,wijk,gemeente,dwellings,x_km,y_km,access_km,observed_gp_distance_km\n"
               "T1,BU1,WK1,GM1,100,80,450,0.3,\nT2,BU1,WK1,GM1,100,83,454,0.5,1.2\n");
    const Dataset d = load_dataset(copy.dir());
    EXPECT_TRUE(std::isnan(d.areas.quantity("observed_gp_distance_km")->values[0]));
}

TEST(DatasetFacilities, BadFacilityRowsAreAllReported) {
    const TinyCopy copy("socialtwin_dataset_bad_rows");
    copy.write("facilities.csv",
               "facility,type,area,capacity,capacity_units,status,name\n"
               "gp-1,gp_practice,T1,0.08,FTE,modelled,a\n"
               "gp-1,gp_practice,T3,-1,FTE,modeled,b\n"
               "gp-2,GP practice,T2,1,FTE,observed,c\n");
    const std::string f = copy.file("facilities.csv");
    EXPECT_THAT(
        problems_loading(copy.dir()),
        ElementsAre(f + ":3:1: facility: facility 'gp-1' appears twice (first on line 2)",
                    f + ":3:18: area: area 'T3' is not in areas.csv (did you mean 'T1'?)",
                    f + ":3:21: capacity: expected a number in 0..1000000, got \"-1\"",
                    f + ":3:28: status: expected one of observed, modelled, got \"modeled\" (did "
                        "you mean 'modelled'?)",
                    f + ":4:6: type: expected a facility type (lower-case letters, digits and "
                        "'_', starting with a letter, e.g. gp_practice), got \"GP practice\""));
}

TEST(DatasetFacilities, NursingHomesAreFacilitiesOfOneTypeWithIdsOfTheirOwn) {
    const TinyCopy copy("socialtwin_dataset_nursing_homes");
    copy.write("nursing_homes.csv",
               "facility,type,area,capacity,capacity_units,status,name\n"
               "nh-1,nursing_home,T2,80,clients,observed,Home T2\n");
    const Dataset d = load_dataset(copy.dir());
    ASSERT_EQ(d.facilities.size(), 3u);  // the tiny dataset's two, then the home
    EXPECT_EQ(d.facilities[2].type, "nursing_home");
    EXPECT_EQ(d.facilities[2].area, 1u);
    EXPECT_EQ(d.facilities[2].capacity, 80.0);

    copy.write("nursing_homes.csv",
               "facility,type,area,capacity,capacity_units,status,name\n"
               "gp-1,gp_practice,T2,80,clients,observed,Home T2\n");
    const std::string f = copy.file("nursing_homes.csv");
    EXPECT_THAT(problems_loading(copy.dir()),
                ElementsAre(f + ":2:1: facility: facility 'gp-1' is also in another facility file",
                            f + ":2:6: type: expected nursing_home (this file holds only that "
                                "type), got \"gp_practice\""));
}

TEST(DatasetFacilities, AnUnknownColumnIsReportedWithTheNearestKnownOne) {
    const TinyCopy copy("socialtwin_dataset_bad_column");
    copy.write("facilities.csv",
               "facility,type,area,capacity,capacity_units,status,name,capacty\n"
               "gp-1,gp_practice,T1,0.08,FTE,modelled,a,1\n");
    const std::string f = copy.file("facilities.csv");
    EXPECT_THAT(problems_loading(copy.dir()),
                ElementsAre(f + ":1:56: capacty: unknown column 'capacty'; expected facility, "
                                "type, area, capacity, capacity_units, status, name (did you mean "
                                "'capacity'?)"));
}

TEST(DatasetFacilities, FacilitiesNeedAreaPositions) {
    const TinyCopy copy("socialtwin_dataset_no_positions");
    copy.write("areas.csv",
               "area,buurt,wijk,gemeente,dwellings\nT1,BU1,WK1,GM1,100\nT2,BU1,WK1,GM1,100\n");
    EXPECT_THAT(problems_loading(copy.dir()),
                ElementsAre(copy.file("facilities.csv") +
                            ":1:1: facilities need area positions: areas.csv has no x_km, y_km, "
                            "access_km columns"));
}

TEST(DatasetFacilities, PositionColumnsComeTogetherWithoutGaps) {
    const TinyCopy copy("socialtwin_dataset_half_positions");
    copy.write("areas.csv",
               "area,buurt,wijk,gemeente,dwellings,x_km\nT1,BU1,WK1,GM1,100,1\n"
               "T2,BU1,WK1,GM1,100,2\n");
    const std::string f = copy.file("areas.csv");
    EXPECT_THAT(problems_loading(copy.dir()),
                ElementsAre(f + ":1: y_km: missing column; x_km, y_km and access_km (area "
                                "positions) come together",
                            f + ":1: access_km: missing column; x_km, y_km and access_km (area "
                                "positions) come together"));
    copy.write("areas.csv",
               "area,buurt,wijk,gemeente,dwellings,x_km,y_km,access_km\n"
               "T1,BU1,WK1,GM1,100,1,2,\nT2,BU1,WK1,GM1,100,2,2,-0.5\n");
    EXPECT_THAT(problems_loading(copy.dir()),
                ElementsAre(HasSubstr(":2:24: access_km: expected a number"),
                            HasSubstr(":3:24: access_km: expected a number")));
}

TEST(DatasetFacilities, AScenarioNamingFacilitiesAndAreasTheDatasetLacksIsRejected) {
    const std::string f = scenarios + "/bad_facility_changes.yaml";
    try {
        check_scenario(f, std::nullopt);
        ADD_FAILURE() << "no problems found";
    } catch (const InputError& e) {
        EXPECT_THAT(
            formatted(e),
            ElementsAre(
                f + ":7:7: facilities.open[0].type: facility type 'gp_practise' is not in the "
                    "dataset, which has gp_practice, community_centre (did you mean "
                    "'gp_practice'?)",
                f + ":8:7: facilities.open[1].area: area 'T3' is not in the dataset (did you "
                    "mean 'T1'?)",
                f + ":9:7: facilities.open[2].id: facility id 'gp-1' is taken (a facility of the "
                    "dataset)",
                f + ":10:7: facilities.open[3].year: year 2030 lies outside the projection "
                    "2019-2022",
                f + ":13:7: facilities.close[0].facility: no facility 'gp-2' in the dataset or "
                    "opened by the scenario (did you mean 'gp-1'?)",
                f + ":14:7: facilities.close[1].year: 'ph-1' would close in 2020, but opens "
                    "only in 2021; expected a later year",
                f + ":16:7: facilities.close[3].facility: 'cc-1' is closed twice (also on line "
                    "15)",
                f + ":18:7: facilities.resize[0].year: 'cc-1' is closed from 2021 on"));
    }
}

TEST(DatasetFacilities, AScenariosChangesGiveTheRunsFacilities) {
    const std::string f = scenarios + "/facilities.yaml";
    EXPECT_NO_THROW(check_scenario(f, std::nullopt));
    const Dataset d = load_dataset(tiny);
    Scenario s;
    s.base_year = 2019;
    s.horizon = 3;
    FacilityOpening o;
    o.id = "gp-T2";
    o.type = "gp_practice";
    o.area = "T2";
    o.year = 2020;
    o.capacity = 0.05;
    s.facilities.open.push_back(o);
    FacilityResize r;
    r.facility = "gp-T2";
    r.year = 2022;
    r.capacity = 0.1;
    s.facilities.resize.push_back(r);
    FacilityClosure c;
    c.facility = "gp-1";
    c.year = 2021;
    s.facilities.close.push_back(c);
    const std::vector<Facility> run = facilities_in_scenario(d.facilities, s, d.areas);
    ASSERT_EQ(run.size(), 3u);
    EXPECT_EQ(run[0].close_year, 2021);
    EXPECT_TRUE(run[0].open_in(2020));
    EXPECT_FALSE(run[0].open_in(2021));
    EXPECT_EQ(run[2].id, "gp-T2");
    EXPECT_EQ(run[2].area, 1u);
    EXPECT_FALSE(run[2].open_in(2019));
    EXPECT_TRUE(run[2].open_in(2020));
    EXPECT_DOUBLE_EQ(run[2].capacity_in(2021), 0.05);
    EXPECT_DOUBLE_EQ(run[2].capacity_in(2022), 0.1);
}

}  // namespace
}  // namespace socialtwin
