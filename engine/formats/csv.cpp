#include "engine/formats/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

#include "engine/core/suggest.hpp"
#include "engine/formats/input_file.hpp"

namespace socialtwin {

namespace {

// Shows a field's text in a message: quoted, and cut short if long (a whole misparsed line can
// end up in one field).
std::string shown(std::string_view text) {
    constexpr std::size_t max_shown = 40;
    if (text.size() <= max_shown) return fmt::format("\"{}\"", text);
    return fmt::format("\"{}...\"", text.substr(0, max_shown));
}

// Collects problems up to the cap and counts the rest.
class ProblemList {
public:
    void add(InputProblem problem) {
        if (problems_.size() < max_reported_problems)
            problems_.push_back(std::move(problem));
        else
            ++n_unreported_;
    }
    bool empty() const noexcept { return problems_.empty(); }
    std::vector<InputProblem>& problems() noexcept { return problems_; }
    std::size_t n_unreported() const noexcept { return n_unreported_; }

private:
    std::vector<InputProblem> problems_;
    std::size_t n_unreported_ = 0;
};

// Splits text into rows of fields, tracking line and character column of each field.
class Parser {
public:
    Parser(std::string_view text, const std::string& file, ProblemList& problems)
        : text_(text), file_(file), problems_(problems) {
        // The UTF-8 byte order mark some spreadsheet programs write.
        if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    }

    // The next non-blank row, or nullopt at the end of the text.
    std::optional<CsvRow> next_row() {
        skip_blank_lines();
        if (at_end()) return std::nullopt;
        CsvRow row;
        row.line = line_;
        for (;;) {
            row.fields.push_back(field());
            // A malformed field has been reported and the rest of its line skipped.
            if (malformed_ || at_end()) break;
            if (text_[pos_] != ',') {
                end_of_line();
                break;
            }
            advance();
        }
        return row;
    }

    bool row_was_malformed() const noexcept { return malformed_; }
    void clear_malformed() noexcept { malformed_ = false; }

private:
    bool at_end() const noexcept { return pos_ >= text_.size(); }

    void advance() {
        const auto byte = static_cast<unsigned char>(text_[pos_]);
        ++pos_;
        if (byte == '\n') {
            ++line_;
            column_ = 1;
        } else if ((byte & 0xC0) != 0x80) {
            // Continuation bytes of a UTF-8 sequence do not start a character.
            ++column_;
        }
    }

    // Consumes a line end (\n or \r\n) if one is here.
    bool end_of_line() {
        if (text_[pos_] == '\n') {
            advance();
            return true;
        }
        if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
            ++pos_;  // the \r takes no column of its own
            advance();
            return true;
        }
        return false;
    }

    void skip_blank_lines() {
        while (!at_end() && end_of_line()) {
        }
    }

    void skip_rest_of_line() {
        while (!at_end() && !end_of_line()) advance();
    }

    void problem(int line, int column, std::string message) {
        malformed_ = true;
        problems_.add(problem_at(where_in(file_, line, column), std::move(message)));
    }

    CsvField field() {
        CsvField f;
        f.line = line_;
        f.column = column_;
        if (!at_end() && text_[pos_] == '"') {
            quoted_field(f);
            return f;
        }
        while (!at_end()) {
            const char c = text_[pos_];
            if (c == ',' || c == '\n') break;
            if (c == '\r') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') break;
                problem(line_, column_, "a carriage return without a line feed");
                skip_rest_of_line();
                return f;
            }
            if (c == '"') {
                problem(line_, column_,
                        "a quote inside an unquoted field; quote the whole field and write the "
                        "quote as \"\"");
                skip_rest_of_line();
                return f;
            }
            f.text += c;
            advance();
        }
        return f;
    }

    void quoted_field(CsvField& f) {
        advance();  // the opening quote
        for (;;) {
            if (at_end()) {
                problem(f.line, f.column, "a quoted field is not closed");
                return;
            }
            const char c = text_[pos_];
            if (c == '"') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
                    f.text += '"';
                    advance();
                    advance();
                    continue;
                }
                advance();
                break;
            }
            if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
                ++pos_;  // keep the line end as \n, whatever the file uses
                continue;
            }
            f.text += c;
            advance();
        }
        if (at_end() || text_[pos_] == ',' || text_[pos_] == '\n' ||
            (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'))
            return;
        problem(line_, column_,
                "unexpected text after a closing quote; expected ',' or a line end");
        skip_rest_of_line();
    }

    std::string_view text_;
    const std::string& file_;
    ProblemList& problems_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
    bool malformed_ = false;
};

