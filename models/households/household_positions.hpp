#pragma once
// Household positions move with life events: leaving the parental home, partnering,
// separation, widowhood, a first child, the last child leaving, moving into an institution.
// The baseline rates (probability per year by sex, age on 1 January, from- and to-position)
// reproduce the observed cross-section for a stationary population; the scenario scales each
// event by its own lever. The cohort core applies them as a Markov matrix per sex and age.

#include <array>
#include <cstdint>
#include <vector>

#include "engine/core/model.hpp"
#include "models/demography/demography.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// The rates a scenario can change for household events (keys under `rates:`).
inline constexpr RateLever leaving_home_lever{
    .name = "leaving_home",
    .meaning = "Probability that a child living at home leaves the parental home."};
inline constexpr RateLever partnering_lever{
    .name = "partnering", .meaning = "Probability that a single person starts to live together."};
inline constexpr RateLever separation_lever{.name = "separation",
                                            .meaning = "Probability that a couple separates."};
inline constexpr RateLever family_formation_lever{
    .name = "family_formation",
    .meaning = "Probability that a couple or single gets a first child."};
inline constexpr RateLever institution_lever{
    .name = "institution", .meaning = "Probability of moving into an institution (care home)."};
inline constexpr RateLever living_alone_lever{
    .name = "living_alone",
    .meaning =
        "Share of persons of each sex and age who live alone, relative to the baseline "
        "(which already rises by the rate set's living_alone_trend each year); the "
        "persons it adds come from couples without children and other members of a "
        "household, in proportion."};

// Random draws (agent core). Stream 4 stays reserved: the draws now come from the lane.
inline constexpr DrawStream household_positions_stream{.name = "household_positions", .number = 4};
inline constexpr PersonYearLane household_positions_lane{.name = "household_positions", .index = 1};

using TransitionMatrix = std::array<std::array<double, n_positions>, n_positions>;

// The scenario lever of each household event, or nullptr; widowhood follows the partner's
// mortality.
const RateLever* household_event_lever(HouseholdEvent event) noexcept;

class HouseholdPositionsModel final : public Model {
public:
    explicit HouseholdPositionsModel(const RateSet& rates);
    std::string_view name() const override { return "household_positions"; }
    Phase phase() const override { return Phase::household_positions; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // This year's matrix for a sex and age on 1 January: row = from, column = to; rows sum to 1.
    const TransitionMatrix& matrix(int sex, int age) const { return matrices_[at(sex)][at(age)]; }
    // Cohort core: where apply() writes each area's expected entrants into an institution this
    // year, by sex and age at year end (areas x n_sexes x n_ages), for the institution moves
    // (models/households/institution_moves.hpp); null: not recorded.
    void record_institution_entrants(std::vector<double>* per_area) noexcept {
        institution_entrants_ = per_area;
    }

private:
    static constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    BySexAge<TransitionMatrix> matrices_{};
    // The same without the widowhood moves, for persons whose partner is modelled (agent core).
    BySexAge<TransitionMatrix> without_widowhood_{};
    // Agent core without a local mix: each row's cumulative probabilities (cumulative()), the
    // draws' thresholds, made once a year.
    BySexAge<TransitionMatrix> cumulative_{};
    BySexAge<TransitionMatrix> cumulative_without_widowhood_{};
    std::vector<double>* institution_entrants_ = nullptr;  // each area writes its own entries
    // The gemeente's own mix: per gemeente, this year's net moves between positions that,
    // after the baseline matrix, turn the gemeente's mix of age a into its mix of age a+1, with
    // the trend to living alone (empty: none); each area's gemeente; the base-year persons per
    // gemeente (CohortCell layout); the baseline matrices of the rate set, without levers.
    std::vector<BySexAge<TransitionMatrix>> local_mix_;
    std::vector<std::size_t> gemeente_of_;
    std::vector<std::array<double, CohortCell::size>> base_persons_;
    BySexAge<TransitionMatrix> baseline_{};
    // Cohort core: per gemeente, this year's matrices followed by the gemeente's local mix
    // (row_in_gemeente for every row), made once a year in begin_year rather than for every area
    // (empty in the agent core, which composes only the rows of its persons).
    std::vector<BySexAge<TransitionMatrix>> in_gemeente_;
    bool agents_ = false;
    int base_year_ = 0;
    // Names this object's matrices of this year among all HouseholdPositionsModels' of the
    // process (a new number every begin_year), so a thread's cache of composed rows
    // (apply(AgentAreaStep&)) is never taken for another model's or another year's.
    std::uint64_t matrices_serial_ = 0;
    void local_mix_of_year(int year);
    // The row of `from` of `m` followed by the gemeente's local-mix matrix for this sex and age.
    std::array<double, n_positions> row_in_gemeente(const TransitionMatrix& m, std::size_t gemeente,
                                                    int sex, int age, int from) const;
    // This year's death probability of the partner of a person of this sex and age on 1
    // January, over the one the baseline widowhood rate was made from: the partner is the rate
    // set's partner_age_gap older (a woman's) or younger (a man's), as the rates assume
    // (data/prepare/rate_set.py) and the agent core pairs; between whole ages, linear.
    double partner_mortality_change(int sex, int age, int year) const;
};

}  // namespace socialtwin
