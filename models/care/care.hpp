#pragma once
// Care demand and cost during the year, from the mid-year population (the mean of 1 January
// of this year and of the next), by sex and single age:
// - GP (huisarts): contacts of residents outside institutions (care-home residents see an
//   elderly-care physician), by sex and age band, and the GP FTE they need: one FTE serves a
//   normpraktijk of patients with a mean number of contacts each (scenario `care`,
//   care_settings.hpp);
// - Wmo: clients, and users of home help, support and aids. Use depends on sex and age and
//   on the living situation: persons living alone, and among them those without a child
//   nearby for informal care, use more (rate set wmo_services.csv). Each age's use is
//   normalised so the base-year composition reproduces the rate set's clients, so a scenario
//   changes use only through changed living situations and its own rate levers;
// - district nursing (wijkverpleging) hours, from its Zvw spending and an hourly cost;
// - spending under the four schemes (Zvw by Vektis category, Wlz, Wmo, Jeugdwet) in constant
//   prices of the rate set's price year, grown by the scenario's real growth per person, or in
//   current prices when the scenario asks for them.
// Where the dataset has it, an area's Wmo use is calibrated to its buurt's real client count
// (areas.csv `wmo_client_factor`), and Zvw spending to the municipality's cost level.

#include <array>
#include <vector>

#include "engine/core/model.hpp"
#include "models/care/care_settings.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The rates a scenario can change for care (keys under `rates:`).
inline constexpr RateLever gp_contacts_lever{
    .name = "gp_contacts", .meaning = "GP (huisarts) contacts per person, by age and sex."};
inline constexpr RateLever wmo_home_help_lever{
    .name = "wmo_home_help", .meaning = "Use of Wmo home help (huishoudelijke hulp) per person."};
inline constexpr RateLever wmo_support_lever{
    .name = "wmo_support", .meaning = "Use of Wmo support (begeleiding, dagbesteding) per person."};
inline constexpr RateLever wmo_aids_lever{
    .name = "wmo_aids",
    .meaning =
        "Use of Wmo aids and home adaptations (hulpmiddelen, woonvoorzieningen) per person."};
inline constexpr RateLever district_nursing_lever{
    .name = "district_nursing",
    .meaning = "District nursing (wijkverpleging) hours and spending per person."};
inline constexpr std::array<RateLever, 5> care_levers{gp_contacts_lever, wmo_home_help_lever,
                                                      wmo_support_lever, wmo_aids_lever,
                                                      district_nursing_lever};

class CareModel final : public Model {
public:
    explicit CareModel(const RateSet& rates) : rates_(rates) {}
    std::string_view name() const override { return "care"; }
    Phase phase() const override { return Phase::care; }
    void configure(const Scenario& scenario) override {
        care_ = care_settings(scenario);
        costs_ = cost_settings(scenario);
    }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;

    // This year's factor on every EUR figure of the rate set: real growth per person and, for
    // current prices, inflation, both from the price year.
    double cost_index() const noexcept { return cost_index_; }

private:
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    CareSettings care_{};
    CostSettings costs_{};
    double contacts_per_fte_ = 0;
    double eur_per_nursing_hour_ = 0;
    std::vector<double> wmo_factor_;  // per area: calibration to the real buurt Wmo clients

    // Spending per person [EUR per year, the rate set's prices], by row: Zvw by category
    // (district nursing with its lever), then Wlz, then Jeugd. A row's persons times these
    // thirteen, side by side (the products computed once a year, not per row); a fourteenth of
    // 0 makes seven pairs of doubles.
    static constexpr std::size_t wlz_spending = n_zvw_categories, jeugd_spending = wlz_spending + 1;
    static constexpr std::size_t n_spending = jeugd_spending + 2;
    // This year's rates of one row (sex * n_ages + age), made in begin_year, side by side in
    // three cache lines: the agent core at PC6 density reads a few dozen rows an area, in no
    // order the caches foresee, and with a table per rate each row cost a dozen lines.
    struct alignas(64) Row {
        double gp_contacts = 0;  // per person outside institutions
        // Clients per unit of summed service use (clients / use at the base composition).
        double clients_per_use = 0;
        // 1 / the rate set's Wmo client probability (0 where it is 0): Wmo spending per
        // inhabitant follows clients / base clients without a division per row.
        double per_base_client = 0;
        double wmo_eur = 0;  // the rate set's Wmo spending per inhabitant
        // Wmo service use of a person sharing a household and of a person living alone.
        std::array<double, n_wmo_services> wmo_shared{}, wmo_alone{};
        std::array<double, n_spending> spending{};
    };
    std::vector<Row> rows_ = std::vector<Row>(n_sexes * n_ages);
    double cost_index_ = 1;
    double real_index_ = 1;  // real growth only: turns spending into hours at base prices

    IndicatorId gp_contacts_id_{}, gp_by_age_sex_{}, gp_patients_{}, gp_fte_{}, wmo_clients_{},
        nursing_hours_{}, zvw_{}, wlz_{}, wmo_{}, jeugd_{};
    std::array<IndicatorId, n_wmo_services> wmo_service_{};
    std::array<IndicatorId, n_zvw_categories> zvw_by_category_{};
};

}  // namespace socialtwin
