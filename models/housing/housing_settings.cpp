#include "models/housing/housing_settings.hpp"

namespace socialtwin {

const Parameters<HousingSettings>& housing_parameters() {
    static const Parameters<HousingSettings> parameters = [] {
        Parameters<HousingSettings> p;
        p.block({.path = "housing", .meaning = "Settings of the housing model."});
        p.number(&HousingSettings::frictional_vacancy,
                 {.path = "housing.frictional_vacancy",
                  .default_number = 0.02,
                  .unit = "share of stock",
                  .min = at_least(0),
                  .max = at_most(0.2),
                  .expected = "a share of the dwelling stock in {min}..{max} (0.02 = 2%)",
                  .fraction = true,
                  .meaning = "Share of the dwelling stock that stands empty so that moves can "
                             "happen. Dutch frictional vacancy is about 2%; more than a fifth "
                             "empty is no housing market."});
        p.choice(
            &HousingSettings::migration, migration_mode_names, MigrationMode::housing_led,
            {.path = "housing.migration",
             .meaning =
                 "How in-migration meets the dwelling stock. `housing_led`: "
                 "in-migrants arrive only as far as the municipality's dwellings "
                 "have room for their households: households per dwelling up "
                 "to `occupancy_rise_max` above the base year's (the base year's "
                 "vacancy, holiday homes included, is a fact of the area); the rest is reported "
                 "as `migration_in_unmet`. "
                 "`demand_led`: in-migrants arrive at the baseline rate whatever the "
                 "stock, so `dwelling_shortage` shows the dwellings a growing demand "
                 "would need."});
        p.number(&HousingSettings::persons_per_new_dwelling,
                 {.path = "housing.persons_per_new_dwelling",
                  .default_number = 0,
                  .default_text = "the dataset's mean household size",
                  .unit = "persons per dwelling",
                  .min = at_least(0.5),
                  .max = at_most(10),
                  .expected = "persons per dwelling in {min}..{max}",
                  .meaning = "Persons expected per new dwelling, for projects without "
                             "`occupancy`. Bounds as for `construction[].occupancy`."});
        p.number(&HousingSettings::own_buurt_share,
                 {.path = "housing.own_buurt_share",
                  .default_number = 0.2,
                  .unit = "share",
                  .min = at_least(0),
                  .max = at_most(1),
                  .expected = "a share in {min}..{max} (0.2 = a fifth of the moves)",
                  .meaning = "The share of the households moving house inside the municipality "
                             "who look for a vacant dwelling in their own buurt only (an "
                             "assumption: many moves are short); the others look over the whole "
                             "municipality, their own buurt included. Without a `buurt` column in "
                             "the dataset, the own area counts as the own buurt. Each area takes "
                             "back as many movers as its vacancies give room for, whatever the "
                             "share: it changes how far people move, not where the population "
                             "grows."});
        p.choice(&HousingSettings::baseline_stock_change, baseline_stock_change_names,
                 BaselineStockChangeMode::observed_and_trend,
                 {.path = "housing.baseline_stock_change",
                  .meaning = "How the dwelling stock changes without a programme. "
                             "`observed_and_trend`: as the dataset's stock_changes.csv says -- "
                             "CBS 81955NED new construction, other additions (conversions, "
                             "splits), demolition and other withdrawals per gemeente, spread "
                             "over its areas, in the years the data cover, and the recent trend "
                             "(mean 2018-2020) after them; a `construction` project in an area "
                             "replaces it there from the project's year on. `none`: the stock "
                             "changes only by the scenario's `construction` programme."});
        p.number(&HousingSettings::occupancy_rise_max,
                 {.path = "housing.occupancy_rise_max",
                  .default_number = 0.02,
                  .unit = "share",
                  .min = at_least(0),
                  .max = at_most(0.5),
                  .expected = "a share in {min}..{max} (0.02 = 2%)",
                  .fraction = true,
                  .meaning = "How far households per dwelling may rise above the base year's "
                             "before a housing-led market refuses in-migrants: doubling "
                             "up, room rental and students sharing absorb some of a shortage. An "
                             "assumption (modelled), no observed bound; 0 = the base year's "
                             "occupancy is the limit."});
        return p;
    }();
    return parameters;
}

HousingSettings housing_settings(const Scenario& scenario) {
    return housing_parameters().bind(scenario.parameters);
}

}  // namespace socialtwin
