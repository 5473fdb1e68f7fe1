#include "engine/formats/xlsx_workbook.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socialtwin {
namespace {

std::size_t utf8_characters(const std::string& text) {
    std::size_t n = 0;
    for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

TEST(XlsxSheetName, DropsWhatExcelRefusesInASheetName) {
    EXPECT_EQ(xlsx_sheet_name("Bevolking buurt"), "Bevolking buurt");
    EXPECT_EQ(xlsx_sheet_name("a/b\\c?d*e:f[g]h"), "abcdefgh");
    EXPECT_EQ(xlsx_sheet_name("'quoted'"), "quoted");
    EXPECT_EQ(xlsx_sheet_name("[]"), "-");
}

TEST(XlsxSheetName, CutsAt31CharactersWithoutSplittingACharacter) {
    const std::string long_name = "Bereikbaarheid gemeente en meer dan dat";
    EXPECT_EQ(xlsx_sheet_name(long_name), long_name.substr(0, 31));
    const std::string accents = "geëxporteerd geëxporteerd geëxporteerd";  // ë is two bytes
    const std::string cut = xlsx_sheet_name(accents);
    EXPECT_EQ(utf8_characters(cut), 31u);
    EXPECT_EQ(accents.rfind(cut, 0), 0u);  // a prefix, ending on a whole character
}

}  // namespace
}  // namespace socialtwin
