#include "models/care/care.hpp"

#include <cmath>

#include <fmt/format.h>

namespace socialtwin {

namespace {
constexpr int institution = index(Position::institution);
constexpr int living_alone = index(Position::living_alone);
constexpr std::size_t district_nursing = 3;  // index of "district_nursing" in zvw_categories
static_assert(zvw_categories[district_nursing] == "district_nursing");

constexpr std::array<RateLever, n_wmo_services> wmo_levers{wmo_home_help_lever, wmo_support_lever,
                                                           wmo_aids_lever};
constexpr std::array<std::string_view, n_wmo_services> wmo_service_meaning{
    "home help (huishoudelijke hulp)", "support (begeleiding, dagbesteding)",
    "aids and home adaptations (hulpmiddelen, woonvoorzieningen)"};
}  // namespace

void CareModel::declare_indicators(IndicatorCatalog& catalog) {
    const std::string eur =
        costs_.prices == PriceBasis::nominal
            ? fmt::format("EUR per year (current prices: {} prices inflated by {:g}% a year)",
                          rates_.price_year, 100 * costs_.inflation_per_year)
            : fmt::format("EUR per year (constant prices of {})", rates_.price_year);
    const std::string growth =
        costs_.real_growth_per_year != 0
            ? fmt::format("; grown {:g}% a year per person in real terms from {}",
                          100 * costs_.real_growth_per_year, rates_.price_year)
            : std::string{};
    auto add = [&](std::string name, std::string units, std::string description, std::string source,
                   IndicatorKind kind = IndicatorKind::count, Quantity quantity = Quantity::stock) {
        return catalog.add({.name = std::move(name),
                            .units = std::move(units),
                            .description = std::move(description),
                            .source = std::move(source),
                            .kind = kind,
                            .quantity = quantity});
    };
    // Spending on residents during the year: an amount, a flow and a cost.
    auto add_cost = [&](std::string name, std::string description, std::string source) {
        return catalog.add({.name = std::move(name),
                            .units = eur,
                            .description = std::move(description),
                            .source = std::move(source),
                            .kind = IndicatorKind::amount,
                            .quantity = Quantity::flow,
                            .cost = true});
    };
    const std::string gp_source =
        "Vektis Zvw 2015 GP consultation cost by sex x age, scaled to 5 contacts per person "
        "(NIVEL)";
    gp_contacts_id_ =
        add("gp_contacts", "contacts per year",
            "GP (huisarts) contacts of residents outside institutions during the year.", gp_source,
            IndicatorKind::count, Quantity::flow);
    gp_by_age_sex_ = catalog.add({.name = "gp_contacts_by_age_sex",
                                  .units = "contacts per year",
                                  .description = "gp_contacts by sex and 5-year age band.",
                                  .dims = by_sex_and_age_band,
                                  .source = gp_source,
                                  .quantity = Quantity::flow});
    gp_patients_ = add("gp_patients", "persons",
                       "Residents outside institutions during the year (mid-year): the patients "
                       "GP practices serve; care-home residents see an elderly-care physician.",
                       "");
    gp_fte_ = add("gp_fte_needed", "FTE",
                  "GP full-time equivalents needed for the year's GP contacts: contacts / "
                  "(normpraktijk patients per FTE x contacts per patient).",
                  "LHV normpraktijk (2,095 patients per FTE) x 5 contacts per patient (NIVEL), "
                  "or the scenario's care settings",
                  IndicatorKind::amount);
    wmo_clients_ = add("wmo_clients", "persons",
                       "Residents outside institutions using Wmo support during the year.",
                       "CPB Wmo spending by age, scaled to the CBS 2019 Wmo clients of the "
                       "municipality and calibrated per buurt (KWB 84583NED); living situation "
                       "from wmo_services.csv (modelled)");
    for (std::size_t k = 0; k < wmo_services.size(); ++k)
        wmo_service_[k] = add(
            fmt::format("wmo_clients_{}", wmo_services[k]), "persons",
            fmt::format("Residents outside institutions using Wmo {} during the year (a client "
                        "may use several services).",
                        wmo_service_meaning[k]),
            "wmo_clients x share of clients using the service by age, and more use when living "
            "alone without a child nearby: modelled assumptions (rate set wmo_services.csv; home "
            "help anchored on 16% at 75-84 and 30% at 85+)");
    nursing_hours_ =
        add("district_nursing_hours", "hours per year",
            "District nursing (wijkverpleging) hours for residents: its Zvw spending at the price "
            "year's prices / the cost of an hour (scenario care.district_nursing_eur_per_hour).",
            "Vektis Zvw category district_nursing (cost_zvw_district_nursing_eur) / hourly cost "
            "(assumption)",
            IndicatorKind::amount, Quantity::flow);
    zvw_ = add_cost("cost_zvw_eur", "Health insurance (Zvw) spending on residents.",
                    "CPB 2022 spending per inhabitant by age; sex split and municipal cost level "
                    "(standardised cost ratio) from Vektis 2023" +
                        growth);
    wlz_ = add_cost("cost_wlz_eur", "Long-term care (Wlz) spending on residents.",
                    "CPB 2022 spending per inhabitant by age" + growth);
    wmo_ = add_cost("cost_wmo_eur",
                    "Wmo (social support) spending on residents; follows the Wmo clients.",
                    "CPB 2022 spending per inhabitant by age" + growth);
    jeugd_ = add_cost("cost_jeugd_eur", "Youth care (Jeugdwet) spending on residents.",
                      "CPB 2022 spending per inhabitant by age" + growth);
    for (int c = 0; c < n_zvw_categories; ++c) {
        const std::string_view category = zvw_categories[static_cast<std::size_t>(c)];
        zvw_by_category_[static_cast<std::size_t>(c)] = add_cost(
            fmt::format("cost_zvw_{}_eur", category),
            fmt::format("Zvw spending on residents in the Vektis care category '{}' (part of "
                        "cost_zvw_eur).",
                        category),
            "cost_zvw_eur split by the Vektis 2015 category mix by sex and age" + growth);
    }
}

void CareModel::begin_run(const RunContext& run) {
    scenario_ = run.scenario;
    contacts_per_fte_ = care_.gp_contacts_per_fte > 0
                            ? care_.gp_contacts_per_fte
                            : care_.gp_normpraktijk * care_.gp_contacts_per_patient;
    eur_per_nursing_hour_ = care_.district_nursing_eur_per_hour;
    const AreaQuantity* factor = run.areas->quantity("wmo_client_factor");
    wmo_factor_ = factor ? factor->values : std::vector<double>(run.areas->size(), 1.0);
}

void CareModel::begin_year(int year) {
    const Scenario& scenario = *scenario_;
    const int years = year - rates_.price_year;
    real_index_ = std::pow(1 + costs_.real_growth_per_year, years);
    cost_index_ = real_index_;
    if (costs_.prices == PriceBasis::nominal)
        cost_index_ *= std::pow(1 + costs_.inflation_per_year, years);

    for (int s = 0; s < n_sexes; ++s) {
        const auto si = static_cast<std::size_t>(s);
        for (int a = 0; a < n_ages; ++a) {
            const auto ai = static_cast<std::size_t>(a);
            Row& row = rows_[si * n_ages + ai];
            row.gp_contacts = rates_.gp_contacts[si][ai] *
                              rate_multiplier(scenario, gp_contacts_lever, year, s, a);
            row.wmo_eur = rates_.wmo_eur[si][ai];
            std::array<double, n_spending>& spending = row.spending;
            for (std::size_t c = 0; c < zvw_categories.size(); ++c)
                spending[c] = rates_.zvw_eur[si][ai] * rates_.zvw_category_share[c][si][ai];
            spending[district_nursing] *=
                rate_multiplier(scenario, district_nursing_lever, year, s, a);
            spending[wlz_spending] = rates_.wlz_eur[si][ai];
            spending[jeugd_spending] = rates_.jeugd_eur[si][ai];

            // The base-year share living alone among residents outside institutions: the
            // composition at which use per person equals clients x share.
            const auto& shares = rates_.position_shares[si][ai];
            const double at_home = 1 - shares[institution];
            const double alone_share = at_home > 0 ? shares[living_alone] / at_home : 0;
            const double base_child = rates_.child_nearby_share[si][ai];
            const double child =
                care_.child_nearby_share >= 0 ? care_.child_nearby_share : base_child;
            const double clients = rates_.wmo_client_probability[si][ai];
            double use_at_base = 0;
            for (std::size_t k = 0; k < wmo_services.size(); ++k) {
                const double share = rates_.wmo_service_share[k][si][ai];
                const double alone = rates_.wmo_alone_factor[k][si][ai];
                const double no_child = rates_.wmo_no_child_factor[k][si][ai];
                auto alone_factor = [&](double with_child) {
                    return alone * (with_child + (1 - with_child) * no_child);
                };
                // Mean factor over the base composition: 1 for those sharing a household.
                const double base_mean = 1 - alone_share + alone_share * alone_factor(base_child);
                const double per_shared = base_mean > 0 ? clients * share / base_mean : 0;
                const double lever = rate_multiplier(scenario, wmo_levers[k], year, s, a);
                row.wmo_shared[k] = per_shared * lever;
                row.wmo_alone[k] = per_shared * alone_factor(child) * lever;
                use_at_base += clients * share;
            }
            // Clients follow the services: at the base composition, clients x the sum of
            // shares is the summed use, and clients are that use / the sum of shares.
            row.clients_per_use = use_at_base > 0 ? clients / use_at_base : 0;
            row.per_base_client = clients > 0 ? 1 / clients : 0;
        }
    }
}

void CareModel::apply(AreaStep& step) const {
    double contacts = 0, patients = 0, wmo_clients = 0, zvw = 0, wmo = 0;
    std::array<double, n_wmo_services> services{};
    // Each row's persons (by sex and age), kept for the spending summed after the rows.
    std::array<double, n_sexes * n_ages> persons_by_row;
    std::array<std::size_t, n_sexes * n_ages> rows;
    std::size_t n_rows = 0;
    std::span<double> gp_by_age_sex = step.values(gp_by_age_sex_);
    std::fill(gp_by_age_sex.begin(), gp_by_age_sex.end(), 0.0);
    // The rows (sex, age) that hold anyone, in order: at PC6 density in the agent core a few
    // dozen of the 212; a row without an occupied cell would be skipped below anyway.
    for_each_occupied_row_of(step, [&](int s, int a) {
        const auto si = static_cast<std::size_t>(s);
        const auto ai = static_cast<std::size_t>(a);
        double at_home = 0, alone = 0, all = 0;
        for (int p = 0; p < n_positions; ++p) {
            const auto c = static_cast<std::size_t>(CohortCell::offset(s, a, p));
            const double mid_year = 0.5 * (step.start[c] + step.next[c]);
            all += mid_year;
            if (p != institution) at_home += mid_year;
            if (p == living_alone) alone += mid_year;
        }
        if (all == 0) return;
        const Row& row = rows_[si * n_ages + ai];
        const double shared = at_home - alone;
        const double gp = at_home * row.gp_contacts;
        contacts += gp;
        gp_by_age_sex[si * n_age_bands + static_cast<std::size_t>(age_band_of(a))] += gp;
        patients += at_home;

        double use = 0;
        for (std::size_t k = 0; k < services.size(); ++k) {
            const double users = shared * row.wmo_shared[k] + alone * row.wmo_alone[k];
            services[k] += users;
            use += users;
        }
        const double clients = use * row.clients_per_use;
        wmo_clients += clients;
        // Wmo spending per inhabitant follows the clients: as the rate set's at the base
        // composition, more or less as living situations change. Those at home count as
        // clients / base clients (at_home x the client probability), where there are any.
        const double at_home_by_clients =
            at_home > 0 && row.per_base_client > 0 ? clients * row.per_base_client : at_home;
        wmo += (all - at_home + at_home_by_clients) * row.wmo_eur;

        rows[n_rows] = si * n_ages + ai;
        persons_by_row[n_rows++] = all;
    });
    // Spending, after the rows: its fourteen running sums fit in the registers only in a loop
    // of their own (beside the sums above they lived on the stack, at a store and a load each).
    std::array<double, n_spending> spending{};
    for (std::size_t i = 0; i < n_rows; ++i) {
        const std::array<double, n_spending>& per_person = rows_[rows[i]].spending;
        for (std::size_t j = 0; j < n_spending; ++j)
            spending[j] += persons_by_row[i] * per_person[j];
    }
    const std::span<const double> zvw_by_category(spending.data(), n_zvw_categories);
    const double wlz = spending[wlz_spending], jeugd = spending[jeugd_spending];
    // The Zvw total is its categories' sum (eleven chains of additions side by side, not one
    // of 2,332 through every category of every row).
    for (const double part : zvw_by_category) zvw += part;
    const double wmo_factor = wmo_factor_[step.area];
    const double zvw_level = rates_.zvw_cost_factor;
    step.values(gp_contacts_id_)[0] = contacts;
    step.values(gp_patients_)[0] = patients;
    step.values(gp_fte_)[0] = contacts_per_fte_ > 0 ? contacts / contacts_per_fte_ : 0.0;
    step.values(wmo_clients_)[0] = wmo_clients * wmo_factor;
    for (std::size_t k = 0; k < services.size(); ++k)
        step.values(wmo_service_[k])[0] = services[k] * wmo_factor;
    step.values(nursing_hours_)[0] =
        eur_per_nursing_hour_ > 0
            ? zvw_by_category[district_nursing] * zvw_level * real_index_ / eur_per_nursing_hour_
            : 0.0;
    step.values(zvw_)[0] = zvw * zvw_level * cost_index_;
    step.values(wlz_)[0] = wlz * cost_index_;
    step.values(wmo_)[0] = wmo * wmo_factor * cost_index_;
    step.values(jeugd_)[0] = jeugd * cost_index_;
    for (std::size_t c = 0; c < zvw_by_category.size(); ++c)
        step.values(zvw_by_category_[c])[0] = zvw_by_category[c] * zvw_level * cost_index_;
}

}  // namespace socialtwin
