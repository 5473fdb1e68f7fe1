// The area graph: sites from positions, nearest-neighbour edges, components joined, and the
// nearest of a set of places per area (docs/data-preparation.md, "Area graph and distances").

#include "engine/core/area_graph.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "engine/formats/csv.hpp"

namespace socialtwin {
namespace {

// Five sites, given out of order over six areas (two share the site (0, 0)):
//
//   S1 (0,3) ---4--- S3 (4,3)
//    |                |      . sqrt(45)
//    3                3       .
//    |                |        .
//   S0 (0,0) ---4--- S2 (4,0) --6-- S4 (10,0)
//
// With two neighbours per site these are the only edges, so paths bend round the rectangle.
struct FiveSites {
    std::vector<double> x{10, 0, 4, 0, 4, 0};
    std::vector<double> y{0, 0, 3, 3, 0, 0};
    std::vector<double> access{0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
};

TEST(AreaGraph, SitesAreTheDistinctPositionsInCoordinateOrder) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access, 2);
    EXPECT_EQ(g.n_areas(), 6u);
    ASSERT_EQ(g.n_sites(), 5u);
    EXPECT_EQ(g.site(0), 4u);  // (10, 0)
    EXPECT_EQ(g.site(1), 0u);  // (0, 0)
    EXPECT_EQ(g.site(5), 0u);  // (0, 0) too
    EXPECT_EQ(g.site(3), 1u);  // (0, 3)
    EXPECT_EQ(g.site(4), 2u);  // (4, 0)
    EXPECT_EQ(g.site(2), 3u);  // (4, 3)
    EXPECT_DOUBLE_EQ(g.site_x_km(3), 4.0);
    EXPECT_DOUBLE_EQ(g.site_y_km(3), 3.0);
}

TEST(AreaGraph, HandMadeLayoutHasTheKnownEdgesAndPaths) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access, 2);
    EXPECT_EQ(boost::num_edges(g.graph()), 6u);
    EXPECT_EQ(g.n_joins(), 0u);
    EXPECT_DOUBLE_EQ(g.path_km(0, 3), 7.0);  // round the rectangle, not the 5 km diagonal
    EXPECT_DOUBLE_EQ(g.path_km(0, 4), 10.0);
    EXPECT_DOUBLE_EQ(g.path_km(1, 4), 4.0 + std::sqrt(45.0));
    EXPECT_DOUBLE_EQ(g.path_km(2, 2), 0.0);
    // From a resident of area 3 (site 1, access 0.4) to a place in area 0 (site 4).
    EXPECT_DOUBLE_EQ(g.distance_km(3, 0), 0.4 + 4.0 + std::sqrt(45.0));
}

TEST(AreaGraph, WithSixNeighboursFiveSitesAreAllJoinedDirectly) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access);
    EXPECT_EQ(boost::num_edges(g.graph()), 10u);
    EXPECT_DOUBLE_EQ(g.path_km(0, 3), 5.0);
}

TEST(AreaGraph, NearestSourceAddsTheAccessDistanceOfTheResidentsArea) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access, 2);
    const std::vector<std::size_t> sources{1};  // a place in area 1, site (0, 0)
    const auto n = g.nearest(sources);
    EXPECT_DOUBLE_EQ(n.distance_km[1], 0.2);   // its own area: access only
    EXPECT_DOUBLE_EQ(n.distance_km[5], 0.6);   // same site, another area: its own access
    EXPECT_DOUBLE_EQ(n.distance_km[3], 3.4);   // 0.4 + 3
    EXPECT_DOUBLE_EQ(n.distance_km[4], 4.5);   // 0.5 + 4
    EXPECT_DOUBLE_EQ(n.distance_km[2], 7.3);   // 0.3 + 7
    EXPECT_DOUBLE_EQ(n.distance_km[0], 10.1);  // 0.1 + 10
    for (const std::size_t s : n.source) EXPECT_EQ(s, 0u);
}

TEST(AreaGraph, AreasSharingASiteWithTheSourceAreAtTheirAccessDistance) {
    // Three PC6 areas placed at the centroid of their PC4, one further PC4.
    const std::vector<double> x{80.589, 80.589, 80.589, 81.2};
    const std::vector<double> y{452.188, 452.188, 452.188, 451.9};
    const std::vector<double> access{0.334, 0.334, 0.5, 0.4};
    const AreaGraph g(x, y, access);
    EXPECT_EQ(g.n_sites(), 2u);
    const std::vector<std::size_t> sources{1};
    const auto n = g.nearest(sources);
    EXPECT_DOUBLE_EQ(n.distance_km[0], 0.334);
    EXPECT_DOUBLE_EQ(n.distance_km[1], 0.334);
    EXPECT_DOUBLE_EQ(n.distance_km[2], 0.5);
    EXPECT_NEAR(n.distance_km[3], 0.4 + std::hypot(0.611, 0.288), 1e-12);
}

TEST(AreaGraph, EachAreaGetsItsNearestSource) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access, 2);
    const std::vector<std::size_t> sources{0, 1};  // places at (10, 0) and (0, 0)
    const auto n = g.nearest(sources);
    EXPECT_EQ(n.source[0], 0u);
    EXPECT_EQ(n.source[1], 1u);
    EXPECT_EQ(n.source[5], 1u);
    EXPECT_EQ(n.source[3], 1u);  // (0, 3): 3 km from (0, 0), 4 + sqrt(45) from (10, 0)
    EXPECT_EQ(n.source[4], 1u);  // (4, 0): 4 km from (0, 0), 6 from (10, 0)
    EXPECT_EQ(n.source[2], 0u);  // (4, 3): sqrt(45) = 6.7 from (10, 0), 7 from (0, 0)
    EXPECT_DOUBLE_EQ(n.distance_km[2], 0.3 + std::sqrt(45.0));
}

