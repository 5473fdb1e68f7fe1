#include "engine/input/dataset.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "engine/core/accounts.hpp"
#include "engine/core/errors.hpp"
#include "engine/core/facilities.hpp"
#include "engine/core/scenario.hpp"
#include "engine/core/suggest.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/csv.hpp"
#include "engine/formats/input_file.hpp"
#include "engine/output/result_file.hpp"
#include "engine/output/result_layout.hpp"
#include "models/housing/dwelling_stock.hpp"
#include "models/registry.hpp"

namespace fs = std::filesystem;

namespace socialtwin {

namespace {

// The columns of household positions are the positions' names.
constexpr const std::array<std::string_view, n_positions>& position_columns = position_names.names;

std::size_t at(int i) { return static_cast<std::size_t>(i); }

// ---- dataset.yaml / rates.yaml ------------------------------------------------------------

// Reads the few keys a metadata file needs, collecting every problem with its position.
class YamlFile {
public:
    explicit YamlFile(fs::path path) : path_(std::move(path)) {
        text_ = read_input_text_or_throw(path_, yaml_input_limit);
        try {
            root_ = YAML::Load(text_);
        } catch (const YAML::ParserException& e) {
            throw InputError(
                problem_at(where_in(path_.string(), e.mark.line + 1, e.mark.column + 1), e.msg));
        }
        // Reading a key expands its aliases: a cycle or a bomb must stop here.
        check_yaml_limits(root_, path_.string());
        if (!root_.IsMap())
            throw InputError(problem_at(where_in(path_.string(), 1, 1), "expected a mapping"));
    }

