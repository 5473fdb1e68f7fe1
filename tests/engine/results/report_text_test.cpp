#include "engine/results/report_text.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace socialtwin {
namespace {

TEST(ReportNumbers, DutchUsesAPointBetweenThousandsAndADecimalComma) {
    EXPECT_EQ(local_number(81060, 0, ReportLanguage::nl), "81.060");
    EXPECT_EQ(local_number(1.5, 1, ReportLanguage::nl), "1,5");
    EXPECT_EQ(local_number(-1234567.25, 2, ReportLanguage::nl), "-1.234.567,25");
    EXPECT_EQ(local_number(12, 0, ReportLanguage::nl, true), "+12");
}

TEST(ReportNumbers, EnglishUsesCommasBetweenThousands) {
    EXPECT_EQ(local_number(81060, 0, ReportLanguage::en), "81,060");
    EXPECT_EQ(local_number(1.5, 1, ReportLanguage::en), "1.5");
}

TEST(ReportNumbers, EurosInMillionsAndBillions) {
    EXPECT_EQ(local_euros(1.23e6, ReportLanguage::nl), "€ 1,2 mln");
    EXPECT_EQ(local_euros(3.45e9, ReportLanguage::nl), "€ 3,5 mld");
    EXPECT_EQ(local_euros(-2.5e6, ReportLanguage::nl, true), "-€ 2,5 mln");
    EXPECT_EQ(local_euros(12345, ReportLanguage::nl), "€ 12.345");
    EXPECT_EQ(local_euros(1.23e6, ReportLanguage::en), "€1.2 million");
}

TEST(ReportNumbers, PercentagesCarryASignAndNaNIsLeftEmpty) {
    EXPECT_EQ(local_percent(1.24, ReportLanguage::nl), "+1,2%");
    EXPECT_EQ(local_percent(std::nan(""), ReportLanguage::nl), "");
    EXPECT_EQ(local_number(std::nan(""), 0, ReportLanguage::nl), "–");
}

TEST(ReportLabels, EveryReportTextHasBothLanguages) {
    for (const char* key : {"title", "headline", "pyramid", "source", "modelled", "population",
                            "share_65", "wmo_clients_home_help", "care_cost"}) {
        EXPECT_FALSE(report_text(key, ReportLanguage::nl).empty()) << key;
        EXPECT_FALSE(report_text(key, ReportLanguage::en).empty()) << key;
    }
    EXPECT_EQ(report_text("population", ReportLanguage::nl), "Inwoners");
    EXPECT_EQ(report_text("population", ReportLanguage::en), "Population");
    EXPECT_FALSE(report_label("no_such_indicator", ReportLanguage::nl).has_value());
    EXPECT_THROW((void)report_text("no_such_text", ReportLanguage::nl), std::logic_error);
}

TEST(ReportLabels, LanguageCodes) {
    EXPECT_EQ(report_language("nl"), ReportLanguage::nl);
    EXPECT_EQ(report_language("en"), ReportLanguage::en);
    EXPECT_FALSE(report_language("de").has_value());
}

}  // namespace
}  // namespace socialtwin
