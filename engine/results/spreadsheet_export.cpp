#include "engine/results/spreadsheet_export.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "engine/core/errors.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/formats/xlsx_workbook.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "engine/results/result_info.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// ---- fixed labels --------------------------------------------------------------------------

struct Text {
    std::string_view nl, en;
};

std::string_view pick(const Text& text, SheetLanguage language) {
    return language == SheetLanguage::nl ? text.nl : text.en;
}

constexpr std::array<Text, 7> theme_names{{{"Bevolking", "Population"},
                                           {"Huishoudens", "Households"},
                                           {"Wonen", "Housing"},
                                           {"Zorg", "Care"},
                                           {"Bereikbaarheid", "Accessibility"},
                                           {"Kosten", "Costs"},
                                           {"Overig", "Other"}}};

// The result file has no theme attribute, so the themes come from the indicator names, here
// only: the first rule whose prefix the name starts with. Order matters (gp_fte_available is
// accessibility, other gp_ names care; households_per_dwelling housing, other households_
// households). A test checks that every indicator of the shipped scenarios has a theme.
struct ThemeRule {
    std::string_view prefix;
    Theme theme;
};
constexpr std::array theme_rules{
    ThemeRule{"cost_", Theme::costs},
    ThemeRule{"distance_to_", Theme::accessibility},
    ThemeRule{"gp_practice_", Theme::accessibility},
    ThemeRule{"gp_fte_available", Theme::accessibility},
    ThemeRule{"gp_", Theme::care},
    ThemeRule{"wmo_", Theme::care},
    ThemeRule{"district_nursing", Theme::care},
    ThemeRule{"households_per_dwelling", Theme::housing},
    ThemeRule{"dwelling", Theme::housing},
    ThemeRule{"new_dwelling_households", Theme::housing},
    ThemeRule{"migration_in_unmet_households", Theme::housing},
    ThemeRule{"households", Theme::households},
    ThemeRule{"persons_institution", Theme::households},
    ThemeRule{"older_persons_alone", Theme::households},
    ThemeRule{"population", Theme::population},
    ThemeRule{"births", Theme::population},
    ThemeRule{"deaths", Theme::population},
    ThemeRule{"migration", Theme::population},
    ThemeRule{"emigration", Theme::population},
    ThemeRule{"immigration", Theme::population},
    ThemeRule{"moves", Theme::population},
    ThemeRule{"new_dwelling_residents", Theme::population},
    ThemeRule{"institution_moves", Theme::population},
    ThemeRule{"alignment", Theme::population},
};

namespace label {
constexpr Text about{"Over dit bestand", "About"};
constexpr Text sources{"Bronnen", "Sources"};
constexpr Text year{"jaar", "year"};
constexpr Text code{"code", "code"};
constexpr Text own_level{"gebied", "area"};
constexpr Text item{"onderwerp", "item"};
constexpr Text value{"waarde", "value"};
constexpr Text title{"socialtwin: projectie per gebied", "socialtwin: projection per area"};
constexpr Text source_file{"bronbestand", "source file"};
constexpr Text scenario{"scenario", "scenario"};
constexpr Text dataset{"dataset", "dataset"};
constexpr Text core{"rekenkern, replicaties", "core, replicates"};
constexpr Text base_year{"basisjaar", "base year"};
constexpr Text horizon{"horizon [jaren]", "horizon [years]"};
constexpr Text run_engine{"berekend met", "computed by"};
constexpr Text exported{"geëxporteerd met", "exported by"};
constexpr Text disclosure{"geheimhouding", "disclosure control"};
constexpr Text no_disclosure{
    "geen: exacte modeluitkomsten, niet geschikt voor publicatie (socialtwin export "
    "--disclosure cbs)",
    "none: exact model results, not fit for publication (socialtwin export --disclosure cbs)"};
constexpr Text modelled{"gemodelleerd", "modelled"};
constexpr Text modelled_note{
    "Alle cijfers in de bladen per gebied zijn modeluitkomsten (projecties) van socialtwin, geen "
    "waarnemingen; ook het basisjaar is zoals het model het uit de dataset opbouwt. Wat elke "
    "indicator meet en waar de kentallen vandaan komen staat op het blad Bronnen.",
    "Every figure on the area sheets is a model result (a projection) of socialtwin, not an "
    "observation; the base year too is as the model builds it from the dataset. What each "
    "indicator measures and where its rates come from is on the Sources sheet."};
constexpr Text layout{"indeling", "layout"};
constexpr Text layout_note{
    "Eén blad per gebiedsniveau en thema: een rij per jaar en gebied, een kolom per indicator "
    "(kop: naam [eenheid]; bij indelingen naar geslacht, leeftijd of type een kolom per "
    "combinatie). Een lege cel heeft geen waarde of is geheimgehouden.",
    "One sheet per level and theme: a row per year and area, a column per indicator (header: "
    "name [unit]; for breakdowns by sex, age or type a column per combination). An empty cell "
    "has no value or is suppressed."};
constexpr Text meta{"metadata van de run (/meta)", "the run's metadata (/meta)"};
constexpr Text indicator{"indicator", "indicator"};
constexpr Text long_name{"naam", "name"};
constexpr Text theme{"thema", "theme"};
constexpr Text unit_label{"eenheid", "unit"};
constexpr Text udunits{"eenheid (UDUNITS)", "units (UDUNITS)"};
constexpr Text kind{"soort", "kind"};
constexpr Text quantity{"voorraad/stroom", "stock/flow"};
constexpr Text dimensions{"dimensies", "dimensions"};
constexpr Text description{"omschrijving", "description"};
constexpr Text source{"bron van de kentallen", "source of the rates"};
constexpr Text note{"aard", "nature"};
constexpr Text modelled_value{"gemodelleerd (socialtwin-projectie)",
                              "modelled (socialtwin projection)"};
}  // namespace label

