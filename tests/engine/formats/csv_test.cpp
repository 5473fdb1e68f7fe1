#include "engine/formats/csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace socialtwin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string data_file(const std::string& name) {
    return std::string{SOCIALTWIN_TEST_DATA_DIR} + "/csv/" + name;
}

// The formatted problems of the InputError `f` throws; fails the test if it throws nothing.
template <typename F>
std::vector<std::string> problems_of(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        std::vector<std::string> out;
        for (const InputProblem& p : e.problems()) out.push_back(format(p));
        return out;
    }
    ADD_FAILURE() << "expected an InputError";
    return {};
}

constexpr std::array<std::string_view, 4> population_columns{"area", "age", "sex", "persons"};

TEST(Csv, ReadsQuotedFieldsCrLfLineEndsAndByteOrderMark) {
    const CsvTable t = read_csv(data_file("population_ok.csv"), {"area", "persons", "name"});
    EXPECT_THAT(t.header(), ElementsAre("area", "age", "sex", "persons", "name"));
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t.text(0, "name"), "Moerwijk, Noord");
    EXPECT_EQ(t.text(1, "name"), "De \"Oude\" Haven");
    EXPECT_EQ(t.text(1, "area"), "2531AA");  // no stray \r or BOM anywhere
    EXPECT_EQ(t.row(0).line, 2);
    EXPECT_EQ(t.row(1).line, 4);  // the blank line 3 is skipped but still counted
}

// A field is found again in its row when asked for (the table keeps only where rows start):
// quoted values with "" and line ends inside them, \r\n line ends, UTF-8 names and the rows
// after a blank line all give the field's value and the line and character column it starts
// at, as they stand in the file.
TEST(Csv, FieldsAfterQuotedLineEndsKeepTheirValueLineAndColumn) {
    const std::string text =
        "code,name,persons\r\n"                        // line 1
        "A1,\"two\r\nlines\",3\r\n"                    // lines 2-3: persons at 3:8
        "A2,\"say \"\"hi\"\"\",4\n"                    // line 4
        "\n"                                           // line 5: blank, skipped
        "A3,\"\",\"7\"\n"                              // line 6: empty quoted, quoted number
        "\xC3\xA9\xC3\xA9,\"a\nb\nc\",\"\xC3\xA9\"\n"  // lines 7-9: 2 characters, 4 bytes
        "A5,plain,9";                                  // line 10, no line end
    CsvTable t = parse_csv(text, "q.csv", {});
    ASSERT_EQ(t.size(), 5u);
    const CsvColumn code{0}, name{1}, persons{2};
    EXPECT_EQ(t.text(0, name), "two\nlines");
    EXPECT_EQ(t.text(0, persons), "3");
    EXPECT_EQ(t.text(1, name), "say \"hi\"");
    EXPECT_EQ(t.text(2, name), "");
    EXPECT_EQ(t.text(2, persons), "7");
    EXPECT_EQ(t.text(3, code), "\xC3\xA9\xC3\xA9");
    EXPECT_EQ(t.text(3, name), "a\nb\nc");
    EXPECT_EQ(t.text(4, persons), "9");
    const auto at = [&](std::size_t row, CsvColumn column) {
        const SourceLocation where = t.location(row, column);
        return std::pair(where.line, where.column);
    };
    EXPECT_EQ(at(0, code), std::pair(2, 1));
    EXPECT_EQ(at(0, name), std::pair(2, 4));
    EXPECT_EQ(at(0, persons), std::pair(3, 8));  // after 'lines"' and the comma
    EXPECT_EQ(at(1, persons), std::pair(4, 17));
    EXPECT_EQ(at(2, persons), std::pair(6, 7));
    EXPECT_EQ(at(3, name), std::pair(7, 4));
    EXPECT_EQ(at(3, persons), std::pair(9, 4));
    EXPECT_EQ(at(4, persons), std::pair(10, 10));
    EXPECT_EQ(t.location(4, persons).key_path, "persons");
    EXPECT_EQ(t.row(4).line, 10);
    // Each is where the parser's own problems point: a bad value at 3:8.
    EXPECT_EQ(t.whole_number(0, persons, 4), 4);
    EXPECT_THAT(problems_of([&] { t.throw_if_problems(); }), ElementsAre(HasSubstr("q.csv:3:8")));
}

