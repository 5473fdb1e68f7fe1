#pragma once
// In-migration across the municipal border, two flows: immigration from abroad and moves in from
// other gemeenten, each with its own age-sex profile. The would-be in-migrants of an area are its
// inhabitants times its gemeente's recorded rates (models/migration/gemeente_migration.hpp)
// by each flow's profile; the housing market (models/housing/housing_market.hpp) decides how many
// of them its stock admits, into existing dwellings and into new ones. In-migrants arrive, after
// the market has settled, with the base-year household positions of their age.

#include "engine/core/model.hpp"
#include "models/housing/housing_market.hpp"
#include "models/migration/gemeente_migration.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

inline constexpr RateLever migration_in_lever{
    .name = "migration_in",
    .meaning =
        "In-migrants from outside the municipality, by age and sex: immigrants and "
        "persons moving in from other gemeenten alike."};
inline constexpr RateLever immigration_lever{.name = "immigration",
                                             .meaning = "Immigrants from abroad, by age and sex."};
inline constexpr RateLever moves_from_other_gemeenten_lever{
    .name = "moves_from_other_gemeenten",
    .meaning = "Persons moving in from other gemeenten, by age and sex."};
// Random draws (agent core); never renumber.
inline constexpr DrawStream migration_in_stream{.name = "migration_in", .number = 6};

class InMigrationModel final : public Model {
public:
    // `market` must outlive the model (the registry makes both together) and come before it in
    // the phase.
    InMigrationModel(const RateSet& rates, HousingMarket& market)
        : rates_(rates), market_(market) {}
    std::string_view name() const override { return "in_migration"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog& catalog) override;
    // Each area's gemeente and its recorded rates.
    void begin_run(const RunContext& run) override;
    // This year's in-migrants per inhabitant by flow, sex and age; tells the market how many
    // would come to each area and how many households they form.
    void begin_year(int year) override;
    // Nothing leaves or arrives before the market has settled.
    void apply(AreaStep&) const override {}
    // In-migrants arrive after the market's settle(): this model joins the second half of the
    // phase. Its own settle() (after the market's) divides out each group's shares by sex and
    // age once, which every area of the group would otherwise divide again.
    bool settles_across_areas() const override { return true; }
    void settle() override;
    // The admitted in-migrants into the area, and into its new dwellings.
    void complete(AreaStep& step) const override;
    void complete(AgentAreaStep& step) const override;

    // Expected in-migrants of one sex and age into the area this year (into its new dwellings:
    // the second), as the market admitted them.
    double in_migrants(std::size_t area, int sex, int age) const noexcept;
    double in_migrants_new(std::size_t area, int sex, int age) const noexcept;
    // in_migrants() of every sex and age of an area at once (sex * n_ages + age), the same
    // values with the area's lookups done once: the agent core asks for all 212 every year.
    void in_migrants_by_sex_age(std::size_t area,
                                std::array<double, n_sexes * n_ages>& out) const noexcept;
    // The share of immigrants (the rest moves in from other gemeenten) among the area's
    // in-migrants of one sex and age.
    double immigrant_share(std::size_t area, int sex, int age) const noexcept;

private:
    const RateSet& rates_;
    HousingMarket& market_;
    const Scenario* scenario_ = nullptr;
    GemeenteGroups groups_;
    std::vector<double> inhabitants_;  // [persons] per group, base year (weights)
    // In-migrants' household positions per group, by sex and age: the group's base-year mix
    // (the rate set's where the group has fewer than 20 persons of that sex and age). They fill
    // the dwellings the leavers vacate, so they live as the gemeente's residents of their age
    // do; with the rate set's national mix every village gained persons living alone each year.
    std::vector<BySexAge<PositionShares>> arrival_positions_;
    // Per group, this year: [persons per inhabitant] by sex and age of each flow, and of both.
    std::vector<BySexAge<double>> immigrants_, movers_;
    // Per group: the moves-in shares by sex and age (the rate set's times its gemeente's age
    // factors, renormalised).
    std::vector<BySexAge<double>> moves_in_share_;
    std::vector<double> total_;
    std::vector<double> movers_total_;  // [persons per inhabitant] per group: moves in
    // Per group, from settle() to the end of the year, by sex and age: profile(),
    // mover_profile(), and the immigrants' share before any rehousing (immigrant_share()).
    std::vector<BySexAge<double>> profile_, mover_profile_, base_immigrant_share_;
    // What an area's in-migrants of every sex and age are computed from, looked up once.
    struct AreaInflow {
        HousingMarket::Admitted admitted;
        std::size_t group = 0;
    };
    AreaInflow inflow(std::size_t area) const noexcept;
    double profile(const AreaInflow& in, int sex, int age) const noexcept;
    double profile(std::size_t area, int sex, int age) const noexcept {
        return profile(inflow(area), sex, age);
    }
    // Movers from other gemeenten by sex and age, as shares (for the movers the market rehoused).
    double mover_profile(const AreaInflow& in, int sex, int age) const noexcept;
    double mover_profile(std::size_t area, int sex, int age) const noexcept {
        return mover_profile(inflow(area), sex, age);
    }
    // One sex and age of an area's in-migrants: the shares it is computed from and the persons.
    struct SexAgeInflow {
        double profile = 0;        // profile()
        double mover_profile = 0;  // mover_profile()
        double settling = 1;       // market_.settling_factor()
        double persons = 0;        // in_migrants()
    };
    SexAgeInflow sex_age_inflow(const AreaInflow& in, std::size_t area, int sex,
                                int age) const noexcept;
    double in_migrants(const AreaInflow& in, std::size_t area, int sex, int age) const noexcept;
    double immigrant_share(const AreaInflow& in, int sex, int age,
                           const SexAgeInflow& by) const noexcept;
    std::vector<double> group_profile(std::size_t area, DwellingsFor group) const;
    IndicatorId immigration_{}, moves_in_{};
};

}  // namespace socialtwin
