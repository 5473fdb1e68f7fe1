#pragma once
// The persons of the agent core, stored as a structure of arrays indexed by person id (ids are
// never reused, so a person's random streams and links stay valid for the whole run). Ages are
// not stored: a person's age on 1 January of year y is y - 1 - birth_year (105+ open), so
// nobody has to be "aged" each year.

#include <cstdint>

#include "engine/core/growing_column.hpp"
#include "engine/core/types.hpp"

namespace socialtwin {

inline constexpr std::uint32_t no_person = 0xFFFFFFFFu;

// `moved`: moving to another area of the municipality this year (present again, elsewhere, once
// the year is done).
enum class Presence : std::uint8_t { present = 0, dead = 1, emigrated = 2, moved = 3 };

class AgentPopulation {
public:
    // Adds a person and returns the id.
    std::uint32_t add(int birth_year, Sex sex, Position position, std::uint32_t area,
                      std::uint32_t mother = no_person);

    std::size_t size() const noexcept { return birth_year.size(); }
    static constexpr std::size_t bytes_per_person() noexcept {
        return sizeof(std::int16_t) + 4 * sizeof(std::uint8_t) + 4 * sizeof(std::uint32_t);
    }
    int age_on_1_january(std::uint32_t id, int year) const noexcept {
        const int age = year - 1 - birth_year[id];
        return age < max_age ? (age < 0 ? 0 : age) : max_age;
    }
    void reserve(std::size_t n);

    GrowingColumn<std::int16_t> birth_year;
    GrowingColumn<Sex> sex;
    GrowingColumn<Position> position;
    GrowingColumn<Position> position_on_1_january;  // this year's, while the year is projected
    GrowingColumn<Presence> presence;
    GrowingColumn<std::uint32_t> area;     // index into the AreaTable
    GrowingColumn<std::uint32_t> mother;   // id, or no_person (born before the base year)
    GrowingColumn<std::uint32_t> partner;  // id, or no_person
    // The household a person lives in, named by the id of its first member: partners living
    // together share one, a child at home lives in its mother's; derived from the links at the
    // start and at the end of a run (update_households). Institution residents and persons whose
    // household members are not modelled form households of their own.
    GrowingColumn<std::uint32_t> household;
};

}  // namespace socialtwin
