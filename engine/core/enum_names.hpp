#pragma once
// One table of names per enum: the text an enum value is written as in scenario files, output
// and messages. to_string and from_string both read the same table, so a name is written once.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace socialtwin {

// The names of an enum whose values run 0..N-1, in that order.
template <typename Enum, std::size_t N>
struct EnumNames {
    std::array<std::string_view, N> names;

    static constexpr std::size_t size() noexcept { return N; }
    constexpr std::string_view operator()(Enum value) const noexcept {
        return names[static_cast<std::size_t>(value)];
    }
    constexpr std::optional<Enum> from_string(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < N; ++i)
            if (names[i] == name) return static_cast<Enum>(i);
        return std::nullopt;
    }
    // Every name, for choices in a schema and labels of an output dimension.
    constexpr std::span<const std::string_view> all() const noexcept { return names; }
};

}  // namespace socialtwin
