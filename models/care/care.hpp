#pragma once
// Care demand and cost during the year, from the mid-year population (the mean of 1 January
// of this year and of the next), by sex and single age: GP contacts and the GP capacity they
// need, Wmo clients, and spending under the four schemes (Zvw, Wlz, Wmo, Jeugdwet).
// Where the dataset has it, an area's Wmo use is calibrated to its buurt's real client count
// (areas.csv `wmo_client_factor`), and Zvw spending to the municipality's cost level.

#include <vector>

#include "engine/core/model.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

class CareModel final : public Model {
public:
    explicit CareModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "care"; }
    Phase phase() const override { return Phase::care; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void apply(AreaStep& step) const override;

private:
    const RateSet& rates_;
    double contacts_per_fte_ = 0;
    std::vector<double> wmo_factor_;  // per area: calibration to the real buurt Wmo clients
    IndicatorId gp_contacts_{}, gp_fte_{}, wmo_clients_{}, zvw_{}, wlz_{}, wmo_{}, jeugd_{};
    std::array<IndicatorId, n_zvw_categories> zvw_by_category_{};
};

}  // namespace socialtwin
