#include "engine/core/area_graph.hpp"

#include <boost/graph/connected_components.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace socialtwin {

namespace {

std::int64_t metres(double km) { return std::llround(km * 1e3); }

}  // namespace

AreaGraph::AreaGraph(std::span<const double> x_km, std::span<const double> y_km,
                     std::span<const double> access_km, int neighbours) {
    const std::size_t n = x_km.size();
    if (y_km.size() != n || access_km.size() != n)
        throw std::invalid_argument("area graph: positions and access distances differ in length");
    constexpr double max_km = 1e6;  // keeps squared distances in whole m^2 inside int64
    for (std::size_t a = 0; a < n; ++a)
        if (!(std::abs(x_km[a]) <= max_km) || !(std::abs(y_km[a]) <= max_km) ||
            !(access_km[a] >= 0) || !std::isfinite(access_km[a]))
            throw std::invalid_argument(
                "area graph: a position is not finite or an access distance is negative");
    if (neighbours < 1) throw std::invalid_argument("area graph: at least one neighbour");
    access_.assign(access_km.begin(), access_km.end());

    // Sites: the distinct positions in whole metres, in (x, y) order.
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> sites;
    for (std::size_t a = 0; a < n; ++a)
        sites.emplace(std::pair{metres(x_km[a]), metres(y_km[a])}, 0);
    for (auto& [position, index] : sites) {
        index = site_x_.size();
        site_x_.push_back(position.first);
        site_y_.push_back(position.second);
    }
    site_of_.resize(n);
    for (std::size_t a = 0; a < n; ++a) site_of_[a] = sites.at({metres(x_km[a]), metres(y_km[a])});

    const std::size_t m = site_x_.size();
    const auto squared = [&](std::size_t i, std::size_t j) {  // [m^2], exact
        const std::int64_t dx = site_x_[j] - site_x_[i], dy = site_y_[j] - site_y_[i];
        return dx * dx + dy * dy;
    };
    graph_ = SiteGraph(m);
    const auto join = [&](std::size_t i, std::size_t j) {
        if (!boost::edge(i, j, graph_).second)
            boost::add_edge(i, j, std::sqrt(static_cast<double>(squared(i, j))) / 1e3, graph_);
    };

    // Each site to its k nearest, ties to the lower index. O(sites^2): the ~4,000 PC4 centroids
    // of the whole country take a fraction of a second.
    const auto k = std::min(static_cast<std::size_t>(neighbours), m > 0 ? m - 1 : 0);
    std::vector<std::pair<std::int64_t, std::size_t>> others;
    others.reserve(m);
    for (std::size_t i = 0; i < m; ++i) {
        others.clear();
        for (std::size_t j = 0; j < m; ++j)
            if (j != i) others.emplace_back(squared(i, j), j);
        std::partial_sort(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(k),
                          others.end());
        for (std::size_t r = 0; r < k; ++r) join(i, others[r].second);
    }

    // Join the component of site 0 to its nearest outside site until all are one.
    std::vector<int> component(m);
    while (m > 0 && boost::connected_components(graph_, component.data()) > 1) {
        std::tuple best{std::numeric_limits<std::int64_t>::max(), none, none};
        for (std::size_t i = 0; i < m; ++i) {
            if (component[i] != component[0]) continue;
            for (std::size_t j = 0; j < m; ++j)
                if (component[j] != component[0])
                    best = std::min(best, std::tuple{squared(i, j), i, j});
        }
        join(std::get<1>(best), std::get<2>(best));
        ++joins_;
    }
}

double AreaGraph::path_km(std::size_t from_site, std::size_t to_site) const {
    if (from_site >= n_sites() || to_site >= n_sites())
        throw std::out_of_range("area graph: no such site");
    std::vector<double> km(n_sites(), std::numeric_limits<double>::infinity());
    boost::dijkstra_shortest_paths(graph_, from_site,
                                   boost::distance_map(boost::make_iterator_property_map(
                                       km.begin(), boost::get(boost::vertex_index, graph_))));
    return km[to_site];
}

double AreaGraph::distance_km(std::size_t from_area, std::size_t to_area) const {
    return access_km(from_area) + path_km(site(from_area), site(to_area));
}

AreaGraph::Nearest AreaGraph::nearest(std::span<const std::size_t> sources) const {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    const std::size_t m = n_sites();
    // The earliest source on each site: a source's own site is at distance 0 from it.
    std::vector<std::size_t> winner(m, none);
    std::vector<std::size_t> starts;
    for (std::size_t rank = 0; rank < sources.size(); ++rank) {
        const std::size_t s = site(sources[rank]);
        if (winner[s] != none) continue;
        winner[s] = rank;
        starts.push_back(s);
    }

    // Distance of every site to its nearest source: one Dijkstra from all sources at once.
    std::vector<double> km(m, infinity);
    for (const std::size_t s : starts) km[s] = 0.0;
    const auto index = boost::get(boost::vertex_index, graph_);
    const auto weight = boost::get(boost::edge_weight, graph_);
    boost::dijkstra_shortest_paths_no_init(
        graph_, starts.begin(), starts.end(), boost::dummy_property_map(),
        boost::make_iterator_property_map(km.begin(), index), weight, index, std::less<double>(),
        std::plus<double>(), 0.0, boost::default_dijkstra_visitor());

    // Which source: the sources within tie_km of the nearest at a site are those of the
    // neighbours on a shortest path to it (m(u) + w(u, v) <= m(v) + tie_km), so the earliest
    // is carried outwards in order of distance. Every such neighbour is nearer by at least one
    // edge (>= 1 m), so it has its answer before it is asked.
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return km[a] < km[b]; });
    for (const std::size_t v : order) {
        if (km[v] == 0.0 || km[v] == infinity) continue;
        for (const auto e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
            const std::size_t u = boost::target(e, graph_);
            if (km[u] + weight[e] <= km[v] + tie_km) winner[v] = std::min(winner[v], winner[u]);
        }
    }

    Nearest out;
    out.distance_km.resize(n_areas());
    out.source.resize(n_areas());
    for (std::size_t a = 0; a < n_areas(); ++a) {
        const std::size_t s = site_of_[a];
        out.source[a] = winner[s];
        out.distance_km[a] = winner[s] == none ? infinity : access_[a] + km[s];
    }
    return out;
}

}  // namespace socialtwin