// ---- what a level holds --------------------------------------------------------------------

struct IndicatorInfo {
    std::string name{};
    std::string long_name{}, unit_label{}, units{}, description{}, source{}, kind{}, quantity{};
    std::vector<std::string> extra_dims{};                 // after (year, unit)
    std::vector<std::vector<std::string>> extra_labels{};  // per extra dim
    std::size_t per_unit = 1;
    Theme theme = Theme::other;
};

struct Level {
    std::string name;  // e.g. "pc6", "buurt": in sheet names and the code column
    std::string unit;  // the dimension: "area" or the aggregates level
    std::string group_path;
    std::vector<std::int32_t> years{};
    std::vector<std::string> codes{};
    std::vector<AreaAttribute> labels{};  // string variables over the unit: names, larger areas
    std::vector<IndicatorInfo> indicators{};
};

std::string text_attribute(hid_t object, const std::string& name) {
    return hdf5::has_attribute(object, name) ? hdf5::attribute_text(object, name) : std::string{};
}

bool is_string(hid_t dataset) {
    const hid_t type = H5Dget_type(dataset);
    if (type < 0) return false;
    const bool string = H5Tget_class(type) == H5T_STRING;
    H5Tclose(type);
    return string;
}

// The labels of a catalog dimension: the group's own scale, else the root's; numbered otherwise.
std::vector<std::string> dimension_labels(hid_t root, hid_t group, const std::string& dim,
                                          hsize_t size) {
    for (const hid_t where : {group, root}) {
        if (!hdf5::link_exists(where, dim) || !hdf5::is_dataset(where, dim)) continue;
        auto scale = hdf5::open_dataset(where, dim);
        if (!is_string(scale.id())) continue;
        auto labels = hdf5::read_strings(scale.id());
        if (labels.size() == size) return labels;
    }
    std::vector<std::string> numbered;
    for (hsize_t i = 0; i < size; ++i) numbered.push_back(fmt::format("{} {}", dim, i));
    return numbered;
}

