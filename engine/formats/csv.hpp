#pragma once
// A small, strict reader for the project's CSV data files: comma separated, one header row,
// optionally double-quoted fields ("" is a quote inside one), \n or \r\n line ends, a UTF-8 byte
// order mark tolerated. Blank lines are skipped. Strict because a silently misread rate table
// gives plausible but wrong projections: anything unexpected is an InputProblem naming
// file:line:column and the column name.
//
// Problems come in two rounds, each reporting all it finds: read_csv() throws for the file's
// structure (cannot open, missing columns, rows with the wrong number of fields, bad quoting);
// the typed accessors collect bad values, which throw_if_problems() then throws together.
//
//     CsvTable t = read_csv(path, {"area", "age", "persons"});
//     const CsvColumn persons = t.column("persons");
//     for (std::size_t r = 0; r < t.size(); ++r) total += t.whole_number(r, persons, 0);
//     t.throw_if_problems();

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/errors.hpp"

namespace socialtwin {

// Where a row of a CsvTable starts.
struct CsvRow {
    int line = 0;  // 1-based line where the row starts
};

// A column of a CsvTable, looked up once by name.
struct CsvColumn {
    std::size_t index = 0;
};

// At most this many problems are kept per file; the rest are counted ("... and 12 more").
inline constexpr std::size_t max_reported_problems = 50;

// The table keeps the file's text as it was read and, for each row, where it starts and on which
// line (8 bytes a row); a field is found by scanning its row when it is asked for. A population
// table of a million rows (31 MB of text) takes ~40 MB, not the ~140 MB that a field's end and
// column each (8 bytes a field) took, nor the ~450 MB of a string per field before that.
class CsvTable {
public:
    // What the parser hands over: the file's text, and for each well-formed row its first byte
    // in that text and its line. A quoted field whose value is not its bytes between the quotes
    // ("" for a quote, a \r\n line end kept as \n) has its value here, by field index (row *
    // header size + column), in field order.
    struct Rows {
        std::string text;
        std::vector<std::uint32_t> start;
        std::vector<std::int32_t> line;
        std::vector<std::pair<std::size_t, std::string>> unescaped;
    };

    CsvTable(std::string file, std::vector<std::string> header, int header_line, Rows rows);

    const std::string& file() const noexcept { return file_; }
    const std::vector<std::string>& header() const noexcept { return header_; }
    int header_line() const noexcept { return header_line_; }
    std::size_t size() const noexcept { return rows_.line.size(); }
    CsvRow row(std::size_t row) const { return {rows_.line.at(row)}; }

    std::optional<CsvColumn> find_column(std::string_view name) const noexcept;
    // A column the caller required in read_csv(); any other name is a bug (std::logic_error).
    CsvColumn column(std::string_view name) const;

    // Typed access. A bad value is recorded as a problem ("expected a non-negative whole number,
    // got \"abc\"") and a fallback (min clamped into 0, or "") returned, so one pass over the
    // rows finds every bad value.
    std::string_view text(std::size_t row, CsvColumn column) const;
    // Every field of a row at once, as text() gives each (one scan of the row, where text()
    // scans up to its field each time): for loops that read most columns of a large table.
    // `fields` has one place per header column.
    void split(std::size_t row, std::span<std::string_view> fields) const;
    std::int64_t whole_number(std::size_t row, CsvColumn column,
                              std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                              std::int64_t max = std::numeric_limits<std::int64_t>::max());
    // As whole_number(row, column, ...), of the field's text as split() gave it (no second scan
    // of the row); a bad value is reported at that row and column all the same.
    std::int64_t whole_number(std::size_t row, CsvColumn column, std::string_view field,
                              std::int64_t min, std::int64_t max);
    // A finite decimal number (1e3 notation accepted; nan and inf are not).
    double number(std::size_t row, CsvColumn column,
                  double min = -std::numeric_limits<double>::infinity(),
                  double max = std::numeric_limits<double>::infinity());
    // As number(), but an empty field gives nullopt (a gap in the data, not an error).
    std::optional<double> optional_number(std::size_t row, CsvColumn column,
                                          double min = -std::numeric_limits<double>::infinity(),
                                          double max = std::numeric_limits<double>::infinity());
    // One of `allowed`; otherwise a problem listing them (and the nearest as a hint).
    std::string_view choice(std::size_t row, CsvColumn column,
                            std::span<const std::string_view> allowed);

