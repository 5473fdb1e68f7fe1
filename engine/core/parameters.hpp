#pragma once
// What a process declares about itself, so that no other part has to name it: the scenario
// settings it reads (parameters), the rates a scenario may change for it (rate levers) and the
// random streams it draws from. A model's registry entry (models/registry.cpp) lists them;
// engine/input builds the scenario schema and its reference from the parameters and levers, and
// the loader fills a Scenario's parameter values from any declared key without knowing it.
// Parameters are declared the way DuckDB declares its settings: key, type, unit, bounds,
// default, meaning, and the field each one sets.
//
// Data only: no YAML here (the core reads no files).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/enum_names.hpp"

namespace socialtwin {

// A numeric bound; `set` false = unbounded.
struct Bound {
    double value = 0;
    bool exclusive = false;
    bool set = false;
};
constexpr Bound at_least(double v) { return {.value = v, .exclusive = false, .set = true}; }
constexpr Bound at_most(double v) { return {.value = v, .exclusive = false, .set = true}; }

enum class ParameterKind {
    block,    // a mapping that holds a model's parameters (`housing:`), no value of its own
    number,   // a decimal number
    integer,  // a whole number (an age, a count of years), bound to an int field
    choice,   // one of `choices`
};

// One scenario key a process reads.
struct ParameterDeclaration {
    std::string_view path{};  // YAML key path, e.g. "housing.frictional_vacancy"
    ParameterKind kind = ParameterKind::number;
    double default_number = 0;          // numbers, integers: bound when the key is absent
    std::string_view default_choice{};  // choices: the value bound when the key is absent
    // The default as documented, when the bound value stands for something else (0 = "the
    // dataset's mean household size"); "" = the value itself.
    std::string_view default_text{};
    std::string_view unit{};
    Bound min{};
    Bound max{};
    bool zero_allowed = false;  // 0 is accepted outside [min, max] ("not given")
    // What a valid value is, in the words of a message, with its unit; `{min}` and `{max}` stand
    // for the bounds. Empty: "a number in {min}..{max}".
    std::string_view expected{};
    // A fraction (0.02 = 2%): a value written as a percentage gets a hint.
    bool fraction = false;
    std::span<const std::string_view> choices{};
    std::string_view meaning{};
};

// A value a scenario gives for a declared parameter: a number, or a choice's text.
using ParameterValue = std::variant<double, std::string>;

// The declared default of a parameter as a value (blocks have none: 0).
ParameterValue default_value(const ParameterDeclaration& declaration);
// The default as the scenario reference shows it: default_text, else the value.
std::string documented_default(const ParameterDeclaration& declaration);

// The values a scenario gives for declared parameters, by key path. A key the scenario does not
// give is absent, and the model that declared it binds its declared default.
class ParameterValues {
public:
    void set(std::string path, ParameterValue value) {
        values_[std::move(path)] = std::move(value);
    }
    const ParameterValue* find(std::string_view path) const noexcept {
        const auto it = values_.find(path);
        return it == values_.end() ? nullptr : &it->second;
    }
    bool empty() const noexcept { return values_.empty(); }

private:
    std::map<std::string, ParameterValue, std::less<>> values_;
};

// A model's parameters, seen without its settings type: for the schema, and for the tests that
// every declared default is what a model binds.
class ParameterTable {
public:
    virtual ~ParameterTable() = default;
    std::span<const ParameterDeclaration> declarations() const noexcept { return declarations_; }
    // The value the settings hold for declarations()[i] once bound from `values`; nullopt for a
    // block.
    virtual std::optional<ParameterValue> bound_value(const ParameterValues& values,
                                                      std::size_t i) const = 0;

protected:
    std::vector<ParameterDeclaration> declarations_;
};

// The parameters of one settings struct, each declared with the field it binds. The struct's
// fields take their defaults from here (bind()), not from member initialisers: one place.
template <typename Settings>
class Parameters final : public ParameterTable {
public:
    Parameters& block(ParameterDeclaration declaration) {
        declaration.kind = ParameterKind::block;
        return add(declaration, {});
    }

