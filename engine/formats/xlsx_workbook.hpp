#pragma once
// Writing an Excel workbook (.xlsx), row by row, through libxlsxwriter (Debian package
// libxlsxwriter-dev). The library is optional: a build without it has the same class, whose
// constructor throws InputError naming the package (xlsx_workbook_none.cpp), so that nothing but
// the spreadsheet export needs it.
//
// Rows are written in order (the library's constant-memory mode keeps one row in memory, so a
// sheet of a million cells costs no more than one of ten); a sheet is complete when the next one
// is added or the workbook closed. Every text is UTF-8.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace socialtwin {

// True when this build writes .xlsx files.
bool xlsx_supported() noexcept;
// The Debian package to install (and build again) for .xlsx files.
inline constexpr std::string_view xlsx_package = "libxlsxwriter-dev";
// Excel's limit on a sheet name's length [characters].
inline constexpr std::size_t xlsx_max_sheet_name = 31;

// Throws InputError: `target` cannot be written, naming the package to install.
[[noreturn]] void throw_xlsx_unsupported(const std::filesystem::path& target);

// `name` as a sheet name Excel accepts: without []:*?/\, not starting or ending with an
// apostrophe, at most 31 characters (cut at a UTF-8 character boundary), "-" when nothing is left.
std::string xlsx_sheet_name(std::string_view name);

class XlsxWorkbook {
public:
    // Creates the workbook that close() writes to `path`; its temporary files go to
    // `temporary_dir`. Throws InputError when the build has no libxlsxwriter.
    XlsxWorkbook(const std::filesystem::path& path, const std::filesystem::path& temporary_dir);
    ~XlsxWorkbook();
    XlsxWorkbook(const XlsxWorkbook&) = delete;
    XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

    // Starts a sheet; `name` must be a valid, new sheet name (xlsx_sheet_name), else logic_error.
    void add_sheet(const std::string& name);
    // Cells of the current sheet, by 0-based row and column; rows in increasing order.
    void text(std::size_t row, std::size_t column, std::string_view value);
    void header(std::size_t row, std::size_t column, std::string_view value);  // bold text
    // A number cell; NaN leaves the cell empty (a spreadsheet's missing value), and an infinity,
    // which .xlsx cannot hold, is written as the text "inf" or "-inf".
    void number(std::size_t row, std::size_t column, double value);
    void column_width(std::size_t column, double width);  // [characters]
    // Keeps the first row in view while scrolling, and puts filter buttons on it over `columns`
    // columns and `rows` rows (header included).
    void freeze_header_and_filter(std::size_t rows, std::size_t columns);

    // Writes the file; throws std::runtime_error naming it when the library cannot.
    void close();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace socialtwin
