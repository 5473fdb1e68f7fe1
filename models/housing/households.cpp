#include "models/housing/households.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "models/housing/dwelling_stock.hpp"

namespace socialtwin {

HouseholdCounts count_households(std::span<const double> persons,
                                 double other_households_per_other_member,
                                 std::span<const std::uint16_t> occupied) {
    // Persons everywhere (the cohort core): a flat, vectorised sum (types.hpp); a few occupied
    // rows (the agent core at PC6 density): only those, in cell order.
    if (every_cell(occupied))
        return households_from_positions(sum_by_position(persons),
                                         other_households_per_other_member);
    std::array<double, n_positions> by_position{};
    for_each_occupied_row(occupied, [&](int s, int age) {
        const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
        for (std::size_t p = 0; p < n_positions; ++p) by_position[p] += persons[first + p];
    });
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

std::array<double, n_household_types> by_type(const HouseholdCounts& h) noexcept {
    return {h.single, h.couple_no_children, h.couple_with_children, h.single_parent, h.other};
}

HouseholdPart household_part(Position position, double other_households_per_other_member) noexcept {
    switch (position) {
        case Position::living_alone:
            return {0, 1.0};
        case Position::partner_no_children:
            return {1, 0.5};
        case Position::partner_with_children:
            return {2, 0.5};
        case Position::single_parent:
            return {3, 1.0};
        case Position::other_member:
            return {4, other_households_per_other_member};
        case Position::child_at_home:
        case Position::institution:
            break;
    }
    return {};
}

HouseholdsByTypeAndHeadAge households_by_type_and_head_age(
    std::span<const double> persons, double other_households_per_other_member,
    std::span<const std::uint16_t> occupied) {
    std::array<HouseholdPart, n_positions> parts{};
    for (int p = 0; p < n_positions; ++p)
        parts[static_cast<std::size_t>(p)] =
            household_part(static_cast<Position>(p), other_households_per_other_member);
    HouseholdsByTypeAndHeadAge h{};
    if (every_cell(occupied)) {
        // Persons everywhere (the cohort core): each sex's persons by position summed over the
        // ages of a head age band (rows of seven added side by side), then counted as
        // households once per band.
        for (int s = 0; s < n_sexes; ++s)
            for (int first_age = 0; first_age < n_ages;) {
                const int band = head_age_band_of(first_age);
                std::array<double, n_positions> by_position{};
                int age = first_age;
                for (; age < n_ages && head_age_band_of(age) == band; ++age) {
                    const double* row =
                        persons.data() + static_cast<std::size_t>(CohortCell::offset(s, age, 0));
                    for (std::size_t p = 0; p < by_position.size(); ++p) by_position[p] += row[p];
                }
                for (std::size_t p = 0; p < by_position.size(); ++p)
                    if (parts[p].type >= 0)
                        h[type_head_age_cell(parts[p].type, band)] +=
                            by_position[p] * parts[p].households;
                first_age = age;
            }
        return h;
    }
    // A few occupied rows (the agent core at PC6 density): each household type comes from one
    // position, so row by row each entry adds its persons by sex and age in order.
    return households_of_occupied_rows(persons, other_households_per_other_member, occupied)
        .by_type_and_head_age;
}

HouseholdsOfOccupiedRows households_of_occupied_rows(std::span<const double> persons,
                                                     double other_households_per_other_member,
                                                     std::span<const std::uint16_t> occupied,
                                                     const std::vector<std::uint16_t>* rows) {
    std::array<HouseholdPart, n_positions> parts{};
    for (int p = 0; p < n_positions; ++p)
        parts[static_cast<std::size_t>(p)] =
            household_part(static_cast<Position>(p), other_households_per_other_member);
    std::array<double, n_positions> by_position{};
    HouseholdsOfOccupiedRows h;
    const auto visit = [&](int s, int age) {
        const int band = head_age_band_of(age);
        const auto first = static_cast<std::size_t>(CohortCell::offset(s, age, 0));
        for (std::size_t p = 0; p < n_positions; ++p) {
            by_position[p] += persons[first + p];
            const HouseholdPart& part = parts[p];
            if (part.type < 0) continue;
            h.by_type_and_head_age[type_head_age_cell(part.type, band)] +=
                persons[first + p] * part.households;
        }
    };
    if (rows != nullptr && !every_cell(occupied))
        for (const std::uint16_t row : *rows) visit(row / n_ages, row % n_ages);
    else
        for_each_occupied_row(occupied, visit);
    h.counts = households_from_positions(by_position, other_households_per_other_member);
    return h;
}

namespace {
template <std::size_t N>
Dimension dimension(std::string name, const std::array<std::string_view, N>& labels,
                    std::string description) {
    Dimension d{std::move(name), {}, std::move(description)};
    for (const std::string_view label : labels) d.labels.emplace_back(label);
    return d;
}
}  // namespace

void declare_housing_dimensions(IndicatorCatalog& catalog) {
    const std::array<Dimension, 4> dimensions{
        dimension("household_type", household_type_names,
                  "private household type: one person, couple without / with children at home, "
                  "single parent, other multi-person household"),
        dimension("head_age_band", head_age_band_names,
                  "age band of the head of the household on 1 January (each partner of a couple "
                  "counts as half a household at his or her own age)"),
        dimension("dwelling_type", dwelling_type_names.names,
                  "single-family (eengezinswoning) or multi-family (meergezinswoning) dwelling"),
        dimension("tenure", tenure_names.names,
                  "owner-occupied, social rent (woningcorporatie) or private rent"),
    };
    for (const Dimension& d : dimensions) {
        bool declared = false;
        for (const Dimension& existing : catalog.dimensions()) {
            if (existing.name != d.name) continue;
            if (existing.labels != d.labels)
                throw std::logic_error("dimension '" + d.name + "' declared with other labels");
            declared = true;
        }
        if (!declared) catalog.add_dimension(d);
    }
}

}  // namespace socialtwin
