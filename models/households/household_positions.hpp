#pragma once
// Household positions move with life events: leaving the parental home, partnering,
// separation, widowhood, a first child, the last child leaving, moving into an institution.
// The baseline rates (probability per year by sex, age on 1 January, from- and to-position)
// reproduce the observed cross-section for a stationary population; the scenario scales each
// event by its own lever. The cohort core applies them as a Markov matrix per sex and age.

#include <array>

#include "engine/core/model.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

using TransitionMatrix = std::array<std::array<double, n_positions>, n_positions>;

// The scenario lever of each household event; widowhood follows the partner's mortality.
std::optional<RateTarget> household_event_lever(HouseholdEvent event) noexcept;

class HouseholdPositionsModel final : public Model {
public:
    explicit HouseholdPositionsModel(const RateSet& rates);
    std::string_view name() const override { return "household_positions"; }
    Phase phase() const override { return Phase::household_positions; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override { scenario_ = run.scenario; }
    void begin_year(int year) override;
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // This year's matrix for a sex and age on 1 January: row = from, column = to; rows sum to 1.
    const TransitionMatrix& matrix(int sex, int age) const { return matrices_[at(sex)][at(age)]; }

private:
    static constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
    const RateSet& rates_;
    const Scenario* scenario_ = nullptr;
    BySexAge<TransitionMatrix> matrices_{};
    // The same without the widowhood moves, for persons whose partner is modelled (agent core).
    BySexAge<TransitionMatrix> without_widowhood_{};
};

}  // namespace socialtwin