Level read_level(hid_t root, const std::string& group_path, const std::string& name,
                 const std::string& unit) {
    Level level{.name = name, .unit = unit, .group_path = group_path};
    auto group = hdf5::open_group(root, group_path);
    const hid_t g = group.id();
    level.years = hdf5::read_ints(hdf5::open_dataset(g, std::string(result_layout::year)).id());
    level.codes = hdf5::read_strings(hdf5::open_dataset(g, unit).id());
    for (const auto& variable : hdf5::link_names(g)) {
        if (!hdf5::is_dataset(g, variable)) continue;
        auto dataset = hdf5::open_dataset(g, variable);
        if (hdf5::is_dimension_scale(dataset.id())) continue;
        const auto dims = hdf5::dimension_names(dataset.id());
        if (dims.size() == 1 && dims[0] == unit && is_string(dataset.id())) {
            level.labels.push_back({variable, hdf5::read_strings(dataset.id())});
            continue;
        }
        // Indicators: (year, unit, ...); companions (replicate, ...) and labels are left out.
        if (dims.size() < 2 || dims[0] != result_layout::year || dims[1] != unit) continue;
        const auto shape = hdf5::shape(dataset.id());
        IndicatorInfo info{
            .name = variable,
            .long_name = text_attribute(dataset.id(), "long_name"),
            .unit_label = unit_label_of(dataset.id()),
            .units = text_attribute(dataset.id(), "units"),
            .description = without_mean_qualifier(text_attribute(dataset.id(), "description")),
            .source = text_attribute(dataset.id(), "source"),
            .kind = text_attribute(dataset.id(), "kind"),
            .quantity = text_attribute(dataset.id(), "quantity"),
            .theme = theme_of(variable)};
        if (info.long_name.empty()) info.long_name = variable;
        for (std::size_t axis = 2; axis < dims.size(); ++axis) {
            info.extra_dims.push_back(dims[axis]);
            info.extra_labels.push_back(dimension_labels(root, g, dims[axis], shape[axis]));
            info.per_unit *= shape[axis];
        }
        level.indicators.push_back(std::move(info));
    }
    return level;
}

// "population by age sex [persons] female 65-69": a column per combination of the extra
// dimensions, the last varying fastest (as the values lie).
std::vector<std::string> column_headers(const IndicatorInfo& info) {
    const std::string head = info.unit_label.empty()
                                 ? info.long_name
                                 : fmt::format("{} [{}]", info.long_name, info.unit_label);
    std::vector<std::string> headers;
    for (std::size_t k = 0; k < info.per_unit; ++k) {
        std::string header = head;
        std::size_t rest = k;
        std::vector<std::string> parts(info.extra_dims.size());
        for (std::size_t d = info.extra_dims.size(); d-- > 0;) {
            const auto& labels = info.extra_labels[d];
            parts[d] = labels[rest % labels.size()];
            rest /= labels.size();
        }
        for (const auto& part : parts) header += " " + part;
        headers.push_back(std::move(header));
    }
    return headers;
}

// The values of one level's indicators, (year, unit, per_unit) each, under the rule if any.
struct LevelValues {
    std::vector<const IndicatorInfo*> indicators;
    std::vector<std::vector<double>> values;
    std::vector<std::string> headers;  // every column, in order
};

LevelValues read_values(hid_t root, const Level& level, std::span<const IndicatorInfo* const> which,
                        const std::optional<DisclosureControl>& control) {
    LevelValues out;
    auto group = hdf5::open_group(root, level.group_path);
    for (const IndicatorInfo* info : which) {
        auto dataset = hdf5::open_dataset(group.id(), info->name);
        auto values = hdf5::read_doubles(dataset.id());
        if (control) {
            const IndicatorKind kind = dataset_kind(dataset.id());
            const std::size_t per_year = level.codes.size() * info->per_unit;
            for (std::size_t y = 0; y < level.years.size(); ++y)
                control->apply(std::span<double>(values).subspan(y * per_year, per_year), y, kind);
        }
        for (auto& header : column_headers(*info)) out.headers.push_back(std::move(header));
        out.indicators.push_back(info);
        out.values.push_back(std::move(values));
    }
    return out;
}

// The fixed columns of a level table: year, code, then its labels.
std::vector<std::string> key_headers(const Level& level, SheetLanguage language) {
    std::vector<std::string> headers{std::string(pick(label::year, language)),
                                     fmt::format("{} {}", pick(label::code, language), level.name)};
    for (const auto& attribute : level.labels) headers.push_back(attribute.name);
    return headers;
}

