#pragma once
// Command-line usage errors as a planner can act on them: the option, what it expects and what it
// got, the command's usage and where to read more - and exit 2, like every other bad input.
// CLI11's own messages ("Value -1 not in range 0.000000 to 1797...") and exit codes (105, 106,
// 109, ...) are an implementation detail the user should never see.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace socialtwin::cli {

// A whole number from `min` to `max`; `min_meaning` says what the lowest value means, e.g.
// "all cores" gives "expected a whole number from 0 (all cores) to 1024, got -1".
CLI::Validator whole_number(std::int64_t min, std::int64_t max, std::string min_meaning = {});
// A finite decimal number, e.g. 0.0225; `example` ends the message ("e.g. 0.0225 for 2.25%").
CLI::Validator decimal_number(std::string example);
// One of `choices`, exactly as written.
CLI::Validator one_of(std::vector<std::string> choices);
// An existing regular file (or a link to one) / an existing folder.
CLI::Validator existing_file();
CLI::Validator existing_folder();

// Prints what went wrong with the command line (see above) to `err` and returns the exit code:
// 2. `app` is the parsed (or partly parsed) application, `args` the arguments after the program
// name.
int report_usage_error(const CLI::App& app, const CLI::ParseError& error,
                       std::span<const std::string> args, std::ostream& err);

}  // namespace socialtwin::cli
