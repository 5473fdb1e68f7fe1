#pragma once
// Accessibility of facilities, per area and year: how far residents live from the nearest open
// facility of each type, and -- for GP practices -- how the care demand of a practice's
// catchment compares with its capacity.
//
// Distances run over the area graph (engine/core/area_graph.hpp): a resident's access distance
// to the area's position plus the shortest path between positions. Each area belongs to the
// catchment of its nearest open GP practice; practices on one site (the same position) share
// their catchment and pool their FTE. Capacity pressure = GP FTE needed by the catchment (the
// care model's `gp_fte_needed`, this year) / the FTE of its practices, so the model needs every
// area's demand before it can report any area's pressure: it settles across areas. With a GP
// practice among the facilities it needs the care model in the run (needs()): without it there
// would be no pressure to report, and a run says so instead of leaving the indicator out.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/area_graph.hpp"
#include "engine/core/facilities.hpp"
#include "engine/core/model.hpp"

namespace socialtwin {

class AccessibilityModel final : public Model {
public:
    // The facilities of the run in their order (that order breaks ties between equally near
    // facilities): the dataset's with the scenario's changes (facilities_in_scenario).
    explicit AccessibilityModel(std::span<const Facility> facilities)
        : facilities_(facilities.begin(), facilities.end()) {}
    std::string_view name() const override { return "accessibility"; }
    Phase phase() const override { return Phase::accessibility; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    std::vector<ModelNeed> needs() const override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    bool settles_across_areas() const override { return settles_; }
    void settle() override;
    void complete(AreaStep& step) const override;
    bool complete_needs_counts() const override { return false; }  // reads demand_fte_

    // The facility type whose capacity is held against a demand, and that demand.
    static constexpr std::string_view gp_type = "gp_practice";
    static constexpr std::string_view gp_demand = "gp_fte_needed";
    static constexpr std::string_view gp_demand_provider = "care";

private:
    std::vector<Facility> facilities_;
    std::vector<std::string> types_;         // in order of first appearance
    std::vector<IndicatorId> distance_ids_;  // per type
    std::optional<std::size_t> gp_;          // index of gp_type in types_
    IndicatorId demand_{};                   // gp_fte_needed, found in begin_run
    IndicatorId pressure_{}, available_{};
    bool settles_ = false;  // a GP type: pressure from the care demand

    std::shared_ptr<const AreaGraph> graph_;  // built once per area table
    const AreaTable* graph_areas_ = nullptr;

    // This year.
    std::vector<std::vector<double>> distance_km_;  // [type][area], NaN: none open
    std::vector<std::size_t> catchment_;            // [area] GP pool, AreaGraph::none: none
    std::vector<double> pool_fte_;                  // [pool] FTE of its open practices
    std::vector<double> pool_demand_;               // [pool] FTE needed by its catchment
    // [area] FTE needed, recorded by apply() (each area its own entry) for settle().
    mutable std::vector<double> demand_fte_;
};

}  // namespace socialtwin
