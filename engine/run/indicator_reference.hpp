#pragma once
// The indicator table of docs/output-schema.md, generated from what the core and every
// registered process declare (IndicatorSpec), so that a new process documents its indicators by
// declaring them and the doc cannot drift from the result file's attributes.

#include <string>
#include <string_view>

namespace socialtwin {

// The markers around the generated part of docs/output-schema.md; the rest is hand-written.
inline constexpr std::string_view indicator_table_begin =
    "<!-- generated: indicators (socialtwin schema --indicators); do not edit between the "
    "markers. Regenerate with\n     SOCIALTWIN_UPDATE_DOCS=1 socialtwin_unit_tests "
    "--gtest_filter='IndicatorReference.*' -->\n";
inline constexpr std::string_view indicator_table_end = "<!-- end generated -->\n";

// One Markdown row per indicator a full run declares -- the core's accounts first, then each
// registered model's in registry order -- with its dims, units, kind (stock/flow, cost, a
// measure's weight) and description. Made as a full run makes them, with a default scenario, a
// rate set at 2022 prices and one GP practice (so the facility indicators appear: one distance
// per facility type of the run; the table shows the GP practice's). Begins and ends with the
// markers above.
std::string indicator_reference_markdown();

// `doc` with the text between the markers replaced by `generated` (markers included); throws
// std::runtime_error when the doc lacks the markers.
std::string with_generated_indicators(const std::string& doc, const std::string& generated);

}  // namespace socialtwin