    // Convenience overloads by column name.
    std::string_view text(std::size_t row, std::string_view column) const {
        return text(row, this->column(column));
    }
    std::int64_t whole_number(std::size_t row, std::string_view column,
                              std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                              std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
        return whole_number(row, this->column(column), min, max);
    }
    double number(std::size_t row, std::string_view column,
                  double min = -std::numeric_limits<double>::infinity(),
                  double max = std::numeric_limits<double>::infinity()) {
        return number(row, this->column(column), min, max);
    }

    // A problem the caller found in a field (e.g. an unknown area code), at that field.
    void report(std::size_t row, CsvColumn column, std::string message, std::string hint = {});
    // Where a field is, for problems found later by the caller.
    SourceLocation location(std::size_t row, CsvColumn column) const;

    const std::vector<InputProblem>& problems() const noexcept { return problems_; }
    bool has_problems() const noexcept { return !problems_.empty(); }
    // Throws one InputError with every problem recorded so far (capped, see above).
    void throw_if_problems() const;

private:
    // A field of a well-formed row: its bytes in the text (inside the quotes when quoted) and,
    // when asked for, the line and character column it starts at.
    struct Field {
        std::size_t begin = 0;
        std::size_t end = 0;
        bool quoted = false;
        int line = 0;
        int column = 0;
    };
    Field locate(std::size_t row, std::size_t column, bool with_position) const;

    std::string file_;
    std::vector<std::string> header_;
    int header_line_ = 0;
    Rows rows_;
    std::vector<InputProblem> problems_;
    std::size_t n_unreported_ = 0;  // problems beyond max_reported_problems
};

// Reads and checks the structure of `file`; every name in `required_columns` must be in the
// header (extra columns are allowed). Throws InputError with all structural problems.
CsvTable read_csv(const std::filesystem::path& file, std::span<const std::string> required_columns);
CsvTable read_csv(const std::filesystem::path& file,
                  std::initializer_list<std::string_view> required_columns);

// As read_csv, from text already in memory; `file` names it in messages. The table keeps the
// text (move it in to save a copy).
CsvTable parse_csv(std::string text, std::string file,
                   std::span<const std::string_view> required_columns);

// Throws one InputError with `problems`, keeping the first max_reported_problems and summing up
// the rest plus `n_unreported` as "... and N more problems". No-op when there are none.
void throw_input_problems(std::vector<InputProblem> problems, std::size_t n_unreported = 0);

// `text` as one CSV field: quoted (with "" for a quote) when it holds the separator, a quote or a
// line end (\n or \r). `separator` is ';' in the Dutch spreadsheet convention (csv_dialect below).
std::string csv_cell(const std::string& text, char separator = ',');

// How a CSV file for a spreadsheet separates fields and writes decimals. Excel and LibreOffice
// with Dutch regional settings read `;` fields with a decimal comma, and take a file as UTF-8 only
// when it starts with a byte order mark; the default is the international `,` and `.`.
struct CsvDialect {
    char separator = ',';
    char decimal_mark = '.';
    bool byte_order_mark = false;  // UTF-8 BOM at the start of the file
};
inline constexpr CsvDialect csv_international{};
inline constexpr CsvDialect csv_dutch{
    .separator = ';', .decimal_mark = ',', .byte_order_mark = true};

// A number as a CSV field: the shortest text that reads back as the same double (so a count is
// "1235", not "1235.000000"), with `dialect`'s decimal mark; "" for NaN (an empty cell is what a
// spreadsheet reads as missing). Never has a thousands separator, which would read ambiguously.
std::string csv_number(double value, const CsvDialect& dialect = csv_international);

}  // namespace socialtwin
