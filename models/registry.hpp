#pragma once
// Models plug in by name. A run asks the registry for the models it needs; an unknown name is
// an input error that suggests the nearest known one.
//
// Each entry also holds what its process declares (engine/core/parameters.hpp): the scenario
// settings it reads, the rates a scenario may change for it and its random streams. The scenario
// schema (engine/input/scenario_schema.cpp) is the core's keys plus these, so a new process adds
// its keys, levers and streams here and nowhere else.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/facilities.hpp"
#include "engine/core/model.hpp"
#include "engine/core/parameters.hpp"
#include "models/housing/construction.hpp"
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
    // The dataset's baseline stock change (stock_changes.csv; shared with the models that read
    // it). Null: none.
    SharedBaselineStockChange baseline_stock{};
};
std::vector<std::unique_ptr<Model>> create_models(const ModelInputs& inputs,
                                                  std::span<const std::string> names = {});

// What one registered process declares.
struct ModelDeclarations {
    std::string_view model{};                         // its registry name
    std::vector<const ParameterTable*> parameters{};  // scenario keys it reads, blocks first
    std::span<const RateLever> levers{};              // keys under `rates:`
    std::span<const DrawStream> streams{};            // its random streams (agent core)
    std::span<const PersonYearLane> lanes{};          // its lanes of the person-year stream
};

// Every registered model's declarations, in registry order.
std::span<const ModelDeclarations> model_declarations();

// The scenario parameters beyond the core's own keys: the models' in registry order, then the
// core's (scenario_parameters(): the businesscase).
std::vector<const ParameterTable*> declared_parameters();
// Every rate lever, in registry order: the names allowed under `rates:`.
std::vector<RateLever> declared_levers();
// Every random stream and person-year lane: the core's and the models'.
std::vector<DrawStream> declared_streams();
std::vector<PersonYearLane> declared_lanes();

// Declarations that collide: a stream number or lane index used twice, a lever or parameter
// path declared twice. One message each; empty when the registry is sound.
std::vector<std::string> declaration_conflicts();

}  // namespace socialtwin
