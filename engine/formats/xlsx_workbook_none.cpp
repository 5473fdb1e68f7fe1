// XlsxWorkbook in a build without libxlsxwriter: .xlsx is refused with the package to install.
#include "engine/formats/xlsx_workbook.hpp"

namespace socialtwin {

struct XlsxWorkbook::State {};

bool xlsx_supported() noexcept { return false; }

XlsxWorkbook::XlsxWorkbook(const std::filesystem::path& path, const std::filesystem::path&) {
    throw_xlsx_unsupported(path);
}
XlsxWorkbook::~XlsxWorkbook() = default;
void XlsxWorkbook::add_sheet(const std::string&) {}
void XlsxWorkbook::text(std::size_t, std::size_t, std::string_view) {}
void XlsxWorkbook::header(std::size_t, std::size_t, std::string_view) {}
void XlsxWorkbook::number(std::size_t, std::size_t, double) {}
void XlsxWorkbook::column_width(std::size_t, double) {}
void XlsxWorkbook::freeze_header_and_filter(std::size_t, std::size_t) {}
void XlsxWorkbook::close() {}

}  // namespace socialtwin
