#include "models/registry.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "engine/core/errors.hpp"
#include "engine/core/suggest.hpp"
#include "models/care/care.hpp"
#include "models/demography/demography.hpp"
#include "models/households/household_positions.hpp"
#include "models/housing/housing.hpp"

namespace socialtwin {

namespace {
struct Entry {
    std::string_view name;
    std::function<std::unique_ptr<Model>(const RateSet&)> make;
};

const std::array<Entry, 6>& registry() {
    static const std::array<Entry, 6> entries{{
        {"mortality", [](const RateSet& r) { return std::make_unique<MortalityModel>(r); }},
        {"fertility", [](const RateSet& r) { return std::make_unique<FertilityModel>(r); }},
        {"migration", [](const RateSet& r) { return std::make_unique<MigrationModel>(r); }},
        {"household_positions",
         [](const RateSet& r) { return std::make_unique<HouseholdPositionsModel>(r); }},
        {"housing", [](const RateSet& r) { return std::make_unique<HousingModel>(r); }},
        {"care", [](const RateSet& r) { return std::make_unique<CareModel>(r); }},
    }};
    return entries;
}

}  // namespace

std::span<const std::string_view> model_names() noexcept {
    static const std::array<std::string_view, 6> names = [] {
        std::array<std::string_view, 6> n{};
        for (std::size_t i = 0; i < n.size(); ++i) n[i] = registry()[i].name;
        return n;
    }();
    return names;
}

std::vector<std::unique_ptr<Model>> create_models(const RateSet& rates,
                                                  std::span<const std::string> names) {
    std::vector<std::unique_ptr<Model>> models;
    if (names.empty()) {
        for (const Entry& e : registry()) models.push_back(e.make(rates));
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
        models.push_back(it->make(rates));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return models;
}

}  // namespace socialtwin
