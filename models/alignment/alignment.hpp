#pragma once
// Alignment: the projection's totals fixed to a table the scenario gives (`align:`), as LIAM2's
// align() and the PBL/CBS regional projection (aligned to the national one) do. A municipality
// that has its own prognosis, or a planner who wants the official projection's totals with the
// twin's detail below them, gets the model's distribution over areas, positions and single ages
// inside targets it chose, and sees how far the model was from them.
//
// A target cell is a region of the table's level (a gemeente, a wijk, or the whole dataset) x a
// sex group x an age group. Each year the phase runs after migration, when every flow that
// moves persons is done:
//  - apply() records each area's persons at year end per target cell (before alignment);
//  - settle() sums them per region and sets the factor target / projected of every cell;
//  - complete() moves the area to the target: the cohort core scales every (sex, age,
//    position) count of the cell by the factor; the agent core lets each person of a cell
//    with factor < 1 leave with probability 1 - factor, and draws extra arrivals from the
//    area's own sex-age-position mix of a cell with factor > 1. The cohort core hits the
//    target exactly, the agent core in expectation.
// Removed persons count as out-migration, added persons as in-migration, so the population
// accounts still balance; the adjustment is reported per area, sex and age band.
//
// A scenario without `align:` does not have the phase at all: the model settles in no year,
// declares no indicators and changes nothing.

#include <cstddef>
#include <vector>

#include "engine/core/model.hpp"

namespace socialtwin {

// Random draws (agent core); never renumber. Residents who leave are keyed by their id;
// this year's arrivals without an id yet (newborns, in-migrants) by the area and their place
// among the area's arrivals; extra arrivals by the area and a draw index.
inline constexpr DrawStream alignment_out_stream{.name = "alignment_out", .number = 40};
inline constexpr DrawStream alignment_arrivals_out_stream{.name = "alignment_arrivals_out",
                                                          .number = 41};
inline constexpr DrawStream alignment_in_stream{.name = "alignment_in", .number = 42};

class AlignmentModel final : public Model {
public:
    std::string_view name() const override { return "alignment"; }
    Phase phase() const override { return Phase::alignment; }
    void configure(const Scenario& scenario) override;
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    bool settles_across_areas() const override { return !active_.empty(); }
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;
    void settle() override;
    void complete(AreaStep& step) const override;
    void complete(AgentAreaStep& step) const override;

    // The factor target / projected for a target cell: 1 (nothing to do) when the table gives
    // no target or the model projects nobody there (no one to scale up from).
    static double factor(double target, double projected) noexcept;

private:
    // A table aligned this year, and where its cells are.
    struct Active {
        const AlignmentTable* table = nullptr;
        const std::vector<double>* targets = nullptr;  // this year's
        const std::vector<int>* cell_of = nullptr;     // by sex * n_ages + age
        std::size_t offset = 0;  // first of its cells in an area's row of projected_
    };
    // The table aligning `area` this year (at most one: binding refuses overlaps), or null.
    const Active* active_for(std::size_t area) const noexcept;
    // Per table: the target cell (sex group x age group) of each (sex, age), or -1.
    std::vector<std::vector<int>> cell_of_;
    std::vector<std::size_t> offsets_;  // per table: its first cell in an area's row

    const std::vector<AlignmentTable>* tables_ = nullptr;  // the run's (begin_run on)
    bool aligns_ = false;                                  // the scenario has `align:` (configure)
    std::size_t n_areas_ = 0;
    std::size_t cells_ = 0;  // per area: every table's cells_per_region(), in table order
    std::vector<Active> active_;
    // Per area x cell: persons at year end before alignment (apply writes its own area's row).
    mutable std::vector<double> projected_;
    // Per area x cell: the factor settle() found for the area's region.
    std::vector<double> factors_;
    IndicatorId adjustment_ = 0, projected_id_ = 0;
};

}  // namespace socialtwin
