#pragma once
// Out-migration across the municipal border: a probability by sex and age at year end, and the
// residents of demolished dwellings, who leave the area. It runs first in the migration phase,
// so the housing market (models/housing/housing_market.hpp) sees who is left.

#include "engine/core/model.hpp"
#include "models/housing/construction.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

inline constexpr RateLever migration_out_lever{
    .name = "migration_out", .meaning = "Probability of moving out of the municipality."};
// Random draws (agent core); never renumber.
inline constexpr DrawStream migration_out_stream{.name = "migration_out", .number = 5};
inline constexpr DrawStream demolition_stream{.name = "demolition", .number = 7};
inline constexpr PersonYearLane migration_out_lane{.name = "migration_out", .index = 2};

class OutMigrationModel final : public Model {
public:
    // `construction` is the run's programme as the housing market reads it; it must outlive the
    // model (the registry makes both together).
    OutMigrationModel(const RateSet& rates, const ConstructionProgramme& construction)
        : rates_(rates), construction_(construction) {}
    std::string_view name() const override { return "out_migration"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override { scenario_ = run.scenario; }
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // The share of an area's residents that demolition sends away: demolished over the stock
    // on 1 January, at most all of them.
    static double displaced_share(double demolished, double dwellings_start) noexcept;

private:
    const RateSet& rates_;
    const ConstructionProgramme& construction_;
    const Scenario* scenario_ = nullptr;
    int year_ = 0;
    BySexAge<double> out_rate_{};
};

}  // namespace socialtwin