// Calls cell(column, value) for the indicator values of row (year, unit), in column order.
template <typename Cell>
void for_each_value(const Level& level, const LevelValues& values, std::size_t year,
                    std::size_t unit, Cell&& cell) {
    std::size_t column = 0;
    for (std::size_t i = 0; i < values.indicators.size(); ++i) {
        const std::size_t per = values.indicators[i]->per_unit;
        const std::size_t first = (year * level.codes.size() + unit) * per;
        for (std::size_t k = 0; k < per; ++k) cell(column++, values.values[i][first + k]);
    }
}

std::vector<const IndicatorInfo*> indicators_of(const Level& level, std::optional<Theme> theme) {
    std::vector<const IndicatorInfo*> which;
    for (const auto& info : level.indicators)
        if (!theme || info.theme == *theme) which.push_back(&info);
    return which;
}

std::vector<const IndicatorInfo*> in_theme_order(const Level& level) {
    std::vector<const IndicatorInfo*> which;
    for (std::size_t t = 0; t < theme_names.size(); ++t)
        for (const auto* info : indicators_of(level, static_cast<Theme>(t))) which.push_back(info);
    return which;
}

// ---- the sheets ----------------------------------------------------------------------------

struct Source {
    fs::path path{};
    ResultLayout layout{};
    std::vector<Level> levels{};
};

std::string one_cell(const std::string& text, std::size_t max_characters = 2000) {
    return text.size() <= max_characters ? text : text.substr(0, max_characters) + " ...";
}

void write_about(XlsxWorkbook& book, const Source& source, const SpreadsheetOptions& options,
                 const std::optional<DisclosureRule>& rule) {
    const auto language = options.language;
    const ResultLayout& layout = source.layout;
    book.add_sheet(xlsx_sheet_name(pick(label::about, language)));
    book.column_width(0, 28);
    book.column_width(1, 100);
    std::error_code error;
    const std::string disclosure = rule ? rule->description
                                        : (layout.meta_value("disclosure_control").empty()
                                               ? std::string(pick(label::no_disclosure, language))
                                               : layout.meta_value("disclosure_control"));
    const std::string dataset_title = layout.meta_value("dataset_title");
    const std::vector<std::pair<Text, std::string>> rows{
        {label::source_file, fs::absolute(source.path, error).lexically_normal().string()},
        {label::scenario, fmt::format("{} ({})", layout.meta_value("scenario_name"),
                                      layout.meta_value("scenario_path"))},
        {label::dataset, dataset_title.empty()
                             ? layout.meta_value("dataset")
                             : fmt::format("{}: {}", layout.meta_value("dataset"), dataset_title)},
        {label::core,
         fmt::format("{}, {}", layout.meta_value("core"), layout.meta_value("replicates"))},
        {label::base_year, layout.meta_value("base_year")},
        {label::horizon, layout.meta_value("horizon")},
        {label::run_engine,
         fmt::format("socialtwin {} (git {}), {}", layout.meta_value("engine_version"),
                     layout.meta_value("git_commit"), layout.meta_value("created_utc"))},
        {label::exported, fmt::format("socialtwin {} (git {}), {}", engine_version(),
                                      engine_git_commit(), utc_timestamp())},
        {label::disclosure, disclosure},
        {label::modelled, std::string(pick(label::modelled_note, language))},
        {label::layout, std::string(pick(label::layout_note, language))},
    };
    book.header(0, 0, pick(label::title, language));
    std::size_t row = 1;
    book.header(row, 0, pick(label::item, language));
    book.header(row, 1, pick(label::value, language));
    for (const auto& [what, value] : rows) {
        ++row;
        book.text(row, 0, pick(what, language));
        book.text(row, 1, value);
    }
    row += 2;
    book.header(row, 0, pick(label::meta, language));
    for (const auto& [key, value] : layout.meta) {
        ++row;
        book.text(row, 0, key);
        book.text(row, 1, one_cell(value));
    }
}