std::string describe_whole_number_range(std::int64_t min, std::int64_t max) {
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    constexpr auto highest = std::numeric_limits<std::int64_t>::max();
    if (min == lowest && max == highest) return "a whole number";
    if (min == 0 && max == highest) return "a non-negative whole number";
    if (max == highest) return fmt::format("a whole number of at least {}", min);
    if (min == lowest) return fmt::format("a whole number of at most {}", max);
    return fmt::format("a whole number in {}..{}", min, max);
}

std::string describe_number_range(double min, double max) {
    const bool no_min = std::isinf(min);
    const bool no_max = std::isinf(max);
    if (no_min && no_max) return "a number";
    if (min == 0 && no_max) return "a non-negative number";
    if (no_max) return fmt::format("a number of at least {}", min);
    if (no_min) return fmt::format("a number of at most {}", max);
    return fmt::format("a number in {}..{}", min, max);
}

}  // namespace

void throw_input_problems(std::vector<InputProblem> problems, std::size_t n_unreported) {
    if (problems.empty()) return;
    if (problems.size() > max_reported_problems) {
        n_unreported += problems.size() - max_reported_problems;
        problems.resize(max_reported_problems);
    }
    if (n_unreported > 0) {
        problems.push_back(problem_at(
            where_in(problems.back().where.file),
            fmt::format("... and {} more problem{}", n_unreported, n_unreported == 1 ? "" : "s")));
    }
    throw InputError(std::move(problems));
}

CsvTable::CsvTable(std::string file, CsvRow header, std::vector<CsvRow> rows)
    : file_(std::move(file)), header_line_(header.line), rows_(std::move(rows)) {
    header_.reserve(header.fields.size());
    for (CsvField& f : header.fields) header_.push_back(std::move(f.text));
}

std::optional<CsvColumn> CsvTable::find_column(std::string_view name) const noexcept {
    const auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end()) return std::nullopt;
    return CsvColumn{static_cast<std::size_t>(it - header_.begin())};
}

CsvColumn CsvTable::column(std::string_view name) const {
    if (const auto c = find_column(name)) return *c;
    throw std::logic_error(
        fmt::format("CsvTable::column: '{}' is not a column of {}; pass it to "
                    "read_csv as a required column",
                    name, file_));
}

const std::string& CsvTable::text(std::size_t row, CsvColumn column) const {
    return rows_.at(row).fields.at(column.index).text;
}

SourceLocation CsvTable::location(std::size_t row, CsvColumn column) const {
    const CsvField& f = rows_.at(row).fields.at(column.index);
    return {
        .file = file_, .line = f.line, .column = f.column, .key_path = header_.at(column.index)};
}

void CsvTable::report(std::size_t row, CsvColumn column, std::string message, std::string hint) {
    if (problems_.size() >= max_reported_problems) {
        ++n_unreported_;
        return;
    }
    problems_.push_back(problem_at(location(row, column), std::move(message), std::move(hint)));
}

std::int64_t CsvTable::whole_number(std::size_t row, CsvColumn column, std::int64_t min,
                                    std::int64_t max) {
    const std::string& s = text(row, column);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value < min ||
        value > max) {
        report(row, column,
               fmt::format("expected {}, got {}", describe_whole_number_range(min, max), shown(s)));
        return std::clamp<std::int64_t>(0, min, max);
    }
    return value;
}

double CsvTable::number(std::size_t row, CsvColumn column, double min, double max) {
    const std::string& s = text(row, column);
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value) ||
        value < min || value > max) {
        report(row, column,
               fmt::format("expected {}, got {}", describe_number_range(min, max), shown(s)));
        return std::clamp(0.0, min, max);
    }
    return value;
}

std::optional<double> CsvTable::optional_number(std::size_t row, CsvColumn column, double min,
                                                double max) {
    if (text(row, column).empty()) return std::nullopt;
    return number(row, column, min, max);
}

