#include "engine/formats/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
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

// One row's fields as the parser splits them: their values back to back, each by its end, with
// the character column it starts at; the rare field that starts on a later line than its row
// (after a quoted line end) as (field index, line); and whether a quoted field's value differs
// from its bytes between the quotes. Reused row after row.
struct RowFields {
    std::string text;
    std::vector<std::uint32_t> end;
    std::vector<std::int32_t> column;
    std::vector<std::pair<std::size_t, int>> later_line;
    std::vector<char> escaped;

    std::string_view value(std::size_t i) const {
        const std::size_t start = i == 0 ? 0 : end[i - 1];
        return std::string_view(text).substr(start, end[i] - start);
    }
    void clear() {
        text.clear();
        end.clear();
        column.clear();
        later_line.clear();
        escaped.clear();
    }
};

// Splits text into rows of fields, tracking line and character column of each field.
class Parser {
public:
    Parser(std::string_view text, const std::string& file, ProblemList& problems, RowFields& out)
        : text_(text), file_(file), problems_(problems), out_(out) {
        // The UTF-8 byte order mark some spreadsheet programs write.
        if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    }

    // Appends the next non-blank row's fields to the storage and returns the row's line, or
    // nullopt at the end of the text.
    std::optional<int> next_row() {
        skip_blank_lines();
        if (at_end()) return std::nullopt;
        row_start_ = pos_;
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
    // Where the parser is: the next byte to read and its line.
    std::size_t position() const noexcept { return pos_; }
    int line() const noexcept { return line_; }
    // Where the row next_row() last read starts in the text.
    std::size_t row_start() const noexcept { return row_start_; }
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
        escaped_ = false;
        if (!at_end() && text_[pos_] == '"')
            quoted_field(line, column);
        else
            unquoted_field();
        out_.end.push_back(static_cast<std::uint32_t>(out_.text.size()));
        out_.column.push_back(column);
        out_.escaped.push_back(escaped_ ? 1 : 0);
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
                    escaped_ = true;
                    advance();
                    advance();
                    continue;
                }
                advance();
                break;
            }
            if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
                ++pos_;  // keep the line end as \n, whatever the file uses
                escaped_ = true;
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
    RowFields& out_;
    std::size_t pos_ = 0;
    std::size_t row_start_ = 0;
    bool escaped_ = false;
    int line_ = 1;
    int column_ = 1;
    bool malformed_ = false;
};

