#include "models/facilities/accessibility.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

namespace socialtwin {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string words(std::string_view type) {
    std::string out(type);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

}  // namespace

void AccessibilityModel::declare_indicators(IndicatorCatalog& catalog) {
    for (const Facility& f : facilities_)
        if (std::find(types_.begin(), types_.end(), f.type) == types_.end())
            types_.push_back(f.type);
    const std::string positions =
        "area positions and access distances from areas.csv (x_km, y_km, access_km); facilities "
        "from facilities.csv (its status says which are observed and which modelled) and the "
        "scenario";
    for (std::size_t t = 0; t < types_.size(); ++t) {
        distance_ids_.push_back(catalog.add({
            .name = fmt::format("distance_to_{}_km", types_[t]),
            .units = "km",
            .description = fmt::format(
                "Mean distance from a resident of the area to the nearest open {}: to the area's "
                "position, then along the area graph (NaN: none open).",
                words(types_[t])),
            .source = positions,
            .kind = IndicatorKind::measure,
            .weight = "population",
            .nan_allowed = true,
        }));
        if (types_[t] == gp_type) gp_ = t;
    }
    // A GP type brings the capacity pressure, from the care model's demand (needs()); the
    // driver checks that care runs in this run, before this model.
    settles_ = gp_.has_value();
    if (!settles_) return;
    pressure_ = catalog.add({
        .name = "gp_practice_capacity_pressure",
        .units = "FTE needed per FTE available",
        .description = "GP FTE needed by the catchment of the area's nearest GP practice (the "
                       "areas it is nearest to) over the FTE of that practice: 1 = demand equals "
                       "capacity, above 1 = short (NaN: no practice open).",
        .source = "gp_fte_needed (care model) and the practices' FTE; " + positions,
        .kind = IndicatorKind::measure,
        .weight = "population",
        .nan_allowed = true,
    });
    available_ = catalog.add({
        .name = "gp_fte_available",
        .units = "FTE",
        .description = "The area's share of its GP practice's FTE, in proportion to the area's "
                       "part of the practice's demand: compare with gp_fte_needed; over a "
                       "practice's catchment it adds up to the practice's FTE.",
        .source = "gp_fte_needed (care model) and the practices' FTE",
        .kind = IndicatorKind::amount,
    });
}

std::vector<ModelNeed> AccessibilityModel::needs() const {
    if (!settles_) return {};
    return {{std::string(gp_demand), std::string(gp_demand_provider)}};
}

void AccessibilityModel::begin_run(const RunContext& run) {
    if (settles_) {
        if (!run.catalog) throw std::logic_error("accessibility: begin_run without the catalog");
        demand_ = run.catalog->id(std::string(gp_demand));
    }
    const std::size_t n = run.areas->size();
    distance_km_.assign(types_.size(), std::vector<double>(n, nan));
    catchment_.assign(n, AreaGraph::none);
    demand_fte_.assign(n, 0.0);
    if (facilities_.empty()) return;
    // Both cores' replicates share the area table: the graph is built once.
    if (graph_ && graph_areas_ == run.areas) return;
    const AreaQuantity* x = run.areas->quantity("x_km");
    const AreaQuantity* y = run.areas->quantity("y_km");
    const AreaQuantity* access = run.areas->quantity("access_km");
    if (!x || !y || !access)
        throw std::logic_error("facilities without area positions (the dataset loader checks)");
    graph_ = std::make_shared<const AreaGraph>(x->values, y->values, access->values);
    graph_areas_ = run.areas;
}

void AccessibilityModel::begin_year(int year) {
    if (!graph_) return;
    for (std::size_t t = 0; t < types_.size(); ++t) {
        // The open facilities of this type, pooled by site in facility order: the first
        // facility on a site stands for the site.
        std::vector<std::size_t> sources;            // an area per pool
        std::map<std::size_t, std::size_t> pool_of;  // site -> pool
        std::vector<double> fte;
        for (const Facility& f : facilities_) {
            if (f.type != types_[t] || !f.open_in(year)) continue;
            const auto [it, fresh] = pool_of.emplace(graph_->site(f.area), sources.size());
            if (fresh) {
                sources.push_back(f.area);
                fte.push_back(0.0);
            }
            fte[it->second] += f.capacity_in(year);
        }
        const AreaGraph::Nearest nearest = graph_->nearest(sources);
        for (std::size_t a = 0; a < nearest.distance_km.size(); ++a)
            distance_km_[t][a] =
                nearest.source[a] == AreaGraph::none ? nan : nearest.distance_km[a];
        if (gp_ && t == *gp_) {
            catchment_ = nearest.source;
            pool_fte_ = std::move(fte);
        }
    }
}

void AccessibilityModel::apply(AreaStep& step) const {
    for (std::size_t t = 0; t < types_.size(); ++t)
        step.values(distance_ids_[t])[0] = distance_km_[t][step.area];
    if (!settles_) return;
    double needed = 0;
    for (const double v : step.results.area_values(demand_, step.area)) needed += v;
    demand_fte_[step.area] = needed;
}

void AccessibilityModel::settle() {
    pool_demand_.assign(pool_fte_.size(), 0.0);
    for (std::size_t a = 0; a < catchment_.size(); ++a)
        if (catchment_[a] != AreaGraph::none) pool_demand_[catchment_[a]] += demand_fte_[a];
}

void AccessibilityModel::complete(AreaStep& step) const {
    const std::size_t pool = catchment_[step.area];
    if (pool == AreaGraph::none) {
        step.values(pressure_)[0] = nan;
        step.values(available_)[0] = 0.0;
        return;
    }
    const double fte = pool_fte_[pool], needed = pool_demand_[pool];
    step.values(pressure_)[0] = fte > 0 ? needed / fte : nan;
    step.values(available_)[0] = needed > 0 ? fte * demand_fte_[step.area] / needed : 0.0;
}

}  // namespace socialtwin
