#include "engine/core/suggest.hpp"

#include <algorithm>
#include <limits>

namespace socialtwin {

namespace {
char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    // Three rows suffice: the transposition step looks two rows back.
    std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
    for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[m];
}

std::string closest_name(std::string_view typed, const std::vector<std::string_view>& candidates) {
    // A third of the typed length (at least 1, at most 3) separates typos from different words:
    // "horizn" -> "horizon" is suggested, "seed" for "size" is not.
    const std::size_t allowed = std::clamp<std::size_t>(typed.size() / 3, 1, 3);
    std::size_t best = std::numeric_limits<std::size_t>::max();
    std::string_view best_name;
    for (const std::string_view candidate : candidates) {
        const std::size_t d = edit_distance(typed, candidate);
        if (d < best) {
            best = d;
            best_name = candidate;
        }
    }
    if (best > allowed) return {};
    return std::string{best_name};
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string_view>& candidates) {
    const std::string name = closest_name(typed, candidates);
    if (name.empty()) return {};
    return "did you mean '" + name + "'?";
}

}  // namespace socialtwin
