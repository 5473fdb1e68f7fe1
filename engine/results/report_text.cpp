#include "engine/results/report_text.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "engine/results/compare.hpp"

namespace socialtwin {

namespace {

struct Entry {
    std::string_view key, nl, en;
};

// Every word of the report, in both languages. Keys of indicators and headline figures are their
// names in the result file (engine/output/headline.hpp); the rest are the report's own.
constexpr std::array entries{
    // the report's own
    Entry{"title", "Scenario's voor", "Scenarios for"},
    Entry{"subtitle", "Bevolking, huishoudens, wonen en zorgvraag per scenario",
          "Population, households, housing and care demand per scenario"},
    Entry{"made_by", "Gemaakt met", "Made with"},
    Entry{"contents", "Inhoud", "Contents"},
    Entry{"headline", "Kerncijfers: scenario's ten opzichte van de basis",
          "Headline figures: the scenarios against the baseline"},
    Entry{"headline_note",
          "Per scenario het verschil met de basis (en het relatieve verschil); contante waarde in "
          "het basisjaar.",
          "Per scenario the difference with the baseline (and the relative difference); net "
          "present value in the base year."},
    Entry{"price_level", "Prijspeil", "Prices of"},
    Entry{"discount_rate", "discontovoet", "discount rate"},
    Entry{"indicator", "Indicator", "Indicator"},
    Entry{"period", "Periode", "Period"},
    Entry{"baseline", "basis", "baseline"},
    Entry{"population_section", "Bevolking", "Population"},
    Entry{"households_section", "Huishoudens en wonen", "Households and housing"},
    Entry{"care_section", "Zorg", "Care"},
    Entry{"map_section", "Kaart en gebieden", "Map and areas"},
    Entry{"assumptions_section", "Aannames, bronnen en versie", "Assumptions, sources and version"},
    Entry{"pyramid", "Bevolkingspiramide", "Population pyramid"},
    Entry{"men", "mannen", "men"},
    Entry{"women", "vrouwen", "women"},
    Entry{"persons", "personen", "persons"},
    Entry{"year", "jaar", "year"},
    Entry{"band_note", "p5–p95 over replicaties", "p5–p95 over replicates"},
    Entry{"needed", "nodig", "needed"},
    Entry{"stock", "voorraad", "stock"},
    Entry{"available", "beschikbaar", "available"},
    Entry{"dwellings_chart", "Woningen nodig en woningvoorraad", "Dwellings needed and stock"},
    Entry{"gp_chart", "Huisarts-fte nodig en beschikbaar", "GP FTE needed and available"},
    Entry{"households_by_type_chart", "Huishoudens naar type", "Households by type"},
    Entry{"wmo_chart", "Wmo-cliënten naar voorziening", "Wmo clients by service"},
    Entry{"costs_chart", "Zorgkosten naar financieringsbron", "Care costs by scheme"},
    Entry{"million_eur", "miljoen euro per jaar", "million euros per year"},
    Entry{"households_unit", "huishoudens", "households"},
    Entry{"dwellings_unit", "woningen", "dwellings"},
    Entry{"fte_unit", "fte", "FTE"},
    Entry{"hours_unit", "uren per jaar", "hours per year"},
    Entry{"not_in_results", "Niet in de resultaten: ", "Not in the results: "},
    Entry{"source", "Bron", "Source"},
    Entry{"model", "model", "model"},
    Entry{"data", "data", "data"},
    Entry{"modelled", "gemodelleerd", "modelled"},
    Entry{"modelled_note", "Gemodelleerd: ", "Modelled: "},
    Entry{"projection", "projectie", "projection"},
    Entry{"map_title", "Verandering van", "Change of"},
    Entry{"map_against", "t.o.v. de basis", "against the baseline"},
    Entry{"map_note",
          "Elke stip is een gebied op zijn positie (RD New, noorden boven); de kleur is het "
          "verschil tussen scenario en basis in het laatste jaar.",
          "Each dot is an area at its position (RD New, north up); its colour is the scenario "
          "minus the baseline in the last year."},
    Entry{"map_note_alone",
          "Elke stip is een gebied op zijn positie (RD New, noorden boven); de kleur is de "
          "verandering van het eerste naar het laatste jaar.",
          "Each dot is an area at its position (RD New, north up); its colour is the change from "
          "the first to the last year."},
    Entry{"largest_changes", "Grootste veranderingen per", "Largest changes per"},
    Entry{"area", "Gebied", "Area"},
    Entry{"scenario", "Scenario", "Scenario"},
    Entry{"levers", "Wat is aangenomen", "What was assumed"},
    Entry{"scenario_text", "Scenariobestand", "Scenario file"},
    Entry{"sources", "Bronnen van de data", "Sources of the data"},
    Entry{"what_modelled", "Wat is gemodelleerd", "What is modelled"},
    Entry{"engine", "Versie van het model", "Version of the model"},
    Entry{"dataset", "Dataset", "Dataset"},
    Entry{"no_levers", "Geen wijzigingen: de basis.", "No changes: the baseline."},
    Entry{"files", "Resultaatbestanden", "Result files"},
    Entry{"npv", "contante waarde", "present value"},
    Entry{"cumulative", "cumulatief", "cumulative"},
    Entry{"sum", "som", "sum"},
    Entry{"at", "bij", "at"},
    Entry{"in", "in", "in"},
    Entry{"base_year", "basisjaar", "base year"},
    Entry{"horizon", "horizon", "horizon"},
    // indicators and headline figures (names in the result file)
    Entry{"population", "Inwoners", "Population"},
    Entry{"share_65", "Aandeel 65+", "Share aged 65+"},
    Entry{"share_80", "Aandeel 80+", "Share aged 80+"},
    Entry{"population_65", "Inwoners 65+", "Population aged 65+"},
    Entry{"population_80", "Inwoners 80+", "Population aged 80+"},
    Entry{"households", "Huishoudens", "Households"},
    Entry{"households_single", "Eenpersoonshuishoudens", "One-person households"},
    Entry{"households_couple_no_children", "Paar zonder kinderen", "Couple, no children"},
    Entry{"households_couple_with_children", "Paar met kinderen", "Couple with children"},
    Entry{"households_single_parent", "Eenouderhuishoudens", "Single parent"},
    Entry{"households_other", "Overig", "Other"},
    Entry{"dwellings_stock", "Woningvoorraad", "Dwelling stock"},
    Entry{"dwellings_needed", "Woningen nodig", "Dwellings needed"},
    Entry{"dwelling_shortage", "Woningtekort", "Dwelling shortage"},
    Entry{"gp_contacts", "Huisartscontacten", "GP contacts"},
    Entry{"gp_fte_needed", "Huisarts-fte nodig", "GP FTE needed"},
    Entry{"gp_fte_available", "Huisarts-fte beschikbaar", "GP FTE available"},
    Entry{"gp_practice_capacity_pressure", "Druk op huisartsenpraktijk",
          "GP practice capacity pressure"},
    Entry{"distance_to_gp_practice_km", "Afstand tot huisarts (km)", "Distance to a GP (km)"},
    Entry{"wmo_clients", "Wmo-cliënten", "Wmo clients"},
    Entry{"wmo_clients_home_help", "Huishoudelijke hulp", "Home help"},
    Entry{"wmo_clients_support", "Begeleiding en dagbesteding", "Support and day care"},
    Entry{"wmo_clients_aids", "Hulpmiddelen en woonvoorzieningen", "Aids and home adaptations"},
    Entry{"district_nursing_hours", "Wijkverpleging (uren)", "District nursing (hours)"},
    Entry{"care_cost", "Zorgkosten", "Care cost"},
    Entry{"cost_zvw_eur", "Zvw", "Zvw"},
    Entry{"cost_wlz_eur", "Wlz", "Wlz"},
    Entry{"cost_wmo_eur", "Wmo", "Wmo"},
    Entry{"cost_jeugd_eur", "Jeugdwet", "Youth care"},
    Entry{"older_persons_alone", "Alleenwonende 75-plussers", "Persons aged 75+ living alone"},
    Entry{"persons_institution", "In een instelling", "In an institution"},
    // shorter labels under the bars of a chart
    Entry{"short:households_single", "Eenpersoons", "One-person"},
    Entry{"short:households_single_parent", "Eenouder", "Single parent"},
};

}  // namespace

std::optional<ReportLanguage> report_language(std::string_view code) {
    if (code == "nl") return ReportLanguage::nl;
    if (code == "en") return ReportLanguage::en;
    return std::nullopt;
}

std::optional<std::string_view> report_label(std::string_view key, ReportLanguage language) {
    const auto found =
        std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; });
    if (found == entries.end()) return std::nullopt;
    return language == ReportLanguage::nl ? found->nl : found->en;
}