const std::string& CsvTable::choice(std::size_t row, CsvColumn column,
                                    std::span<const std::string_view> allowed) {
    const std::string& s = text(row, column);
    if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
    std::string list;
    for (const std::string_view a : allowed)
        list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
    report(row, column, fmt::format("expected one of {}, got {}", list, shown(s)),
           did_you_mean(s, {allowed.begin(), allowed.end()}));
    return s;
}

void CsvTable::throw_if_problems() const { throw_input_problems(problems_, n_unreported_); }

CsvTable parse_csv(std::string_view text, std::string file,
                   std::span<const std::string_view> required_columns) {
    // Area names and codes end up in result attributes typed UTF-8.
    check_utf8_text(text, file);
    ProblemList problems;
    Parser parser(text, file, problems);

    std::optional<CsvRow> header = parser.next_row();
    if (!header) {
        throw InputError(problem_at(where_in(file), "the file is empty; expected a header row"));
    }
    std::string header_text;
    std::vector<std::string_view> names;
    for (const CsvField& f : header->fields) {
        header_text += fmt::format("{}{}", header_text.empty() ? "" : ",", f.text);
        if (f.text.empty())
            problems.add(
                problem_at(where_in(file, f.line, f.column), "empty column name in the header"));
        else if (std::find(names.begin(), names.end(), f.text) != names.end())
            problems.add(
                problem_at(where_in(file, f.line, f.column),
                           fmt::format("column \"{}\" appears twice in the header", f.text)));
        names.push_back(f.text);
    }
    for (const std::string_view required : required_columns) {
        if (std::find(names.begin(), names.end(), required) != names.end()) continue;
        problems.add(problem_at(
            where_in(file, header->line, 0, std::string{required}),
            fmt::format("missing column \"{}\"; the header is \"{}\"", required, header_text),
            did_you_mean(required, names)));
    }

    std::vector<CsvRow> rows;
    while (std::optional<CsvRow> row = parser.next_row()) {
        if (parser.row_was_malformed()) {
            parser.clear_malformed();
            continue;  // already reported; its field count means nothing
        }
        const std::size_t n = row->fields.size();
        const std::size_t expected = header->fields.size();
        if (n > expected) {
            const CsvField& extra = row->fields[expected];
            problems.add(problem_at(where_in(file, extra.line, extra.column),
                                    fmt::format("this row has {} fields but the header has {}; a "
                                                "field with a comma must be quoted",
                                                n, expected)));
            continue;
        }
        if (n < expected) {
            problems.add(
                problem_at(where_in(file, row->line),
                           fmt::format("this row has {} field{} but the header has {}: no value "
                                       "for \"{}\"",
                                       n, n == 1 ? "" : "s", expected, names[n])));
            continue;
        }
        rows.push_back(std::move(*row));
    }
    throw_input_problems(std::move(problems.problems()), problems.n_unreported());
    return CsvTable(std::move(file), std::move(*header), std::move(rows));
}

CsvTable read_csv(const std::filesystem::path& file,
                  std::span<const std::string> required_columns) {
    const std::vector<std::string_view> names(required_columns.begin(), required_columns.end());
    InputText input = read_input_file(file, table_input_limit);
    if (!input.ok())
        throw InputError(problem_at(where_in(file.string()),
                                    fmt::format("cannot open the file ({})", input.why_not)));
    return parse_csv(input.text, file.string(), names);
}

CsvTable read_csv(const std::filesystem::path& file,
                  std::initializer_list<std::string_view> required_columns) {
    const std::vector<std::string> names(required_columns.begin(), required_columns.end());
    return read_csv(file, std::span<const std::string>(names));
}

std::string csv_cell(const std::string& text, char separator) {
    const char special[] = {separator, '"', '\n', '\r', '\0'};
    if (text.find_first_of(special) == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string csv_number(double value, const CsvDialect& dialect) {
    if (std::isnan(value)) return {};
    std::string text = fmt::format("{}", value);  // shortest round trip; "inf", "-inf" kept
    if (dialect.decimal_mark != '.')
        std::replace(text.begin(), text.end(), '.', dialect.decimal_mark);
    return text;
}

}  // namespace socialtwin
