#pragma once
// Households and dwellings. Households follow from household positions on 1 January (two
// partners make one couple household, every single parent heads one, everyone living alone
// is one); dwellings needed = private households plus the frictional vacancy a housing market
// needs to let people move. The construction programme changes the stock during its year.

#include <vector>

#include "engine/core/model.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

class HousingModel final : public Model {
public:
    explicit HousingModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "housing"; }
    Phase phase() const override { return Phase::housing; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override { year_ = year; }
    void apply(AreaStep& step) const override;

private:
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    int year_ = 0;
    std::vector<std::vector<std::pair<int, double>>> completions_;  // per area: (year, dwellings)
    IndicatorId single_{}, couple_no_children_{}, couple_with_children_{}, single_parent_{},
        other_{}, households_{}, institution_{}, stock_{}, needed_{}, shortage_{}, completed_{};
};

}  // namespace socialtwin
