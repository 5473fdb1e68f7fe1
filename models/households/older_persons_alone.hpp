#pragma once
// Older persons living alone (alleenstaande ouderen): per area, the residents aged at least
// `older_persons_alone.age_min` (default 75) whose household position is living alone, on
// 1 January. A key risk group for loneliness, Wmo home help and informal care that municipal
// planners track (e.g. the Gemeentelijke Monitor Sociaal Domein): "how many 75-plussers will live
// alone in 2035 in this wijk?". It counts what the household processes project, so it has no
// rates, levers or draws of its own. Persons in institutions and those sharing a household do
// not count.

#include "engine/core/model.hpp"
#include "engine/core/parameters.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// Defaults are declared in older_persons_alone_parameters(), not here.
struct OlderPersonsAloneSettings {
    int age_min{};  // [years] the youngest age counted
};

// The `older_persons_alone` block of the scenario.
const Parameters<OlderPersonsAloneSettings>& older_persons_alone_parameters();

class OlderPersonsAloneModel final : public Model {
public:
    std::string_view name() const override { return "older_persons_alone"; }
    // The care phase reads the 1 January stocks, which the household processes of last year set.
    Phase phase() const override { return Phase::care; }
    void configure(const Scenario& scenario) override {
        settings_ = older_persons_alone_parameters().bind(scenario.parameters);
    }
    void declare_indicators(IndicatorCatalog& catalog) override;
    void apply(AreaStep& step) const override;

private:
    OlderPersonsAloneSettings settings_{};
    IndicatorId older_alone_{};
};

}  // namespace socialtwin
