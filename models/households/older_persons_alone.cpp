#include "models/households/older_persons_alone.hpp"

#include <fmt/format.h>

namespace socialtwin {

const Parameters<OlderPersonsAloneSettings>& older_persons_alone_parameters() {
    static const Parameters<OlderPersonsAloneSettings> parameters = [] {
        Parameters<OlderPersonsAloneSettings> p;
        p.block({.path = "older_persons_alone",
                 .meaning = "Settings of the count of older persons living alone."});
        p.integer(&OlderPersonsAloneSettings::age_min,
                  {.path = "older_persons_alone.age_min",
                   .default_number = 75,
                   .unit = "years",
                   .min = at_least(50),
                   .max = at_most(100),
                   .expected = "a whole number of years in {min}..{max}",
                   .meaning = "The youngest age counted in `older_persons_alone`: residents of "
                              "this age or older who live alone on 1 January. 75 is the age "
                              "from which Dutch municipal monitors usually report living alone "
                              "as a risk of loneliness and care need; 65 gives the wider group "
                              "of over-65s. 50..100 keeps it a group of older persons."});
        return p;
    }();
    return parameters;
}

void OlderPersonsAloneModel::declare_indicators(IndicatorCatalog& catalog) {
    older_alone_ = catalog.add(
        {.name = "older_persons_alone",
         .units = "persons",
         .description = fmt::format("Residents aged {} or older living alone (alleenstaande "
                                    "ouderen) on 1 January; not those in institutions.",
                                    settings_.age_min),
         .source = "household positions of the projection (docs/model.md)",
         .kind = IndicatorKind::count,
         .quantity = Quantity::stock});
}

void OlderPersonsAloneModel::apply(AreaStep& step) const {
    constexpr int living_alone = index(Position::living_alone);
    double persons = 0;
    // Expected counts in the cohort core, counted persons in the agent core: the same cells.
    // The occupied rows in order: by sex and age, as a sweep over the ages would add them.
    for_each_occupied_row_of(step, [&](int s, int a) {
        if (a >= settings_.age_min)
            persons += step.start[static_cast<std::size_t>(CohortCell::offset(s, a, living_alone))];
    });
    step.values(older_alone_)[0] = persons;
}

}  // namespace socialtwin
