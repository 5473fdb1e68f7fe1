#pragma once
// The persons of the agent core, stored as a structure of arrays. A person's `id` is its place
// in the store: what models index the columns with and what partner and mother links name.
// At the end of a year, when enough of it is out of place, the store is put back in area order
// (keep_in_area_order): each area's residents side by side, so a year's pass over an area and
// the look-ups of its partners and mothers stay within a few cache lines rather than spread
// over the whole store, and persons who died or left are dropped. Ids change then; `stable_id`
// never does: it keys a person's random streams and decides wherever the order of persons matters,
// so results do not depend on where persons are stored. Ages are not stored: a person's age on 1
// January of year y is y - 1 - birth_year (105+ open), so nobody has to be "aged" each year.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

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
    // Whether `a` comes before `b` wherever the order of persons decides (the stable ids').
    bool before(std::uint32_t a, std::uint32_t b) const noexcept {
        return stable_id[a] < stable_id[b];
    }
    int age_on_1_january(std::uint32_t id, int year) const noexcept {
        const int age = year - 1 - birth_year[id];
        return age < max_age ? (age < 0 ? 0 : age) : max_age;
    }
    void reserve(std::size_t n);
    // Room for `n` more persons at the end, with their stable ids (the next ones, in id order)
    // and nothing else written: each must then be written once with set(), from any thread.
    // Returns the first new id. For filling a store in parallel (synthesise_population).
    std::uint32_t make_room(std::size_t n);
    // Writes a person made room for: as add() would have, at `id`.
    void set(std::uint32_t id, int birth_year, Sex sex, Position position, std::uint32_t area,
             std::uint32_t mother = no_person) noexcept;

    // Keeps the persons listed, area after area (each area's in ascending stable id), in that
    // order, and drops the others, followed by one stand-in for all of them: persons who died
    // or left (presence dead, in no area). A child whose mother died or left keeps a mother who
    // is nowhere, as before the store dropped her. Links, and the lists, are renamed to the new
    // ids.
    void keep_in_area_order(std::span<std::vector<std::uint32_t>> residents);

    GrowingColumn<std::int16_t> birth_year;
    GrowingColumn<Sex> sex;
    GrowingColumn<Position> position;
    GrowingColumn<Position> position_on_1_january;  // this year's, while the year is projected
    GrowingColumn<Presence> presence;
    GrowingColumn<std::uint32_t> area;     // index into the AreaTable
    GrowingColumn<std::uint32_t> mother;   // id, or no_person (born before the base year)
    GrowingColumn<std::uint32_t> partner;  // id, or no_person
    // Households are not stored: no yearly process reads them, and they follow from the links
    // (household_of in engine/core/kinship.hpp) whenever the persons are written.
    // The person's number for good: ids as they were handed out (the order persons were added
    // in), kept when the store is reordered; no_person for the stand-in of departed persons.
    GrowingColumn<std::uint32_t> stable_id;

private:
    std::uint32_t next_stable_id_ = 0;
    // keep_in_area_order's room to gather a column in, then each old id's new one: kept from
    // year to year, so reordering touches no new page.
    GrowingColumn<std::uint32_t> reorder_scratch_;
};

}  // namespace socialtwin
