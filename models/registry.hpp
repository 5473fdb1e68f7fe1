#pragma once
// Models plug in by name. A run asks the registry for the models it needs; an unknown name is
// an input error that suggests the nearest known one.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/core/facilities.hpp"
#include "engine/core/model.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

// Every registered model name, in the order a full run uses them.
std::span<const std::string_view> model_names() noexcept;

// Creates the named models (all of them when `names` is empty), reading `rates`, which must
// outlive them. A name may stand for several models made together (migration: its parts share
// the housing market's state). Throws InputError for an unknown name.
std::vector<std::unique_ptr<Model>> create_models(const RateSet& rates,
                                                  std::span<const std::string> names = {});

// What models are made from: the rate set (which must outlive them) and the run's facilities
// (the dataset's with the scenario's changes, facilities_in_scenario; copied). The
// accessibility model needs the facilities before the run, to declare an indicator per type.
struct ModelInputs {
    const RateSet& rates;
    std::span<const Facility> facilities{};
};
std::vector<std::unique_ptr<Model>> create_models(const ModelInputs& inputs,
                                                  std::span<const std::string> names = {});

}  // namespace socialtwin
