#include "support/synthetic.hpp"

#include <fmt/format.h>

namespace socialtwin::testing {

namespace {
std::size_t at(int i) { return static_cast<std::size_t>(i); }
}  // namespace

RateSet synthetic_rates() {
    RateSet r;
    r.name = "synthetic";
    r.reference_year = 2019;
    for (int s = 0; s < n_sexes; ++s) {
        for (int a = 0; a < n_ages; ++a) {
            r.death_probability[at(s)][at(a)] = a == max_age ? 1.0 : 0.01;
            r.emigration[at(s)][at(a)] = 0.02;
            r.immigration_profile[at(s)][at(a)] = (a >= 20 && a < 30) ? 1.0 / 20 : 0.0;
            r.position_shares[at(s)][at(a)][at(
                index(a < 18 ? Position::child_at_home : Position::living_alone))] = 1.0;
            r.gp_contacts[at(s)][at(a)] = a >= 85 ? 15 : 4;
            r.wmo_client_probability[at(s)][at(a)] = a >= 75 ? 0.2 : 0.0;
            r.zvw_eur[at(s)][at(a)] = 1000;
            r.wlz_eur[at(s)][at(a)] = a >= 80 ? 10000 : 0;
            r.wmo_eur[at(s)][at(a)] = 100;
            r.jeugd_eur[at(s)][at(a)] = a < 18 ? 500 : 0;
            r.zvw_category_share[1][at(s)][at(a)] = 0.6;  // hospital
            r.zvw_category_share[0][at(s)][at(a)] = 0.4;  // gp
            // Wmo services: home help, support, aids.
            const std::array<double, n_wmo_services> share{a >= 75 ? 0.8 : 0.2, 0.3, 0.5},
                alone{2.0, 1.5, 1.0}, no_child{1.25, 1.0, 1.0};
            for (std::size_t k = 0; k < share.size(); ++k) {
                r.wmo_service_share[k][at(s)][at(a)] = share[k];
                r.wmo_alone_factor[k][at(s)][at(a)] = alone[k];
                r.wmo_no_child_factor[k][at(s)][at(a)] = no_child[k];
            }
            r.child_nearby_share[at(s)][at(a)] = 0.5;
        }
    }
    for (int a = 20; a < 40; ++a) r.fertility[at(a)] = 0.05;
    r.newborn_death_probability = {0.005,
                                   0.005};  // half of q(0), as before the newborns had their own
    r.male_share_at_birth = 0.5;
    r.immigrants_per_inhabitant = 0.01;
    r.persons_per_household = 2.0;
    r.other_households_per_other_member = 0.5;
    r.partner_age_gap = 2.0;
    r.price_year = 2022;
    r.gp_contacts_per_fte = 10000;
    return r;
}

AreaTable synthetic_areas(std::size_t n) {
    std::vector<std::string> codes;
    AreaAttribute buurt{"buurt", {}};
    for (std::size_t i = 0; i < n; ++i) {
        codes.push_back(fmt::format("A{}", i));
        buurt.values.push_back(i % 2 == 0 ? "B0" : "B1");
    }
    AreaTable areas("test", codes);
    areas.add_attribute(std::move(buurt));
    return areas;
}

BasePopulation synthetic_population(const RateSet& rates, std::size_t n_areas, int year) {
    BasePopulation base;
    base.year = year;
    base.persons = AreaCells(n_areas);
    base.dwellings.assign(n_areas, 900.0);
    for (std::size_t area = 0; area < n_areas; ++area)
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a <= 90; ++a)
                for (int p = 0; p < n_positions; ++p)
                    base.persons.add(area, CohortCell::offset(s, a, p),
                                     10.0 * rates.position_shares[at(s)][at(a)][at(p)]);
    base.persons.done();
    return base;
}

Scenario synthetic_scenario(int horizon) {
    Scenario s;
    s.name = "synthetic";
    s.base_year = 2019;
    s.horizon = horizon;
    return s;
}

}  // namespace socialtwin::testing
