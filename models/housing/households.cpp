#include "models/housing/households.hpp"

namespace socialtwin {

HouseholdCounts count_households(std::span<const double> persons,
                                 double other_households_per_other_member) {
    std::array<double, n_positions> by_position{};
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a)
            for (int p = 0; p < n_positions; ++p)
                by_position[static_cast<std::size_t>(p)] +=
                    persons[static_cast<std::size_t>(CohortCell::offset(s, a, p))];
    return households_from_positions(by_position, other_households_per_other_member);
}

HouseholdCounts households_from_positions(std::span<const double> by_position,
                                          double other_households_per_other_member) {
    auto of = [&](Position p) { return by_position[static_cast<std::size_t>(index(p))]; };
    HouseholdCounts h;
    h.single = of(Position::living_alone);
    h.couple_no_children = of(Position::partner_no_children) / 2;
    h.couple_with_children = of(Position::partner_with_children) / 2;
    h.single_parent = of(Position::single_parent);
    h.other = of(Position::other_member) * other_households_per_other_member;
    h.institution_persons = of(Position::institution);
    return h;
}

}  // namespace socialtwin
