#include "synthetic_country.hpp"

#include <fmt/format.h>

#include "engine/core/agent_projection.hpp"
#include "engine/core/kinship.hpp"
#include "engine/core/random.hpp"

namespace socialtwin {

SyntheticCountry synthetic_pc6_country(const Dataset& national, int pc6_per_pc4,
                                       std::uint64_t seed) {
    const auto k = static_cast<std::uint32_t>(pc6_per_pc4);
    const std::size_t n_pc4 = national.areas.size();
    const AgentPopulation pc4_persons = synthesise_population(national.base, n_pc4, seed);

    // Each person to one of its PC4's made-up areas, then stored area by area.
    const RandomStreams random(seed, 0);
    std::vector<std::uint32_t> area(pc4_persons.size());
    std::vector<std::size_t> count(n_pc4 * k + 1, 0);
    for (std::uint32_t id = 0; id < pc4_persons.size(); ++id) {
        const double u = random.uniforms(synthesis_stream, id, national.base.year, 1)[0];
        area[id] = pc4_persons.area[id] * k + static_cast<std::uint32_t>(u * k);
        ++count[area[id] + 1];
    }
    for (std::size_t a = 1; a < count.size(); ++a) count[a] += count[a - 1];
    std::vector<std::uint32_t> order(pc4_persons.size());
    for (std::uint32_t id = 0; id < pc4_persons.size(); ++id) order[count[area[id]]++] = id;

    SyntheticCountry country;
    country.persons.reserve(order.size());
    for (const std::uint32_t id : order)
        country.persons.add(pc4_persons.birth_year[id], pc4_persons.sex[id],
                            pc4_persons.position[id], area[id]);
    link_base_population(country.persons, national.base.partner_age_gap);

    std::vector<std::string> codes;
    codes.reserve(n_pc4 * k);
    country.base.year = national.base.year;
    for (std::size_t p = 0; p < n_pc4; ++p)
        for (std::uint32_t j = 0; j < k; ++j) {
            codes.push_back(fmt::format("{}-{:03}", national.areas.code(p), j));
            country.base.dwellings.push_back(national.base.dwellings[p] / k);
        }
    country.areas = AreaTable("synthetic-pc6", std::move(codes));
    // Each made-up area lies where its PC4 lies (gemeente, plaats, ...; its coordinates), as the
    // whole-run dataset's areas do (bench/pc6_density_dataset.py): without a gemeente the whole
    // country was one housing market of 450,000 areas.
    for (const AreaAttribute& attribute : national.areas.attributes()) {
        AreaAttribute each{attribute.name, {}};
        each.values.reserve(n_pc4 * k);
        for (const std::string& value : attribute.values)
            each.values.insert(each.values.end(), k, value);
        country.areas.add_attribute(std::move(each));
    }
    // And, as a real PC6 dataset has them (and the whole-run dataset,
    // bench/pc6_density_dataset.py), each area's pc4 and a made-up buurt of 31 of its PC4's areas
    // and wijk of 4 buurten: the housing market chooses vacancies buurt by buurt.
    constexpr std::uint32_t buurt_areas = 31, wijk_buurten = 4;
    if (country.areas.attribute("buurt") == nullptr) {
        AreaAttribute pc4{"pc4", {}}, buurt{"buurt", {}}, wijk{"wijk", {}};
        for (std::size_t p = 0; p < n_pc4; ++p)
            for (std::uint32_t j = 0; j < k; ++j) {
                const std::string& code = national.areas.code(p);
                pc4.values.push_back(code);
                buurt.values.push_back(fmt::format("{}-b{}", code, j / buurt_areas));
                wijk.values.push_back(
                    fmt::format("{}-w{}", code, j / (buurt_areas * wijk_buurten)));
            }
        if (country.areas.attribute("pc4") == nullptr) country.areas.add_attribute(std::move(pc4));
        country.areas.add_attribute(std::move(buurt));
        country.areas.add_attribute(std::move(wijk));
    }
    // Counts of the PC4 (its addresses, its dwellings by type and tenure) are split evenly, as
    // its dwellings are; positions and factors hold for each of its areas.
    for (const AreaQuantity& quantity : national.areas.quantities()) {
        const bool split = quantity.name == "addresses" || quantity.name.starts_with("dwellings_");
        AreaQuantity each{quantity.name, {}};
        each.values.reserve(n_pc4 * k);
        for (const double value : quantity.values)
            each.values.insert(each.values.end(), k, split ? value / k : value);
        country.areas.add_quantity(std::move(each));
    }
    return country;
}

}  // namespace socialtwin
