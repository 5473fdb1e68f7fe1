#include "engine/core/parameters.hpp"

#include <fmt/format.h>

namespace socialtwin {

ParameterValue default_value(const ParameterDeclaration& declaration) {
    if (declaration.kind == ParameterKind::choice) return std::string{declaration.default_choice};
    return declaration.default_number;
}

std::string documented_default(const ParameterDeclaration& declaration) {
    if (!declaration.default_text.empty()) return std::string{declaration.default_text};
    switch (declaration.kind) {
        case ParameterKind::block:
            return {};
        case ParameterKind::number:
        case ParameterKind::integer:
            return fmt::format("{}", declaration.default_number);
        case ParameterKind::choice:
            return std::string{declaration.default_choice};
    }
    return {};
}

std::vector<std::string> numbering_conflicts(std::span<const DrawStream> streams,
                                             std::span<const PersonYearLane> lanes) {
    std::vector<std::string> conflicts;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        const DrawStream& s = streams[i];
        // The counter holds a stream in 16 bits (engine/core/random.cpp).
        if (s.number == 0 || s.number > 0xFFFFu)
            conflicts.push_back(
                fmt::format("stream '{}' has number {}, outside 1..65535", s.name, s.number));
        for (std::size_t j = 0; j < i; ++j) {
            if (streams[j].number == s.number)
                conflicts.push_back(fmt::format("streams '{}' and '{}' share number {}",
                                                streams[j].name, s.name, s.number));
            if (streams[j].name == s.name)
                conflicts.push_back(fmt::format("stream '{}' is declared twice", s.name));
        }
    }
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const PersonYearLane& l = lanes[i];
        if (l.index >= n_person_year_lanes)
            conflicts.push_back(fmt::format("person-year lane '{}' has index {}, outside 0..{}",
                                            l.name, l.index, n_person_year_lanes - 1));
        for (std::size_t j = 0; j < i; ++j) {
            if (lanes[j].index == l.index)
                conflicts.push_back(fmt::format("person-year lanes '{}' and '{}' share index {}",
                                                lanes[j].name, l.name, l.index));
            if (lanes[j].name == l.name)
                conflicts.push_back(fmt::format("person-year lane '{}' is declared twice", l.name));
        }
    }
    return conflicts;
}

}  // namespace socialtwin
