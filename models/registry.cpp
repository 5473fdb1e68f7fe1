#include "models/registry.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "engine/core/errors.hpp"
#include "engine/core/random.hpp"
#include "engine/core/scenario.hpp"
#include "engine/core/suggest.hpp"
#include "models/alignment/alignment.hpp"
#include "models/care/care.hpp"
#include "models/demography/demography.hpp"
#include "models/facilities/accessibility.hpp"
#include "models/households/household_positions.hpp"
#include "models/households/institution_moves.hpp"
#include "models/households/older_persons_alone.hpp"
#include "models/households/partner_matching.hpp"
#include "models/housing/housing.hpp"
#include "models/housing/housing_market.hpp"
#include "models/migration/in_migration.hpp"
#include "models/migration/out_migration.hpp"

namespace socialtwin {

namespace {
struct Entry {
    // One model, or the parts of one process that share state (made together, in the order
    // they run within their phase).
    std::function<std::vector<std::unique_ptr<Model>>(const ModelInputs&)> make;
    ModelDeclarations declares;
};

template <class M, class... Args>
std::vector<std::unique_ptr<Model>> one(Args&&... args) {
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::make_unique<M>(std::forward<Args>(args)...));
    return models;
}

// Migration: out-migration across the border, the municipal housing market (moves and the
// room for in-migrants), partner matching across areas, in-migration into the room admitted.
// The market owns what they share; the others reach it through a reference, so they are made
// together and live as long as each other. Their order is their order within the phase: who
// leaves before the market sees the room; the seekers after the moves; in-migrants after the
// movers (the agent core numbers arrivals in that order).
std::vector<std::unique_ptr<Model>> migration(const ModelInputs& in) {
    auto market = std::make_unique<HousingMarket>(in.rates, in.baseline_stock);
    auto out = std::make_unique<OutMigrationModel>(in.rates, market->construction());
    auto partners = std::make_unique<PartnerMatchingModel>(*market, in.rates.partner_age_gap);
    auto arrivals = std::make_unique<InMigrationModel>(in.rates, *market);
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::move(out));
    models.push_back(std::move(market));
    models.push_back(std::move(partners));
    models.push_back(std::move(arrivals));
    return models;
}

constexpr std::array<DrawStream, 1> mortality_streams{mortality_stream};
constexpr std::array<PersonYearLane, 1> mortality_lanes{mortality_lane};
constexpr std::array<RateLever, 1> mortality_levers{mortality_lever};
constexpr std::array<DrawStream, 2> fertility_streams{fertility_stream, newborn_stream};
constexpr std::array<RateLever, 1> fertility_levers{fertility_lever};
constexpr std::array<DrawStream, 5> migration_streams{migration_out_stream, migration_in_stream,
                                                      demolition_stream, moves_stream,
                                                      dwellings_for_stream};
constexpr std::array<PersonYearLane, 2> migration_lanes{migration_out_lane, moves_lane};
constexpr std::array<RateLever, 6> migration_levers{
    migration_in_lever,  immigration_lever, moves_from_other_gemeenten_lever,
    migration_out_lever, emigration_lever,  moves_to_other_gemeenten_lever};
// Household positions, and where those who enter an institution go: the moves read the
// positions model's entrants (cohort core), the arrivals the moves' destinations; made together.
std::vector<std::unique_ptr<Model>> household_positions(const ModelInputs& in) {
    auto positions = std::make_unique<HouseholdPositionsModel>(in.rates);
    auto moves = std::make_unique<InstitutionMoves>(*positions, in.facilities);
    auto arrivals = std::make_unique<InstitutionArrivals>(*moves);
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::move(positions));
    models.push_back(std::move(moves));
    models.push_back(std::move(arrivals));
    return models;
}

constexpr std::array<DrawStream, 2> household_streams{household_positions_stream,
                                                      institution_moves_stream};
constexpr std::array<PersonYearLane, 1> household_lanes{household_positions_lane};
constexpr std::array<RateLever, 6> household_levers{leaving_home_lever, partnering_lever,
                                                    separation_lever,   family_formation_lever,
                                                    institution_lever,  living_alone_lever};
constexpr std::array<DrawStream, 3> alignment_streams{
    alignment_out_stream, alignment_arrivals_out_stream, alignment_in_stream};
// The core draws these itself (engine/core/random.hpp).
constexpr std::array<DrawStream, 2> core_streams{synthesis_stream, person_year_stream};

