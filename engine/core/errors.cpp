#include "engine/core/errors.hpp"

#include <fmt/format.h>

namespace socialtwin {

SourceLocation where_in(std::string file, int line, int column, std::string key_path) {
    SourceLocation where;
    where.file = std::move(file);
    where.line = line;
    where.column = column;
    where.key_path = std::move(key_path);
    return where;
}

InputProblem problem_at(SourceLocation where, std::string message, std::string hint) {
    InputProblem p;
    p.where = std::move(where);
    p.message = std::move(message);
    p.hint = std::move(hint);
    return p;
}

std::string format(const InputProblem& problem) {
    std::string out = problem.where.file.empty() ? std::string{"<input>"} : problem.where.file;
    if (problem.where.line > 0) {
        out += fmt::format(":{}", problem.where.line);
        if (problem.where.column > 0) out += fmt::format(":{}", problem.where.column);
    }
    out += ": ";
    if (!problem.where.key_path.empty()) out += problem.where.key_path + ": ";
    out += problem.message;
    if (!problem.hint.empty()) out += fmt::format(" ({})", problem.hint);
    return out;
}

namespace {
std::string join(const std::vector<InputProblem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        if (!out.empty()) out += '\n';
        out += format(p);
    }
    return out;
}
}  // namespace

InputError::InputError(std::vector<InputProblem> problems)
    : std::runtime_error(join(problems)), problems_(std::move(problems)) {}

InputError::InputError(InputProblem problem)
    : InputError(std::vector<InputProblem>{std::move(problem)}) {}

}  // namespace socialtwin