void write_level_sheet(XlsxWorkbook& book, const std::string& sheet, const Level& level,
                       const LevelValues& values, SheetLanguage language) {
    book.add_sheet(sheet);
    const auto keys = key_headers(level, language);
    const std::size_t n_columns = keys.size() + values.headers.size();
    book.column_width(0, 6);
    for (std::size_t c = 1; c < n_columns; ++c) book.column_width(c, c < keys.size() ? 14 : 18);
    for (std::size_t c = 0; c < keys.size(); ++c) book.header(0, c, keys[c]);
    for (std::size_t c = 0; c < values.headers.size(); ++c)
        book.header(0, keys.size() + c, values.headers[c]);
    std::size_t row = 0;
    for (std::size_t y = 0; y < level.years.size(); ++y)
        for (std::size_t u = 0; u < level.codes.size(); ++u) {
            ++row;
            book.number(row, 0, level.years[y]);
            book.text(row, 1, level.codes[u]);
            for (std::size_t a = 0; a < level.labels.size(); ++a)
                book.text(row, 2 + a, level.labels[a].values[u]);
            for_each_value(level, values, y, u, [&](std::size_t column, double value) {
                book.number(row, keys.size() + column, value);
            });
        }
    book.freeze_header_and_filter(row + 1, n_columns);
}

void write_sources(XlsxWorkbook& book, const Source& source, SheetLanguage language) {
    book.add_sheet(xlsx_sheet_name(pick(label::sources, language)));
    const std::array headers{label::indicator,  label::long_name,  label::theme,
                             label::unit_label, label::udunits,    label::kind,
                             label::quantity,   label::dimensions, label::description,
                             label::source,     label::note};
    const std::array<double, headers.size()> widths{30, 30, 14, 24, 14, 9, 14, 30, 80, 60, 30};
    for (std::size_t c = 0; c < headers.size(); ++c) {
        book.column_width(c, widths[c]);
        book.header(0, c, pick(headers[c], language));
    }
    // Every level holds every indicator the run wrote (the aggregates too): the first says them.
    const Level& level = source.levels.front();
    std::size_t row = 0;
    for (const IndicatorInfo* info : in_theme_order(level)) {
        ++row;
        std::vector<std::string> dims{"year", level.unit};
        dims.insert(dims.end(), info->extra_dims.begin(), info->extra_dims.end());
        const std::array<std::string, headers.size()> cells{
            info->name,
            info->long_name,
            std::string(theme_name(info->theme, language)),
            info->unit_label,
            info->units,
            info->kind,
            info->quantity,
            fmt::format("{}", fmt::join(dims, ", ")),
            info->description,
            info->source,
            std::string(pick(label::modelled_value, language))};
        for (std::size_t c = 0; c < cells.size(); ++c) book.text(row, c, cells[c]);
    }
    book.freeze_header_and_filter(row + 1, headers.size());
}

// Unique, Excel-safe: "Bevolking buurt"; a number added should two names meet after cutting.
std::string sheet_name(const std::string& wanted, std::vector<std::string>& taken) {
    std::string name = xlsx_sheet_name(wanted);
    for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n) {
        const std::string suffix = fmt::format(" {}", n);
        name = xlsx_sheet_name(
                   xlsx_sheet_name(wanted).substr(0, xlsx_max_sheet_name - suffix.size())) +
               suffix;
    }
    taken.push_back(name);
    return name;
}

std::optional<DisclosureControl> control_of(hid_t root, const Level& level,
                                            const std::optional<DisclosureRule>& rule,
                                            const fs::path& path) {
    if (!rule) return std::nullopt;
    auto group = hdf5::open_group(root, level.group_path);
    return disclosure_control(group.id(), level.unit, *rule, path);
}

void write_csv(const fs::path& file, const Level& level, const LevelValues& values,
               const SpreadsheetOptions& options) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", file.string()));
    const CsvDialect& dialect = options.csv;
    const char separator = dialect.separator;
    if (dialect.byte_order_mark) out << "\xEF\xBB\xBF";
    std::string line;
    const auto add = [&](const std::string& cell) {
        if (!line.empty()) line += separator;
        line += cell;
    };
    // An empty first field would make `line.empty()` lie; a header is never empty.
    for (const auto& header : key_headers(level, options.language))
        add(csv_cell(header, separator));
    for (const auto& header : values.headers) add(csv_cell(header, separator));
    out << line << "\r\n";
    for (std::size_t y = 0; y < level.years.size(); ++y)
        for (std::size_t u = 0; u < level.codes.size(); ++u) {
            line = fmt::format("{}{}{}", level.years[y], separator,
                               csv_cell(level.codes[u], separator));
            for (const auto& attribute : level.labels)
                line += separator + csv_cell(attribute.values[u], separator);
            for_each_value(level, values, y, u, [&](std::size_t, double value) {
                line += separator;
                line += csv_number(value, dialect);
            });
            out << line << "\r\n";
        }
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", file.string()));
}

}  // namespace

