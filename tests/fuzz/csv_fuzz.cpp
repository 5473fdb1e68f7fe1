// libFuzzer target: CSV text in, a table and its typed values or InputError problems out, as the
// dataset, rate and observation readers use them. Anything else is a defect in the reader.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static constexpr std::array<std::string_view, 3> sexes{"male", "female", "both"};
    try {
        // No required columns, so every input with a header reaches the typed accessors; each
        // column is read every way a reader might read it.
        socialtwin::CsvTable table = socialtwin::parse_csv(std::string(text), "fuzz.csv", {});
        // A row split at once gives the fields text() gives one by one (whichever of the fast
        // scan or the full parser found the rows).
        std::vector<std::string_view> fields(table.header().size());
        for (std::size_t r = 0; r < table.size(); ++r) {
            table.split(r, fields);
            for (std::size_t c = 0; c < fields.size(); ++c)
                if (fields[c] != table.text(r, socialtwin::CsvColumn{c})) __builtin_trap();
        }
        for (std::size_t c = 0; c < table.header().size(); ++c) {
            const socialtwin::CsvColumn column{c};
            for (std::size_t r = 0; r < table.size(); ++r) {
                (void)table.text(r, column);
                (void)table.whole_number(r, column, 0, 120);
                (void)table.number(r, column, 0.0, 1.0);
                (void)table.optional_number(r, column);
                (void)table.choice(r, column, sexes);
                (void)table.location(r, column);
            }
        }
        table.throw_if_problems();
    } catch (const socialtwin::InputError&) {
        // Bad input, reported: the promised outcome.
    }
    return 0;
}
