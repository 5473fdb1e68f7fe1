#pragma once
// `socialtwin export RESULT.h5 -o FILE.xlsx|FILE.csv`: a result as spreadsheets a planner opens in
// Excel or LibreOffice (docs/export.md).
//
//   xlsx  a first sheet about the file (scenario, dataset, engine, years, disclosure, what is
//         modelled, /meta), one sheet per level (the file's own areas, then each /aggregates
//         level) and theme (theme_of below), and a sheet of sources: every indicator with its
//         units, kind, description and source. Needs libxlsxwriter (optional in the build).
//   csv   one file per level: FILE.csv for the first level written (the file's own areas unless
//         --levels says otherwise), FILE_<level>.csv for each other (csv_level_path), every
//         indicator of every theme.
//
// Each level table is tidy and wide: one row per (year, area), the year, the area's code and its
// names (buurt_name ...), then a column per indicator headed "long_name [unit_label]"; an
// indicator over more dimensions (sex x age_band, dwelling_type x tenure) has a column per
// combination ("population by age sex [persons] female 65-69"), so that every sheet of a level
// has the same rows and a filter on an area shows all its figures. NaN is an empty cell.
//
// With a disclosure rule the values written are exactly those of the published HDF5 copy
// (DisclosureControl, engine/results/publish.hpp). All files appear only when all are complete.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/csv.hpp"
#include "engine/results/publish.hpp"

namespace socialtwin {

enum class ExportFormat { hdf5, xlsx, csv };

// The format named by --format ("hdf5", "xlsx", "csv"), or when `format` is empty the one the
// output's extension says (.h5 .hdf5 .nc or none: hdf5; .xlsx; .csv). Throws InputError naming the
// option or the file otherwise (e.g. .xls, .ods).
ExportFormat export_format(const std::string& format, const std::filesystem::path& output);

// Sheet names and fixed labels: Dutch (the default) or English.
enum class SheetLanguage { nl, en };
SheetLanguage sheet_language(const std::string& language);  // "nl" or "en"; InputError otherwise

// The themes sheets group indicators by.
enum class Theme { population, households, housing, care, accessibility, costs, other };
// The theme of an indicator, from its name (theme_rules in the .cpp: one table, first match);
// `other` for a name no rule knows, so a new indicator is still exported.
Theme theme_of(std::string_view indicator);
std::string_view theme_name(Theme theme, SheetLanguage language);

// FILE.csv for the first level written; FILE_<level>.csv (e.g. x_buurt.csv) for each other.
std::filesystem::path csv_level_path(const std::filesystem::path& output, const std::string& level,
                                     bool first);

struct SpreadsheetOptions {
    std::filesystem::path source{};
    std::filesystem::path output{};
    ExportFormat format = ExportFormat::xlsx;  // xlsx or csv
    std::string disclosure{};                  // a rule's name, or "" for the exact values
    SheetLanguage language = SheetLanguage::nl;
    CsvDialect csv = csv_international;
    // The levels to write, by name ("pc6", "buurt" ...); empty: every level of the file. A
    // workbook of every PC6 area over 30 years is 100 MB or more; planners often want buurt up.
    std::vector<std::string> levels{};
};

struct SpreadsheetReport {
    std::vector<std::filesystem::path> files{};  // written
    std::vector<std::string> sheets{};           // xlsx: in order
    std::vector<std::string> levels{};           // written, in order
    bool disclosure = false;
    DisclosureRule rule{};                  // with disclosure
    std::string source_disclosure{};        // the source's own (a published file's), else ""
    std::size_t area_years = 0;             // at the first level written (levels.front())
    std::size_t suppressed_area_years = 0;  // of which suppressed
};

// Throws InputError for a bad source, option or output (an output that is one of the inputs).
SpreadsheetReport export_spreadsheet(const SpreadsheetOptions& options);
// One line for the console: the files written from `source`, the sheets or levels, and whether
// the values are exact, published by this export, or were published already.
std::string spreadsheet_summary(const SpreadsheetReport& report, const std::string& source);

}  // namespace socialtwin
