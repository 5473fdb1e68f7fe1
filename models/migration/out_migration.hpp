#pragma once
// Out-migration across the municipal border, two flows: emigration abroad (administrative
// removals included, as CBS counts them) and moves to another gemeente. Each is a probability by
// sex and age at year end: the rate set's profile, scaled per gemeente at the start of the run so
// that the gemeente's base-year population gives its recorded rate (models/migration/
// gemeente_migration.hpp). The residents of demolished dwellings leave the area too. It runs
// first in the migration phase, so the housing market (models/housing/housing_market.hpp) sees
// who is left.

#include "engine/core/model.hpp"
#include "models/housing/construction.hpp"
#include "models/migration/gemeente_migration.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

inline constexpr RateLever migration_out_lever{
    .name = "migration_out",
    .meaning =
        "Probability of leaving the municipality: emigration and moves to other "
        "gemeenten alike."};
inline constexpr RateLever emigration_lever{
    .name = "emigration",
    .meaning = "Probability of emigrating abroad (administrative removals included)."};
inline constexpr RateLever moves_to_other_gemeenten_lever{
    .name = "moves_to_other_gemeenten", .meaning = "Probability of moving to another gemeente."};
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
    void declare_indicators(IndicatorCatalog& catalog) override;
    // Scales each gemeente's outflow profiles to its recorded rates on the base population.
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // The share of an area's residents that demolition sends away: demolished over the stock
    // on 1 January, at most all of them.
    static double displaced_share(double demolished, double dwellings_start) noexcept;

    // This year's probabilities of an area's residents [probability per year], by sex and age
    // at year end.
    double emigration(std::size_t area, int sex, int age) const noexcept;
    double moves_to_other_gemeenten(std::size_t area, int sex, int age) const noexcept;

private:
    const RateSet& rates_;
    const ConstructionProgramme& construction_;
    const Scenario* scenario_ = nullptr;
    int year_ = 0;
    GemeenteGroups groups_;
    // Per group: the factors on the rate set's emigration and moves-out probabilities.
    std::vector<double> emigration_scale_, moves_out_scale_;
    // Per group: the rate set's moves-out probabilities times its gemeente's age factors.
    std::vector<BySexAge<double>> moves_out_base_;
    // Per group, this year (levers applied).
    std::vector<BySexAge<double>> emigration_rate_, moves_out_rate_;
    // The same in every cell of their rows (the cohort core's flat loop over an area's cells).
    std::vector<std::array<double, CohortCell::size>> emigration_by_cell_, moves_out_by_cell_;
    IndicatorId emigration_{}, moves_out_{};
};

}  // namespace socialtwin
