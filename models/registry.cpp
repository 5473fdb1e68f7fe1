#include "models/registry.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "engine/core/errors.hpp"
#include "engine/core/suggest.hpp"
#include "models/care/care.hpp"
#include "models/demography/demography.hpp"
#include "models/facilities/accessibility.hpp"
#include "models/households/household_positions.hpp"
#include "models/households/partner_matching.hpp"
#include "models/housing/housing.hpp"
#include "models/housing/housing_market.hpp"
#include "models/migration/in_migration.hpp"
#include "models/migration/out_migration.hpp"

namespace socialtwin {

namespace {
struct Entry {
    std::string_view name;
    // One model, or the parts of one process that share state (made together, in the order
    // they run within their phase).
    std::function<std::vector<std::unique_ptr<Model>>(const ModelInputs&)> make;
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
    auto market = std::make_unique<HousingMarket>(in.rates);
    auto out = std::make_unique<OutMigrationModel>(in.rates, market->construction());
    auto partners = std::make_unique<PartnerMatchingModel>(*market);
    auto arrivals = std::make_unique<InMigrationModel>(in.rates, *market);
    std::vector<std::unique_ptr<Model>> models;
    models.push_back(std::move(out));
    models.push_back(std::move(market));
    models.push_back(std::move(partners));
    models.push_back(std::move(arrivals));
    return models;
}

const std::array<Entry, 7>& registry() {
    static const std::array<Entry, 7> entries{{
        {"mortality", [](const ModelInputs& in) { return one<MortalityModel>(in.rates); }},
        {"fertility", [](const ModelInputs& in) { return one<FertilityModel>(in.rates); }},
        {"migration", migration},
        {"household_positions",
         [](const ModelInputs& in) { return one<HouseholdPositionsModel>(in.rates); }},
        {"housing", [](const ModelInputs& in) { return one<HousingModel>(in.rates); }},
        {"care", [](const ModelInputs& in) { return one<CareModel>(in.rates); }},
        {"accessibility",
         [](const ModelInputs& in) { return one<AccessibilityModel>(in.facilities); }},
    }};
    return entries;
}

}  // namespace

std::span<const std::string_view> model_names() noexcept {
    static const std::array<std::string_view, 7> names = [] {
        std::array<std::string_view, 7> n{};
        for (std::size_t i = 0; i < n.size(); ++i) n[i] = registry()[i].name;
        return n;
    }();
    return names;
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
                                     [&](const Entry& e) { return e.name == name; });
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
