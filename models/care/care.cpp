#include "models/care/care.hpp"

#include <fmt/format.h>

namespace socialtwin {

void CareModel::declare_indicators(IndicatorCatalog& catalog) {
    const std::string eur = fmt::format("EUR per year (price level {})", rates_.price_year);
    auto add = [&](std::string name, std::string units, std::string description,
                   std::string source) {
        return catalog.add({.name = std::move(name),
                            .units = std::move(units),
                            .description = std::move(description),
                            .source = std::move(source)});
    };
    gp_contacts_ = add("gp_contacts", "contacts per year",
                       "GP (huisarts) contacts of residents outside institutions during the year.",
                       "Vektis Zvw 2015 GP consultation cost by sex x age, scaled to 5 contacts "
                       "per person (NIVEL)");
    gp_fte_ =
        add("gp_fte_needed", "FTE", "GP full-time equivalents needed for the year's GP contacts.",
            "contacts per FTE from 4.3 GP FTE per 10,000 inhabitants (NIVEL 2016)");
    wmo_clients_ = add("wmo_clients", "persons",
                       "Residents outside institutions using Wmo support during the year.",
                       "CPB Wmo spending by age, scaled to the CBS 2019 Wmo clients of the "
                       "municipality and calibrated per buurt (KWB 84583NED)");
    zvw_ = add("cost_zvw_eur", eur, "Health insurance (Zvw) spending on residents.",
               "CPB 2022 spending per inhabitant by age; sex split and municipal cost level "
               "(standardised cost ratio) from Vektis 2023");
    wlz_ = add("cost_wlz_eur", eur, "Long-term care (Wlz) spending on residents.",
               "CPB 2022 spending per inhabitant by age");
    wmo_ = add("cost_wmo_eur", eur, "Wmo (social support) spending on residents.",
               "CPB 2022 spending per inhabitant by age");
    jeugd_ = add("cost_jeugd_eur", eur, "Youth care (Jeugdwet) spending on residents.",
                 "CPB 2022 spending per inhabitant by age");
    for (int c = 0; c < n_zvw_categories; ++c) {
        const std::string_view category = zvw_categories[static_cast<std::size_t>(c)];
        zvw_by_category_[static_cast<std::size_t>(c)] =
            add(fmt::format("cost_zvw_{}_eur", category), eur,
                fmt::format("Zvw spending on residents in the Vektis care category '{}' (part of "
                            "cost_zvw_eur).",
                            category),
                "cost_zvw_eur split by the Vektis 2015 category mix by sex and age");
    }
}

void CareModel::begin_run(const RunContext& run) {
    contacts_per_fte_ = run.scenario->care.gp_contacts_per_fte > 0
                            ? run.scenario->care.gp_contacts_per_fte
                            : rates_.gp_contacts_per_fte;
    const AreaQuantity* factor = run.areas->quantity("wmo_client_factor");
    wmo_factor_ = factor ? factor->values : std::vector<double>(run.areas->size(), 1.0);
}

void CareModel::apply(AreaStep& step) const {
    constexpr int institution = index(Position::institution);
    double contacts = 0, wmo_clients = 0, zvw = 0, wlz = 0, wmo = 0, jeugd = 0;
    std::array<double, n_zvw_categories> zvw_by_category{};
    for (int s = 0; s < n_sexes; ++s) {
        const auto si = static_cast<std::size_t>(s);
        for (int a = 0; a < n_ages; ++a) {
            const auto ai = static_cast<std::size_t>(a);
            double at_home = 0, all = 0;
            for (int p = 0; p < n_positions; ++p) {
                const auto c = static_cast<std::size_t>(CohortCell::offset(s, a, p));
                const double mid_year = 0.5 * (step.start[c] + step.next[c]);
                all += mid_year;
                if (p != institution) at_home += mid_year;
            }
            // Care-home residents see an elderly-care physician, not a GP, and get support
            // under the Wlz rather than the Wmo.
            contacts += at_home * rates_.gp_contacts[si][ai];
            wmo_clients += at_home * rates_.wmo_client_probability[si][ai];
            const double zvw_here = all * rates_.zvw_eur[si][ai];
            zvw += zvw_here;
            for (std::size_t c = 0; c < zvw_by_category.size(); ++c)
                zvw_by_category[c] += zvw_here * rates_.zvw_category_share[c][si][ai];
            wlz += all * rates_.wlz_eur[si][ai];
            wmo += all * rates_.wmo_eur[si][ai];
            jeugd += all * rates_.jeugd_eur[si][ai];
        }
    }
    step.values(gp_contacts_)[0] = contacts;
    step.values(gp_fte_)[0] = contacts_per_fte_ > 0 ? contacts / contacts_per_fte_ : 0.0;
    step.values(wmo_clients_)[0] = wmo_clients * wmo_factor_[step.area];
    step.values(zvw_)[0] = zvw * rates_.zvw_cost_factor;
    step.values(wlz_)[0] = wlz;
    step.values(wmo_)[0] = wmo * wmo_factor_[step.area];  // spending follows the clients
    step.values(jeugd_)[0] = jeugd;
    for (std::size_t c = 0; c < zvw_by_category.size(); ++c)
        step.values(zvw_by_category_[c])[0] = zvw_by_category[c] * rates_.zvw_cost_factor;
}

}  // namespace socialtwin
