#include "engine/input/scenario_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <deque>
#include <utility>

#include "engine/core/scenario.hpp"
#include "engine/core/suggest.hpp"
#include "engine/output/result_layout.hpp"
#include "models/housing/dwellings_for.hpp"
#include "models/registry.hpp"

namespace socialtwin {

// ---------------------------------------------------------------------------------------------
// DocNode

const DocNode* DocNode::find(std::string_view key) const noexcept {
    const DocNode* found = nullptr;
    for (const DocEntry& e : entries)
        if (e.key == key) found = &e.value;
    return found;
}

namespace {
// YAML allows an explicit '+'; from_chars does not.
std::string_view without_plus(std::string_view s) {
    if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
    return s;
}

template <typename T>
std::optional<T> parse_whole(const DocNode& node) {
    if (node.kind != DocNode::Kind::scalar || node.quoted) return std::nullopt;
    const std::string_view s = without_plus(node.text);
    T value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}
}  // namespace

std::optional<std::int64_t> integer_value(const DocNode& node) {
    return parse_whole<std::int64_t>(node);
}

std::optional<std::uint64_t> unsigned_value(const DocNode& node) {
    return parse_whole<std::uint64_t>(node);
}

std::optional<double> number_value(const DocNode& node) {
    if (node.kind != DocNode::Kind::scalar || node.quoted) return std::nullopt;
    const std::string_view s = without_plus(node.text);
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// ---------------------------------------------------------------------------------------------
// The schema

namespace {

// Plausible calendar years, for checks made before the dataset's base year is known.
constexpr int earliest_year = 1900;
constexpr int latest_year = 2200;

// The core's own keys. The models' settings follow them in the schema, from their
// declarations (models/registry.hpp); so do the core's declared parameters (the businesscase).
constexpr std::array core_keys{
    SchemaKey{
        .path = "name",
        .default_value = "the file name without `.yaml`",
        .inherited = false,
        .meaning = "Name of the scenario in reports and output metadata. Not inherited through "
                   "`extends`: each file is its own scenario.",
    },
    SchemaKey{
        .path = "description",
        .inherited = false,
        .meaning = "Free text: the story of the scenario, its assumptions and sources. Not "
                   "inherited through `extends`.",
    },
    SchemaKey{
        .path = "extends",
        .kind = ValueKind::path,
        .inherited = false,
        .meaning = "A scenario file this one builds on, relative to this file or absolute, or "
                   "the name of a shipped scenario (`baseline`). See "
                   "[Inheritance](#inheritance-with-extends).",
    },
    SchemaKey{
        .path = "dataset",
        .required = true,
        .what = "a dataset name or path",
        .meaning = "The base population, areas and rates: a dataset name, looked up in the data "
                   "directory, or (a value containing `/`) a path to a dataset directory, "
                   "relative to the file that sets it.",
    },
    SchemaKey{
        .path = "base_year",
        .kind = ValueKind::integer,
        .default_value = "0",
        .unit = "year",
        .min = at_least(earliest_year),
        .max = at_most(latest_year),
        .zero_allowed = true,
        .expected = "a year in {min}..{max}",
        .meaning = "The year the projection starts from (its 1 January population). 0 = the "
                   "dataset's base year. 1900..2200 only rules out typos: the dataset's base "
                   "year is what the population was counted in.",
    },
    SchemaKey{
        .path = "horizon",
        .kind = ValueKind::integer,
        .default_value = "30",
        .unit = "years",
        .min = at_least(1),
        .max = at_most(100),
        .expected = "a whole number of years in {min}..{max}",
        .meaning = "Number of years projected after the base year. At most 100: the rates "
                   "describe today's generations, and beyond a century a projection says "
                   "nothing (while trends go on compounding).",
    },
    SchemaKey{
        .path = "seed",
        .kind = ValueKind::seed,
        .default_value = "1",
        .meaning = "Seed of every random stream. The cohort core is deterministic and does not "
                   "use it. Any value 0..2^64-1 will do: it names streams, it is no quantity.",
    },
    SchemaKey{
        .path = "core",
        .kind = ValueKind::choice,
        .default_value = core_names(CoreKind::cohort),
        .choices = core_names.all(),
        .meaning = "How the population is projected: `cohort` = cohort-component projection with "
                   "expected flows (deterministic); `agent` = microsimulation of persons by random "
                   "draws from the same rates (stochastic: use `replicates` for the spread). "
                   "`socialtwin run --core` overrides it.",
    },
    SchemaKey{
        .path = "replicates",
        .kind = ValueKind::integer,
        .default_value = "1",
        .unit = "runs",
        .min = at_least(1),
        .max = at_most(1000),
        .expected = "a whole number of runs in {min}..{max}",
        .meaning = "Runs of the scenario, each with its own random streams; with more than one, "
                   "the result holds their mean, every replicate and the 5th/50th/95th "
                   "percentiles. The cohort core is deterministic and always runs once. "
                   "`socialtwin run --replicates` overrides it (within the same bounds). At "
                   "most 1000: the percentiles settle long before, and each replicate costs a "
                   "whole run in time and a whole result in the file.",
    },
    SchemaKey{
        .path = "output",
        .kind = ValueKind::mapping,
        .meaning = "How the result file is written (see [output-schema.md](output-schema.md)).",
    },
    SchemaKey{
        .path = "output.precision",
        .kind = ValueKind::choice,
        .default_value = "float32 (agent core), float64 (cohort core)",
        .choices = result_layout::value_precisions,
        .meaning = "How the indicators are stored: `float64` (as computed) or `float32` (half "
                   "the bytes; ~7 significant digits, relative error at most 6e-8 per value, "
                   "stated in the file's `value_precision` attribute). Aggregates stay float64. "
                   "An agent run's values are draws whose spread between replicates is far "
                   "larger than float32's rounding, so it stores float32 unless asked; the "
                   "cohort core's expected values keep every digit unless asked.",
    },
    SchemaKey{
        .path = "output.significant_digits",
        .kind = ValueKind::integer,
        .default_value = "0",
        .unit = "digits",
        .min = at_least(0),
        .max = at_most(15),
        .expected = "a number of significant digits in {min}..{max} (0 keeps every digit)",
        .meaning = "Rounds every stored indicator value to this many significant decimal digits "
                   "(BitRound to ceil(digits x log2 10) mantissa bits, CF 1.12 section 8.4: the "
                   "file's `quantization_info` variable and each indicator's `quantization_nsb` "
                   "say so). Counts of persons, households and dwellings stay exact (every whole "
                   "number below 2^(bits + 1)); other values move by at most half their last "
                   "kept bit. The file shrinks and is written faster, because the cleared bits "
                   "compress to almost nothing. 5 digits is plenty for what a projection can "
                   "tell; with float32 more than 7 have no effect. Aggregates stay float64, "
                   "computed before rounding. 0 = every digit, as computed.",
    },
    SchemaKey{
        .path = "output.replicates_per_area",
        .kind = ValueKind::choice,
        .default_value = "percentiles",
        .choices = result_layout::replicates_per_area,
        .meaning = "With several replicates, what each area keeps: `percentiles` -- the mean "
                   "and the 5th/50th/95th percentile over replicates per area, and every "
                   "replicate of each larger area (pc4, buurt, wijk, gemeente) in "
                   "`/aggregates` -- or `all`, which also stores every replicate of every area "
                   "(`X_replicates` at the root: several times the file, for spreads of "
                   "groupings of areas that `/aggregates` lacks). The percentiles are the same "
                   "either way. Runs with one replicate store each value once anyway.",
    },
    SchemaKey{
        .path = "output.breakdowns_per_area",
        .kind = ValueKind::choice,
        .default_value = "all",
        .choices = result_layout::breakdowns_per_area,
        .meaning = "Which indicators each area keeps: `all` -- every one -- or `none`: per "
                   "area only the indicators without a breakdown (population, births, care "
                   "use, costs ...), and those by sex and age band, household type, dwelling "
                   "type and tenure only per larger area (pc4, buurt, wijk, gemeente) in "
                   "`/aggregates`, the same numbers as with `all`. For areas of a few dozen "
                   "persons (PC6), whose breakdowns are mostly 0 and 1: the file is about 60% "
                   "smaller and the run needs about a sixth less CPU. Keep `all` to sum the "
                   "breakdowns over areas of your own.",
    },
    SchemaKey{
        .path = "rates",
        .kind = ValueKind::mapping,
        .meaning = "Changes to the dataset's baseline rates, by rate name (see [Rate "
                   "names](#rate-names)). A rate not named keeps its baseline.",
    },
    SchemaKey{
        .path = "rates.<target>",
        .kind = ValueKind::one_or_list,
        .meaning = "One rate change, or a list of them. Where changes overlap their multipliers "
                   "multiply.",
    },
    SchemaKey{
        .path = "rates.<target>[].factor",
        .kind = ValueKind::number,
        .default_value = "1",
        .unit = "× baseline",
        .min = at_least(0),
        .max = at_most(10),
        .expected = "a multiplier of the baseline rate in {min}..{max} (1 = unchanged, 1.1 = 10% "
                    "more)",
        .meaning = "Multiplier on the baseline rate from `from` on. At most 10: ten times a "
                   "baseline rate is far beyond any change seen in Dutch data (probabilities "
                   "are capped at 1 anyway).",
    },
    SchemaKey{
        .path = "rates.<target>[].trend",
        .kind = ValueKind::number,
        .default_value = "0",
        .unit = "per year",
        .min = at_least(-0.2),
        .max = at_most(0.2),
        .expected = "a yearly change from {min} to {max} (a fraction a year: 0.02 = 2% a year)",
        .fraction = true,
        .meaning = "Relative change per year, compounded from `from` to `to`; the level reached "
                   "at `to` is held afterwards. -0.015 = 1.5% lower each year. The multiplier "
                   "in year y is factor × (1 + trend)^(min(y, to) − from). At most 20% a year "
                   "either way: over 30 years that already multiplies the rate by 237, or by "
                   "0.001.",
    },
    SchemaKey{
        .path = "rates.<target>[].from",
        .kind = ValueKind::year,
        .default_value = "`base_year`",
        .unit = "year",
        .meaning = "First year the change applies.",
    },
    SchemaKey{
        .path = "rates.<target>[].to",
        .kind = ValueKind::year,
        .default_value = "`base_year + horizon`",
        .unit = "year",
        .not_before = "from",
        .meaning = "Last year the trend compounds; the change itself stays in force after it.",
    },
    SchemaKey{
        .path = "rates.<target>[].ages",
        .kind = ValueKind::age_range,
        .default_value = "[0, 105]",
        .unit = "years",
        .min = at_least(0),
        .max = at_most(105),
        .meaning = "Ages (inclusive) the change applies to; 105 stands for 105 and older.",
    },
    SchemaKey{
        .path = "rates.<target>[].sex",
        .kind = ValueKind::choice,
        .default_value = sex_filter_names(SexFilter::both),
        .choices = sex_filter_names.all(),
        .meaning = "Sex the change applies to.",
    },
    SchemaKey{
        .path = "construction",
        .kind = ValueKind::list,
        .meaning = "Dwellings added to (or removed from) the stock: one item per project, area "
                   "and year.",
    },
    SchemaKey{
        .path = "construction[].name",
        .meaning = "Label for reports, e.g. `Moerwijk-Oost toren A`.",
    },
    SchemaKey{
        .path = "construction[].year",
        .kind = ValueKind::year,
        .required = true,
        .unit = "year",
        .meaning = "Year the dwellings become ready for occupation (or are demolished).",
    },
    SchemaKey{
        .path = "construction[].area",
        .required = true,
        .what = "an area code of the dataset",
        .meaning = "Area code in the dataset, e.g. a PC6 postcode `2531NA` or a buurt code "
                   "`BU05183620`. Checked against the dataset when it is loaded.",
    },
    SchemaKey{
        .path = "construction[].dwellings",
        .kind = ValueKind::number,
        .required = true,
        .unit = "dwellings",
        .min = at_least(-50'000),
        .max = at_most(50'000),
        .non_zero = true,
        .expected = "a non-zero number of dwellings in {min}..{max} (negative: demolished)",
        .meaning = "Dwellings added; negative for demolition. At most 50,000 either way: more "
                   "than the largest Dutch new-town plans put in one area in one year, so a "
                   "larger figure is a typo.",
    },
    SchemaKey{
        .path = "construction[].type",
        .kind = ValueKind::choice,
        .default_value = dwelling_type_names(DwellingType::multi_family),
        .choices = dwelling_type_names.all(),
        .meaning = "Dwelling type: `single_family` (eengezinswoning) or `multi_family` "
                   "(meergezinswoning: flats, high-rise).",
    },
    SchemaKey{
        .path = "construction[].tenure",
        .kind = ValueKind::choice,
        .default_value = "the area's tenure mix of that type",
        .choices = tenure_names.all(),
        .meaning = "Tenure: `owner` (koopwoning), `social_rent` (owned by a woningcorporatie) or "
                   "`private_rent`. Left out, new dwellings take the tenure mix of the area's "
                   "dwellings of that type on 1 January of the year (of all its dwellings if it "
                   "has none of the type), and a demolition takes the area's dwellings of that "
                   "type in proportion to their tenures.",
    },
    SchemaKey{
        .path = "construction[].occupancy",
        .kind = ValueKind::number,
        .default_value = "`housing.persons_per_new_dwelling`",
        .unit = "persons per dwelling",
        .min = at_least(0.5),
        .max = at_most(10),
        .expected = "persons per dwelling in {min}..{max}",
        .meaning = "Persons expected to live in each new dwelling of this project. Dutch "
                   "households have 2.1 persons on average (CBS); 0.5..10 spans student rooms "
                   "to the largest families.",
    },
    SchemaKey{
        .path = "construction[].for",
        .kind = ValueKind::choice,
        .default_value = dwellings_for_names(DwellingsFor::any),
        .choices = dwellings_for_names.all(),
        .meaning = "Who the new dwellings are for, as a municipality or woningcorporatie "
                   "allocates them: `seniors` (aged 65+), `students` (18-24 living alone or in a "
                   "non-family household), `starters` (18-34 living alone or as a couple without "
                   "children), `families` (households with children) or `any`. Movers within "
                   "the gemeente who belong to the group take them first, then in-migrants of "
                   "the group; what no one of the group takes stays vacant (docs/model.md, "
                   "Allocation of new construction). Not for a demolition.",
    },
    SchemaKey{
        .path = "facilities",
        .kind = ValueKind::mapping,
        .meaning = "Changes to the dataset's facilities (its `facilities.csv`: GP practices, "
                   "pharmacies, care homes, community centres ...): facilities that open, close or "
                   "change capacity. Each change holds for the whole of its `year`. Residents are "
                   "served by the nearest open facility of each type (see docs/model.md, "
                   "Facilities and accessibility).",
    },
    SchemaKey{
        .path = "facilities.open",
        .kind = ValueKind::list,
        .meaning = "Facilities that open: one item each. From `year` on a new facility counts in "
                   "the distances to its type and takes over the residents for whom it is now the "
                   "nearest.",
    },
    SchemaKey{
        .path = "facilities.open[].type",
        .required = true,
        .what = "a facility type, e.g. gp_practice",
        .meaning = "Facility type as in the dataset's `facilities.csv`: `gp_practice`, "
                   "`pharmacy`, `care_home`, `community_centre` ... A type the dataset does not "
                   "have is allowed (lower-case letters, digits and `_`), unless it is one letter "
                   "or two from a type it has.",
    },
    SchemaKey{
        .path = "facilities.open[].area",
        .required = true,
        .what = "an area code of the dataset",
        .meaning = "Area where it opens, e.g. a PC6 postcode `2533AB` or a buurt code "
                   "`BU05183284`. Checked against the dataset when it is loaded.",
    },
    SchemaKey{
        .path = "facilities.open[].year",
        .kind = ValueKind::year,
        .required = true,
        .unit = "year",
        .meaning = "First year it serves residents.",
    },
    SchemaKey{
        .path = "facilities.open[].capacity",
        .kind = ValueKind::number,
        .required = true,
        .unit = "the type's units in the dataset (GP practices: FTE)",
        .min = at_least(0.01),
        .max = at_most(10'000),
        .zero_allowed = true,
        .expected = "a capacity in {min}..{max} of the type's units (GP practices: FTE)",
        .meaning = "What it can serve: for a GP practice the full-time equivalents of its GPs. "
                   "0 or 0.01..10,000: Dutch GP practices have a few FTE, the largest "
                   "facilities some thousands of places; below 0.01 (under half an hour a week) "
                   "the demand per unit it reports runs off towards infinity.",
    },
    SchemaKey{
        .path = "facilities.open[].name",
        .meaning = "Label for reports, e.g. `Gezondheidscentrum Morgenstond`.",
    },
    SchemaKey{
        .path = "facilities.open[].id",
        .default_value = "`<type>-<area>-<year>`",
        .what = "a facility id",
        .meaning = "Id of the new facility, for closing or resizing it later (in this file or "
                   "one that extends it). Must differ from every id of the dataset.",
    },
    SchemaKey{
        .path = "facilities.close",
        .kind = ValueKind::list,
        .meaning = "Facilities that close: one item each. From `year` on the facility no longer "
                   "serves; its residents turn to the nearest open facility of its type.",
    },
    SchemaKey{
        .path = "facilities.close[].facility",
        .required = true,
        .what = "a facility id",
        .meaning = "Id of the facility: from the dataset's `facilities.csv` (e.g. `gp-0007`) or "
                   "the `id` of one opened under `facilities.open`.",
    },
    SchemaKey{
        .path = "facilities.close[].year",
        .kind = ValueKind::year,
        .required = true,
        .unit = "year",
        .meaning = "First year it no longer serves residents.",
    },
    SchemaKey{
        .path = "facilities.resize",
        .kind = ValueKind::list,
        .meaning =
            "Facilities whose capacity changes (a practice takes on a GP, or loses one): one "
            "item each.",
    },
    SchemaKey{
        .path = "facilities.resize[].facility",
        .required = true,
        .what = "a facility id",
        .meaning = "Id of the facility, as for `facilities.close`.",
    },
    SchemaKey{
        .path = "facilities.resize[].year",
        .kind = ValueKind::year,
        .required = true,
        .unit = "year",
        .meaning = "First year of the new capacity.",
    },
    SchemaKey{
        .path = "facilities.resize[].capacity",
        .kind = ValueKind::number,
        .required = true,
        .unit = "the facility's units (GP practices: FTE)",
        .min = at_least(0.01),
        .max = at_most(10'000),
        .zero_allowed = true,
        .expected = "a capacity in {min}..{max} of the facility's units (GP practices: FTE)",
        .meaning = "The capacity from `year` on (not a change: the new total). Bounds as for "
                   "`facilities.open[].capacity`.",
    },
    SchemaKey{
        .path = "align",
        .kind = ValueKind::list,
        .meaning = "Tables the projected population is fixed to (alignment, as LIAM2's `align()` "
                   "and the PBL/CBS regional projection do): a municipality's own prognosis or an "
                   "official projection. One item per table. Each year, after migration, the "
                   "persons of every aligned cell (region x sex x age group) are scaled to the "
                   "table's target for 1 January of the next year; the model keeps the "
                   "distribution over areas, single ages and household positions inside the "
                   "cell. The adjustment is reported (`alignment_adjustment`, "
                   "`alignment_projected`). None by default. See docs/model.md, Alignment.",
    },
    SchemaKey{
        .path = "align[].table",
        .kind = ValueKind::path,
        .required = true,
        .meaning = "CSV file of targets, relative to the scenario file that names it. Columns: "
                   "the `level` (area codes of that level; absent for `total`), `year` (targets "
                   "hold for 1 January of that year, i.e. the end of the step of year - 1; "
                   "base_year + 1 .. base_year + horizon), optional `sex` (`male`, `female`), "
                   "optional `age_band` (`0-14`, `65+`, `40`: bands that do not overlap), and "
                   "`population` (persons, ≥ 0). The optional columns say what the table aligns "
                   "by; ages it leaves out are not aligned. Checked when the dataset is loaded: "
                   "unknown codes or bands, duplicate rows, negative numbers and years outside "
                   "the projection name the file, line and column.",
    },
    SchemaKey{
        .path = "align[].level",
        .required = true,
        .what = "`total` or an area level of the dataset",
        .meaning = "What the table's regions are: `total` (every area of the dataset together), "
                   "the dataset's own area level, or a larger level it has a column for in "
                   "`areas.csv` (`wijk`, `gemeente` ...). An area may be aligned by one table "
                   "only in a year.",
    },
    SchemaKey{
        .path = "align[].from",
        .kind = ValueKind::year,
        .default_value = "every year of the table",
        .unit = "year",
        .meaning = "First target year (1 January) aligned; rows of earlier years are left out.",
    },
    SchemaKey{
        .path = "align[].to",
        .kind = ValueKind::year,
        .default_value = "every year of the table",
        .unit = "year",
        .not_before = "from",
        .meaning = "Last target year (1 January) aligned; rows of later years are left out.",
    },
};

// A model's declared parameter as a row of the schema. Generated default texts are kept in
// `texts`, which outlives the rows.
SchemaKey schema_key(const ParameterDeclaration& d, std::deque<std::string>& texts) {
    texts.push_back(documented_default(d));
    SchemaKey key{.path = d.path,
                  .default_value = texts.back(),
                  .unit = d.unit,
                  .min = d.min,
                  .max = d.max,
                  .zero_allowed = d.zero_allowed,
                  .expected = d.expected,
                  .fraction = d.fraction,
                  .choices = d.choices,
                  .meaning = d.meaning};
    switch (d.kind) {
        case ParameterKind::block:
            key.kind = ValueKind::mapping;
            break;
        case ParameterKind::number:
            key.kind = ValueKind::number;
            break;
        case ParameterKind::integer:
            key.kind = ValueKind::integer;
            break;
        case ParameterKind::choice:
            key.kind = ValueKind::choice;
            break;
    }
    return key;
}

// Every key: the core's, then the declared parameters.
const std::vector<SchemaKey>& schema() {
    // The generated default texts, built before the rows that view them (so destroyed after).
    static std::deque<std::string> texts;
    static const std::vector<SchemaKey> keys = [] {
        std::vector<SchemaKey> k(core_keys.begin(), core_keys.end());
        for (const ParameterTable* table : declared_parameters())
            for (const ParameterDeclaration& d : table->declarations())
                k.push_back(schema_key(d, texts));
        return k;
    }();
    return keys;
}

// ---------------------------------------------------------------------------------------------
// Describing expected values, for messages and the reference

std::string number_text(double v) { return fmt::format("{}", v); }

bool is_placeholder(std::string_view component) {
    return component.size() > 2 && component.front() == '<' && component.back() == '>';
}

// The name of `key` below the mapping with pattern `parent`, or "" if it is not a direct child.
std::string_view child_name(const SchemaKey& key, std::string_view parent) {
    std::string_view rest = key.path;
    if (!parent.empty()) {
        if (!rest.starts_with(parent) || rest.size() <= parent.size() + 1 ||
            rest[parent.size()] != '.')
            return {};
        rest.remove_prefix(parent.size() + 1);
    }
    if (rest.find_first_of(".[") != std::string_view::npos) return {};
    return rest;
}

std::string choices_text(const SchemaKey& key, bool markdown) {
    std::string out;
    for (const std::string_view c : key.choices) {
        if (!out.empty()) out += ", ";
        out += markdown ? fmt::format("`{}`", c) : std::string{c};
    }
    return out;
}

// The allowed range in words: "in 1..100", "of at least 1", "greater than -1"; "" if unbounded.
std::string range_words(const SchemaKey& key) {
    const Bound& lo = key.min;
    const Bound& hi = key.max;
    if (lo.set && hi.set && !lo.exclusive && !hi.exclusive)
        return fmt::format("in {}..{}", number_text(lo.value), number_text(hi.value));
    std::string out;
    if (lo.set)
        out = fmt::format("{} {}", lo.exclusive ? "greater than" : "of at least",
                          number_text(lo.value));
    if (hi.set)
        out += fmt::format("{}{} {}", out.empty() ? "" : " and ",
                           hi.exclusive ? "less than" : "of at most", number_text(hi.value));
    return out;
}

std::string expected_text(const SchemaKey& key) {
    const bool whole = key.kind == ValueKind::integer;
    const std::string noun = whole ? "whole number" : "number";
    switch (key.kind) {
        case ValueKind::string:
            if (!key.what.empty()) return std::string{key.what};
            return key.required ? "a non-empty string" : "a string";
        case ValueKind::path:
            return "a file path";
        case ValueKind::seed:
            return "a non-negative whole number";
        case ValueKind::year:
            return "a year";
        case ValueKind::integer:
        case ValueKind::number: {
            std::string out;
            if (!key.expected.empty())
                out = fmt::format(fmt::runtime(key.expected),
                                  fmt::arg("min", number_text(key.min.value)),
                                  fmt::arg("max", number_text(key.max.value)));
            else if (key.min.set && key.min.value == 0 && !key.max.set)
                out = fmt::format("a {} {}", key.min.exclusive ? "positive" : "non-negative", noun);
            else if (key.non_zero && !key.min.set && !key.max.set)
                out = fmt::format("a non-zero {}", noun);
            else {
                const std::string range = range_words(key);
                out = fmt::format("a {}{}{}", noun, range.empty() ? "" : " ", range);
            }
            if (key.zero_allowed) out = "0 or " + out;
            return out;
        }
        case ValueKind::choice:
            return "one of " + choices_text(key, false);
        case ValueKind::age_range:
            return fmt::format("[min, max] with whole years {}", range_words(key));
        case ValueKind::mapping:
            return "a mapping of keys";
        case ValueKind::list:
            return "a list of mappings";
        case ValueKind::one_or_list:
            return "a mapping or a list of mappings";
    }
    return {};
}

// What the user wrote, for "got ...": numbers bare, text quoted, structures by kind.
std::string got_text(const DocNode& node) {
    switch (node.kind) {
        case DocNode::Kind::null:
            return "nothing";
        case DocNode::Kind::mapping:
            return "a mapping";
        case DocNode::Kind::sequence:
            return "a list";
        case DocNode::Kind::scalar:
            break;
    }
    if (number_value(node)) return node.text;
    constexpr std::size_t max_shown = 40;
    if (node.text.size() > max_shown)
        return fmt::format("\"{}...\"", node.text.substr(0, max_shown));
    return fmt::format("\"{}\"", node.text);
}

bool in_bounds(const SchemaKey& key, double v) {
    if (key.min.set && (key.min.exclusive ? v <= key.min.value : v < key.min.value)) return false;
    if (key.max.set && (key.max.exclusive ? v >= key.max.value : v > key.max.value)) return false;
    return true;
}

// A value out of range that divided by 100 is in range: "2" for a trend of 2% a year. Only for
// whole percents and more: 0.5 for a vacancy means a half, not 0.5%.
std::string percent_hint(const SchemaKey& key, double v) {
    if (!key.fraction || std::abs(v) < 1 || in_bounds(key, v) || !in_bounds(key, v / 100))
        return {};
    return fmt::format("{} looks like a percentage: write {} for {}%", number_text(v),
                       number_text(v / 100), number_text(v));
}

// ---------------------------------------------------------------------------------------------
// Validation

class Validator {
public:
    explicit Validator(const DocNode& root) {
        // Years are checked against the projection when the file fixes it; otherwise the
        // dataset loader re-checks them once its base year is known.
        const DocNode* base = root.find("base_year");
        const DocNode* horizon = root.find("horizon");
        const auto base_year = base ? integer_value(*base) : std::nullopt;
        const auto years =
            horizon ? integer_value(*horizon) : std::optional<std::int64_t>{Scenario{}.horizon};
        if (base_year && *base_year >= earliest_year && *base_year <= latest_year && years &&
            *years >= 1 && *years <= 100)
            projected_ = {static_cast<int>(*base_year), static_cast<int>(*base_year + *years)};
    }

    std::vector<InputProblem> run(const DocNode& root) {
        if (root.kind != DocNode::Kind::mapping && root.kind != DocNode::Kind::null) {
            report(root.where, "",
                   fmt::format("expected a mapping of scenario keys, got {}", got_text(root)));
            return std::move(problems_);
        }
        mapping(root, "", "");
        return std::move(problems_);
    }

private:
    void report(const SourceLocation& at, std::string path, std::string message,
                std::string hint = {}) {
        InputProblem p;
        p.where = at;
        p.where.key_path = std::move(path);
        p.message = std::move(message);
        p.hint = std::move(hint);
        problems_.push_back(std::move(p));
    }

    static std::string join(std::string_view path, std::string_view key) {
        return path.empty() ? std::string{key} : fmt::format("{}.{}", path, key);
    }

    // Checks a mapping whose keys are declared below `pattern`; `path` is its concrete path.
    void mapping(const DocNode& node, std::string_view pattern, const std::string& path) {
        std::vector<const SchemaKey*> children;
        std::vector<std::string_view> names;
        for (const SchemaKey& k : schema()) {
            const std::string_view name = child_name(k, pattern);
            if (name.empty()) continue;
            children.push_back(&k);
            if (is_placeholder(name)) {
                for (const std::string_view n : placeholder_names(name)) names.push_back(n);
            } else {
                names.push_back(name);
            }
        }

        for (const DocEntry& e : node.entries) {
            const SchemaKey* key = nullptr;
            bool placeholder = false;
            for (const SchemaKey* k : children) {
                const std::string_view name = child_name(*k, pattern);
                if (name == e.key) key = k;
                if (is_placeholder(name)) {
                    placeholder = true;
                    const auto allowed = placeholder_names(name);
                    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) key = k;
                }
            }
            const std::string child_path = join(path, e.key);
            if (!key) {
                unknown_key(e, child_path, names, placeholder);
                continue;
            }
            value(*key, e.value, child_path);
        }

        for (const SchemaKey* k : children) {
            if (!k->required) continue;
            const std::string_view name = child_name(*k, pattern);
            if (!node.find(name))
                report(node.where, join(path, name),
                       fmt::format("required key is missing; expected {}", expected_text(*k)));
        }

        for (const SchemaKey* k : children) {
            if (k->not_before.empty()) continue;
            const std::string_view name = child_name(*k, pattern);
            const DocNode* later = node.find(name);
            const DocNode* earlier = node.find(k->not_before);
            if (!later || !earlier) continue;
            const auto a = integer_value(*later);
            const auto b = integer_value(*earlier);
            if (a && b && *a < *b)
                report(later->where, join(path, name),
                       fmt::format("expected a year not before {} ({}), got {}", k->not_before, *b,
                                   *a));
        }
    }

    void unknown_key(const DocEntry& e, const std::string& path,
                     const std::vector<std::string_view>& names, bool placeholder) {
        std::string hint = did_you_mean(e.key, names);
        std::string message =
            placeholder ? fmt::format("unknown rate '{}'", e.key) : std::string{"unknown key"};
        if (hint.empty()) {
            std::string list;
            for (const std::string_view n : names)
                list += fmt::format("{}{}", list.empty() ? "" : ", ", n);
            message += fmt::format("; expected one of {}", list);
        }
        report(e.key_where, path, std::move(message), std::move(hint));
    }

    void value(const SchemaKey& key, const DocNode& node, const std::string& path) {
        const auto wrong = [&](std::string expected, std::string hint = {}) {
            report(node.where, path, fmt::format("expected {}, got {}", expected, got_text(node)),
                   std::move(hint));
        };
        switch (key.kind) {
            case ValueKind::string:
            case ValueKind::path:
                // An empty name of a file or area cannot be right; empty free text can.
                if (node.kind != DocNode::Kind::scalar ||
                    ((key.required || key.kind == ValueKind::path) && node.text.empty()))
                    wrong(expected_text(key));
                return;
            case ValueKind::seed:
                if (!unsigned_value(node)) wrong(expected_text(key), number_hint(node));
                return;
            case ValueKind::integer: {
                const auto v = integer_value(node);
                if (!v || !accepts_number(key, static_cast<double>(*v)) ||
                    *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max())
                    wrong(expected_text(key), number_hint(node));
                return;
            }
            case ValueKind::number: {
                const auto v = number_value(node);
                if (!v) return wrong(expected_text(key), number_hint(node));
                if (!accepts_number(key, *v)) wrong(expected_text(key), percent_hint(key, *v));
                return;
            }
            case ValueKind::year:
                year(node, path);
                return;
            case ValueKind::choice: {
                if (node.kind == DocNode::Kind::scalar &&
                    std::find(key.choices.begin(), key.choices.end(), node.text) !=
                        key.choices.end())
                    return;
                wrong(expected_text(key),
                      node.kind == DocNode::Kind::scalar
                          ? did_you_mean(node.text, {key.choices.begin(), key.choices.end()})
                          : std::string{});
                return;
            }
            case ValueKind::age_range:
                age_range(key, node, path);
                return;
            case ValueKind::mapping:
                if (node.kind == DocNode::Kind::null) return;  // an empty block changes nothing
                if (node.kind != DocNode::Kind::mapping) return wrong(expected_text(key));
                mapping(node, key.path, path);
                return;
            case ValueKind::list:
            case ValueKind::one_or_list: {
                if (node.kind == DocNode::Kind::null) return;
                const std::string item_pattern = fmt::format("{}[]", key.path);
                if (key.kind == ValueKind::one_or_list && node.kind == DocNode::Kind::mapping)
                    return mapping(node, item_pattern, path);
                if (node.kind != DocNode::Kind::sequence) return wrong(expected_text(key));
                for (std::size_t i = 0; i < node.items.size(); ++i) {
                    const DocNode& item = node.items[i];
                    const std::string item_path = fmt::format("{}[{}]", path, i);
                    if (item.kind != DocNode::Kind::mapping)
                        report(item.where, item_path,
                               fmt::format("expected a mapping of keys, got {}", got_text(item)));
                    else
                        mapping(item, item_pattern, item_path);
                }
                return;
            }
        }
    }

    // Why something that looks like a number is not one.
    static std::string number_hint(const DocNode& node) {
        if (node.kind != DocNode::Kind::scalar) return {};
        if (node.quoted) {
            DocNode plain = node;
            plain.quoted = false;
            if (number_value(plain)) return "remove the quotes: a quoted value is text";
            return {};
        }
        // "2,500" is a common way to write a number in a spreadsheet but not in YAML.
        if (node.text.find_first_of(",_ ") != std::string::npos &&
            node.text.find_first_of("0123456789") != std::string::npos)
            return "write numbers without thousands separators";
        return {};
    }

    void year(const DocNode& node, const std::string& path) {
        const auto v = integer_value(node);
        if (projected_) {
            const auto [first, last] = *projected_;
            if (!v || *v < first || *v > last)
                report(node.where, path,
                       fmt::format("expected a year in {}..{} (the projected years, base_year to "
                                   "base_year + horizon), got {}",
                                   first, last, got_text(node)));
            return;
        }
        if (!v || *v < earliest_year || *v > latest_year)
            report(node.where, path,
                   fmt::format("expected a year in {}..{}, got {}", earliest_year, latest_year,
                               got_text(node)));
    }

    void age_range(const SchemaKey& key, const DocNode& node, const std::string& path) {
        if (node.kind != DocNode::Kind::sequence || node.items.size() != 2) {
            report(node.where, path,
                   fmt::format("expected {}, got {}", expected_text(key),
                               node.kind == DocNode::Kind::sequence
                                   ? fmt::format("a list of {}", node.items.size())
                                   : got_text(node)));
            return;
        }
        std::array<std::optional<std::int64_t>, 2> ages;
        for (std::size_t i = 0; i < 2; ++i) {
            ages[i] = integer_value(node.items[i]);
            if (!ages[i] || !in_bounds(key, static_cast<double>(*ages[i]))) {
                report(node.items[i].where, fmt::format("{}[{}]", path, i),
                       fmt::format("expected a whole number of years {}, got {}", range_words(key),
                                   got_text(node.items[i])));
                ages[i].reset();
            }
        }
        if (ages[0] && ages[1] && *ages[0] > *ages[1])
            report(node.where, path,
                   fmt::format("expected [min, max] with min <= max, got [{}, {}]", *ages[0],
                               *ages[1]));
    }

    std::optional<std::pair<int, int>> projected_;
    std::vector<InputProblem> problems_;
};

// ---------------------------------------------------------------------------------------------
// The reference

std::string kind_markdown(const SchemaKey& key) {
    switch (key.kind) {
        case ValueKind::string:
            return "string";
        case ValueKind::path:
            return "path";
        case ValueKind::integer:
        case ValueKind::seed:
            return "whole number";
        case ValueKind::year:
            return "year";
        case ValueKind::number:
            return "number";
        case ValueKind::choice:
            return "choice";
        case ValueKind::age_range:
            return "[min, max]";
        case ValueKind::mapping:
            return "mapping";
        case ValueKind::list:
            return "list of mappings";
        case ValueKind::one_or_list:
            return "mapping or list of mappings";
    }
    return {};
}

std::string bound_markdown(const Bound& b, bool lower) {
    return fmt::format("{} {}", lower ? (b.exclusive ? ">" : "≥") : (b.exclusive ? "<" : "≤"),
                       number_text(b.value));
}

std::string allowed_markdown(const SchemaKey& key) {
    std::string out;
    switch (key.kind) {
        case ValueKind::choice:
            return choices_text(key, true);
        case ValueKind::seed:
            return "≥ 0";
        case ValueKind::year:
            out = "base_year .. base_year + horizon";
            break;
        case ValueKind::age_range:
            return fmt::format("{} ≤ min ≤ max ≤ {}", number_text(key.min.value),
                               number_text(key.max.value));
        case ValueKind::integer:
        case ValueKind::number:
            if (key.min.set && key.max.set && !key.min.exclusive && !key.max.exclusive)
                out = fmt::format("{}..{}", number_text(key.min.value), number_text(key.max.value));
            else if (key.min.set)
                out = bound_markdown(key.min, true);
            else if (key.max.set)
                out = bound_markdown(key.max, false);
            if (key.non_zero) out += out.empty() ? "≠ 0" : ", ≠ 0";
            if (key.zero_allowed) out = "0 or " + out;
            break;
        default:
            break;
    }
    if (!key.not_before.empty()) out += fmt::format(", ≥ `{}`", key.not_before);
    return out;
}

std::string cell(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

constexpr std::string_view reference_intro =
    R"(A scenario file is YAML. It names the dataset to project and says what differs from the
baseline: changed rates, dwellings built or demolished, model settings. `socialtwin validate FILE`
checks a file against this reference and reports every problem at once as
`file:line:column: key.path: what was expected`.

Key paths: `rates.<target>[].factor` means the `factor` of any change (`[]`: a list item) of any
rate (`<target>`: a [rate name](#rate-names)). Messages use concrete paths such as
`rates.mortality[1].factor`.

## Inheritance with `extends`

`extends: baseline.yaml` starts from another scenario file (relative to this file, or absolute)
and applies this file on top of it. A name without a folder or `.yaml` (`extends: baseline`)
is a shipped scenario (`scenarios/baseline.yaml` of the build, or of `$SOCIALTWIN_SCENARIOS`)
unless a file `baseline` or `baseline.yaml` lies beside this one, so a planner's own file needs no
path into the repository.

- mappings merge key by key, recursively;
- a scalar or a list in this file replaces the parent's whole value (a list of rate changes or of
  construction projects is not appended to);
- a block (`rates`, `housing`, one rate's changes, ...) written as `null` or with nothing after
  its key removes the inherited block; `[]` empties an inherited list;
- `name`, `description` and `extends` are not inherited;
- a parent may itself extend another file; a cycle is an error.

Problems in inherited keys are reported at the line of the parent file that holds them.

## Years

The projection starts from the population on 1 January of `base_year` and projects the years
`base_year` to `base_year + horizon`: stocks on 1 January of each, flows (births, deaths,
migration, construction) during each (see [output-schema.md](output-schema.md)). Years given in
the file (`from`, `to`, construction `year`) must lie in that range. When `base_year` is 0 (taken
from the dataset) they are only checked to be plausible (1900..2200) here and checked again when
the dataset is loaded.
)";

constexpr std::string_view reference_example = R"(name: vergrijzing-light
description: >
  Longer lives for the over-65s and a little less fertility.
extends: baseline.yaml
rates:
  mortality:
    - factor: 0.95        # 5% lower from the base year on
      trend: -0.01        # and 1% lower every year after that
      ages: [65, 105]
  fertility:
    factor: 0.9
construction:
  - name: Moerwijk-Oost toren A
    year: 2024
    area: 2531NA
    dwellings: 300
)";

}  // namespace

std::span<const SchemaKey> scenario_schema() noexcept { return schema(); }

bool accepts_number(const SchemaKey& key, double value) {
    if (value == 0) return key.zero_allowed || (!key.non_zero && in_bounds(key, value));
    return in_bounds(key, value);
}

std::string expected_value_text(const SchemaKey& key) { return expected_text(key); }

std::string percentage_hint(const SchemaKey& key, double value) { return percent_hint(key, value); }

const SchemaKey* find_schema_key(std::string_view path) noexcept {
    for (const SchemaKey& k : schema())
        if (k.path == path) return &k;
    return nullptr;
}

std::vector<std::string_view> placeholder_names(std::string_view placeholder) {
    std::vector<std::string_view> names;
    if (placeholder == "<target>")
        for (const RateLever& lever : declared_levers()) names.push_back(lever.name);
    return names;
}

std::vector<InputProblem> validate_scenario_document(const DocNode& root) {
    return Validator(root).run(root);
}

std::string scenario_reference_markdown() {
    std::string md;
    md += "# Scenario reference\n\n";
    md +=
        "<!-- Generated from the schema in engine/input/scenario_schema.cpp; do not edit. "
        "Regenerate with\n     SOCIALTWIN_UPDATE_DOCS=1 socialtwin_unit_tests "
        "--gtest_filter='ScenarioSchema.*'\n     (or `socialtwin schema > "
        "docs/scenario-reference.md`). -->\n\n";
    md += reference_intro;

    // One table for the top level, then one per block, in schema order.
    const auto table = [&](std::string_view title, const auto& keep) {
        md += fmt::format("\n## {}\n\n", title);
        md += "| Key | Type | Required | Default | Unit | Allowed | Meaning |\n";
        md += "|---|---|---|---|---|---|---|\n";
        for (const SchemaKey& k : schema()) {
            if (!keep(k)) continue;
            md += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", k.path, kind_markdown(k),
                              k.required ? "yes" : "", cell(k.default_value), cell(k.unit),
                              cell(allowed_markdown(k)), cell(k.meaning));
        }
    };
    table("Top-level keys", [](const SchemaKey& k) { return !child_name(k, "").empty(); });
    for (const SchemaKey& block : schema()) {
        if (block.kind != ValueKind::mapping && block.kind != ValueKind::list) continue;
        // Only top-level blocks get a section; nested keys are listed in their block's table.
        if (!child_name(block, "").empty()) {
            const std::string_view prefix = block.path;
            table(fmt::format("`{}`", block.path), [&](const SchemaKey& k) {
                return k.path.size() > prefix.size() && k.path.starts_with(prefix) &&
                       (k.path[prefix.size()] == '.' || k.path[prefix.size()] == '[');
            });
        }
    }

    md += "\n## Rate names\n\nThe keys allowed under `rates`, i.e. the values of `<target>`:\n\n";
    md += "| `<target>` | Baseline rate changed |\n|---|---|\n";
    for (const RateLever& lever : declared_levers())
        md += fmt::format("| `{}` | {} |\n", lever.name, lever.meaning);

    md += "\n## Example\n\n```yaml\n";
    md += reference_example;
    md += "```\n";
    return md;
}

}  // namespace socialtwin
