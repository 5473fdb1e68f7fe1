// Prints a libFuzzer dictionary of the scenario schema: every key name, every placeholder's
// names and every choice, so the fuzzer writes documents the schema gets past its first check.
// Run at build time, so the dictionary cannot fall behind the schema.
#include <fmt/format.h>

#include <set>
#include <string>
#include <string_view>

#include "engine/input/scenario_schema.hpp"

int main() {
    std::set<std::string> tokens;
    for (const socialtwin::SchemaKey& key : socialtwin::scenario_schema()) {
        std::string_view path = key.path;
        while (!path.empty()) {
            const std::size_t dot = path.find('.');
            std::string_view part = path.substr(0, dot);
            if (part.ends_with("[]")) part.remove_suffix(2);
            if (part.starts_with('<')) {
                for (std::string_view name : socialtwin::placeholder_names(part))
                    tokens.insert(std::string{name} + ":");
            } else if (!part.empty()) {
                tokens.insert(std::string{part} + ":");
            }
            path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
        }
        for (std::string_view choice : key.choices) tokens.insert(std::string{choice});
    }
    // YAML's own syntax: anchors, aliases, tags, flow collections, block scalars, documents.
    for (const char* syntax : {"&a ", "*a", "!!str ", "!!int ", "[", "]", "{", "}", "- ", "|\n",
                               ">\n", "---\n", "...\n", "? ", "<<: ", "\"\\u0000\"", "'", "~"})
        tokens.insert(syntax);
    for (const std::string& token : tokens) {
        std::string escaped;
        for (const char c : token) {
            if (c == '"' || c == '\\')
                escaped += fmt::format("\\{}", c);
            else if (c == '\n')
                escaped += "\\x0A";  // libFuzzer dictionaries know only \\xNN escapes
            else
                escaped += c;
        }
        fmt::print("\"{}\"\n", escaped);
    }
}