    template <class T>
    T get(const std::string& key, const std::string& expected, std::optional<T> fallback = {}) {
        const YAML::Node node = root_[key];
        if (!node) {
            if (fallback) return *fallback;
            problems_.push_back(
                problem_at(where_in(path_.string(), 1, 1, key), "missing; expected " + expected));
            return T{};
        }
        try {
            return node.as<T>();
        } catch (const YAML::Exception&) {
            problems_.push_back(problem_at(
                where_in(path_.string(), node.Mark().line + 1, node.Mark().column + 1, key),
                "expected " + expected));
            return T{};
        }
    }
    // A number that must lie in [min, max]; reported at the value's place otherwise.
    template <class T>
    T get_in_range(const std::string& key, const std::string& expected, T min, T max) {
        const T value = get<T>(key, expected);
        if (value < min || value > max) {
            const YAML::Node node = root_[key];
            if (node)
                problems_.push_back(problem_at(
                    where_in(path_.string(), node.Mark().line + 1, node.Mark().column + 1, key),
                    fmt::format("{} is out of range; expected {} ({} to {})", value, expected, min,
                                max)));
        }
        return value;
    }
    std::string text_of(const std::string& key) const {
        const YAML::Node node = root_[key];
        if (!node) return {};
        YAML::Emitter out;
        out << node;
        return out.c_str();
    }
    const std::string& text() const { return text_; }
    void throw_if_problems() const {
        if (!problems_.empty()) throw InputError(problems_);
    }

private:
    fs::path path_;
    std::string text_;
    YAML::Node root_;
    std::vector<InputProblem> problems_;
};

// ---- helpers for age tables ---------------------------------------------------------------

int sex_at(CsvTable& t, std::size_t row, CsvColumn column) {
    return t.choice(row, column, sex_names.names) == sex_names(Sex::female) ? 1 : 0;
}

// Every (sex, age) of a table must be present exactly once.
void check_complete(CsvTable& t, const std::vector<std::vector<int>>& seen, int sexes, int age_min,
                    int age_max) {
    for (int s = 0; s < sexes; ++s)
        for (int a = age_min; a <= age_max; ++a)
            if (seen[at(s)][at(a)] != 1) {
                throw InputError(problem_at(
                    where_in(t.file(), 0, 0, "age"),
                    fmt::format("{} rows for {}age {}; expected exactly one", seen[at(s)][at(a)],
                                sexes > 1 ? std::string(sex_names.names[at(s)]) + " " : "", a)));
            }
}

std::vector<std::vector<int>> no_rows_seen() {
    return std::vector<std::vector<int>>(n_sexes, std::vector<int>(n_ages, 0));
}

// Death probabilities by age on 1 January and their annual rate of decline (a fall of more
// than 10% a year, or a rise of more than 10%, is no plausible baseline trend).
void read_mortality(const fs::path& dir, RateSet& r) {
    CsvTable t = read_csv(dir / "mortality.csv",
                          {"age", "male", "female", "improvement_male", "improvement_female"});
    auto seen = no_rows_seen();
    const auto age = t.column("age"), male = t.column("male"), female = t.column("female");
    const auto improvement_male = t.column("improvement_male"),
               improvement_female = t.column("improvement_female");
    for (std::size_t row = 0; row < t.size(); ++row) {
        const auto a = static_cast<int>(t.whole_number(row, age, 0, max_age));
        r.death_probability[0][at(a)] = t.number(row, male, 0, 1);
        r.death_probability[1][at(a)] = t.number(row, female, 0, 1);
        r.mortality_improvement[0][at(a)] = t.number(row, improvement_male, -0.1, 0.1);
        r.mortality_improvement[1][at(a)] = t.number(row, improvement_female, -0.1, 0.1);
        ++seen[0][at(a)];
    }
    t.throw_if_problems();
    check_complete(t, seen, 1, 0, max_age);
}

void read_fertility(const fs::path& dir, RateSet& r) {
    CsvTable t = read_csv(dir / "fertility.csv", {"age", "asfr"});
    const auto age = t.column("age"), asfr = t.column("asfr");
    for (std::size_t row = 0; row < t.size(); ++row) {
        const auto a = static_cast<int>(t.whole_number(row, age, 10, 55));
        r.fertility[at(a)] = t.number(row, asfr, 0, 1);
    }
    t.throw_if_problems();
}

// migration.csv: the four flows' profiles by sex and age at year end (docs/model.md,
// "Migration"); the inflow shares sum to 1 over both sexes and all ages.
void read_migration(const fs::path& dir, RateSet& r) {
    CsvTable t = read_csv(dir / "migration.csv",
                          {"sex", "age", "immigration_share", "emigration_probability",
                           "moves_in_share", "moves_out_probability"});
    auto seen = no_rows_seen();
    const auto sex = t.column("sex"), age = t.column("age");
    const auto immigration = t.column("immigration_share"),
               emigration = t.column("emigration_probability"),
               moves_in = t.column("moves_in_share"), moves_out = t.column("moves_out_probability");
    double immigration_total = 0, moves_in_total = 0;
    for (std::size_t row = 0; row < t.size(); ++row) {
        const int s = sex_at(t, row, sex);
        const auto a = static_cast<int>(t.whole_number(row, age, 0, max_age));
        r.immigration_profile[at(s)][at(a)] = t.number(row, immigration, 0, 1);
        r.emigration[at(s)][at(a)] = t.number(row, emigration, 0, 1);
        r.moves_in_profile[at(s)][at(a)] = t.number(row, moves_in, 0, 1);
        r.moves_out[at(s)][at(a)] = t.number(row, moves_out, 0, 1);
        if (r.emigration[at(s)][at(a)] + r.moves_out[at(s)][at(a)] > 1)
            t.report(row, moves_out,
                     "emigration_probability + moves_out_probability is more than 1");
        immigration_total += r.immigration_profile[at(s)][at(a)];
        moves_in_total += r.moves_in_profile[at(s)][at(a)];
        ++seen[at(s)][at(a)];
    }
    t.throw_if_problems();
    check_complete(t, seen, n_sexes, 0, max_age);
    for (const auto& [column, total] : {std::pair{"immigration_share", immigration_total},
                                        std::pair{"moves_in_share", moves_in_total}})
        if (std::abs(total - 1.0) > 1e-6)
            throw InputError(problem_at(where_in(t.file(), 0, 0, column),
                                        fmt::format("shares sum to {}; expected 1", total)));
}

// migration_by_gemeente.csv (optional): each gemeente's recorded migration per inhabitant.
void read_migration_by_gemeente(const fs::path& dir, RateSet& r) {
    const fs::path file = dir / "migration_by_gemeente.csv";
    if (!fs::exists(file)) return;
    CsvTable t = read_csv(file, {"gemeente", "immigration", "emigration", "moves_in", "moves_out"});
    const auto gemeente = t.column("gemeente"), immigration = t.column("immigration"),
               emigration = t.column("emigration"), moves_in = t.column("moves_in"),
               moves_out = t.column("moves_out");
    std::map<std::string, std::size_t> rows;
    for (std::size_t row = 0; row < t.size(); ++row) {
        GemeenteMigration g{.gemeente = std::string(t.text(row, gemeente)),
                            .immigration = t.number(row, immigration, 0, 1),
                            .emigration = t.number(row, emigration, 0, 1),
                            .moves_in = t.number(row, moves_in, 0, 1),
                            .moves_out = t.number(row, moves_out, 0, 1)};
        if (!rows.emplace(g.gemeente, row).second)
            t.report(row, gemeente, fmt::format("gemeente '{}' appears twice", g.gemeente));
        r.migration_by_gemeente.push_back(std::move(g));
    }
    t.throw_if_problems();
}

// migration_age_by_gemeente.csv (optional): per gemeente of migration_by_gemeente.csv, sex and
// band of ages at year end, the factors on the moves-in share and the moves-out probability
// (docs/model.md, "Migration"). Ages no row covers keep factor 1; bands may not overlap.
void read_migration_age_by_gemeente(const fs::path& dir, RateSet& r) {
    const fs::path file = dir / "migration_age_by_gemeente.csv";
    if (!fs::exists(file)) return;
    CsvTable t = read_csv(
        file, {"gemeente", "sex", "age_from", "age_to", "moves_in_factor", "moves_out_factor"});
    const auto gemeente = t.column("gemeente"), sex = t.column("sex"),
               age_from = t.column("age_from"), age_to = t.column("age_to"),
               in_factor = t.column("moves_in_factor"), out_factor = t.column("moves_out_factor");
    std::map<std::string, GemeenteMigration*> by_name;
    for (GemeenteMigration& g : r.migration_by_gemeente) by_name[g.gemeente] = &g;
    std::map<std::string, BySexAge<int>> seen;
    // A factor above this would make one band of a gemeente's movers out of proportion to the
    // recorded flow (the preparation's factors stay below 10).
    constexpr double max_factor = 100;
    for (std::size_t row = 0; row < t.size(); ++row) {
        const std::string name{t.text(row, gemeente)};
        const int s = sex_at(t, row, sex);
        const auto from = static_cast<int>(t.whole_number(row, age_from, 0, max_age));
        const auto to = static_cast<int>(t.whole_number(row, age_to, 0, max_age));
        const double in = t.number(row, in_factor, 0, max_factor);
        const double out = t.number(row, out_factor, 0, max_factor);
        const auto it = by_name.find(name);
        if (it == by_name.end()) {
            t.report(row, gemeente,
                     fmt::format("gemeente '{}' has no row in migration_by_gemeente.csv", name),
                     "a gemeente of migration_by_gemeente.csv");
            continue;
        }
        if (to < from) {
            t.report(row, age_to, fmt::format("age_to {} is below age_from {}", to, from),
                     "age_to >= age_from");
            continue;
        }
        BySexAge<int>& ages = seen[name];
        for (int a = from; a <= to; ++a) {
            if (ages[at(s)][at(a)]++ > 0) {
                t.report(
                    row, age_from,
                    fmt::format("age {} of {} {} is in two rows", a, name, sex_names.names[at(s)]),
                    "bands that do not overlap");
                break;
            }
            it->second->moves_in_age_factor[at(s)][at(a)] = in;
            it->second->moves_out_age_factor[at(s)][at(a)] = out;
        }
    }
    t.throw_if_problems();
}

// A table of shares by sex and single age (`columns` sum to 1 on every row), e.g. household
// positions or Zvw care categories; `store(sex, age, column, share)` keeps each value.
template <std::size_t N, class Store>
void read_shares(const fs::path& file, const std::array<std::string_view, N>& columns,
                 const char* what, Store store) {
    std::vector<std::string> required{"sex", "age"};
    for (auto c : columns) required.emplace_back(c);
    CsvTable t = read_csv(file, required);
    auto seen = no_rows_seen();
    const auto sex = t.column("sex"), age = t.column("age");
    for (std::size_t row = 0; row < t.size(); ++row) {
        const int s = sex_at(t, row, sex);
        const auto a = static_cast<int>(t.whole_number(row, age, 0, max_age));
        double total = 0;
        for (std::size_t c = 0; c < N; ++c) {
            const double share = t.number(row, t.column(columns[c]), 0, 1);
            store(s, a, c, share);
            total += share;
        }
        if (std::abs(total - 1.0) > 1e-6)
            t.report(row, t.column(columns[0]),
                     fmt::format("{} shares sum to {}; expected 1", what, total));
        ++seen[at(s)][at(a)];
    }
    t.throw_if_problems();
    check_complete(t, seen, n_sexes, 0, max_age);
}

void read_positions(const fs::path& dir, RateSet& r) {
    read_shares(dir / "household_positions.csv", position_columns, "position",
                [&](int s, int a, std::size_t p, double share) {
                    r.position_shares[at(s)][at(a)][p] = share;
                });
}

void read_transitions(const fs::path& dir, RateSet& r) {
    CsvTable t =
        read_csv(dir / "household_transitions.csv", {"sex", "age", "event", "from", "to", "rate"});
    static const std::array<std::string_view, n_household_events> events{
        "leaving_home",     "partnering", "separation",  "widowhood",
        "family_formation", "empty_nest", "institution", "other"};
    const auto sex = t.column("sex"), age = t.column("age"), event = t.column("event"),
               from = t.column("from"), to = t.column("to"), rate = t.column("rate");
    auto position_of = [&](std::size_t row, CsvColumn c) {
        const std::string name{t.choice(row, c, position_columns)};
        for (int p = 0; p < n_positions; ++p)
            if (position_columns[at(p)] == name) return static_cast<Position>(p);
        return Position::child_at_home;
    };
    for (std::size_t row = 0; row < t.size(); ++row) {
        HouseholdTransition tr;
        tr.sex = static_cast<Sex>(sex_at(t, row, sex));
        tr.age = static_cast<int>(t.whole_number(row, age, 0, max_age));
        tr.event = household_event_from_string(t.choice(row, event, events))
                       .value_or(HouseholdEvent::other);
        tr.from = position_of(row, from);
        tr.to = position_of(row, to);
        tr.rate = t.number(row, rate, 0, 1);
        if (tr.from == tr.to) t.report(row, to, "a transition must change the position");
        r.transitions.push_back(tr);
    }
    t.throw_if_problems();
}

void read_care(const fs::path& dir, RateSet& r) {
    CsvTable t = read_csv(dir / "care.csv", {"sex", "age", "gp_contacts", "wmo_client_probability",
                                             "zvw_eur", "wlz_eur", "wmo_eur", "jeugd_eur"});
    auto seen = no_rows_seen();
    const auto sex = t.column("sex"), age = t.column("age");
    const std::array<std::pair<const char*, BySexAge<double>*>, 6> columns{{
        {"gp_contacts", &r.gp_contacts},
        {"zvw_eur", &r.zvw_eur},
        {"wlz_eur", &r.wlz_eur},
        {"wmo_eur", &r.wmo_eur},
        {"jeugd_eur", &r.jeugd_eur},
        {"wmo_client_probability", &r.wmo_client_probability},
    }};
    for (std::size_t row = 0; row < t.size(); ++row) {
        const int s = sex_at(t, row, sex);
        const auto a = static_cast<int>(t.whole_number(row, age, 0, max_age));
        for (const auto& [name, table] : columns) {
            const double max = std::string_view(name) == "wmo_client_probability" ? 1.0 : 1e7;
            (*table)[at(s)][at(a)] = t.number(row, t.column(name), 0, max);
        }
        ++seen[at(s)][at(a)];
    }
    t.throw_if_problems();
    check_complete(t, seen, n_sexes, 0, max_age);
}

void read_zvw_categories(const fs::path& dir, RateSet& r) {
    read_shares(dir / "zvw_categories.csv", zvw_categories, "category",
                [&](int s, int a, std::size_t c, double share) {
                    r.zvw_category_share[c][at(s)][at(a)] = share;
                });
}

void read_wmo_services(const fs::path& dir, RateSet& r) {
    std::vector<std::string> columns{"sex", "age"};
    for (const auto suffix : {"_share", "_alone_factor", "_no_child_factor"})
        for (const auto service : wmo_services)
            columns.push_back(fmt::format("{}{}", service, suffix));
    columns.emplace_back("child_nearby_share");
    CsvTable t = read_csv(dir / "wmo_services.csv", columns);
    auto seen = no_rows_seen();
    const auto sex = t.column("sex"), age = t.column("age"),
               child_nearby = t.column("child_nearby_share");
    for (std::size_t row = 0; row < t.size(); ++row) {
        const int s = sex_at(t, row, sex);
        const auto a = static_cast<int>(t.whole_number(row, age, 0, max_age));
        for (std::size_t k = 0; k < wmo_services.size(); ++k) {
            const auto service = wmo_services[k];
            r.wmo_service_share[k][at(s)][at(a)] =
                t.number(row, t.column(fmt::format("{}_share", service)), 0, 1);
            r.wmo_alone_factor[k][at(s)][at(a)] =
                t.number(row, t.column(fmt::format("{}_alone_factor", service)), 0, 100);
            r.wmo_no_child_factor[k][at(s)][at(a)] =
                t.number(row, t.column(fmt::format("{}_no_child_factor", service)), 0, 100);
        }
        r.child_nearby_share[at(s)][at(a)] = t.number(row, child_nearby, 0, 1);
        ++seen[at(s)][at(a)];
    }
    t.throw_if_problems();
    check_complete(t, seen, n_sexes, 0, max_age);
}

// ---- areas.csv positions and facilities.csv (optional): for the facilities model ---------

// Area positions for the area graph (engine/core/area_graph.hpp): x_km, y_km [km, RD New] and
// access_km [km] come together and have no gaps; observed_gp_distance_km [km] may have gaps
// (NaN: not known). Kept as area quantities of the same names.
constexpr std::array<std::string_view, 3> geo_columns{"x_km", "y_km", "access_km"};
constexpr std::string_view observed_gp_column = "observed_gp_distance_km";

bool is_position_column(std::string_view name) {
    return name == observed_gp_column ||
           std::find(geo_columns.begin(), geo_columns.end(), name) != geo_columns.end();
}

void read_area_positions(CsvTable& areas, Dataset& d) {
    std::vector<std::string_view> present;
    for (const auto name : geo_columns)
        if (areas.find_column(name)) present.push_back(name);
    if (!present.empty() && present.size() < geo_columns.size()) {
        std::vector<InputProblem> problems;
        for (const auto name : geo_columns)
            if (!areas.find_column(name))
                problems.push_back(problem_at(
                    where_in(areas.file(), areas.header_line(), 0, std::string(name)),
                    "missing column; x_km, y_km and access_km (area positions) come together"));
        throw InputError(std::move(problems));
    }
    for (const auto name : present) {
        const auto col = areas.column(name);
        AreaQuantity quantity{std::string(name), {}};
        const double min = name == "access_km" ? 0.0 : -1e4, max = 1e4;  // [km]
        for (std::size_t row = 0; row < areas.size(); ++row)
            quantity.values.push_back(areas.number(row, col, min, max));
        d.areas.add_quantity(std::move(quantity));
    }
    if (const auto col = areas.find_column(observed_gp_column)) {
        AreaQuantity quantity{std::string(observed_gp_column), {}};
        for (std::size_t row = 0; row < areas.size(); ++row)
            quantity.values.push_back(areas.optional_number(row, *col, 0, 1000)
                                          .value_or(std::numeric_limits<double>::quiet_NaN()));
        d.areas.add_quantity(std::move(quantity));
    }
}

// facilities.csv: one row per facility open on 1 January of the base year. Strict: every
// column known, ids unique, areas in areas.csv, capacities non-negative, type names usable in
// indicator names, status observed (a real location) or modelled (placed by a method).
// nursing_homes.csv has the same columns, one row per nursing home (type nursing_home, capacity
// in clients): the homes that receive institution entrants (models/households/
// institution_moves.hpp), kept apart from facilities.csv because they come from another source.
// `only_type`: the one type the file may hold (empty: any).
void read_facilities(const fs::path& file, std::string_view only_type, Dataset& d) {
    if (!fs::exists(file)) return;
    static constexpr std::array<std::string_view, 7> columns{
        "facility", "type", "area", "capacity", "capacity_units", "status", "name"};
    static constexpr std::array<std::string_view, 2> statuses{"observed", "modelled"};
    CsvTable t = read_csv(file, std::vector<std::string>(columns.begin(), columns.end()));
    {
        std::vector<InputProblem> unknown;
        const std::vector<std::string_view> known(columns.begin(), columns.end());
        int column = 1;  // [characters] where the header field starts (header names are plain)
        for (const std::string& name : t.header()) {
            if (std::find(known.begin(), known.end(), name) == known.end())
                unknown.push_back(problem_at(
                    where_in(t.file(), t.header_line(), column, name),
                    fmt::format("unknown column '{}'; expected facility, type, area, capacity, "
                                "capacity_units, status, name",
                                name),
                    did_you_mean(name, known)));
            column += static_cast<int>(name.size()) + 1;
        }
        throw_input_problems(std::move(unknown));
    }
    if (!d.areas.quantity("x_km"))
        throw InputError(problem_at(where_in(t.file(), t.header_line(), 1),
                                    "facilities need area positions: areas.csv has no x_km, y_km, "
                                    "access_km columns"));
    const auto id_col = t.column("facility"), type_col = t.column("type"),
               area_col = t.column("area"), capacity_col = t.column("capacity"),
               units_col = t.column("capacity_units"), status_col = t.column("status"),
               name_col = t.column("name");
    const std::vector<std::string_view> codes(d.areas.codes().begin(), d.areas.codes().end());
    std::map<std::string, int> line_of;
    // The facilities read from the other files so far (ids are unique across files).
    const auto from_other_files = static_cast<std::ptrdiff_t>(d.facilities.size());
    for (std::size_t row = 0; row < t.size(); ++row) {
        // In column order, so that problems read left to right.
        Facility f;
        f.id = t.text(row, id_col);
        if (f.id.empty()) t.report(row, id_col, "expected a facility id, got nothing");
        const auto [first, fresh] = line_of.emplace(f.id, t.row(row).line);
        if (std::any_of(d.facilities.begin(), d.facilities.begin() + from_other_files,
                        [&](const Facility& other) { return other.id == f.id; }))
            t.report(row, id_col,
                     fmt::format("facility '{}' is also in another facility file", f.id));
        if (!f.id.empty() && !fresh)
            t.report(
                row, id_col,
                fmt::format("facility '{}' appears twice (first on line {})", f.id, first->second));
        f.type = t.text(row, type_col);
        if (!is_facility_type_name(f.type))
            t.report(row, type_col,
                     fmt::format("expected a facility type (lower-case letters, digits and '_', "
                                 "starting with a letter, e.g. gp_practice), got \"{}\"",
                                 f.type));
        else if (!only_type.empty() && f.type != only_type)
            t.report(row, type_col,
                     fmt::format("expected {} (this file holds only that type), got \"{}\"",
                                 only_type, f.type));
        const std::string code{t.text(row, area_col)};
        if (const auto area = d.areas.find(code))
            f.area = *area;
        else
            t.report(row, area_col, "area '" + code + "' is not in areas.csv",
                     did_you_mean(code, codes));
        f.capacity = t.number(row, capacity_col, 0, 1e6);
        f.capacity_units = t.text(row, units_col);
        f.status = t.choice(row, status_col, statuses);
        f.name = t.text(row, name_col);
        d.facilities.push_back(std::move(f));
    }
    t.throw_if_problems();
}

// ---- stock_changes.csv (optional): the baseline change of the dwelling stock ---------------

// One row per area and year (a calendar year from the base year on, or `trend` for every year
// after the last one given): new_dwellings, other_additions, demolished, other_withdrawals
// [dwellings per year, at least 0]. An area and year without a row change nothing; an area
// and year may appear once. The housing processes read it as the baseline construction
// programme (models/housing/construction.hpp).
void read_stock_changes(const fs::path& dir, Dataset& d) {
    const fs::path file = dir / "stock_changes.csv";
    if (!fs::exists(file)) {
        d.metadata["baseline_stock_change"] =
            "not in the dataset (no stock_changes.csv): the stock changes only by a scenario's "
            "construction programme";
        return;
    }
    static constexpr std::array<std::string_view, 4> flows{"new_dwellings", "other_additions",
                                                           "demolished", "other_withdrawals"};
    std::vector<std::string> columns{"area", "year"};
    columns.insert(columns.end(), flows.begin(), flows.end());
    CsvTable table = read_csv(file, columns);
    const std::size_t n_areas = d.areas.size();
    BaselineStockChange change;
    change.observed.assign(n_areas, {});
    change.trend.assign(n_areas, {});
    std::vector<int> trend_line(n_areas, 0);
    std::vector<std::map<int, int>> year_line(n_areas);
    const auto area_col = table.column("area");
    const auto year_col = table.column("year");
    const std::vector<std::string_view> codes(d.areas.codes().begin(), d.areas.codes().end());
    for (std::size_t row = 0; row < table.size(); ++row) {
        const std::string code{table.text(row, area_col)};
        const auto area = d.areas.find(code);
        if (!area)
            table.report(row, area_col, "area '" + code + "' is not in areas.csv",
                         did_you_mean(code, codes));
        const std::string when{table.text(row, year_col)};
        std::optional<int> year;
        if (when != "trend") {
            if (when.empty() || when.find_first_not_of("0123456789") != std::string::npos)
                table.report(row, year_col,
                             fmt::format("expected a year from the base year {} on, or 'trend', "
                                         "got '{}'",
                                         d.base.year, when));
            else
                year = static_cast<int>(table.whole_number(row, year_col, d.base.year, 2200));
        }
        BaselineStockYear flows_of_row;
        std::array<double*, 4> fields{&flows_of_row.new_dwellings, &flows_of_row.other_additions,
                                      &flows_of_row.demolished, &flows_of_row.other_withdrawals};
        for (std::size_t f = 0; f < flows.size(); ++f)
            *fields[f] = table.number(row, table.column(flows[f]), 0.0, 1'000'000.0);
        if (!area || (when != "trend" && !year)) continue;
        const int line = table.row(row).line;
        int& first = year ? year_line[*area][*year] : trend_line[*area];
        if (first != 0) {
            table.report(row, year_col,
                         fmt::format("area '{}' has a second row for {} (first on line {})", code,
                                     when, first));
            continue;
        }
        first = line;
        if (year) {
            change.observed[*area][*year] = flows_of_row;
            change.last_observed_year = std::max(change.last_observed_year, *year);
        } else {
            change.trend[*area] = flows_of_row;
        }
    }
    table.throw_if_problems();
    d.baseline_stock = std::make_shared<const BaselineStockChange>(std::move(change));
    d.metadata["baseline_stock_change"] = "stock_changes.csv";
}

// ---- dwellings.csv (optional): the stock by dwelling type x tenure -------------------------

// Whole dwellings per area by type x tenure; every area of areas.csv exactly once, each row
// adding up to the area's `dwellings`. Kept as area quantities (stock_quantity_name) for the
// housing model. Without the file the housing model splits every area's dwellings by a stated
// national mix; the result's metadata says which.
void read_dwelling_types(const fs::path& dir, Dataset& d) {
    const fs::path file = dir / "dwellings.csv";
    if (!fs::exists(file)) {
        d.metadata["dwellings_by_type_tenure"] =
            "not in the dataset (no dwellings.csv): every area's dwellings split by the national "
            "mix (docs/model.md, Dwelling stock by type and tenure)";
        return;
    }
    std::vector<std::string> columns{"area"};
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r)
            columns.push_back(
                fmt::format("{}_{}", dwelling_type_names.names[at(t)], tenure_names.names[at(r)]));
    CsvTable table = read_csv(file, columns);
    const std::size_t n_areas = d.areas.size();
    std::vector<DwellingStock> stock(n_areas);
    std::vector<int> line_of(n_areas, 0);
    const auto area_col = table.column("area");
    const std::vector<std::string_view> codes(d.areas.codes().begin(), d.areas.codes().end());
    for (std::size_t row = 0; row < table.size(); ++row) {
        const std::string code{table.text(row, area_col)};
        const auto area = d.areas.find(code);
        if (!area) {
            table.report(row, area_col, "area '" + code + "' is not in areas.csv",
                         did_you_mean(code, codes));
        } else if (line_of[*area] != 0) {
            table.report(
                row, area_col,
                fmt::format("area '{}' appears twice (first on line {})", code, line_of[*area]));
        }
        double sum = 0;
        DwellingStock cells{};
        for (std::size_t c = 0; c < cells.size(); ++c) {
            cells[c] = static_cast<double>(
                table.whole_number(row, table.column(columns[c + 1]), 0, 10'000'000));
            sum += cells[c];
        }
        if (!area || line_of[*area] != 0) continue;
        line_of[*area] = table.row(row).line;
        stock[*area] = cells;
        if (sum != d.base.dwellings[*area])
            table.report(
                row, area_col,
                fmt::format("the dwellings of area '{}' add up to {}, but areas.csv has {}", code,
                            sum, d.base.dwellings[*area]));
    }
    table.throw_if_problems();
    std::vector<InputProblem> missing;
    for (std::size_t a = 0; a < n_areas; ++a)
        if (line_of[a] == 0)
            missing.push_back(problem_at(where_in(table.file(), 0, 0, "area"),
                                         "area '" + d.areas.code(a) + "' of areas.csv has no row"));
    throw_input_problems(std::move(missing));
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r) {
            AreaQuantity quantity{stock_quantity_name(t, r), {}};
            for (std::size_t a = 0; a < n_areas; ++a)
                quantity.values.push_back(stock[a][stock_cell(t, r)]);
            d.areas.add_quantity(std::move(quantity));
        }
    d.metadata["dwellings_by_type_tenure"] = "dwellings.csv";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
RateSet load_rate_set(const fs::path& dir) {
    RateSet r;
    r.name = dir.filename().string();
    YamlFile meta(dir / "rates.yaml");
    r.reference_year = meta.get<int>("reference_year", "a year");
    r.male_share_at_birth = meta.get<double>("sex_ratio_at_birth_male_share", "a share", 0.512);
    r.immigrants_per_inhabitant =
        meta.get<double>("immigrants_per_inhabitant", "immigrants per inhabitant per year", 0.0);
    r.moves_in_per_inhabitant = meta.get<double>(
        "moves_in_per_inhabitant", "persons moving in from other gemeenten per inhabitant", 0.0);
    r.out_migrants_per_inhabitant = meta.get<double>("out_migrants_per_inhabitant",
                                                     "out-migrants per inhabitant per year", 0.0);
    r.internal_moves_per_inhabitant = meta.get<double>(
        "internal_moves_per_inhabitant", "moves inside the municipality per inhabitant", 0.0);
    r.price_year = meta.get<int>("price_year", "a year");
    r.gp_contacts_per_fte = meta.get<double>("gp_contacts_per_fte", "contacts per FTE per year");
    r.persons_per_household =
        meta.get<double>("persons_per_household_gemeente", "persons per household");
    r.other_households_per_other_member =
        meta.get<double>("other_households_per_other_member", "households per person");
    r.zvw_cost_factor = meta.get<double>("zvw_cost_factor", "x national age-sex level", 1.0);
    r.partner_age_gap = meta.get_in_range(
        "partner_age_gap", "years the man of a couple is older on average", -10.0, 10.0);
    r.living_alone_trend = meta.get_in_range(
        "living_alone_trend", "a relative change per year of the share living alone", -0.1, 0.1);
    // Mortality and fertility beyond the tables (docs/model.md, "Mortality" and "Fertility").
    const std::array<std::string, n_sexes> sex_suffix{"_male", "_female"};
    for (std::size_t s = 0; s < sex_suffix.size(); ++s) {
        r.newborn_death_probability[s] =
            meta.get_in_range("newborn_death_probability" + sex_suffix[s],
                              "a probability of dying in the year of birth", 0.0, 1.0);
        r.newborn_mortality_improvement[s] = meta.get_in_range(
            "newborn_improvement" + sex_suffix[s], "an annual rate of decline", -0.1, 0.1);
    }
    r.mortality_factor =
        meta.get_in_range("mortality_factor", "a factor on the death probabilities", 0.1, 10.0);
    r.fertility_tfr_reference =
        meta.get_in_range("fertility_tfr_reference", "children per woman", 0.1, 10.0);
    r.fertility_tfr_long_run =
        meta.get_in_range("fertility_tfr_long_run", "children per woman", 0.1, 10.0);
    r.fertility_years_to_long_run =
        meta.get_in_range("fertility_years_to_long_run", "a number of years", 0, 200);
    meta.throw_if_problems();
    r.provenance["rates.name"] = r.name;
    r.provenance["rates.yaml"] = meta.text();

    read_mortality(dir, r);
    read_fertility(dir, r);
    read_migration(dir, r);
    read_migration_by_gemeente(dir, r);
    read_migration_age_by_gemeente(dir, r);
    read_positions(dir, r);
    read_transitions(dir, r);
    read_care(dir, r);
    read_zvw_categories(dir, r);
    read_wmo_services(dir, r);
    return r;
}

// ---- areas.csv label columns against the names of the result file -------------------------

// The label columns of areas.csv (buurt, wijk, names ...) are written into every result beside
// its variables (engine/output/result_layout.hpp). One named like a variable (`population`, `meta`,
// `year`, an indicator of this dataset's models) could not be written, and would be found only
// when the run starts writing: it is bad input, reported here at its place in the header.
void check_label_column_names(const CsvTable& areas, const Dataset& d) {
    std::map<std::string, std::string, std::less<>> taken;  // name -> what the result calls so
    for (const auto name : {result_layout::year, result_layout::area, result_layout::replicate,
                            result_layout::quantile})
        taken.emplace(name, "a dimension");
    taken.emplace(result_layout::meta, "the group of metadata");
    taken.emplace(derived_layout::aggregates, "the group of aggregates");
    IndicatorCatalog catalog;
    const PopulationAccounts accounts(catalog);  // the indicators the cores declare themselves
    const Scenario no_scenario{};  // outlives every model: a model may keep what it is given
    for (const auto& model : create_models({.rates = d.rates, .facilities = d.facilities})) {
        model->configure(no_scenario);
        model->declare_indicators(catalog);
    }
    for (const auto& dimension : catalog.dimensions()) taken.emplace(dimension.name, "a dimension");
    for (const auto& spec : catalog.specs()) {
        taken.emplace(spec.name, "an indicator");
        const std::string of = fmt::format(" of indicator '{}'", spec.name);
        taken.emplace(spec.name + std::string(result_layout::replicates_suffix),
                      "the replicates" + of);
        taken.emplace(spec.name + std::string(result_layout::quantiles_suffix),
                      "the quantiles" + of);
    }
    std::vector<InputProblem> problems;
    int column = 1;  // [characters] where the header field starts (header names are plain)
    for (const std::string& name : areas.header()) {
        const auto& labels = d.areas.attributes();
        const bool label = std::any_of(labels.begin(), labels.end(),
                                       [&](const AreaAttribute& a) { return a.name == name; });
        const auto where = where_in(areas.file(), areas.header_line(), column, name);
        column += static_cast<int>(name.size()) + 1;
        if (!label) continue;
        if (name.empty() || name.find_first_of("/ \t\n.") != std::string::npos)
            problems.push_back(problem_at(
                where,
                "a column that labels the areas is written into the result file under its "
                "name, which must not be empty or hold spaces, '/' or '.'"));
        else if (const auto clash = taken.find(name); clash != taken.end())
            problems.push_back(problem_at(
                where,
                fmt::format("a column that labels the areas is written into the result file "
                            "under its name, which the result file already uses for {}",
                            clash->second),
                "rename the column"));
    }
    throw_input_problems(std::move(problems));
}

Dataset load_dataset(const fs::path& dir) {
    Dataset d;
    d.directory = dir;
    YamlFile meta(dir / "dataset.yaml");
    d.name = meta.get<std::string>("name", "a dataset name");
    d.title = meta.get<std::string>("title", "a title", std::string{});
    d.base.year = meta.get<int>("base_year", "the base year");
    d.area_level = meta.get<std::string>("area_level", "pc6, pc4, buurt ...");
    const auto rates_dir = meta.get<std::string>("rates", "the path of the rate set");
    const auto levels = meta.get<std::vector<std::string>>("levels", "a list of area columns",
                                                           std::vector<std::string>{});
    meta.throw_if_problems();
    d.metadata["dataset"] = d.name;
    d.metadata["dataset_title"] = d.title;
    d.metadata["dataset_provenance"] = meta.text_of("provenance");
    d.metadata["area_level"] = d.area_level;

    // areas.csv: codes, the larger areas they lie in, and the dwelling stock.
    std::vector<std::string> area_columns{"area", "dwellings"};
    for (const auto& l : levels) area_columns.push_back(l);
    CsvTable areas = read_csv(dir / "areas.csv", area_columns);
    std::vector<std::string> codes;
    const auto code_col = areas.column("area"), dwellings_col = areas.column("dwellings");
    for (std::size_t row = 0; row < areas.size(); ++row) {
        codes.emplace_back(areas.text(row, code_col));
        d.base.dwellings.push_back(areas.number(row, dwellings_col, 0, 1e7));
    }
    {
        std::map<std::string, std::size_t> first;
        for (std::size_t row = 0; row < codes.size(); ++row)
            if (!first.emplace(codes[row], row).second)
                areas.report(row, code_col, "area code '" + codes[row] + "' appears twice");
    }
    areas.throw_if_problems();
    // Nothing to project, and models index per-area tables by area: say so, not an empty result.
    if (codes.empty())
        throw InputError(problem_at(where_in(areas.file(), areas.header_line(), 1, "area"),
                                    "the dataset has no areas", "areas.csv needs a row per area"));
    d.areas = AreaTable(d.area_level, codes);
    // Numeric columns models may use; an empty cell is a gap (the default applies).
    constexpr std::array<std::pair<std::string_view, double>, 2> quantities{
        {{"addresses", 0.0}, {"wmo_client_factor", 1.0}}};
    for (const auto& [name, fallback] : quantities) {
        const auto col = areas.find_column(name);
        if (!col) continue;
        AreaQuantity quantity{std::string(name), {}};
        for (std::size_t row = 0; row < areas.size(); ++row)
            quantity.values.push_back(areas.optional_number(row, *col, 0, 1e7).value_or(fallback));
        d.areas.add_quantity(std::move(quantity));
    }
    areas.throw_if_problems();
    read_area_positions(areas, d);
    areas.throw_if_problems();
    // Every other column besides the code labels the areas (buurt, wijk, names ...).
    for (const auto& name : areas.header()) {
        if (name == "area" || name == "dwellings" || is_position_column(name) ||
            std::any_of(quantities.begin(), quantities.end(),
                        [&](const auto& q) { return q.first == name; }))
            continue;
        AreaAttribute attribute{name, {}};
        const auto col = areas.column(name);
        for (std::size_t row = 0; row < areas.size(); ++row)
            attribute.values.emplace_back(areas.text(row, col));
        d.areas.add_attribute(std::move(attribute));
    }

    // population.csv: persons by area x sex x age x household position on 1 January.
    std::vector<std::string> pop_columns{"area", "sex", "age"};
    for (auto c : position_columns) pop_columns.emplace_back(c);
    CsvTable pop = read_csv(dir / "population.csv", pop_columns);
    d.base.persons = AreaCells(codes.size());
    const auto area_col = pop.column("area"), sex_col = pop.column("sex"),
               age_col = pop.column("age");
    std::array<CsvColumn, n_positions> position_cols{};
    for (int p = 0; p < n_positions; ++p)
        position_cols[at(p)] = pop.column(position_columns[at(p)]);
    // A PC6 country's table has 15 million rows: each row is split once and its counts read
    // from the split fields, and the area is looked up only when it changes (rows come area by
    // area).
    std::vector<std::string_view> fields(pop.header().size());
    std::string last_code;
    std::optional<std::size_t> last_area;
    for (std::size_t row = 0; row < pop.size(); ++row) {
        pop.split(row, fields);
        const std::string_view code = fields[area_col.index];
        if (row == 0 || code != last_code) {
            last_code = code;
            last_area = d.areas.find(last_code);
        }
        const auto area = last_area;
        if (!area) pop.report(row, area_col, fmt::format("area '{}' is not in areas.csv", code));
        const int s = sex_at(pop, row, sex_col);
        const auto a =
            static_cast<int>(pop.whole_number(row, age_col, fields[age_col.index], 0, max_age));
        for (int p = 0; p < n_positions; ++p) {
            const CsvColumn column = position_cols[at(p)];
            const auto persons = pop.whole_number(row, column, fields[column.index], 0, 10'000'000);
            if (area)
                d.base.persons.add(*area, CohortCell::offset(s, a, p),
                                   static_cast<double>(persons));
        }
    }
    pop.throw_if_problems();
    d.base.persons.done();
    read_facilities(dir / "facilities.csv", "", d);
    read_facilities(dir / "nursing_homes.csv", "nursing_home", d);
    read_dwelling_types(dir, d);
    read_stock_changes(dir, d);

    fs::path rates_path = fs::path(rates_dir);
    if (rates_path.is_relative()) rates_path = dir / rates_path;
    d.rates = load_rate_set(rates_path.lexically_normal());
    d.base.partner_age_gap = d.rates.partner_age_gap;
    for (const auto& [k, v] : d.rates.provenance) d.metadata[k] = v;
    check_label_column_names(areas, d);
    return d;
}

fs::path find_dataset(const std::string& name_or_path, const fs::path& scenario_dir,
                      const std::optional<fs::path>& data_dir) {
    const fs::path given(name_or_path);
    for (const fs::path& candidate : {given, scenario_dir / given})
        if (fs::exists(candidate / "dataset.yaml")) return candidate.lexically_normal();
    fs::path root;
    if (data_dir)
        root = *data_dir;
    else if (const char* env = std::getenv("SOCIALTWIN_DATA"); env && *env)
        root = env;
    else
        root = fs::path(default_data_dir());
    return (root / "datasets" / given).lexically_normal();
}

void bind_scenario_to_dataset(Scenario& scenario, const Dataset& dataset) {
    std::vector<InputProblem> problems;
    if (scenario.base_year == 0) scenario.base_year = dataset.base.year;
    if (scenario.base_year != dataset.base.year)
        problems.push_back(
            problem_at(where_in(scenario.source_path, 0, 0, "base_year"),
                       fmt::format("is {}, but dataset '{}' describes 1 January {}",
                                   scenario.base_year, dataset.name, dataset.base.year),
                       "leave base_year out to use the dataset's"));
    const int first = scenario.base_year, last = scenario.base_year + scenario.horizon;
    for (const ConstructionProject& p : scenario.construction) {
        auto at_key = [&](const char* key) {
            SourceLocation where = p.where;
            where.key_path += key;
            return where;
        };
        if (!dataset.areas.find(p.area))
            problems.push_back(
                problem_at(at_key(".area"),
                           fmt::format("area '{}' is not in dataset '{}'", p.area, dataset.name),
                           unknown_area_hint(dataset.areas, p.area)));
        if (p.year < first || p.year > last)
            problems.push_back(problem_at(
                at_key(".year"),
                fmt::format("year {} lies outside the projection {}-{}", p.year, first, last)));
        // Who new dwellings are for says nothing of a demolition; silently ignored it would hide
        // a sign error in `dwellings`.
        if (p.dwellings < 0 && !p.intended_for.empty() && p.intended_for != "any")
            problems.push_back(
                problem_at(at_key(".for"),
                           fmt::format("is '{}', but the project demolishes {} dwellings",
                                       p.intended_for, -p.dwellings),
                           "leave `for` out of a demolition, or make `dwellings` positive"));
    }
    try {
        facilities_in_scenario(dataset.facilities, scenario, dataset.areas);
    } catch (const InputError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    if (!problems.empty()) throw InputError(std::move(problems));
}

}  // namespace socialtwin
