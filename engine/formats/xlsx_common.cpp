// What every build has, with or without libxlsxwriter: sheet names, and the refusal.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "engine/core/errors.hpp"
#include "engine/formats/xlsx_workbook.hpp"

namespace socialtwin {

std::string xlsx_sheet_name(std::string_view name) {
    std::string clean;
    std::size_t characters = 0;
    for (std::size_t i = 0; i < name.size();) {
        // One UTF-8 character: its lead byte says how many bytes follow.
        const auto lead = static_cast<unsigned char>(name[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        const std::string_view character = name.substr(i, length);
        i += length;
        if (character.size() == 1 &&
            std::string_view("[]:*?/\\").find(character[0]) != std::string_view::npos)
            continue;
        if (characters == xlsx_max_sheet_name) break;
        clean += character;
        ++characters;
    }
    // Excel refuses a name that starts or ends with an apostrophe (it quotes sheet names with it).
    while (!clean.empty() && clean.front() == '\'') clean.erase(clean.begin());
    while (!clean.empty() && clean.back() == '\'') clean.pop_back();
    return clean.empty() ? std::string("-") : clean;
}

void throw_xlsx_unsupported(const std::filesystem::path& target) {
    throw InputError(problem_at(
        where_in("--format"),
        fmt::format("cannot write '{}': this socialtwin was built without .xlsx support",
                    target.string()),
        fmt::format("install the Debian package {} (./install-deps.sh installs it) and build "
                    "again, or export --format csv",
                    xlsx_package)));
}

}  // namespace socialtwin