const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries{
        {.make = [](const ModelInputs& in) { return one<MortalityModel>(in.rates); },
         .declares = {.model = "mortality",
                      .levers = mortality_levers,
                      .streams = mortality_streams,
                      .lanes = mortality_lanes}},
        {.make = [](const ModelInputs& in) { return one<FertilityModel>(in.rates); },
         .declares = {.model = "fertility",
                      .levers = fertility_levers,
                      .streams = fertility_streams}},
        {.make = migration,
         .declares = {.model = "migration",
                      .levers = migration_levers,
                      .streams = migration_streams,
                      .lanes = migration_lanes}},
        {.make = household_positions,
         .declares = {.model = "household_positions",
                      .parameters = {&institution_parameters()},
                      .levers = household_levers,
                      .streams = household_streams,
                      .lanes = household_lanes}},
        // Only a scenario with `align:` gives it anything to do (docs/model.md, Alignment).
        {.make = [](const ModelInputs&) { return one<AlignmentModel>(); },
         .declares = {.model = "alignment", .streams = alignment_streams}},
        {.make =
             [](const ModelInputs& in) { return one<HousingModel>(in.rates, in.baseline_stock); },
         .declares = {.model = "housing", .parameters = {&housing_parameters()}}},
        {.make = [](const ModelInputs& in) { return one<CareModel>(in.rates); },
         .declares = {.model = "care",
                      .parameters = {&care_parameters(), &cost_parameters()},
                      .levers = care_levers}},
        {.make = [](const ModelInputs&) { return one<OlderPersonsAloneModel>(); },
         .declares = {.model = "older_persons_alone",
                      .parameters = {&older_persons_alone_parameters()}}},
        {.make = [](const ModelInputs& in) { return one<AccessibilityModel>(in.facilities); },
         .declares = {.model = "accessibility"}},
    };
    return entries;
}

}  // namespace

std::span<const std::string_view> model_names() noexcept {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> n;
        for (const Entry& e : registry()) n.push_back(e.declares.model);
        return n;
    }();
    return names;
}

std::span<const ModelDeclarations> model_declarations() {
    static const std::vector<ModelDeclarations> declarations = [] {
        std::vector<ModelDeclarations> d;
        for (const Entry& e : registry()) d.push_back(e.declares);
        return d;
    }();
    return declarations;
}

std::vector<const ParameterTable*> declared_parameters() {
    std::vector<const ParameterTable*> tables;
    for (const ModelDeclarations& m : model_declarations())
        tables.insert(tables.end(), m.parameters.begin(), m.parameters.end());
    tables.push_back(&scenario_parameters());
    return tables;
}

std::vector<RateLever> declared_levers() {
    std::vector<RateLever> levers;
    for (const ModelDeclarations& m : model_declarations())
        levers.insert(levers.end(), m.levers.begin(), m.levers.end());
    return levers;
}

std::vector<DrawStream> declared_streams() {
    std::vector<DrawStream> streams(core_streams.begin(), core_streams.end());
    for (const ModelDeclarations& m : model_declarations())
        streams.insert(streams.end(), m.streams.begin(), m.streams.end());
    return streams;
}

std::vector<PersonYearLane> declared_lanes() {
    std::vector<PersonYearLane> lanes;
    for (const ModelDeclarations& m : model_declarations())
        lanes.insert(lanes.end(), m.lanes.begin(), m.lanes.end());
    return lanes;
}

std::vector<std::string> declaration_conflicts() {
    std::vector<std::string> conflicts = numbering_conflicts(declared_streams(), declared_lanes());
    const std::vector<RateLever> levers = declared_levers();
    for (std::size_t i = 0; i < levers.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (levers[i].name == levers[j].name)
                conflicts.push_back("rate lever '" + std::string{levers[i].name} +
                                    "' is declared twice");
    std::vector<std::string_view> paths;
    for (const ParameterTable* table : declared_parameters())
        for (const ParameterDeclaration& d : table->declarations()) {
            if (std::find(paths.begin(), paths.end(), d.path) != paths.end())
                conflicts.push_back("parameter '" + std::string{d.path} + "' is declared twice");
            paths.push_back(d.path);
        }
    return conflicts;
}

std::vector<std::unique_ptr<Model>> create_models(const RateSet& rates,
                                                  std::span<const std::string> names) {
    return create_models(ModelInputs{.rates = rates}, names);
}

std::vector<std::unique_ptr<Model>> create_models(const ModelInputs& inputs,
                                                  std::span<const std::string> names) {
    std::vector<std::unique_ptr<Model>> models;
    if (names.empty()) {
        for (const Entry& e : registry())
            for (auto& model : e.make(inputs)) models.push_back(std::move(model));
        return models;
    }
    std::vector<InputProblem> problems;
    for (const std::string& name : names) {
        const auto it = std::find_if(registry().begin(), registry().end(),
                                     [&](const Entry& e) { return e.declares.model == name; });
        if (it == registry().end()) {
            problems.push_back(
                problem_at(where_in("", 0, 0, "models"), "unknown model '" + name + "'",
                           did_you_mean(name, {model_names().begin(), model_names().end()})));
            continue;
        }
        for (auto& model : it->make(inputs)) models.push_back(std::move(model));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return models;
}

}  // namespace socialtwin
