#pragma once
// The scenario's `housing` settings, declared once: read by the housing model (the vacancy a
// market needs) and by the housing market of the migration model (who may move in where).

#include "engine/core/enum_names.hpp"
#include "engine/core/parameters.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// Whether in-migration is limited by the room in the dwelling stock (the usual assumption of
// local housing-led projections) or follows the rates regardless (shows the demand).
enum class MigrationMode { housing_led, demand_led };
inline constexpr EnumNames<MigrationMode, 2> migration_mode_names{{"housing_led", "demand_led"}};

// Whether the dataset's baseline stock change (stock_changes.csv: CBS per gemeente, then the
// recent trend) changes the stock, or only a scenario's own programme does.
enum class BaselineStockChangeMode { observed_and_trend, none };
inline constexpr EnumNames<BaselineStockChangeMode, 2> baseline_stock_change_names{
    {"observed_and_trend", "none"}};

// Defaults are declared in housing_parameters(), not here.
struct HousingSettings {
    MigrationMode migration{};
    double frictional_vacancy{};        // [share of stock] vacancy needed for moves to happen
    double persons_per_new_dwelling{};  // [persons] 0 = the rate set's mean household size
    // [share] of the households moving inside the municipality who look for a dwelling in their
    // own buurt only (an assumption; the rest look over the whole municipality).
    double own_buurt_share{};
    BaselineStockChangeMode baseline_stock_change{};
    // [share] how far households per dwelling may rise above the base year's before
    // in-migrants are refused (housing-led).
    double occupancy_rise_max{};
};

// The `housing` block of the scenario: key, unit, bounds, default and meaning of each setting.
const Parameters<HousingSettings>& housing_parameters();

// The scenario's housing settings, each not given taking its declared default.
HousingSettings housing_settings(const Scenario& scenario);

}  // namespace socialtwin
