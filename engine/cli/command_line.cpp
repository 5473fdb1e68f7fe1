#include "engine/cli/command_line.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "engine/core/suggest.hpp"

namespace socialtwin::cli {

namespace {

namespace fs = std::filesystem;

constexpr int exit_bad_input = 2;

// What the user typed, quoted unless it reads as a number (so "-1" stays -1, "abc" is 'abc').
std::string shown(const std::string& text) {
    double ignored = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ignored);
    if (!text.empty() && error == std::errc{} && end == text.data() + text.size()) return text;
    return fmt::format("'{}'", text);
}

// The first sentence of a description: one line per command or option in a list.
std::string first_sentence(const std::string& text) {
    const auto end = text.find(". ");
    std::string sentence = end == std::string::npos ? text : text.substr(0, end + 1);
    if (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
    // One line of a terminal: cut at a word, and say so.
    constexpr std::size_t width = 72;
    if (sentence.size() > width) {
        const auto space = sentence.rfind(' ', width);
        sentence = sentence.substr(0, space == std::string::npos ? width : space) + " ...";
    }
    return sentence;
}

std::string program_and_command(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::App* app = &command; app != nullptr; app = app->get_parent())
        names.insert(names.begin(), app->get_name());
    return fmt::format("{}", fmt::join(names, " "));
}

// "socialtwin run [OPTIONS] scenario"
std::string usage_line(const CLI::App& command) {
    std::string line = program_and_command(command) + " [OPTIONS]";
    for (const CLI::Option* option :
         command.get_options([](const CLI::Option* o) { return o->get_positional(); })) {
        const std::string name = option->get_name(true);
        line += option->get_required() ? " " + name : " [" + name + "]";
        if (option->get_expected_max() > 1) line += " ...";
    }
    return line;
}

void print_commands(const CLI::App& app, std::ostream& err) {
    const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
    std::size_t width = 0;
    for (const CLI::App* c : commands) width = std::max(width, c->get_name().size());
    err << "commands:\n";
    for (const CLI::App* c : commands)
        err << fmt::format("  {:<{}}  {}\n", c->get_name(), width,
                           first_sentence(c->get_description()));
    err << fmt::format("see {} --help\n", app.get_name());
}

// The long (else short) names of the command's options, for "did you mean".
std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const auto& name : option->get_lnames()) names.push_back("--" + name);
        for (const auto& name : option->get_snames()) names.push_back("-" + name);
    }
    return names;
}

std::string nearest(const std::string& typed, const std::vector<std::string>& names) {
    std::vector<std::string_view> candidates(names.begin(), names.end());
    const std::string hint = did_you_mean(typed, candidates);
    return hint.empty() ? std::string{} : fmt::format(" ({})", hint);
}

// What an option or positional takes, from its description: "--output: required, missing
// (HDF5 file to publish)".
std::string missing_required(const CLI::App& command) {
    for (const CLI::Option* option : command.get_options())
        if (option->get_required() && option->count() == 0)
            return fmt::format("{}: required, missing ({})", option->get_name(),
                               first_sentence(option->get_description()));
    return {};
}

// The words the command did not take: unknown options and extra positionals.
std::vector<std::string> unexpected_messages(const CLI::App& command, const CLI::App& app) {
    std::vector<std::string> extras = command.remaining();
    if (extras.empty()) extras = app.remaining(true);
    std::vector<std::string> positionals;
    for (const CLI::Option* option :
         command.get_options([](const CLI::Option* o) { return o->get_positional(); }))
        positionals.push_back(option->get_name(true));
    std::vector<std::string> messages;
    for (const auto& extra : extras) {
        if (extra.size() > 1 && extra.front() == '-')
            messages.push_back(fmt::format("{}: unknown option of `{}`{}", extra,
                                           program_and_command(command),
                                           nearest(extra, option_names(command))));
        else
            messages.push_back(fmt::format("{}: unexpected argument; `{}` takes {}", shown(extra),
                                           program_and_command(command),
                                           positionals.empty()
                                               ? std::string("no arguments besides its options")
                                               : fmt::format("{}", fmt::join(positionals, ", "))));
    }
    return messages;
}

}  // namespace

