#pragma once
// Reading input text safely. Every text input (scenario files and their `extends` chain,
// dataset.yaml and rates.yaml, dataset and rate CSVs, observation folders) goes through here, so
// that no input can make the tool read without end (/dev/zero, a link to it), block for ever (a
// FIFO), exhaust memory (a huge file, a YAML alias bomb), overflow the stack (a YAML alias that
// contains itself), or carry bytes that are not UTF-8 text into result files whose attributes are
// typed UTF-8.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/errors.hpp"

namespace YAML {
class Node;
}

namespace socialtwin {

// How large an input may be, by kind. Generous on purpose: the largest shipped scenario is a few
// kB and the largest shipped CSV (data/datasets/nl-pc4-2021/population.csv) about 20 MB; the
// limits only stop what is not an input of that kind at all.
struct InputSizeLimit {
    std::uintmax_t max_bytes = 0;
};
inline constexpr std::uintmax_t bytes_per_mb = 1024 * 1024;
// Scenario files and the small YAML files of datasets and observations.
inline constexpr InputSizeLimit yaml_input_limit{16 * bytes_per_mb};
// Dataset, rate and observation tables.
inline constexpr InputSizeLimit table_input_limit{1024 * bytes_per_mb};

// The content of `file`, or why it cannot be read: "no such file", "not readable: ...", "not a
// regular file: a character device" (or a FIFO, a directory...), "larger than 16 MB, the limit
// for this kind of input". Opens without blocking (a FIFO with
// no writer would otherwise block the open for ever) and checks the opened descriptor, so a
// symbolic link is judged by what it points to and nothing can be swapped in between the check
// and the read.
struct InputText {
    std::string text;
    std::string why_not;  // empty when `text` is the file's content
    bool ok() const noexcept { return why_not.empty(); }
};
InputText read_input_file(const std::filesystem::path& file, InputSizeLimit limit);

// As read_input_file, also checking the text is UTF-8 without NUL bytes; throws InputError
// ("cannot open the file (...)" at the file, or the position of the first bad byte).
std::string read_input_text_or_throw(const std::filesystem::path& file, InputSizeLimit limit);

// Where the first byte is that makes `text` something other than UTF-8 text without NUL bytes
// (1-based line and character column, and what it is: "a NUL byte", "byte 0xFF, which is not
// UTF-8"), or nullopt. A UTF-8 byte order mark at the start is allowed.
struct TextFault {
    int line = 0;
    int column = 0;
    std::string what;
};
std::optional<TextFault> first_text_fault(std::string_view text);

// Throws InputError at the first byte of `text` that is not UTF-8 text (see above); `file` names
// it in the message.
void check_utf8_text(std::string_view text, const std::string& file);

// Bounds on a parsed YAML document. yaml-cpp shares the node an alias names, so a small file can
// stand for a document of billions of values (ten anchors, each a list of nine aliases of the
// one before) or, through an alias inside its own anchor, for an infinitely deep one. Both are
// counted here as the document is expanded, stopping at the first limit. A scenario has a few
// hundred values nested at most five deep, a dataset.yaml a few dozen.
struct YamlLimits {
    std::size_t max_values = 100'000;
    int max_depth = 64;
};
inline constexpr YamlLimits yaml_limits{};

// Throws InputError when `root`, expanded, nests deeper or holds more values than `limits`,
// naming the limit, its value, and the file, line, column and key path where it was passed.
void check_yaml_limits(const YAML::Node& root, const std::string& file,
                       YamlLimits limits = yaml_limits);

}  // namespace socialtwin
