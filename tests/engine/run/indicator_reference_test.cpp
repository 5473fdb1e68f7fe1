#include "engine/run/indicator_reference.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace socialtwin {
namespace {

const std::string schema_file = std::string{SOCIALTWIN_SOURCE_DIR} + "/docs/output-schema.md";

std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The doc's table is regenerated only on purpose: with SOCIALTWIN_UPDATE_DOCS=1 this test
// rewrites the generated part instead of comparing.
TEST(IndicatorReference, OutputSchemaDocListsTheDeclaredIndicators) {
    const std::string doc = read_text(schema_file);
    const std::string updated = with_generated_indicators(doc, indicator_reference_markdown());
    if (std::getenv("SOCIALTWIN_UPDATE_DOCS")) {
        std::ofstream(schema_file, std::ios::binary) << updated;
        GTEST_SKIP() << "wrote " << schema_file;
    }
    EXPECT_TRUE(doc == updated)
        << "docs/output-schema.md's indicator table differs from the indicators the core and "
           "the models declare (IndicatorSpec). Regenerate it with\n  SOCIALTWIN_UPDATE_DOCS=1 "
           "socialtwin_unit_tests --gtest_filter='IndicatorReference.*'\n(or paste `socialtwin "
           "schema --indicators` between its markers) and commit it.";
}

TEST(IndicatorReference, ListsTheCoresAndEveryModelsIndicators) {
    const std::string md = indicator_reference_markdown();
    for (const char* name :
         {"population", "births", "households", "dwellings_stock", "gp_contacts", "cost_zvw_gp_eur",
          "older_persons_alone", "distance_to_gp_practice_km", "gp_practice_capacity_pressure"})
        EXPECT_NE(md.find("| `" + std::string{name} + "` |"), std::string::npos)
            << name << " is not listed";
}

TEST(IndicatorReference, ReplacesOnlyTheTextBetweenTheMarkers) {
    const std::string doc = "# Head\n\n" + std::string{indicator_table_begin} + "old\n" +
                            std::string{indicator_table_end} + "\nTail\n";
    const std::string table =
        std::string{indicator_table_begin} + "new\n" + std::string{indicator_table_end};
    EXPECT_EQ(with_generated_indicators(doc, table), "# Head\n\n" + table + "\nTail\n");
    EXPECT_THROW(with_generated_indicators("# No markers\n", table), std::runtime_error);
}

}  // namespace
}  // namespace socialtwin
