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
#include "models/housing/housing.hpp"

namespace socialtwin {

namespace {
struct Entry {
    std::string_view name;
    std::function<std::unique_ptr<Model>(const ModelInputs&)> make;
};

const std::array<Entry, 7>& registry() {
    static const std::array<Entry, 7> entries{{
        {"mortality",
         [](const ModelInputs& in) { return std::make_unique<MortalityModel>(in.rates); }},
        {"fertility",
         [](const ModelInputs& in) { return std::make_unique<FertilityModel>(in.rates); }},
        {"migration",
         [](const ModelInputs& in) { return std::make_unique<MigrationModel>(in.rates); }},
        {"household_positions",
         [](const ModelInputs& in) { return std::make_unique<HouseholdPositionsModel>(in.rates); }},
        {"housing", [](const ModelInputs& in) { return std::make_unique<HousingModel>(in.rates); }},
        {"care", [](const ModelInputs& in) { return std::make_unique<CareModel>(in.rates); }},
        {"accessibility",
         [](const ModelInputs& in) { return std::make_unique<AccessibilityModel>(in.facilities); }},
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
        for (const Entry& e : registry()) models.push_back(e.make(inputs));
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
        models.push_back(it->make(inputs));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return models;
}

}  // namespace socialtwin
