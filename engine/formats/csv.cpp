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

// Splits text into rows of fields, tracking line and character column of each field. The fields
// go straight into a CsvTable's storage (no string per field).
class Parser {
public:
    Parser(std::string_view text, const std::string& file, ProblemList& problems,
           CsvTable::Fields& out)
        : text_(text), file_(file), problems_(problems), out_(out) {
        // The UTF-8 byte order mark some spreadsheet programs write.
        if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    }

    // Appends the next non-blank row's fields to the storage and returns the row's line, or
    // nullopt at the end of the text.
    std::optional<int> next_row() {
        skip_blank_lines();
        if (at_end()) return std::nullopt;
        const int line = line_;
        for (;;) {
            field(line);
            // A malformed field has been reported and the rest of its line skipped.
            if (malformed_ || at_end()) break;
            if (text_[pos_] != ',') {
                end_of_line();
                break;
            }
            advance();
        }
        return line;
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

    void field(int row_line) {
        const int line = line_, column = column_;
        if (line != row_line) out_.later_line.emplace_back(out_.end.size(), line);
        if (!at_end() && text_[pos_] == '"')
            quoted_field(line, column);
        else
            unquoted_field();
        out_.end.push_back(static_cast<std::uint32_t>(out_.text.size()));
        out_.column.push_back(column);
    }

    void unquoted_field() {
        // The plain bytes up to the next delimiter, taken at once (no line end among them).
        const std::size_t start = pos_;
        std::size_t end = start;
        int characters = 0;
        while (end < text_.size()) {
            const char c = text_[end];
            if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
            ++end;
        }
        out_.text.append(text_.substr(start, end - start));
        pos_ = end;
        column_ += characters;
        if (at_end()) return;
        if (text_[pos_] == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
            problem(line_, column_, "a carriage return without a line feed");
            skip_rest_of_line();
        } else if (text_[pos_] == '"') {
            problem(line_, column_,
                    "a quote inside an unquoted field; quote the whole field and write the "
                    "quote as \"\"");
            skip_rest_of_line();
        }
    }

    void quoted_field(int line, int column) {
        advance();  // the opening quote
        for (;;) {
            if (at_end()) {
                problem(line, column, "a quoted field is not closed");
                return;
            }
            const char c = text_[pos_];
            if (c == '"') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
                    out_.text += '"';
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
            out_.text += c;
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
    CsvTable::Fields& out_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
    bool malformed_ = false;
};

// Drops the fields from index `first` on (a row that was malformed or the wrong length).
void drop_fields(CsvTable::Fields& fields, std::size_t first) {
    fields.text.resize(first == 0 ? 0 : fields.end[first - 1]);
    fields.end.resize(first);
    fields.column.resize(first);
    while (!fields.later_line.empty() && fields.later_line.back().first >= first)
        fields.later_line.pop_back();
}

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

CsvTable::CsvTable(std::string file, std::vector<std::string> header, int header_line,
                   Fields fields)
    : file_(std::move(file)),
      header_(std::move(header)),
      header_line_(header_line),
      fields_(std::move(fields)) {}

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

std::string_view CsvTable::text(std::size_t row, CsvColumn column) const {
    if (row >= size() || column.index >= header_.size())
        throw std::out_of_range("CsvTable::text: no such row or column");
    const std::size_t i = row * header_.size() + column.index;
    const std::size_t start = i == 0 ? 0 : fields_.end[i - 1];
    return std::string_view(fields_.text).substr(start, fields_.end[i] - start);
}

SourceLocation CsvTable::location(std::size_t row, CsvColumn column) const {
    if (row >= size() || column.index >= header_.size())
        throw std::out_of_range("CsvTable::location: no such row or column");
    const std::size_t i = row * header_.size() + column.index;
    int line = fields_.row_line[row];
    const auto later = std::lower_bound(fields_.later_line.begin(), fields_.later_line.end(), i,
                                        [](const std::pair<std::size_t, int>& entry,
                                           std::size_t index) { return entry.first < index; });
    if (later != fields_.later_line.end() && later->first == i) line = later->second;
    return {.file = file_,
            .line = line,
            .column = fields_.column[i],
            .key_path = header_.at(column.index)};
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
    const std::string_view s = text(row, column);
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
    const std::string_view s = text(row, column);
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

std::string_view CsvTable::choice(std::size_t row, CsvColumn column,
                                  std::span<const std::string_view> allowed) {
    const std::string_view s = text(row, column);
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
    CsvTable::Fields fields;
    // About one byte of field text per byte of file, and a field per ~4 bytes.
    fields.text.reserve(text.size());
    Parser parser(text, file, problems, fields);

    const std::optional<int> header_line = parser.next_row();
    if (!header_line) {
        throw InputError(problem_at(where_in(file), "the file is empty; expected a header row"));
    }
    std::vector<std::string> header;
    std::string header_text;
    for (std::size_t i = 0; i < fields.end.size(); ++i) {
        const std::size_t start = i == 0 ? 0 : fields.end[i - 1];
        header.push_back(fields.text.substr(start, fields.end[i] - start));
        const std::string& name = header.back();
        const auto later = std::find_if(fields.later_line.begin(), fields.later_line.end(),
                                        [&](const auto& e) { return e.first == i; });
        const int line = later != fields.later_line.end() ? later->second : *header_line;
        header_text += fmt::format("{}{}", header_text.empty() ? "" : ",", name);
        if (name.empty())
            problems.add(problem_at(where_in(file, line, fields.column[i]),
                                    "empty column name in the header"));
        else if (std::find(header.begin(), header.end() - 1, name) != header.end() - 1)
            problems.add(
                problem_at(where_in(file, line, fields.column[i]),
                           fmt::format("column \"{}\" appears twice in the header", name)));
    }
    for (const std::string_view required : required_columns) {
        if (std::find(header.begin(), header.end(), required) != header.end()) continue;
        problems.add(problem_at(
            where_in(file, *header_line, 0, std::string{required}),
            fmt::format("missing column \"{}\"; the header is \"{}\"", required, header_text),
            did_you_mean(required, {header.begin(), header.end()})));
    }
    drop_fields(fields, 0);
    // Room for every field at once (at most one per comma or line end), so the storage is not
    // copied as it grows: a million-row table would briefly need twice its size.
    const auto n_fields = static_cast<std::size_t>(std::count(text.begin(), text.end(), ',') +
                                                   std::count(text.begin(), text.end(), '\n')) +
                          1;
    fields.end.reserve(n_fields);
    fields.column.reserve(n_fields);

    const std::size_t expected = header.size();
    for (;;) {
        const std::size_t first = fields.end.size();
        const std::optional<int> line = parser.next_row();
        if (!line) break;
        if (parser.row_was_malformed()) {
            parser.clear_malformed();
            drop_fields(fields, first);
            continue;  // already reported; its field count means nothing
        }
        const std::size_t n = fields.end.size() - first;
        if (n > expected) {
            const std::size_t extra = first + expected;
            const auto later = std::find_if(fields.later_line.begin(), fields.later_line.end(),
                                            [&](const auto& e) { return e.first == extra; });
            problems.add(
                problem_at(where_in(file, later != fields.later_line.end() ? later->second : *line,
                                    fields.column[extra]),
                           fmt::format("this row has {} fields but the header has {}; a "
                                       "field with a comma must be quoted",
                                       n, expected)));
            drop_fields(fields, first);
            continue;
        }
        if (n < expected) {
            problems.add(
                problem_at(where_in(file, *line),
                           fmt::format("this row has {} field{} but the header has {}: no value "
                                       "for \"{}\"",
                                       n, n == 1 ? "" : "s", expected, header[n])));
            drop_fields(fields, first);
            continue;
        }
        fields.row_line.push_back(*line);
    }
    throw_input_problems(std::move(problems.problems()), problems.n_unreported());
    return CsvTable(std::move(file), std::move(header), *header_line, std::move(fields));
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