// A malformed row is reported at its own line, also after a quoted line end in the row before.
TEST(Csv, AMalformedRowAfterAQuotedLineEndIsReportedAtItsOwnLine) {
    const std::string text = "a,b\n\"x\ny\",1\nbad,\"q\"z\n\"p\",2\n";
    EXPECT_THAT(problems_of([&] { parse_csv(text, "m.csv", {}); }),
                ElementsAre(HasSubstr("m.csv:4:")));
}

TEST(Csv, TypedAccessorsConvertGoodValues) {
    CsvTable t = parse_csv("area,persons,share\n2531AA,12,0.25\n2531AB,0,1e-2\n", "x.csv", {});
    EXPECT_EQ(t.whole_number(0, "persons", 0), 12);
    EXPECT_DOUBLE_EQ(t.number(1, "share", 0, 1), 0.01);
    EXPECT_FALSE(t.has_problems());
}

TEST(Csv, BadValueNamesFileLineColumnAndColumnName) {
    CsvTable t = parse_csv("area,age,sex,persons\n2531AA,0,female,abc\n", "data/x/population.csv",
                           population_columns);
    t.whole_number(0, "persons", 0);
    EXPECT_THAT(problems_of([&] { t.throw_if_problems(); }),
                ElementsAre("data/x/population.csv:2:17: persons: expected a non-negative whole "
                            "number, got \"abc\""));
}

TEST(Csv, AWholeNumberOfASplitFieldIsReadAndReportedAsAnyOther) {
    CsvTable t = parse_csv("area,age,sex,persons\n2531AA,7,female,abc\n", "data/x/population.csv",
                           population_columns);
    std::array<std::string_view, 4> fields;
    t.split(0, fields);
    EXPECT_EQ(t.whole_number(0, t.column("age"), fields[1], 0, 105), 7);
    EXPECT_EQ(t.whole_number(0, t.column("persons"), fields[3], 0, 100), 0);  // the fallback
    EXPECT_THAT(problems_of([&] { t.throw_if_problems(); }),
                ElementsAre("data/x/population.csv:2:17: persons: expected a whole number in "
                            "0..100, got \"abc\""));
}

TEST(Csv, CollectsEveryBadValueOfAFileBeforeThrowing) {
    CsvTable t = read_csv(data_file("bad_values.csv"), {"area", "age", "sex", "persons"});
    static constexpr std::array<std::string_view, 2> sexes{"male", "female"};
    for (std::size_t r = 0; r < t.size(); ++r) {
        t.whole_number(r, "age", 0, 105);
        t.choice(r, t.column("sex"), sexes);
        t.whole_number(r, "persons", 0);
    }
    const std::string f = data_file("bad_values.csv");
    EXPECT_THAT(
        problems_of([&] { t.throw_if_problems(); }),
        ElementsAre(f + ":3:8: age: expected a whole number in 0..105, got \"abc\"",
                    f + ":4:15: persons: expected a non-negative whole number, got \"-3\"",
                    f + ":5:10: sex: expected one of male, female, got \"femal\" (did you "
                        "mean 'female'?)",
                    f + ":5:16: persons: expected a non-negative whole number, got \"7.5\""));
}

TEST(Csv, ColumnCountsCharactersNotBytes) {
    // "’s-Gravenhage" is 13 characters but 15 bytes in UTF-8.
    CsvTable t = parse_csv("name,persons\n\xE2\x80\x99s-Gravenhage,x\n", "g.csv", {});
    t.whole_number(0, "persons", 0);
    ASSERT_EQ(t.problems().size(), 1u);
    EXPECT_EQ(t.problems()[0].where.column, 15);
}

TEST(Csv, NumbersMustBeFiniteAndWhole) {
    CsvTable t = parse_csv("a,b,c,d,e\nnan,inf, 1,1x,\n", "n.csv", {});
    t.number(0, "a");
    t.number(0, "b");
    t.whole_number(0, "c");  // surrounding spaces are not trimmed: strict on purpose
    t.number(0, "d");
    t.number(0, "e", 0, 1);
    EXPECT_THAT(problems_of([&] { t.throw_if_problems(); }),
                ElementsAre("n.csv:2:1: a: expected a number, got \"nan\"",
                            "n.csv:2:5: b: expected a number, got \"inf\"",
                            "n.csv:2:9: c: expected a whole number, got \" 1\"",
                            "n.csv:2:12: d: expected a number, got \"1x\"",
                            "n.csv:2:15: e: expected a number in 0..1, got \"\""));
}