CLI::Validator whole_number(std::int64_t min, std::int64_t max, std::string min_meaning) {
    const std::string expected =
        fmt::format("a whole number from {}{} to {}", min,
                    min_meaning.empty() ? std::string{} : fmt::format(" ({})", min_meaning), max);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::int64_t value = 0;
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), value);
            const bool whole =
                !text.empty() && error == std::errc{} && end == text.data() + text.size();
            if (whole && value >= min && value <= max) return {};
            return fmt::format("expected {}, got {}", expected, shown(text));
        },
        fmt::format("INT {}..{}", min, max), "whole_number");
}

CLI::Validator decimal_number(std::string example) {
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            double value = 0;
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), value);
            if (!text.empty() && error == std::errc{} && end == text.data() + text.size() &&
                std::isfinite(value))
                return {};
            return fmt::format("expected a decimal number, e.g. {}, got {}", example, shown(text));
        },
        "NUMBER", "decimal_number");
}

CLI::Validator one_of(std::vector<std::string> choices) {
    const std::string list = fmt::format("{}", fmt::join(choices, " or "));
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            if (std::find(choices.begin(), choices.end(), text) != choices.end()) return {};
            std::vector<std::string_view> candidates(choices.begin(), choices.end());
            const std::string hint = did_you_mean(text, candidates);
            return fmt::format("expected {}, got {}{}", list, shown(text),
                               hint.empty() ? std::string{} : fmt::format(" ({})", hint));
        },
        fmt::format("{{{}}}", fmt::join(choices, ",")), "one_of");
}

CLI::Validator existing_file() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::error_code error;
            const auto status = fs::status(text, error);
            if (fs::is_regular_file(status)) return {};
            if (fs::exists(status))
                return fmt::format("expected a file, got '{}', which is not a regular file", text);
            return fmt::format("expected an existing file, got '{}': no such file", text);
        },
        "FILE", "existing_file");
}

CLI::Validator existing_folder() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::error_code error;
            const auto status = fs::status(text, error);
            if (fs::is_directory(status)) return {};
            if (fs::exists(status))
                return fmt::format("expected a folder, got '{}', which is not a folder", text);
            return fmt::format("expected an existing folder, got '{}': no such folder", text);
        },
        "DIR", "existing_folder");
}

int report_usage_error(const CLI::App& app, const CLI::ParseError& error,
                       std::span<const std::string> args, std::ostream& err) {
    const auto parsed = app.get_subcommands();
    if (parsed.empty()) {
        // No command was recognised: say which word was taken for one, or that none was given,
        // and list the commands.
        const auto word = std::find_if(args.begin(), args.end(), [](const std::string& a) {
            return a.empty() || a.front() != '-';
        });
        const auto option = std::find_if(args.begin(), args.end(), [](const std::string& a) {
            return a.size() > 1 && a.front() == '-';
        });
        std::vector<std::string> commands;
        for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; }))
            commands.push_back(c->get_name());
        if (word != args.end())
            err << fmt::format("error: unknown command {}{}\n", shown(*word),
                               nearest(*word, commands));
        else if (option != args.end())
            err << fmt::format(
                "error: {}: unknown option; a command comes first, e.g. `{} run "
                "SCENARIO.yaml`\n",
                *option, app.get_name());
        else
            err << "error: no command given\n";
        print_commands(app, err);
        return exit_bad_input;
    }

    const CLI::App& command = *parsed.back();
    std::vector<std::string> messages;
    if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
        if (auto missing = missing_required(command); !missing.empty())
            messages.push_back(std::move(missing));
    } else if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
        messages = unexpected_messages(command, app);
    } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
        // e.g. "--levels" as the last word: the option's value is missing.
        const std::string what = error.what();
        const auto colon = what.find(':');
        if (colon != std::string::npos && what.rfind('-', 0) == 0)
            messages.push_back(fmt::format("{}: expected a value after it", what.substr(0, colon)));
    }
    if (messages.empty()) messages.push_back(error.what());
    for (const auto& message : messages) err << "error: " << message << '\n';
    err << fmt::format("usage: {}\nsee {} --help\n", usage_line(command),
                       program_and_command(command));
    return exit_bad_input;
}

}  // namespace socialtwin::cli
