#include "engine/core/agent_population.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <vector>

namespace socialtwin {

std::uint32_t AgentPopulation::add(int year_of_birth, Sex s, Position p, std::uint32_t a,
                                   std::uint32_t m) {
    const auto id = static_cast<std::uint32_t>(size());
    birth_year.push_back(static_cast<std::int16_t>(year_of_birth));
    sex.push_back(s);
    position.push_back(p);
    position_on_1_january.push_back(p);
    presence.push_back(Presence::present);
    area.push_back(a);
    mother.push_back(m);
    partner.push_back(no_person);
    stable_id.push_back(next_stable_id_++);
    return id;
}

void AgentPopulation::reserve(std::size_t n) {
    birth_year.reserve(n);
    sex.reserve(n);
    position.reserve(n);
    position_on_1_january.reserve(n);
    presence.reserve(n);
    area.reserve(n);
    mother.reserve(n);
    partner.reserve(n);
    stable_id.reserve(n);
}

namespace {
// The column's values of the persons kept (area by area), then `stand_in`, in place of its
// values: gathered into `scratch` (reused year after year, so no new page is touched) and
// copied back.
template <class T>
void gather(GrowingColumn<T>& column, std::span<const std::vector<std::uint32_t>> kept,
            std::size_t n_kept, T stand_in, GrowingColumn<std::uint32_t>& scratch) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(std::uint32_t));
    scratch.resize_for_overwrite(n_kept + 1);
    auto* const bytes = reinterpret_cast<std::byte*>(scratch.data());
    std::byte* to = bytes;
    for (const auto& ids : kept)
        for (const std::uint32_t id : ids) {
            std::memcpy(to, &column[id], sizeof(T));
            to += sizeof(T);
        }
    std::memcpy(to, &stand_in, sizeof(T));
    column.resize_for_overwrite(n_kept + 1);
    std::memcpy(column.data(), bytes, (n_kept + 1) * sizeof(T));
}
}  // namespace

void AgentPopulation::keep_in_area_order(std::span<std::vector<std::uint32_t>> residents) {
    const std::size_t n_before = size();
    std::size_t n_kept = 0;
    for (const auto& ids : residents) n_kept += ids.size();
    const auto stand_in = static_cast<std::uint32_t>(n_kept);
    auto& scratch = reorder_scratch_;
    gather(birth_year, residents, n_kept, std::int16_t{0}, scratch);
    gather(sex, residents, n_kept, Sex::female, scratch);
    gather(position, residents, n_kept, Position::living_alone, scratch);
    gather(position_on_1_january, residents, n_kept, Position::living_alone, scratch);
    gather(presence, residents, n_kept, Presence::dead, scratch);
    gather(area, residents, n_kept, no_person, scratch);
    gather(mother, residents, n_kept, no_person, scratch);
    gather(partner, residents, n_kept, no_person, scratch);
    gather(stable_id, residents, n_kept, no_person, scratch);
    // Each old id's new one, in the same scratch (the gathering is done): the links of the
    // persons kept are renamed (the stand-in's, last, are new ids already).
    scratch.resize_for_overwrite(n_before);
    std::fill(scratch.begin(), scratch.end(), stand_in);
    std::uint32_t next = 0;
    for (auto& ids : residents)
        for (std::uint32_t& id : ids) {
            scratch[id] = next;
            id = next++;
        }
    for (GrowingColumn<std::uint32_t>* links : {&mother, &partner})
        for (std::size_t k = 0; k < n_kept; ++k)
            if ((*links)[k] != no_person) (*links)[k] = scratch[(*links)[k]];
}

}  // namespace socialtwin
