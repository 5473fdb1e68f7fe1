#include "models/registry.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "engine/core/errors.hpp"
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

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
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

std::optional<std::string> nearest_name(std::string_view name,
                                        std::span<const std::string_view> candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (std::string_view c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(c);
        }
    }
    return best;
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
            InputProblem p;
            p.where.key_path = "models";
            p.message = "unknown model '" + name + "'";
            if (auto near = nearest_name(name, model_names())) p.hint = "did you mean '" + *near + "'?";
            problems.push_back(std::move(p));
            continue;
        }
        models.push_back(it->make(rates));
    }
    if (!problems.empty()) throw InputError(std::move(problems));
    return models;
}

}  // namespace socialtwin
