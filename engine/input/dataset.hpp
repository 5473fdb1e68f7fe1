#pragma once
// A dataset is a folder of plain files (see data/README.md): dataset.yaml (what it is, its
// provenance and which rate set it uses), areas.csv, population.csv; a rate set is a folder
// with rates.yaml and one CSV per process. Everything is checked on load; every problem names
// file:line:column and the column or key.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "engine/core/area_table.hpp"
#include "engine/core/cohort_projection.hpp"
#include "engine/core/facilities.hpp"
#include "engine/core/scenario.hpp"
#include "models/housing/construction.hpp"
#include "models/rate_set.hpp"

namespace socialtwin {

struct Dataset {
    std::string name;
    std::string title;
    std::filesystem::path directory;
    std::string area_level;  // "pc6", "pc4", "buurt" ...
    AreaTable areas;
    BasePopulation base;  // persons and dwellings on 1 January of base.year
    RateSet rates;
    // facilities.csv (optional): GP practices and other facilities open on 1 January of the
    // base year, in file order (engine/core/facilities.hpp).
    std::vector<Facility> facilities;
    // stock_changes.csv (optional): the baseline change of the dwelling stock per area and year,
    // and the trend after the data (models/housing/construction.hpp). Empty without the file;
    // never null. Shared with the models that read it.
    SharedBaselineStockChange baseline_stock = std::make_shared<const BaselineStockChange>();
    std::map<std::string, std::string> metadata;  // provenance, for result files
};

// Finds a dataset folder: `name_or_path` as a path (absolute, or relative to the scenario
// file's folder or the working directory) if it holds a dataset.yaml, else `name` below the
// data directory (`data_dir`, else $SOCIALTWIN_DATA, else the build's default)/datasets.
std::filesystem::path find_dataset(const std::string& name_or_path,
                                   const std::filesystem::path& scenario_dir,
                                   const std::optional<std::filesystem::path>& data_dir);

Dataset load_dataset(const std::filesystem::path& directory);
RateSet load_rate_set(const std::filesystem::path& directory);

// Completes a scenario with what only the dataset knows (base year) and checks what only the
// dataset can check: construction areas exist and years lie within the projection, facility
// changes name facilities and areas of the dataset (facilities_in_scenario). Throws
// InputError pointing at the scenario lines.
void bind_scenario_to_dataset(Scenario& scenario, const Dataset& dataset);

}  // namespace socialtwin