TEST(AreaGraph, OfEquallyNearSourcesTheEarliestListedWins) {
    const std::vector<double> x{0, 1, 2, 1};
    const std::vector<double> y{0, 0, 0, 0};
    const std::vector<double> access{0, 0, 0, 0.1};
    const AreaGraph g(x, y, access);
    const std::vector<std::size_t> right_first{2, 0};
    const std::vector<std::size_t> left_first{0, 2};
    EXPECT_EQ(g.nearest(right_first).source[1], 0u);  // area 2, listed first
    EXPECT_EQ(g.nearest(left_first).source[1], 0u);   // area 0, listed first
    EXPECT_EQ(g.nearest(right_first).source[3], 0u);
    EXPECT_DOUBLE_EQ(g.nearest(left_first).distance_km[3], 1.1);
    // Two sources on one site: the first holds it.
    const std::vector<std::size_t> same_site{3, 1};
    const auto n = g.nearest(same_site);
    EXPECT_EQ(n.source[1], 0u);
    EXPECT_EQ(n.source[0], 0u);
}

TEST(AreaGraph, NoSourcesMeansNoNearestAndInfiniteDistance) {
    const FiveSites f;
    const AreaGraph g(f.x, f.y, f.access);
    const auto n = g.nearest({});
    EXPECT_EQ(n.source[0], AreaGraph::none);
    EXPECT_TRUE(std::isinf(n.distance_km[0]));
}

TEST(AreaGraph, DisconnectedComponentsAreJoinedFromSiteZeroOutwards) {
    // Three pairs of sites far apart; one neighbour each leaves three components. The pair
    // holding site 0 is joined to its nearest outside site, (1,0)-(50,50), then that
    // component to (100,0) from (50,50).
    const std::vector<double> x{101, 50, 0, 100, 1, 50};
    const std::vector<double> y{0, 51, 0, 0, 0, 50};
    const std::vector<double> access(6, 0.0);
    const AreaGraph g(x, y, access, 1);
    EXPECT_EQ(g.n_joins(), 2u);
    EXPECT_EQ(boost::num_edges(g.graph()), 5u);
    // Sites: 0 (0,0), 1 (1,0), 2 (50,50), 3 (50,51), 4 (100,0), 5 (101,0).
    EXPECT_TRUE(boost::edge(1, 2, g.graph()).second);
    EXPECT_TRUE(boost::edge(2, 4, g.graph()).second);
    EXPECT_DOUBLE_EQ(g.path_km(0, 5),
                     1.0 + std::sqrt(49.0 * 49.0 + 50.0 * 50.0) + std::sqrt(5000.0) + 1.0);
    const std::vector<std::size_t> sources{2};  // a place at (0, 0)
    EXPECT_DOUBLE_EQ(g.nearest(sources).distance_km[3],
                     1.0 + std::sqrt(4901.0) + std::sqrt(5000.0));
}

TEST(AreaGraph, PositionsAreTakenInWholeMetres) {
    // 0.0004 km apart: the same metre, so one site.
    const std::vector<double> x{1.0, 1.0004};
    const std::vector<double> y{2.0, 2.0};
    const std::vector<double> access{0, 0};
    EXPECT_EQ(AreaGraph(x, y, access).n_sites(), 1u);
}

TEST(AreaGraph, BadInputIsALogicError) {
    const std::vector<double> one{0.0};
    const std::vector<double> nan{std::nan("")};
    const std::vector<double> negative{-1.0};
    EXPECT_THROW(AreaGraph(nan, one, one), std::invalid_argument);
    EXPECT_THROW(AreaGraph(one, one, negative), std::invalid_argument);
    EXPECT_THROW(AreaGraph(one, one, std::vector<double>{}), std::invalid_argument);
}

// The shipped datasets' graphs have the sites and edges docs/data-preparation.md counts ("Area
// graph and distances"), built by data/prepare/geography.py from the same areas.csv columns.
struct ShippedGraph {
    const char* dataset;
    std::size_t sites, edges;
};
void PrintTo(const ShippedGraph& g, std::ostream* out) { *out << g.dataset; }

class AreaGraphOnShippedData : public ::testing::TestWithParam<ShippedGraph> {};

TEST_P(AreaGraphOnShippedData, HasTheSitesAndEdgesTheDataPreparationCounts) {
    const auto file = std::filesystem::path(SOCIALTWIN_SOURCE_DIR) / "data/datasets" /
                      GetParam().dataset / "areas.csv";
    CsvTable t = read_csv(file, {"x_km", "y_km", "access_km"});
    std::vector<double> x, y, access;
    for (std::size_t row = 0; row < t.size(); ++row) {
        x.push_back(t.number(row, "x_km"));
        y.push_back(t.number(row, "y_km"));
        access.push_back(t.number(row, "access_km"));
    }
    t.throw_if_problems();
    const AreaGraph g(x, y, access);
    EXPECT_EQ(g.n_sites(), GetParam().sites);
    EXPECT_EQ(boost::num_edges(g.graph()), GetParam().edges);
    EXPECT_EQ(g.n_joins(), 0u);  // "The datasets shipped need no such edge."
}

INSTANTIATE_TEST_SUITE_P(Datasets, AreaGraphOnShippedData,
                         ::testing::Values(ShippedGraph{"denhaag-zuidwest-2019", 9, 31},
                                           ShippedGraph{"denhaag-2019", 59, 218},
                                           ShippedGraph{"nl-pc4-2021", 4054, 14730}),
                         [](const ::testing::TestParamInfo<ShippedGraph>& param) {
                             std::string name = param.param.dataset;
                             std::erase(name, '-');
                             return name;
                         });

}  // namespace
}  // namespace socialtwin
