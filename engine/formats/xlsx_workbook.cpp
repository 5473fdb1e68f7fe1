// XlsxWorkbook over libxlsxwriter (built when the library is found: engine/formats/CMakeLists.txt).
#include "engine/formats/xlsx_workbook.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace socialtwin {

namespace {

// Excel's limits: rows and columns of a sheet, characters of a cell.
constexpr std::size_t max_rows = 1'048'576;
constexpr std::size_t max_columns = 16'384;
constexpr std::size_t max_cell_text = 32'767;

void check(lxw_error error, std::string_view what) {
    if (error != LXW_NO_ERROR)
        throw std::runtime_error(fmt::format("{}: {}", what, lxw_strerror(error)));
}

}  // namespace

struct XlsxWorkbook::State {
    std::filesystem::path path;
    std::string path_text;  // kept alive: the library holds the pointer until close
    std::string temporary_dir;
    lxw_workbook* workbook = nullptr;
    lxw_worksheet* sheet = nullptr;
    lxw_format* bold = nullptr;

    void cell(std::size_t row, std::size_t column) const {
        if (sheet == nullptr) throw std::logic_error("XlsxWorkbook: a cell before any sheet");
        if (row >= max_rows || column >= max_columns)
            throw std::runtime_error(fmt::format(
                "'{}': cell (row {}, column {}) beyond Excel's {} rows and {} columns; export "
                "fewer areas or years, or --format csv",
                path.string(), row + 1, column + 1, max_rows, max_columns));
    }
};

bool xlsx_supported() noexcept { return true; }

XlsxWorkbook::XlsxWorkbook(const std::filesystem::path& path,
                           const std::filesystem::path& temporary_dir)
    : state_(std::make_unique<State>()) {
    state_->path = path;
    state_->path_text = path.string();
    state_->temporary_dir = temporary_dir.string();
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = state_->temporary_dir.data();
    options.use_zip64 = LXW_TRUE;  // sheets of a large city may pass 4 GB uncompressed
    state_->workbook = workbook_new_opt(state_->path_text.c_str(), &options);
    if (state_->workbook == nullptr)
        throw std::runtime_error(fmt::format("cannot create the workbook '{}'", path.string()));
    state_->bold = workbook_add_format(state_->workbook);
    format_set_bold(state_->bold);
}

XlsxWorkbook::~XlsxWorkbook() {
    // Not closed (an exception on the way): the library's memory is freed and its file, a
    // temporary name of the caller's, removed by the caller.
    if (state_ && state_->workbook != nullptr) lxw_workbook_free(state_->workbook);
}

void XlsxWorkbook::add_sheet(const std::string& name) {
    if (name != xlsx_sheet_name(name) ||
        workbook_validate_sheet_name(state_->workbook, name.c_str()) != LXW_NO_ERROR)
        throw std::logic_error(
            fmt::format("XlsxWorkbook: '{}' is not a new, valid sheet name", name));
    state_->sheet = workbook_add_worksheet(state_->workbook, name.c_str());
    if (state_->sheet == nullptr)
        throw std::runtime_error(
            fmt::format("'{}': cannot add the sheet '{}'", state_->path.string(), name));
}

void XlsxWorkbook::text(std::size_t row, std::size_t column, std::string_view value) {
    state_->cell(row, column);
    const std::string cut(value.substr(0, max_cell_text));
    check(worksheet_write_string(state_->sheet, static_cast<lxw_row_t>(row),
                                 static_cast<lxw_col_t>(column), cut.c_str(), nullptr),
          state_->path_text);
}

void XlsxWorkbook::header(std::size_t row, std::size_t column, std::string_view value) {
    state_->cell(row, column);
    const std::string cut(value.substr(0, max_cell_text));
    check(worksheet_write_string(state_->sheet, static_cast<lxw_row_t>(row),
                                 static_cast<lxw_col_t>(column), cut.c_str(), state_->bold),
          state_->path_text);
}

void XlsxWorkbook::number(std::size_t row, std::size_t column, double value) {
    if (std::isnan(value)) return;
    if (std::isinf(value)) return text(row, column, value > 0 ? "inf" : "-inf");
    state_->cell(row, column);
    check(worksheet_write_number(state_->sheet, static_cast<lxw_row_t>(row),
                                 static_cast<lxw_col_t>(column), value, nullptr),
          state_->path_text);
}

void XlsxWorkbook::column_width(std::size_t column, double width) {
    state_->cell(0, column);
    check(worksheet_set_column(state_->sheet, static_cast<lxw_col_t>(column),
                               static_cast<lxw_col_t>(column), width, nullptr),
          state_->path_text);
}

void XlsxWorkbook::freeze_header_and_filter(std::size_t rows, std::size_t columns) {
    if (rows == 0 || columns == 0) return;
    state_->cell(rows - 1, columns - 1);
    worksheet_freeze_panes(state_->sheet, 1, 0);
    check(worksheet_autofilter(state_->sheet, 0, 0, static_cast<lxw_row_t>(rows - 1),
                               static_cast<lxw_col_t>(columns - 1)),
          state_->path_text);
}

void XlsxWorkbook::close() {
    lxw_workbook* workbook = std::exchange(state_->workbook, nullptr);
    check(workbook_close(workbook), fmt::format("cannot write '{}'", state_->path_text));
}

}  // namespace socialtwin
