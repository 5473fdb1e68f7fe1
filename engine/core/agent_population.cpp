#include "engine/core/agent_population.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <vector>

#include "engine/core/parallel.hpp"

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

std::uint32_t AgentPopulation::make_room(std::size_t n) {
    const auto first = static_cast<std::uint32_t>(size());
    const std::size_t total = size() + n;
    birth_year.resize_for_overwrite(total);
    sex.resize_for_overwrite(total);
    position.resize_for_overwrite(total);
    position_on_1_january.resize_for_overwrite(total);
    presence.resize_for_overwrite(total);
    area.resize_for_overwrite(total);
    mother.resize_for_overwrite(total);
    partner.resize_for_overwrite(total);
    stable_id.resize_for_overwrite(total);
    const std::uint32_t first_stable = next_stable_id_;
    next_stable_id_ += static_cast<std::uint32_t>(n);
    parallel_for_ranges(n, [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t k = range.begin(); k != range.end(); ++k)
            stable_id[first + k] = first_stable + static_cast<std::uint32_t>(k);
    });
    return first;
}

void AgentPopulation::set(std::uint32_t id, int year_of_birth, Sex s, Position p, std::uint32_t a,
                          std::uint32_t m) noexcept {
    birth_year[id] = static_cast<std::int16_t>(year_of_birth);
    sex[id] = s;
    position[id] = p;
    position_on_1_january[id] = p;
    presence[id] = Presence::present;
    area[id] = a;
    mother[id] = m;
    partner[id] = no_person;
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
// The column's values of the persons kept (area by area: area a's from start[a]), then
// `stand_in`, in place of its values: gathered into `scratch` (reused year after year, so no
// new page is touched), the areas in parallel, and copied back.
template <class T>
void gather(GrowingColumn<T>& column, std::span<const std::vector<std::uint32_t>> kept,
            std::span<const std::size_t> start, T stand_in, GrowingColumn<std::uint32_t>& scratch) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(std::uint32_t));
    const std::size_t n_kept = start.back();
    scratch.resize_for_overwrite(n_kept + 1);
    auto* const bytes = reinterpret_cast<std::byte*>(scratch.data());
    parallel_for_each_index(kept.size(), [&](std::size_t a) {
        std::byte* to = bytes + start[a] * sizeof(T);
        for (const std::uint32_t id : kept[a]) {
            std::memcpy(to, &column[id], sizeof(T));
            to += sizeof(T);
        }
    });
    std::memcpy(bytes + n_kept * sizeof(T), &stand_in, sizeof(T));
    column.resize_for_overwrite(n_kept + 1);
    std::memcpy(column.data(), bytes, (n_kept + 1) * sizeof(T));
}
}  // namespace

void AgentPopulation::keep_in_area_order(std::span<std::vector<std::uint32_t>> residents) {
    const std::size_t n_before = size();
    std::vector<std::size_t> start(residents.size() + 1, 0);
    for (std::size_t a = 0; a < residents.size(); ++a)
        start[a + 1] = start[a] + residents[a].size();
    const std::size_t n_kept = start.back();
    const auto stand_in = static_cast<std::uint32_t>(n_kept);
    auto& scratch = reorder_scratch_;
    const std::span<const std::vector<std::uint32_t>> kept(residents);
    gather(birth_year, kept, start, std::int16_t{0}, scratch);
    gather(sex, kept, start, Sex::female, scratch);
    gather(position, kept, start, Position::living_alone, scratch);
    gather(position_on_1_january, kept, start, Position::living_alone, scratch);
    gather(presence, kept, start, Presence::dead, scratch);
    gather(area, kept, start, no_person, scratch);
    gather(mother, kept, start, no_person, scratch);
    gather(partner, kept, start, no_person, scratch);
    gather(stable_id, kept, start, no_person, scratch);
    // Each old id's new one, in the same scratch (the gathering is done): the links of the
    // persons kept are renamed (the stand-in's, last, are new ids already).
    scratch.resize_for_overwrite(n_before);
    std::fill(scratch.begin(), scratch.end(), stand_in);
    parallel_for_each_index(residents.size(), [&](std::size_t a) {
        auto next = static_cast<std::uint32_t>(start[a]);
        for (std::uint32_t& id : residents[a]) {
            scratch[id] = next;
            id = next++;
        }
    });
    parallel_for_ranges(n_kept, [&](const tbb::blocked_range<std::size_t>& range) {
        for (GrowingColumn<std::uint32_t>* links : {&mother, &partner})
            for (std::size_t k = range.begin(); k != range.end(); ++k)
                if ((*links)[k] != no_person) (*links)[k] = scratch[(*links)[k]];
    });
}

}  // namespace socialtwin
