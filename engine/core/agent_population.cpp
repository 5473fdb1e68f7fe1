#include "engine/core/agent_population.hpp"

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
    household.push_back(id);
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
    household.reserve(n);
}

}  // namespace socialtwin
