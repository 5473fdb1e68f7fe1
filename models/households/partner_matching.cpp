#include "models/households/partner_matching.hpp"

#include <map>
#include <utility>

#include "engine/core/kinship.hpp"
#include "engine/core/parallel.hpp"

namespace socialtwin {

void PartnerMatchingModel::begin_run(const RunContext& run) {
    persons_ = run.persons;
    seekers_.assign(run.agents ? run.areas->size() : 0, {});
}

void PartnerMatchingModel::apply(AgentAreaStep& step) const {
    // New partners (this year) with no partner in the area yet.
    const AgentPopulation& persons = step.persons;
    auto& seekers = seekers_[step.counts.area];
    seekers.clear();
    for (const std::uint32_t id : step.residents)
        if (persons.presence[id] == Presence::present && persons.partner[id] == no_person &&
            is_partner(persons.position[id]) && !is_partner(persons.position_on_1_january[id]))
            seekers.push_back(id);
}

// Partners meet in their own area first, then in the buurt, then in the municipality; a couple
// formed across areas lives in the man's area (the woman moves there this year).
void PartnerMatchingModel::settle() {
    if (persons_ == nullptr) return;  // the cohort core has no persons to match
    AgentPopulation& persons = *persons_;
    const std::size_t n_areas = seekers_.size();
    // In their own area: its seekers meet only each other and stay where they live, so an
    // area links only its own persons and the areas go in parallel, with the links a walk
    // area by area makes. Most couples form here in large areas (PC4: thousands of persons);
    // serially, settle() was 5% of a national run's CPU with the other thread idle.
    parallel_for_each_index(n_areas, [&](std::size_t a) {
        std::vector<std::uint32_t>& seekers = seekers_[a];
        std::vector<std::uint32_t> men, women;
        for (const std::uint32_t id : seekers)
            (persons.sex[id] == Sex::male ? men : women).push_back(id);
        if (men.empty() || women.empty()) return;
        for (const auto& [man, woman] : match_partners(persons, men, women, partner_age_gap_)) {
            persons.partner[man] = woman;
            persons.partner[woman] = man;
        }
        std::erase_if(seekers, [&](std::uint32_t id) { return persons.partner[id] != no_person; });
    });
    // Then in the buurt and the municipality, where a couple formed across areas lives in the
    // man's area. At PC6 density most couples form here (an area of ~30 has few seekers). The
    // groups are matched in parallel -- each links only its own seekers, and matching reads
    // only birth years and stable ids -- and the housing market then hears of the moves
    // group by group in key order, couple by couple: what a serial walk does.
    std::vector<const std::vector<std::size_t>*> levels;
    if (!market_.buurt_of().empty()) levels.push_back(&market_.buurt_of());
    levels.push_back(&market_.municipality_of());

    for (const auto* group_of : levels) {
        std::map<std::size_t, std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>>
            by_group;
        for (std::size_t a = 0; a < n_areas; ++a)
            for (const std::uint32_t id : seekers_[a])
                (persons.sex[id] == Sex::male ? by_group[(*group_of)[a]].first
                                              : by_group[(*group_of)[a]].second)
                    .push_back(id);
        std::vector<std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>*> groups;
        for (auto& [group, candidates] : by_group)
            if (!candidates.first.empty() && !candidates.second.empty())
                groups.push_back(&candidates);
        std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> couples(groups.size());
        parallel_for_each_index(groups.size(), [&](std::size_t g) {
            auto& [men, women] = *groups[g];
            couples[g] = match_partners(persons, men, women, partner_age_gap_);
            for (const auto& [man, woman] : couples[g]) {
                persons.partner[man] = woman;
                persons.partner[woman] = man;
            }
        });
        for (const auto& group_couples : couples)
            for (const auto& [man, woman] : group_couples) {
                const std::uint32_t from = persons.area[woman], to = persons.area[man];
                if (from == to) continue;
                persons.presence[woman] = Presence::moved;
                market_.move_to_partner(woman, from, to);
            }
        parallel_for_each_index(n_areas, [&](std::size_t a) {
            std::erase_if(seekers_[a],
                          [&](std::uint32_t id) { return persons.partner[id] != no_person; });
        });
    }
}

}  // namespace socialtwin