// ---- public --------------------------------------------------------------------------------

ExportFormat export_format(const std::string& format, const fs::path& output) {
    if (format == "hdf5") return ExportFormat::hdf5;
    if (format == "xlsx") return ExportFormat::xlsx;
    if (format == "csv") return ExportFormat::csv;
    if (!format.empty())
        throw InputError(
            problem_at(where_in("--format"),
                       fmt::format("unknown format '{}'; expected hdf5, xlsx or csv", format)));
    std::string extension = output.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // No extension: HDF5, what export wrote before it had other formats.
    if (extension.empty() || extension == ".h5" || extension == ".hdf5" || extension == ".nc")
        return ExportFormat::hdf5;
    if (extension == ".xlsx") return ExportFormat::xlsx;
    if (extension == ".csv") return ExportFormat::csv;
    throw InputError(
        problem_at(where_in("-o"),
                   fmt::format("cannot tell the format of '{}' from its extension '{}'",
                               output.string(), extension),
                   "name it .h5 (or .nc), .xlsx or .csv, or give --format hdf5|xlsx|csv"));
}

SheetLanguage sheet_language(const std::string& language) {
    if (language == "nl") return SheetLanguage::nl;
    if (language == "en") return SheetLanguage::en;
    throw InputError(problem_at(where_in("--lang"),
                                fmt::format("unknown language '{}'; expected nl or en", language)));
}

Theme theme_of(std::string_view indicator) {
    for (const auto& rule : theme_rules)
        if (indicator.starts_with(rule.prefix)) return rule.theme;
    return Theme::other;
}

std::string_view theme_name(Theme theme, SheetLanguage language) {
    return pick(theme_names.at(static_cast<std::size_t>(theme)), language);
}

fs::path csv_level_path(const fs::path& output, const std::string& level, bool first) {
    if (first) return output;
    fs::path path = output;
    path.replace_filename(
        fmt::format("{}_{}{}", output.stem().string(), level, output.extension().string()));
    return path;
}

