#pragma once
// Partner matching across areas (agent core). A person who starts to live with a partner this
// year (the household positions phase put them in a partner position) and finds none in their
// own area is matched in settle(): in the area first, then in the buurt, then in the
// municipality. A couple formed across areas lives in the man's area: the woman moves there this
// year, through the housing market (models/housing/housing_market.hpp), which counts the move
// and brings her in. The cohort core has no persons to match: there the model does nothing.

#include <cstdint>
#include <vector>

#include "engine/core/model.hpp"
#include "models/housing/housing_market.hpp"

namespace socialtwin {

class PartnerMatchingModel final : public Model {
public:
    // `market` must outlive the model (the registry makes both together) and come before it in
    // the phase: the seekers are those still here after the year's moves.
    // `partner_age_gap`: the rate set's mean gap [years, the man older], as the pairing in the
    // area.
    PartnerMatchingModel(HousingMarket& market, double partner_age_gap)
        : market_(market), partner_age_gap_(partner_age_gap) {}
    std::string_view name() const override { return "partner_matching"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override;
    void apply(AreaStep&) const override {}
    // Records the area's new partners who have no partner yet.
    void apply(AgentAreaStep& step) const override;
    bool settles_across_areas() const override { return true; }
    // Matches them, in the area, the buurt, then the municipality.
    void settle() override;

private:
    HousingMarket& market_;
    double partner_age_gap_;                                   // [years]
    AgentPopulation* persons_ = nullptr;                       // agent core: the persons
    mutable std::vector<std::vector<std::uint32_t>> seekers_;  // per area
};

}  // namespace socialtwin
