#pragma once
// Areas on a map, for questions of distance: how far is it from here to the nearest of a set of
// places, and which one is it? Generic: it knows positions, not what is found at them.
//
// Areas that share a position (PC6 postcodes placed at their PC4 centroid where nothing finer
// is known) share a *site*. Sites are joined to their nearest neighbours by straight lines, so a
// path runs through the sites in between, as a trip through neighbouring areas does. The rule is
// the normative one of docs/data-preparation.md ("Area graph and distances"), which the data
// preparation (data/prepare/geography.py) uses to place modelled facilities, so that the engine
// reproduces its distances:
//   - positions are taken in whole metres (x_km, y_km are written to 3 decimals), so that
//     squared distances are exact integers and every comparison below falls the same way in
//     both implementations;
//   - sites: the distinct positions, sorted by (x, y) ascending;
//   - each site is joined to its `neighbours` (6) nearest other sites, ties to the lower site
//     index; edges are undirected (the union of both directions) and weigh their Euclidean
//     length [km];
//   - while the graph is not connected, the component holding site 0 is joined to the nearest
//     site outside it by the single shortest edge (ties: the lowest inside, then the lowest
//     outside site index);
//   - the distance from area a to a place in area f is access_km(a), a resident's mean distance
//     to the area's position, plus the shortest path between their sites (0 on one site);
//   - of places at the same distance (within tie_km) the earliest listed is the nearest.

#include <boost/graph/adjacency_list.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace socialtwin {

// Vertices are sites; edge weights are straight-line distances [km].
using SiteGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                          boost::property<boost::edge_weight_t, double>>;

class AreaGraph {
public:
    static constexpr int default_neighbours = 6;
    // [km] Distances closer than this are equal: summing the same path in another order
    // differs in the last digits, and must not decide which place is nearest.
    static constexpr double tie_km = 1e-9;
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

    // One position [km] (a planar projection: RD New in the datasets) and one access distance
    // [km] per area. Positions must be finite and access distances non-negative
    // (std::invalid_argument otherwise: the dataset loader checks them first).
    AreaGraph(std::span<const double> x_km, std::span<const double> y_km,
              std::span<const double> access_km, int neighbours = default_neighbours);

    std::size_t n_areas() const noexcept { return site_of_.size(); }
    std::size_t n_sites() const noexcept { return site_x_.size(); }
    std::size_t site(std::size_t area) const { return site_of_.at(area); }
    double site_x_km(std::size_t site) const { return static_cast<double>(site_x_.at(site)) / 1e3; }
    double site_y_km(std::size_t site) const { return static_cast<double>(site_y_.at(site)) / 1e3; }
    double access_km(std::size_t area) const { return access_.at(area); }
    const SiteGraph& graph() const noexcept { return graph_; }
    // Edges added to join components that the nearest-neighbour rule left apart.
    std::size_t n_joins() const noexcept { return joins_; }

    // The shortest path between two sites [km].
    double path_km(std::size_t from_site, std::size_t to_site) const;
    // From a resident of `from` to a place in `to` [km]: access_km(from) + path between sites.
    double distance_km(std::size_t from_area, std::size_t to_area) const;

    struct Nearest {
        std::vector<double> distance_km;  // per area: to the nearest source (infinity: none)
        std::vector<std::size_t> source;  // per area: its index in `sources` (none: no source)
    };
    // For every area, the nearest of `sources` (area indices) and the distance to it, as
    // distance_km() measures it; of sources equally near (within tie_km) the earliest in
    // `sources`. One multi-source Dijkstra over the sites (Boost.Graph), then the earliest source
    // is carried along the shortest paths in order of distance.
    Nearest nearest(std::span<const std::size_t> sources) const;

private:
    std::vector<std::int64_t> site_x_, site_y_;  // [m] per site
    std::vector<std::size_t> site_of_;           // per area
    std::vector<double> access_;                 // [km] per area
    SiteGraph graph_;
    std::size_t joins_ = 0;
};

}  // namespace socialtwin
