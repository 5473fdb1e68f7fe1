#pragma once
// Reads the tables a scenario aligns to (`align:`, engine/core/scenario.hpp AlignmentTable)
// against the dataset: which areas each region holds, which cells (sex x age group) the table
// aligns, and the target of every region, cell and year. Every problem names the table's file,
// line, column and key, or the scenario line of the entry.
//
// A table is CSV with the columns <level> (area codes of that level; absent for `total`),
// `year` (targets for 1 January of that year), `sex` (optional: male, female), `age_band`
// (optional: "0-14", "65+", "40"; bands may not overlap) and `population` (persons).

#include "engine/core/area_table.hpp"
#include "engine/core/scenario.hpp"

namespace socialtwin {

// Fills the dataset-dependent part of every entry of scenario.alignment (base_year must be
// bound). Throws InputError with every problem found: an unknown level, a table that cannot be
// read or lacks a column, an unknown area code or age band, overlapping bands, a duplicate row,
// a negative or non-numeric population, a year outside base_year + 1 .. base_year + horizon
// (rows outside an entry's from..to are left out, not checked), two tables aligning the same
// area in the same year.
void read_alignment_tables(Scenario& scenario, const AreaTable& areas);

}  // namespace socialtwin