std::string_view report_text(std::string_view key, ReportLanguage language) {
    if (auto text = report_label(key, language)) return *text;
    throw std::logic_error(fmt::format("report text '{}' is not in the table", key));
}

std::string local_number(double value, int decimals, ReportLanguage language, bool sign) {
    if (!std::isfinite(value)) return "–";
    // compare's format ("12,345.6"); Dutch swaps the separators.
    std::string text = format_number(value, decimals, sign);
    if (language == ReportLanguage::nl)
        for (char& c : text) c = c == ',' ? '.' : c == '.' ? ',' : c;
    return text;
}

std::string local_euros(double euros, ReportLanguage language, bool sign) {
    const bool nl = language == ReportLanguage::nl;
    const std::string euro = nl ? "€ " : "€";
    if (!std::isfinite(euros)) return "–";
    const double size = std::abs(euros);
    std::string number;
    if (size >= 1e9)
        number = local_number(euros / 1e9, 1, language, sign) + (nl ? " mld" : " billion");
    else if (size >= 1e6)
        number = local_number(euros / 1e6, 1, language, sign) + (nl ? " mln" : " million");
    else
        number = local_number(euros, 0, language, sign);
    // The sign before the euro sign: "+€ 1,2 mln", "-€ 3,4 mln".
    if (!number.empty() && (number.front() == '+' || number.front() == '-'))
        return number.front() + euro + number.substr(1);
    return euro + number;
}

std::string local_percent(double percent, ReportLanguage language, int decimals) {
    if (!std::isfinite(percent)) return {};
    return local_number(percent, decimals, language, true) + "%";
}

}  // namespace socialtwin