TEST(Csv, OptionalNumberTreatsAnEmptyFieldAsAGap) {
    CsvTable t = parse_csv("a,b\n,2.5\n", "o.csv", {});
    EXPECT_EQ(t.optional_number(0, t.column("a")), std::nullopt);
    EXPECT_EQ(t.optional_number(0, t.column("b")), 2.5);
    EXPECT_FALSE(t.has_problems());
}

TEST(Csv, MissingFileSaysCannotOpen) {
    const std::string f = data_file("no_such_file.csv");
    EXPECT_THAT(problems_of([&] { read_csv(f, {"area"}); }),
                ElementsAre(f + ": cannot open the file (no such file)"));
}

TEST(Csv, MissingColumnNamesTheHeaderAndSuggestsANearName) {
    const std::string f = data_file("missing_column.csv");
    EXPECT_THAT(problems_of([&] {
                    read_csv(f, {"area", "age", "sex", "persons"});
                }),
                ElementsAre(f + ":1: persons: missing column \"persons\"; the header is "
                                "\"area,age,sex,person\" (did you mean 'person'?)"));
}

TEST(Csv, MalformedRowsAreAllReportedWithLineAndColumn) {
    const std::string f = data_file("malformed_rows.csv");
    EXPECT_THAT(
        problems_of([&] {
            read_csv(f, {"area", "persons"});
        }),
        ElementsAre(
            f + ":3: this row has 3 fields but the header has 4: no value for \"persons\"",
            f + ":4:17: this row has 5 fields but the header has 4; a field with a comma must "
                "be quoted",
            f + ":6:16: unexpected text after a closing quote; expected ',' or a line end",
            f + ":7:12: a quote inside an unquoted field; quote the whole field and write the "
                "quote as \"\"",
            f + ":9:1: a quoted field is not closed"));
}

TEST(Csv, HeaderMustHaveDistinctNonEmptyNames) {
    EXPECT_THAT(problems_of([] { parse_csv("a,,a\n1,2,3\n", "h.csv", {}); }),
                ElementsAre("h.csv:1:3: empty column name in the header",
                            "h.csv:1:4: column \"a\" appears twice in the header"));
}

TEST(Csv, EmptyFileNeedsAHeader) {
    EXPECT_THAT(problems_of([] { parse_csv("\n\n", "e.csv", {}); }),
                ElementsAre("e.csv: the file is empty; expected a header row"));
}

TEST(Csv, ReportsAtMostFiftyProblemsAndCountsTheRest) {
    std::string text = "persons\n";
    for (int i = 0; i < 60; ++i) text += "x\n";
    CsvTable t = parse_csv(text, "many.csv", {});
    for (std::size_t r = 0; r < t.size(); ++r) t.whole_number(r, "persons", 0);
    const std::vector<std::string> problems = problems_of([&] { t.throw_if_problems(); });
    ASSERT_EQ(problems.size(), max_reported_problems + 1);
    EXPECT_EQ(problems.back(), "many.csv: ... and 10 more problems");
}

TEST(Csv, LocationPointsAtAFieldForChecksMadeLater) {
    CsvTable t = parse_csv("area,persons\n2599ZZ,3\n", "l.csv", {});
    t.report(0, t.column("area"), "unknown area code \"2599ZZ\"");
    EXPECT_THAT(problems_of([&] { t.throw_if_problems(); }),
                ElementsAre("l.csv:2:1: area: unknown area code \"2599ZZ\""));
}

TEST(Csv, AskingForAColumnThatWasNotRequiredIsABug) {
    const CsvTable t = parse_csv("a\n1\n", "b.csv", {});
    EXPECT_THROW(t.column("b"), std::logic_error);
}

