#pragma once
// Two kinds of failure, kept apart on purpose: bad input is the user's to fix and carries where
// and what; a logic error is a bug in socialtwin.

#include <stdexcept>
#include <string>
#include <vector>

namespace socialtwin {

// Where in an input file something is. line and column are 1-based; 0 = unknown.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
    std::string key_path;  // e.g. "rates.mortality[0].factor" or a CSV column name
};

struct InputProblem {
    SourceLocation where;
    std::string message;  // what is wrong and what was expected
    std::string hint;     // e.g. "did you mean 'horizon'?"; may be empty
};

// Builders for the two structs above. (GCC 12 warns about brace-initialising them with members
// left out, so code builds them through these.)
SourceLocation where_in(std::string file, int line = 0, int column = 0, std::string key_path = {});
InputProblem problem_at(SourceLocation where, std::string message, std::string hint = {});

// Format as "file:line:col: key: message (hint)".
std::string format(const InputProblem& problem);

// All problems found in one pass over an input; thrown only when there is at least one.
class InputError : public std::runtime_error {
public:
    explicit InputError(std::vector<InputProblem> problems);
    explicit InputError(InputProblem problem);
    const std::vector<InputProblem>& problems() const noexcept { return problems_; }

private:
    std::vector<InputProblem> problems_;
};

}  // namespace socialtwin
