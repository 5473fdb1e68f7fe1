#pragma once
// What a dataset holds that a scenario can name (`socialtwin areas DATASET`): its areas at any
// level (its own, pc4, buurt, wijk, gemeente), with names, the larger areas each lies in and the
// inhabitants and dwellings of the base year; and its facilities, each marked real or modelled.
// A planner writing `construction:` or `facilities:` looks the codes up here instead of in CSVs.

#include <string>
#include <vector>

#include "engine/input/dataset.hpp"

namespace socialtwin {

struct Listing {
    std::string heading;  // one line: what the rows are
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

// "1,816 pc6 areas in 14 buurten, 5 wijken, 1 gemeente; 84,880 inhabitants on 1 January 2019".
std::string dataset_overview(const Dataset& dataset);

// The areas at `level`: the dataset's own areas when `level` is empty or its area level, else the
// larger areas of an area attribute (buurt, wijk, pc4, gemeente). Throws InputError naming
// `--level` and the levels there are for any other.
Listing list_areas(const Dataset& dataset, const std::string& level);

// Every facility of the dataset: id, type, area, buurt, capacity and units, real or modelled,
// name.
Listing list_facilities(const Dataset& dataset);

// The rows as an aligned text table, or as CSV (`csv`).
std::string format_listing(const Listing& listing, bool csv);

}  // namespace socialtwin