SpreadsheetReport export_spreadsheet(const SpreadsheetOptions& options) {
    if (options.format != ExportFormat::xlsx && options.format != ExportFormat::csv)
        throw std::logic_error("export_spreadsheet writes xlsx or csv");
    if (options.output.empty())
        throw InputError(problem_at(where_in("-o"), "missing: the file to write"));
    SpreadsheetReport report;
    std::optional<DisclosureRule> rule;
    if (!options.disclosure.empty()) {
        rule = disclosure_rule(options.disclosure);
        report.disclosure = true;
        report.rule = *rule;
    }
    static constexpr std::array<std::string_view, 2> accepted{derived_layout::result,
                                                              derived_layout::published};
    const auto file = open_result(options.source, false, accepted);
    const hid_t root = file.id();
    Source source{.path = options.source, .layout = read_result_layout(root, options.source)};
    const std::string own_name = source.layout.area_level.empty()
                                     ? std::string(pick(label::own_level, options.language))
                                     : source.layout.area_level;
    source.levels.push_back(read_level(root, "/", own_name, std::string(result_layout::area)));
    const std::string aggregates(derived_layout::aggregates);
    if (hdf5::link_exists(root, aggregates)) {
        auto group = hdf5::open_group(root, aggregates);
        for (const auto& level : hdf5::link_names(group.id()))
            if (hdf5::is_group(group.id(), level))
                source.levels.push_back(
                    read_level(root, fmt::format("/{}/{}", aggregates, level), level, level));
    }
    if (!options.levels.empty()) {
        std::vector<std::string> known;
        for (const auto& level : source.levels) known.push_back(level.name);
        for (const auto& wanted : options.levels)
            if (std::find(known.begin(), known.end(), wanted) == known.end())
                throw InputError(problem_at(
                    where_in("--levels"),
                    fmt::format("'{}' has no level '{}'; it has {}", options.source.string(),
                                wanted, fmt::join(known, ", ")),
                    "`socialtwin aggregate RESULT --levels ...` adds aggregates levels"));
        // In the order asked for (the first names the CSV file), each once.
        std::vector<Level> chosen;
        const auto named = [](const std::string& name) {
            return [&name](const Level& level) { return level.name == name; };
        };
        for (const auto& wanted : options.levels)
            if (std::none_of(chosen.begin(), chosen.end(), named(wanted)))
                chosen.push_back(
                    *std::find_if(source.levels.begin(), source.levels.end(), named(wanted)));
        source.levels = std::move(chosen);
    }
    for (const auto& level : source.levels) report.levels.push_back(level.name);
    report.source_disclosure = source.layout.meta_value("disclosure_control");
    std::vector<std::optional<DisclosureControl>> controls;
    for (const auto& level : source.levels)
        controls.push_back(control_of(root, level, rule, options.source));
    if (controls.front()) {
        report.area_years = controls.front()->area_years();
        report.suppressed_area_years = controls.front()->suppressed_area_years();
    }

    // After the source's checks, so that a bad source is named first in any build.
    if (options.format == ExportFormat::xlsx && !xlsx_supported())
        throw_xlsx_unsupported(options.output);
    // Every output is checked before any work; all appear together when all are complete.
    const std::array<ProtectedInput, 1> inputs{
        ProtectedInput{options.source, "the result being exported"}};
    std::vector<std::unique_ptr<AtomicOutput>> outputs;
    if (options.format == ExportFormat::xlsx) {
        outputs.push_back(std::make_unique<AtomicOutput>(options.output, inputs));
        XlsxWorkbook book(outputs.front()->temporary(), outputs.front()->temporary().parent_path());
        write_about(book, source, options, rule);
        report.sheets.push_back(xlsx_sheet_name(pick(label::about, options.language)));
        std::vector<std::string> taken = report.sheets;
        taken.push_back(xlsx_sheet_name(pick(label::sources, options.language)));
        for (std::size_t l = 0; l < source.levels.size(); ++l) {
            const Level& level = source.levels[l];
            for (std::size_t t = 0; t < theme_names.size(); ++t) {
                const auto which = indicators_of(level, static_cast<Theme>(t));
                if (which.empty()) continue;
                const auto name = sheet_name(
                    fmt::format("{} {}", pick(theme_names[t], options.language), level.name),
                    taken);
                write_level_sheet(book, name, level, read_values(root, level, which, controls[l]),
                                  options.language);
                report.sheets.push_back(name);
            }
        }
        write_sources(book, source, options.language);
        report.sheets.push_back(xlsx_sheet_name(pick(label::sources, options.language)));
        book.close();
    } else {
        for (std::size_t l = 0; l < source.levels.size(); ++l)
            outputs.push_back(std::make_unique<AtomicOutput>(
                csv_level_path(options.output, source.levels[l].name, l == 0), inputs));
        for (std::size_t l = 0; l < source.levels.size(); ++l) {
            const Level& level = source.levels[l];
            write_csv(outputs[l]->temporary(), level,
                      read_values(root, level, in_theme_order(level), controls[l]), options);
        }
    }
    for (auto& output : outputs) {
        output->commit();
        report.files.push_back(output->target());
    }
    return report;
}

std::string spreadsheet_summary(const SpreadsheetReport& report, const std::string& source) {
    std::vector<std::string> files;
    for (const auto& file : report.files) files.push_back(file.string());
    const std::string content = report.sheets.empty()
                                    ? fmt::format("levels {}", fmt::join(report.levels, ", "))
                                    : fmt::format("{} sheets", report.sheets.size());
    if (report.disclosure)
        return fmt::format(
            "{} written from {} ({}; {} of {} area-years suppressed at {}) under disclosure "
            "control ({})",
            fmt::join(files, ", "), source, content, report.suppressed_area_years,
            report.area_years, report.levels.front(), report.rule.description);
    if (!report.source_disclosure.empty())
        return fmt::format("{} written from {} ({}), published under disclosure control ({})",
                           fmt::join(files, ", "), source, content, report.source_disclosure);
    return fmt::format("{} written from {} ({}): exact values, not for publication",
                       fmt::join(files, ", "), source, content);
}

}  // namespace socialtwin
