// libFuzzer target: YAML text in, a scenario or InputError problems out. Anything else (a crash,
// a sanitizer report, another exception, a hang, unbounded memory) is a defect in the loader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/formats/input_file.hpp"
#include "engine/input/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view yaml(reinterpret_cast<const char*>(data), size);
    try {
        // In a folder that does not exist, so a relative `extends` or `dataset` finds nothing;
        // an absolute `extends` is read as a user's would be (and must be bounded).
        const socialtwin::Scenario s =
            socialtwin::load_scenario_from_string(yaml, "/nonexistent-fuzz-dir/scenario.yaml");
        // The text stored in result files must be UTF-8 text.
        if (socialtwin::first_text_fault(s.source_text)) __builtin_trap();
    } catch (const socialtwin::InputError&) {
        // Bad input, reported: the promised outcome.
    }
    return 0;
}
