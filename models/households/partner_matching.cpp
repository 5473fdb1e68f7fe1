#include "models/households/partner_matching.hpp"

#include <algorithm>
#include <numeric>
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

namespace {
// The areas of each group of `group_of` (group numbers 0, 1, ...): group g's are
// areas[first[g]] .. areas[first[g + 1] - 1], ascending.
struct AreasByGroup {
    std::vector<std::size_t> first, areas;
    std::size_t size() const noexcept { return first.size() - 1; }
};
AreasByGroup areas_by_group(const std::vector<std::size_t>& group_of) {
    AreasByGroup out;
    const std::size_t n_groups =
        group_of.empty() ? 0 : *std::max_element(group_of.begin(), group_of.end()) + 1;
    out.first.assign(n_groups + 1, 0);
    for (const std::size_t g : group_of) ++out.first[g + 1];
    std::partial_sum(out.first.begin(), out.first.end(), out.first.begin());
    out.areas.resize(group_of.size());
    std::vector<std::size_t> next(out.first.begin(), out.first.end() - 1);
    for (std::size_t a = 0; a < group_of.size(); ++a) out.areas[next[group_of[a]]++] = a;
    return out;
}
}  // namespace

// Partners meet in their own area first, then in the buurt, then in the municipality; a couple
// formed across areas lives in the man's area (the woman moves there this year). At each level
// the groups are matched in parallel -- a group links only its own seekers, and matching reads
// only birth years and stable ids -- and the housing market then hears of the moves group by
// group, couple by couple: the links and moves a walk group by group makes. (Serially, settle()
// was 5% of a national run's CPU with the other thread idle; at PC6 density most couples form
// in the buurt, an area of ~30 having few seekers.)
void PartnerMatchingModel::settle() {
    if (persons_ == nullptr) return;  // the cohort core has no persons to match
    AgentPopulation& persons = *persons_;
    const std::size_t n_areas = seekers_.size();
    std::vector<std::size_t> own(n_areas);
    std::iota(own.begin(), own.end(), std::size_t{0});
    std::vector<const std::vector<std::size_t>*> levels{&own};
    if (!market_.buurt_of().empty()) levels.push_back(&market_.buurt_of());
    levels.push_back(&market_.municipality_of());

    for (const auto* group_of : levels) {
        const AreasByGroup groups = areas_by_group(*group_of);
        std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> couples(groups.size());
        parallel_for_each_index(groups.size(), [&](std::size_t g) {
            std::vector<std::uint32_t> men, women;
            for (std::size_t k = groups.first[g]; k < groups.first[g + 1]; ++k)
                for (const std::uint32_t id : seekers_[groups.areas[k]])
                    (persons.sex[id] == Sex::male ? men : women).push_back(id);
            if (men.empty() || women.empty()) return;
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