// The rows of text from `pos` (line `line`) on when it has no quotes, a carriage return only
// before a line feed, and `expected` fields on every non-blank line; false (rows partly filled)
// otherwise.
bool plain_rows(std::string_view text, std::size_t pos, int line, std::size_t expected,
                CsvTable::Rows& rows) {
    const char* const data = text.data();
    const std::size_t size = text.size();
    if (pos >= size) return true;
    if (std::memchr(data + pos, '"', size - pos)) return false;
    while (pos < size) {
        const void* const newline = std::memchr(data + pos, '\n', size - pos);
        const std::size_t end =
            newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : size;
        const std::size_t content_end =
            newline && end > pos && data[end - 1] == '\r' ? end - 1 : end;
        if (content_end > pos) {
            std::size_t commas = 0, returns = 0;
            for (std::size_t i = pos; i < content_end; ++i) {
                commas += data[i] == ',';
                returns += data[i] == '\r';
            }
            if (returns != 0 || commas + 1 != expected) return false;
            rows.start.push_back(static_cast<std::uint32_t>(pos));
            rows.line.push_back(line);
        }
        ++line;
        pos = end + 1;
    }
    return true;
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

CsvTable::CsvTable(std::string file, std::vector<std::string> header, int header_line, Rows rows)
    : file_(std::move(file)),
      header_(std::move(header)),
      header_line_(header_line),
      rows_(std::move(rows)) {}

// The parser's split of a row, again: the row was well-formed (each field unquoted without a
// quote or lone \r, or quoted and closed), so this needs no checks. Columns count characters as
// the parser does: a UTF-8 continuation byte or the \r of a \r\n takes none, and a line end
// inside a quoted field starts the next line at column 1.
CsvTable::Field CsvTable::locate(std::size_t row, std::size_t column, bool with_position) const {
    if (row >= size() || column >= header_.size())
        throw std::out_of_range("CsvTable: no such row or column");
    const std::string_view t = rows_.text;
    const auto starts_character = [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    };
    std::size_t pos = rows_.start[row];
    int line = rows_.line[row];
    int character = 1;
    for (std::size_t c = 0;; ++c) {
        Field field{.begin = pos, .end = pos, .quoted = false, .line = line, .column = character};
        if (pos < t.size() && t[pos] == '"') {
            field.quoted = true;
            std::size_t i = pos + 1;
            ++character;  // the opening quote
            for (;;) {
                const char ch = t[i];
                if (ch == '"') {
                    if (i + 1 < t.size() && t[i + 1] == '"') {
                        i += 2;
                        character += 2;
                        continue;
                    }
                    break;
                }
                if (with_position) {
                    if (ch == '\n') {
                        ++line;
                        character = 1;
                    } else if (!(ch == '\r' && i + 1 < t.size() && t[i + 1] == '\n') &&
                               starts_character(ch)) {
                        ++character;
                    }
                }
                ++i;
            }
            field.begin = pos + 1;
            field.end = i;
            pos = i + 1;
            ++character;  // the closing quote
        } else {
            std::size_t i = pos;
            while (i < t.size() && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                if (with_position && starts_character(t[i])) ++character;
                ++i;
            }
            field.end = i;
            pos = i;
        }
        if (c == column) return field;
        ++pos;  // the comma: a well-formed row has all its header's fields
        ++character;
    }
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

std::string_view CsvTable::text(std::size_t row, CsvColumn column) const {
    const Field field = locate(row, column.index, false);
    if (field.quoted) {
        const std::size_t i = row * header_.size() + column.index;
        const auto unescaped = std::lower_bound(
            rows_.unescaped.begin(), rows_.unescaped.end(), i,
            [](const auto& entry, std::size_t index) { return entry.first < index; });
        if (unescaped != rows_.unescaped.end() && unescaped->first == i) return unescaped->second;
    }
    return std::string_view(rows_.text).substr(field.begin, field.end - field.begin);
}

void CsvTable::split(std::size_t row, std::span<std::string_view> fields) const {
    if (row >= size() || fields.size() != header_.size())
        throw std::out_of_range("CsvTable::split: no such row, or not one place per column");
    const std::string_view t = rows_.text;
    std::size_t pos = rows_.start[row];
    for (std::size_t c = 0; c < fields.size(); ++c) {
        if (pos < t.size() && t[pos] == '"') {
            // Rare in data tables: the quoted field as text() gives it, and on past it.
            fields[c] = text(row, CsvColumn{c});
            pos = locate(row, c, false).end + 1;
        } else {
            std::size_t end = pos;
            while (end < t.size() && t[end] != ',' && t[end] != '\n' && t[end] != '\r') ++end;
            fields[c] = t.substr(pos, end - pos);
            pos = end;
        }
        ++pos;  // the comma
    }
}

SourceLocation CsvTable::location(std::size_t row, CsvColumn column) const {
    const Field field = locate(row, column.index, true);
    return {.file = file_,
            .line = field.line,
            .column = field.column,
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
    return whole_number(row, column, text(row, column), min, max);
}

std::int64_t CsvTable::whole_number(std::size_t row, CsvColumn column, std::string_view field,
                                    std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || ec != std::errc{} || end != field.data() + field.size() || value < min ||
        value > max) {
        report(row, column,
               fmt::format("expected {}, got {}", describe_whole_number_range(min, max),
                           shown(field)));
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

CsvTable parse_csv(std::string file_text, std::string file,
                   std::span<const std::string_view> required_columns) {
    // Area names and codes end up in result attributes typed UTF-8.
    check_utf8_text(file_text, file);
    // Rows are found by 4-byte offsets (read_csv reads at most table_input_limit).
    if (file_text.size() > std::numeric_limits<std::uint32_t>::max())
        throw InputError(problem_at(where_in(file), "the file is larger than 4 GiB"));
    ProblemList problems;
    CsvTable::Rows rows;
    rows.text = std::move(file_text);
    const std::string_view text = rows.text;
    RowFields fields;  // one row's at a time
    Parser parser(text, file, problems, fields);

    const std::optional<int> header_line = parser.next_row();
    if (!header_line) {
        throw InputError(problem_at(where_in(file), "the file is empty; expected a header row"));
    }
    std::vector<std::string> header;
    std::string header_text;
    for (std::size_t i = 0; i < fields.end.size(); ++i) {
        header.emplace_back(fields.value(i));
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
    // Room for every row at once (at most one per line end), so the rows are not copied as
    // they grow.
    const auto n_lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    rows.start.reserve(n_lines);
    rows.line.reserve(n_lines);

    const std::size_t expected = header.size();
    // Data tables have no quotes and plain line ends: each non-blank line is then a row, which a
    // tight scan finds. Any row the scan cannot vouch for sends the whole file through the
    // parser below, which says what is wrong where.
    if (problems.empty() && plain_rows(text, parser.position(), parser.line(), expected, rows)) {
        return CsvTable(std::move(file), std::move(header), *header_line, std::move(rows));
    }
    rows.start.clear();
    rows.line.clear();
    for (;;) {
        fields.clear();
        const std::optional<int> line = parser.next_row();
        if (!line) break;
        if (parser.row_was_malformed()) {
            parser.clear_malformed();
            continue;  // already reported; its field count means nothing
        }
        const std::size_t n = fields.end.size();
        if (n > expected) {
            const auto later = std::find_if(fields.later_line.begin(), fields.later_line.end(),
                                            [&](const auto& e) { return e.first == expected; });
            problems.add(
                problem_at(where_in(file, later != fields.later_line.end() ? later->second : *line,
                                    fields.column[expected]),
                           fmt::format("this row has {} fields but the header has {}; a "
                                       "field with a comma must be quoted",
                                       n, expected)));
            continue;
        }
        if (n < expected) {
            problems.add(
                problem_at(where_in(file, *line),
                           fmt::format("this row has {} field{} but the header has {}: no value "
                                       "for \"{}\"",
                                       n, n == 1 ? "" : "s", expected, header[n])));
            continue;
        }
        for (std::size_t i = 0; i < n; ++i)
            if (fields.escaped[i])
                rows.unescaped.emplace_back(rows.line.size() * expected + i, fields.value(i));
        rows.start.push_back(static_cast<std::uint32_t>(parser.row_start()));
        rows.line.push_back(*line);
    }
    throw_input_problems(std::move(problems.problems()), problems.n_unreported());
    return CsvTable(std::move(file), std::move(header), *header_line, std::move(rows));
}

CsvTable read_csv(const std::filesystem::path& file,
                  std::span<const std::string> required_columns) {
    const std::vector<std::string_view> names(required_columns.begin(), required_columns.end());
    InputText input = read_input_file(file, table_input_limit);
    if (!input.ok())
        throw InputError(problem_at(where_in(file.string()),
                                    fmt::format("cannot open the file ({})", input.why_not)));
    return parse_csv(std::move(input.text), file.string(), names);
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
