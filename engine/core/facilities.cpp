#include "engine/core/facilities.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "engine/core/errors.hpp"
#include "engine/core/suggest.hpp"

namespace socialtwin {

double Facility::capacity_in(int year) const noexcept {
    double c = capacity;
    for (const auto& [from, value] : capacity_changes)
        if (year >= from) c = value;
    return c;
}

bool is_facility_type_name(std::string_view type) noexcept {
    if (type.empty() || type.front() < 'a' || type.front() > 'z') return false;
    return std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

namespace {

SourceLocation at_key(SourceLocation where, std::string_view key) {
    where.key_path += key;
    return where;
}

}  // namespace

std::vector<Facility> facilities_in_scenario(std::span<const Facility> base,
                                             const Scenario& scenario, const AreaTable& areas) {
    std::vector<InputProblem> problems;
    std::vector<Facility> facilities(base.begin(), base.end());
    std::map<std::string, std::size_t, std::less<>> index;
    std::vector<std::string> known_types;
    for (std::size_t f = 0; f < facilities.size(); ++f) {
        index.emplace(facilities[f].id, f);
        if (std::find(known_types.begin(), known_types.end(), facilities[f].type) ==
            known_types.end())
            known_types.push_back(facilities[f].type);
    }
    const int first = scenario.base_year, last = scenario.base_year + scenario.horizon;
    // Years are checked by the schema when the file sets base_year, else here once the dataset
    // has fixed it.
    const auto check_year = [&](int year, const SourceLocation& where) {
        if (scenario.base_year != 0 && (year < first || year > last))
            problems.push_back(problem_at(
                at_key(where, ".year"),
                fmt::format("year {} lies outside the projection {}-{}", year, first, last)));
    };
    const auto find = [&](const std::string& id, const SourceLocation& where) -> Facility* {
        if (const auto it = index.find(id); it != index.end()) return &facilities[it->second];
        std::vector<std::string_view> ids;
        for (const auto& [known, f] : index) ids.push_back(known);
        problems.push_back(problem_at(at_key(where, ".facility"),
                                      fmt::format("no facility '{}' in the dataset or opened by "
                                                  "the scenario",
                                                  id),
                                      did_you_mean(id, ids)));
        return nullptr;
    };

    for (const FacilityOpening& o : scenario.facilities.open) {
        if (!areas.quantity("x_km")) {
            problems.push_back(problem_at(o.where,
                                          "the dataset has no area positions (areas.csv "
                                          "x_km, y_km, access_km) to place a facility"));
            continue;
        }
        Facility f;
        f.type = o.type;
        f.name = o.name;
        f.capacity = o.capacity;
        f.status = "scenario";
        f.open_year = o.year;
        check_year(o.year, o.where);
        bool ok = true;
        if (!is_facility_type_name(o.type)) {
            problems.push_back(problem_at(at_key(o.where, ".type"),
                                          fmt::format("'{}' is not a facility type name; expected "
                                                      "lower-case letters, digits and '_', "
                                                      "starting with a letter, e.g. gp_practice",
                                                      o.type)));
            ok = false;
        } else if (std::find(known_types.begin(), known_types.end(), o.type) == known_types.end()) {
            // A new type is allowed (the first pharmacy of a dataset without any), but one a
            // letter or two from a known type is a typo.
            const std::vector<std::string_view> types(known_types.begin(), known_types.end());
            if (std::string hint = did_you_mean(o.type, types); !hint.empty()) {
                problems.push_back(
                    problem_at(at_key(o.where, ".type"),
                               fmt::format("facility type '{}' is not in the dataset, which has {}",
                                           o.type, fmt::join(known_types, ", ")),
                               std::move(hint)));
                ok = false;
            }
        }
        if (const auto area = areas.find(o.area)) {
            f.area = *area;
        } else {
            problems.push_back(problem_at(at_key(o.where, ".area"),
                                          fmt::format("area '{}' is not in the dataset", o.area),
                                          unknown_area_hint(areas, o.area)));
            ok = false;
        }
        for (const Facility& same : base)
            if (same.type == o.type) {
                f.capacity_units = same.capacity_units;
                break;
            }
        f.id = o.id.empty() ? fmt::format("{}-{}-{}", o.type, o.area, o.year) : o.id;
        if (const auto it = index.find(f.id); it != index.end()) {
            problems.push_back(problem_at(
                at_key(o.where, o.id.empty() ? "" : ".id"),
                o.id.empty() ? fmt::format("a second {} opened in {} in {}; give each an `id`",
                                           o.type, o.area, o.year)
                             : fmt::format("facility id '{}' is taken ({})", f.id,
                                           facilities[it->second].status == "scenario"
                                               ? "opened earlier in this scenario"
                                               : "a facility of the dataset")));
            ok = false;
        }
        if (!ok) continue;
        index.emplace(f.id, facilities.size());
        if (std::find(known_types.begin(), known_types.end(), o.type) == known_types.end())
            known_types.push_back(o.type);
        facilities.push_back(std::move(f));
    }

    std::map<std::string, const FacilityClosure*> closed;
    for (const FacilityClosure& c : scenario.facilities.close) {
        check_year(c.year, c.where);
        Facility* f = find(c.facility, c.where);
        if (!f) continue;
        if (const auto [it, fresh] = closed.emplace(c.facility, &c); !fresh) {
            problems.push_back(problem_at(at_key(c.where, ".facility"),
                                          fmt::format("'{}' is closed twice (also on line {})",
                                                      c.facility, it->second->where.line)));
            continue;
        }
        if (f->open_year != 0 && c.year <= f->open_year)
            problems.push_back(problem_at(at_key(c.where, ".year"),
                                          fmt::format("'{}' would close in {}, but opens only in "
                                                      "{}; expected a later year",
                                                      c.facility, c.year, f->open_year)));
        f->close_year = c.year;
    }

    for (const FacilityResize& r : scenario.facilities.resize) {
        check_year(r.year, r.where);
        Facility* f = find(r.facility, r.where);
        if (!f) continue;
        if (f->open_year != 0 && r.year < f->open_year)
            problems.push_back(problem_at(
                at_key(r.where, ".year"),
                fmt::format("'{}' opens only in {}; give its capacity there, or resize it later",
                            r.facility, f->open_year)));
        if (f->close_year != 0 && r.year >= f->close_year)
            problems.push_back(
                problem_at(at_key(r.where, ".year"),
                           fmt::format("'{}' is closed from {} on", r.facility, f->close_year)));
        if (std::any_of(f->capacity_changes.begin(), f->capacity_changes.end(),
                        [&](const auto& change) { return change.first == r.year; }))
            problems.push_back(
                problem_at(at_key(r.where, ".year"),
                           fmt::format("'{}' is resized twice in {}", r.facility, r.year)));
        f->capacity_changes.emplace_back(r.year, r.capacity);
    }
    for (Facility& f : facilities)
        std::stable_sort(f.capacity_changes.begin(), f.capacity_changes.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });

    if (!problems.empty()) throw InputError(std::move(problems));
    return facilities;
}

}  // namespace socialtwin
