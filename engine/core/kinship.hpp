#pragma once
// Kinship: partner and mother-child links between persons of the agent core, kept as ids in
// the person store (AgentPopulation::partner, ::mother) and kept consistent here, year by year.
// Questions asked of them (a child living nearby, for informal care) go through the kinship
// graph, models/households/kinship_graph.hpp: the core keeps the links, not the questions.
//
// Links follow the household positions, which move by the shared rates (so both cores stay
// consistent): two persons are partners only while both are in a partner position; persons
// who enter a partner position in a year are matched within their area (opposite sex, similar
// age); a partner who dies or leaves the area leaves the other without a partner link.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "engine/core/agent_population.hpp"

namespace socialtwin {

constexpr bool is_partner(Position p) noexcept {
    return p == Position::partner_no_children || p == Position::partner_with_children;
}

// Couples among `men` and `women` (sorted here by age when both have someone): a man about
// `partner_age_gap` years older than the woman (the rate set's mean gap, which the cohort core's
// widowhood assumes), at most eight years from that, walking both lists from the oldest. When one
// side outnumbers the other, those left single are spread over its ages, not all taken from its
// youngest, so the couples' mean gap is the lists' difference of mean ages. Links nothing.
std::vector<std::pair<std::uint32_t, std::uint32_t>> match_partners(
    const AgentPopulation& persons, std::vector<std::uint32_t>& men,
    std::vector<std::uint32_t>& women, double partner_age_gap);

// Links at the start: within each area, partners paired by age rank (match_partners), children
// at home to a mother in a parent position 15-45 years older. Persons must be stored area by
// area (as synthesise_population does).
void link_base_population(AgentPopulation& persons, double partner_age_gap);

// Keeps an area's links consistent after its events of the year: clears partner links of
// persons who died, left or are no longer in a partner position (on both sides), then pairs
// the area's persons in a partner position without a partner, by age rank. Only persons of
// this area are touched, so areas can be processed in parallel.
void update_partner_links(AgentPopulation& persons, std::span<const std::uint32_t> area_persons,
                          double partner_age_gap);

// The household a person lives in, named by one of its members: partners living together share
// the one named by the partner who comes first (AgentPopulation::before), a child at home lives
// in its mother's (and so her partner's). Institution residents, persons whose household members
// are not modelled, and persons no longer present form households of their own. Derived from the
// links whenever asked: no yearly process needs households, so the store keeps none.
std::uint32_t household_of(const AgentPopulation& persons, std::uint32_t id);

}  // namespace socialtwin
