#pragma once
// Near-miss suggestions for names a user typed: a key, a column, a choice. An input error that
// says "did you mean 'horizon'?" is fixed in seconds; one that only says "unknown" is not.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace socialtwin {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions, since swapped
// letters are the commonest typo), ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `typed`, or "" when none is near enough to be a plausible typo.
std::string closest_name(std::string_view typed, const std::vector<std::string_view>& candidates);

// "did you mean 'x'?" for the nearest candidate, or "" when none is near.
std::string did_you_mean(std::string_view typed, const std::vector<std::string_view>& candidates);

}  // namespace socialtwin
