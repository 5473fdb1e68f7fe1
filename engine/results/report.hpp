#pragma once
// `socialtwin report BASE.h5 [SCENARIO.h5 ...] -o report.html [--lang nl|en] [--pdf report.pdf]
// [--level buurt|wijk|pc4] [--map-indicator NAME]`: one self-contained HTML file a planner can
// send to a council (inline CSS and SVG, no script, no external reference), Dutch by default:
//
//   - the headline table of every scenario against the baseline (compare's figures,
//     engine/results/compare.hpp, in the report's number format);
//   - population pyramids (base year and horizon) and trajectories per scenario: population, 65+,
//     80+, households by type, dwellings needed against the stock, GP FTE needed against
//     available, Wmo clients by service, district-nursing hours and costs by scheme, with the
//     p5-p95 band over replicates where the result has replicates;
//   - a map of the areas of a level coloured by an indicator's change, and the areas with the
//     largest changes;
//   - what was assumed (each scenario's description and levers), the data's sources and what is
//     modelled, the engine version and commit of every result.
//
// The PDF is the same page printed by headless Chromium (an optional Debian package: the main
// job never needs it).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/results/report_text.hpp"

namespace socialtwin {

struct ReportOptions {
    std::vector<std::filesystem::path> results;  // the first is the baseline
    std::filesystem::path output;                // the HTML file
    std::filesystem::path pdf;                   // empty: no PDF
    ReportLanguage language = ReportLanguage::nl;
    std::string level;  // "" = buurt, wijk or pc4, the first the results have
    std::string map_indicator = "population";  // (year, area), a count or amount
};

struct ReportSummary {
    std::filesystem::path html, pdf;
    std::size_t charts = 0;              // drawn
    std::vector<std::string> not_drawn;  // chart titles whose indicators the results lack
};

// Checks every input (results of one dataset: the same areas and years; InputError naming the
// file and what differs), the level and the map indicator, and Chromium when a PDF is asked for,
// before writing anything; then writes the HTML (and the PDF) each through a temporary name.
ReportSummary write_report(const ReportOptions& options);

// The report's HTML from the results, without writing it (the unit tests read it).
std::string report_html(const ReportOptions& options, ReportSummary* summary = nullptr);

// The Chromium to print with: $SOCIALTWIN_CHROMIUM, else `chromium` or `chromium-browser` on
// PATH. Throws InputError (key `--pdf`) naming the Debian package when there is none.
std::filesystem::path find_chromium();
// Prints `html` to `pdf` with headless Chromium (through a temporary name, renamed when Chromium
// has written a PDF); ends Chromium and throws std::runtime_error after `timeout`.
void print_to_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
                  std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace socialtwin