    Parameters& number(double Settings::*field, ParameterDeclaration declaration) {
        declaration.kind = ParameterKind::number;
        return add(declaration,
                   {.set =
                        [field](Settings& s, const ParameterValue& v) {
                            if (const double* d = std::get_if<double>(&v)) s.*field = *d;
                        },
                    .get = [field](const Settings& s) { return ParameterValue{s.*field}; }});
    }

    // A whole number; the schema rejects a value with a fraction before it is bound.
    Parameters& integer(int Settings::*field, ParameterDeclaration declaration) {
        declaration.kind = ParameterKind::integer;
        return add(declaration, {.set =
                                     [field](Settings& s, const ParameterValue& v) {
                                         if (const double* d = std::get_if<double>(&v))
                                             s.*field = static_cast<int>(*d);
                                     },
                                 .get =
                                     [field](const Settings& s) {
                                         return ParameterValue{static_cast<double>(s.*field)};
                                     }});
    }

    template <typename Enum, std::size_t N>
    Parameters& choice(Enum Settings::*field, const EnumNames<Enum, N>& names, Enum fallback,
                       ParameterDeclaration declaration) {
        declaration.kind = ParameterKind::choice;
        declaration.choices = names.all();
        declaration.default_choice = names(fallback);
        return add(declaration, {.set =
                                     [field, &names](Settings& s, const ParameterValue& v) {
                                         const std::string* text = std::get_if<std::string>(&v);
                                         if (!text) return;
                                         if (const auto e = names.from_string(*text)) s.*field = *e;
                                     },
                                 .get =
                                     [field, &names](const Settings& s) {
                                         return ParameterValue{std::string{names(s.*field)}};
                                     }});
    }

    // Sets every declared field of `settings`: from `values` where the scenario gives one, else
    // the declared default.
    void bind(Settings& settings, const ParameterValues& values) const {
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (!fields_[i].set) continue;
            const ParameterValue* given = values.find(declarations_[i].path);
            fields_[i].set(settings, given ? *given : default_value(declarations_[i]));
        }
    }
    Settings bind(const ParameterValues& values) const {
        Settings settings{};
        bind(settings, values);
        return settings;
    }

    std::optional<ParameterValue> bound_value(const ParameterValues& values,
                                              std::size_t i) const override {
        if (!fields_.at(i).get) return std::nullopt;
        return fields_[i].get(bind(values));
    }

private:
    struct Field {
        std::function<void(Settings&, const ParameterValue&)> set;
        std::function<ParameterValue(const Settings&)> get;
    };
    Parameters& add(const ParameterDeclaration& declaration, Field field) {
        declarations_.push_back(declaration);
        fields_.push_back(std::move(field));
        return *this;
    }
    std::vector<Field> fields_;  // one per declaration; empty for a block
};

// A rate a scenario can change: `name` is its key under `rates:`.
struct RateLever {
    std::string_view name;
    std::string_view meaning;  // the baseline rate it changes, for the scenario reference
};

// One random-draw site's stream. The number is part of the results' identity: a draw is a
// function of it, so never renumber a stream, and never reuse a number, only add.
struct DrawStream {
    std::string_view name;
    std::uint32_t number = 0;  // below 65536
};

// A lane of the person-year stream (engine/core/random.hpp): processes every person meets every
// year share one Philox call of four numbers, one lane each. The index is as fixed as a stream
// number.
struct PersonYearLane {
    std::string_view name;
    std::size_t index = 0;  // 0..3
};
inline constexpr std::size_t n_person_year_lanes = 4;

// Streams and lanes declared twice: the same number or index under two names, a name twice, or
// a number out of range. One message each; empty when every draw site has its own numbers.
std::vector<std::string> numbering_conflicts(std::span<const DrawStream> streams,
                                             std::span<const PersonYearLane> lanes);

}  // namespace socialtwin
