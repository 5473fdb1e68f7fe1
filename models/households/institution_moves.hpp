#pragma once
// Where institution residents live. A person who enters an institution this year (the household
// positions phase put them in the position `institution`) moves to an area with a nursing home
// (facility type `nursing_home`, capacity in clients): within their gemeente, to an area in
// proportion to its open capacity; when the gemeente has none, to the nearest area with capacity
// over the area graph. CBS registers institution residents at the home's address, so PC4/buurt
// figures and care demand per area count them there. Persons already in an institution on
// 1 January of the base year stay where they are. `institutions.located: false` keeps every
// entrant in their own area (the behaviour before this process).
//
// Two parts, made together with the household positions model (models/registry.cpp):
//   - InstitutionMoves (phase household_positions, after the positions are drawn): the entrants
//     whose home lies in another area leave at once, so that the year's migration does not touch
//     them (cohort: expected counts by sex and age, each area's entrants times the shares of the
//     other areas; agent: one draw per person and year on institution_moves_stream);
//   - InstitutionArrivals (phase migration, settles with the housing market): they arrive in the
//     home's area. Neither core exposes them to that year's migration (the agent core brings
//     every mover in at the year's end anyway). The destinations are known from begin_year on
//     (capacity this year), so only the arrivals need every area at once: the household
//     positions phase does not settle, and the agent core's per-person draws of the first
//     segment (migration's included) stay where they are.

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/core/facilities.hpp"
#include "engine/core/model.hpp"
#include "engine/core/parameters.hpp"
#include "engine/core/types.hpp"
#include "models/households/household_positions.hpp"

namespace socialtwin {

// Random draws of the destination (agent core); never renumber.
inline constexpr DrawStream institution_moves_stream{.name = "institution_moves", .number = 50};

enum class InstitutionLocation { at_facilities, where_they_lived };
inline constexpr EnumNames<InstitutionLocation, 2> institution_location_names{{"true", "false"}};

// Where the entrants of a gemeente without a home go.
enum class WithoutHome { nearest_home, stay };
inline constexpr EnumNames<WithoutHome, 2> without_home_names{{"nearest_home", "stay"}};

// Defaults are declared in institution_parameters(), not here.
struct InstitutionSettings {
    InstitutionLocation located{};
    WithoutHome without_home{};
};
const Parameters<InstitutionSettings>& institution_parameters();

class InstitutionMoves final : public Model {
public:
    // The facility type whose capacity receives institution entrants.
    static constexpr std::string_view nursing_home_type = "nursing_home";

    // `positions` must outlive the model (the registry makes both together): in the cohort core
    // it reports the year's entrants into an institution per area to this model.
    InstitutionMoves(HouseholdPositionsModel& positions, std::span<const Facility> facilities)
        : positions_(positions), facilities_(facilities.begin(), facilities.end()) {}
    std::string_view name() const override { return "institution_moves"; }
    Phase phase() const override { return Phase::household_positions; }
    void configure(const Scenario& scenario) override;
    void declare_indicators(IndicatorCatalog& catalog) override;
    void begin_run(const RunContext& run) override;
    void begin_year(int year) override;
    // Takes the area's entrants whose home lies in another area out of it: cohort, the expected
    // counts by sex and age; agent, the persons, each drawing a home.
    void apply(AreaStep& step) const override;
    void apply(AgentAreaStep& step) const override;

    // ---- What InstitutionArrivals uses, in its settle() -------------------------------------
    // Cohort core: the expected arrivals into every area by sex and age at year end (areas x
    // n_sexes x n_ages), from every area's entrants (written by the household positions model).
    void expected_arrivals(std::vector<double>& into) const;
    // Agent core: per area, the persons who left it this year and the area each goes to.
    const std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>>& leavers() const {
        return leavers_;
    }
    IndicatorId moves_in_indicator() const noexcept { return moves_in_; }
    bool located() const noexcept {
        return settings_.located == InstitutionLocation::at_facilities;
    }
    // This year: the share of an area's entrants who go to area `to` (for tests and reports).
    double destination_share(std::size_t from, std::size_t to) const;

private:
    HouseholdPositionsModel& positions_;
    std::vector<Facility> facilities_;
    InstitutionSettings settings_{};
    const AreaTable* areas_ = nullptr;
    int year_ = 0;
    IndicatorId moves_out_{}, moves_in_{};

    std::vector<std::size_t> gemeente_of_;  // per area
    // This year, per gemeente: the areas with open capacity and their cumulative shares; per
    // area: where its entrants go when its gemeente has none (the nearest area with capacity),
    // or none.
    std::vector<std::vector<std::size_t>> homes_;
    std::vector<std::vector<double>> cumulative_;
    std::vector<std::size_t> nearest_;

    // Cohort core: per area, the entrants by sex and age (written by the household positions
    // model). Agent core: per area, (person, destination) of those who left (each area its own).
    std::vector<double> entrants_;
    mutable std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> leavers_;

    // The area an entrant of `from` goes to, for a uniform number u in (0, 1).
    std::size_t destination(std::size_t from, double u) const;
};

class InstitutionArrivals final : public Model {
public:
    explicit InstitutionArrivals(const InstitutionMoves& moves) : moves_(moves) {}
    std::string_view name() const override { return "institution_arrivals"; }
    Phase phase() const override { return Phase::migration; }
    void declare_indicators(IndicatorCatalog&) override {}
    void begin_run(const RunContext& run) override;
    void apply(AreaStep&) const override {}
    bool settles_across_areas() const override { return true; }
    // Gathers each area's arrivals from the areas they left.
    void settle() override;
    void complete(AreaStep& step) const override;
    void complete(AgentAreaStep& step) const override;

private:
    const InstitutionMoves& moves_;
    bool agents_ = false;
    std::size_t n_areas_ = 0;
    std::vector<double> arrivals_;                      // cohort: areas x n_sexes x n_ages
    std::vector<std::vector<std::uint32_t>> arriving_;  // agent: per area, in area and id order
};

}  // namespace socialtwin