// A table without quotes or carriage returns is split by a fast scan of its lines; it must give
// the rows and lines the full parser gives, and send any malformed row to the parser's report.
TEST(Csv, PlainTablesGiveTheRowsAndLinesOfTheFullParser) {
    const CsvTable t = parse_csv("area,persons\r\n\nA1,3\r\n\r\n\nA2,\n A3,5", "p.csv", {});
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t.row(0).line, 3);
    EXPECT_EQ(t.row(1).line, 6);
    EXPECT_EQ(t.row(2).line, 7);
    EXPECT_EQ(t.text(1, "persons"), "");
    EXPECT_EQ(t.text(2, "area"), " A3");  // no line end at the end of the file
    EXPECT_THAT(problems_of([] { parse_csv("a,b\n1,2\n3\n4,5,6\n7,8\r", "m.csv", {}); }),
                ElementsAre("m.csv:3: this row has 1 field but the header has 2: no value for "
                            "\"b\"",
                            "m.csv:4:5: this row has 3 fields but the header has 2; a field with "
                            "a comma must be quoted",
                            "m.csv:5:4: a carriage return without a line feed"));
    // Carriage returns that end no line send an otherwise plain table to the parser too.
    EXPECT_THAT(problems_of([] { parse_csv("a,b\n1,2\n7,8\r", "r.csv", {}); }),
                ElementsAre("r.csv:3:4: a carriage return without a line feed"));
    EXPECT_THAT(problems_of([] { parse_csv("a,b\r\n1\r,2\r\n", "r.csv", {}); }),
                ElementsAre("r.csv:2:2: a carriage return without a line feed"));
}

TEST(Csv, SplitGivesEveryFieldOfARowAsTextDoes) {
    const CsvTable t =
        parse_csv("a,b,c\r\n1,\"x,\"\"y\"\"\",3\r\n,\"two\nlines\",\r\n", "s.csv", {});
    std::array<std::string_view, 3> fields;
    for (std::size_t row = 0; row < t.size(); ++row) {
        t.split(row, fields);
        for (std::size_t c = 0; c < fields.size(); ++c)
            EXPECT_EQ(fields[c], t.text(row, CsvColumn{c})) << "row " << row << " column " << c;
    }
    t.split(0, fields);
    EXPECT_THAT(fields, ElementsAre("1", "x,\"y\"", "3"));
}

TEST(Csv, TrailingCommaMakesAnEmptyLastField) {
    const CsvTable t = parse_csv("a,b\n1,\n", "t.csv", {});
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.text(0, "b"), "");
}

TEST(CsvCell, QuotesWhereTheSeparatorOrAQuoteOrALineEndWouldSplitTheField) {
    EXPECT_EQ(csv_cell("Den Haag"), "Den Haag");
    EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_cell("a,b", ';'), "a,b");  // a comma is plain text in a Dutch file
    EXPECT_EQ(csv_cell("a;b", ';'), "\"a;b\"");
    EXPECT_EQ(csv_cell("say \"x\"", ';'), "\"say \"\"x\"\"\"");
    EXPECT_EQ(csv_cell("two\r\nlines", ';'), "\"two\r\nlines\"");
}

TEST(CsvNumber, WritesTheShortestTextThatReadsBackAsTheSameNumber) {
    EXPECT_EQ(csv_number(1235.0), "1235");  // a count has no decimals
    EXPECT_EQ(csv_number(-7.5), "-7.5");
    EXPECT_EQ(csv_number(std::nan("")), "");  // missing: an empty cell
    for (const double value : {1.0 / 3.0, 1234.56, 1e-7, 6.02e23, -0.1})
        EXPECT_EQ(std::stod(csv_number(value)), value) << value;
}

TEST(CsvNumber, TheDutchDialectHasADecimalCommaAndNoThousandsSeparator) {
    EXPECT_EQ(csv_number(1234.56, csv_dutch), "1234,56");
    EXPECT_EQ(csv_number(1235.0, csv_dutch), "1235");
    EXPECT_EQ(csv_number(-0.25, csv_dutch), "-0,25");
    EXPECT_EQ(csv_number(std::nan(""), csv_dutch), "");
    EXPECT_EQ(csv_dutch.separator, ';');
    EXPECT_TRUE(csv_dutch.byte_order_mark);
}

}  // namespace
}  // namespace socialtwin
