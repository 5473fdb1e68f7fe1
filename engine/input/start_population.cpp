#include "engine/input/start_population.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "engine/core/errors.hpp"
#include "engine/core/kinship.hpp"
#include "engine/core/version.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/cf_conventions.hpp"

namespace socialtwin {

namespace {
constexpr const char* marker = "socialtwin_start_population";
constexpr hsize_t chunk_persons = 1 << 16;

// One column per person; `long_name` says what its numbers are (CF: every variable has one).
void write_column(hid_t group, const std::string& name, const std::vector<std::int32_t>& values,
                  std::string_view long_name) {
    const std::array<hsize_t, 1> dims{values.size()};
    hdf5::DatasetOptions options;
    if (!values.empty()) options.chunk = {std::min<hsize_t>(chunk_persons, values.size())};
    const hdf5::Dataset dataset = hdf5::create_dataset(group, name, H5T_STD_I32LE, dims, options);
    hdf5::write(dataset.id(), std::span<const std::int32_t>(values));
    hdf5::write_attribute(dataset.id(), "long_name", long_name);
}

template <class Column, class F>
std::vector<std::int32_t> column(const Column& values, F convert) {
    std::vector<std::int32_t> out(values.size());
    std::transform(values.begin(), values.end(), out.begin(), convert);
    return out;
}

std::int32_t link(std::uint32_t id) { return id == no_person ? -1 : static_cast<std::int32_t>(id); }

// Households as the links make them (household_of): the store keeps none.
std::vector<std::int32_t> households(const AgentPopulation& persons) {
    std::vector<std::int32_t> out(persons.size());
    for (std::uint32_t id = 0; id < persons.size(); ++id) out[id] = link(household_of(persons, id));
    return out;
}
}  // namespace

void save_start_population(const std::filesystem::path& file, const AgentPopulation& persons,
                           const AreaTable& areas, const StartPopulationInfo& info,
                           std::span<const ProtectedInput> inputs) {
    AtomicOutput output(file, inputs);
    {
        hdf5::File out = hdf5::create_file(output.temporary());
        hdf5::write_attribute(out.id(), marker, std::int32_t{1});
        // CF-1.8's global attributes (tools/cf_check.py), like every file socialtwin writes.
        hdf5::write_attribute(out.id(), "Conventions", cf::conventions);
        hdf5::write_attribute(out.id(), "title",
                              fmt::format("socialtwin start population: {} on 1 January {}",
                                          info.dataset, info.base_year));
        hdf5::write_attribute(
            out.id(), "history",
            fmt::format("socialtwin {} synthesise, seed {}", engine_version(), info.seed));
        hdf5::write_attribute(out.id(), "dataset", info.dataset);
        hdf5::write_attribute(out.id(), "base_year", std::int32_t{info.base_year});
        hdf5::write_attribute(out.id(), "seed", std::to_string(info.seed));
        // What made it, for `socialtwin info` (as a result's /meta says it).
        hdf5::write_attribute(out.id(), "engine_version", engine_version());
        hdf5::write_attribute(out.id(), "git_commit", engine_git_commit());
        {  // every object closed before the file
            const std::array<hsize_t, 1> n_areas{areas.size()};
            const hdf5::Datatype text = hdf5::utf8_string_type();
            const hdf5::Dataset codes = hdf5::create_dataset(out.id(), "area", text.id(), n_areas);
            hdf5::write(codes.id(), std::span<const std::string>(areas.codes()));
            hdf5::write_attribute(codes.id(), "long_name", std::string_view("area code"));
            const hdf5::Group group = hdf5::create_group(out.id(), "persons");
            write_column(group.id(), "birth_year",
                         column(persons.birth_year, [](std::int16_t y) { return std::int32_t{y}; }),
                         "calendar year of birth");
            write_column(group.id(), "sex", column(persons.sex, [](Sex s) { return index(s); }),
                         "sex (engine/core/types.hpp, Sex)");
            write_column(group.id(), "position",
                         column(persons.position, [](Position p) { return index(p); }),
                         "position in the household (engine/core/types.hpp, Position)");
            write_column(
                group.id(), "presence",
                column(persons.presence, [](Presence p) { return static_cast<std::int32_t>(p); }),
                "presence (engine/core/types.hpp, Presence)");
            write_column(group.id(), "area", column(persons.area, link),
                         "index into /area of the person's area (-1: none)");
            write_column(group.id(), "mother", column(persons.mother, link),
                         "row of the person's mother (-1: none)");
            write_column(group.id(), "partner", column(persons.partner, link),
                         "row of the person's partner (-1: none)");
            write_column(group.id(), "household", households(persons),
                         "household number (-1: none)");
        }
        // Closed with its error checked: HDF5 writes its last metadata here, and a full disk
        // shows only now.
        out.close(fmt::format("closing '{}'", output.temporary().string()));
    }
    output.commit();  // flushed to disk first, as a run's result is
}

namespace {
// Every column of /persons, in the order of the file's layout.
constexpr std::array<const char*, 8> person_columns{
    "birth_year", "sex", "position", "presence", "area", "mother", "partner", "household"};
// Nobody has lived longer (122 years); older persons are counted in the model's open age class.
constexpr int oldest_age = 122;
// A bound on what the file may make us allocate: the Netherlands has 18 million inhabitants.
constexpr hsize_t max_persons = 50'000'000;
// Each check reports its first offender and how many there are, never every person.
constexpr std::size_t max_problems = 12;

// The problems of one start population file, each naming the variable it is about.
class Problems {
public:
    explicit Problems(std::string file) : file_(std::move(file)) {}
    void add(const std::string& variable, std::string message) {
        if (problems_.size() < max_problems)
            problems_.push_back(problem_at(where_in(file_, 0, 0, variable), std::move(message)));
    }
    // One rule over every person: counts the persons who break it and describes the first.
    template <class Breaks, class Describe>
    void check_each(const std::string& variable, std::size_t n, Breaks breaks, Describe describe) {
        std::size_t count = 0, first = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (breaks(i) && count++ == 0) first = i;
        if (count == 0) return;
        std::string message = describe(first);
        if (count > 1) message += fmt::format(" ({} persons in all)", count);
        add(variable, std::move(message));
    }
    void throw_if_any() const {
        if (!problems_.empty()) throw InputError(problems_);
    }

private:
    std::string file_;
    std::vector<InputProblem> problems_;
};

bool is_dataset_there(hid_t parent, const char* name) {
    return hdf5::link_exists(parent, name) && hdf5::is_dataset(parent, name);
}

H5T_class_t type_class(hid_t dataset) {
    const hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "getting a dataset's type"));
    return H5Tget_class(type.id());
}

H5T_class_t attribute_class(hid_t object, const char* name) {
    const hdf5::Attribute attribute(
        hdf5::check_id(H5Aopen(object, name, H5P_DEFAULT), "opening an attribute"));
    const hdf5::Datatype type(
        hdf5::check_id(H5Aget_type(attribute.id()), "getting an attribute's type"));
    return H5Tget_class(type.id());
}

// The file's attributes and /area: what the file says it belongs to.
void check_identity(hid_t in, const std::string& name, const AreaTable& areas,
                    const StartPopulationInfo& expected) {
    Problems problems(name);
    if (!hdf5::has_attribute(in, "dataset") || attribute_class(in, "dataset") != H5T_STRING)
        problems.add("dataset", "expected the attribute 'dataset', the name of a dataset (text)");
    if (!hdf5::has_attribute(in, "base_year") || attribute_class(in, "base_year") != H5T_INTEGER)
        problems.add("base_year", "expected the attribute 'base_year', a year (an integer)");
    if (!hdf5::has_attribute(in, "seed") || attribute_class(in, "seed") != H5T_STRING)
        problems.add("seed", "expected the attribute 'seed', a whole number written as text");
    else if (const std::string seed = hdf5::read_string_attribute(in, "seed");
             seed.empty() || seed.size() > 20 ||
             !std::all_of(seed.begin(), seed.end(), [](char c) { return c >= '0' && c <= '9'; }))
        problems.add("seed", fmt::format("is '{}'; expected a whole number from 0 to {}", seed,
                                         std::numeric_limits<std::uint64_t>::max()));
    if (!is_dataset_there(in, "area") ||
        type_class(hdf5::open_dataset(in, "area").id()) != H5T_STRING ||
        hdf5::shape(hdf5::open_dataset(in, "area").id()).size() != 1)
        problems.add("area", "expected a list of area codes (text, one dimension)");
    problems.throw_if_any();

    const std::string dataset = hdf5::read_string_attribute(in, "dataset");
    const std::string base_year = hdf5::attribute_text(in, "base_year");
    if (dataset != expected.dataset || base_year != std::to_string(expected.base_year))
        problems.add({}, fmt::format("made for dataset '{}' on 1 January {}, but the run uses '{}' "
                                     "on 1 January {}",
                                     dataset, base_year, expected.dataset, expected.base_year));
    else if (hdf5::shape(hdf5::open_dataset(in, "area").id()).front() != areas.size() ||
             hdf5::read_strings(hdf5::open_dataset(in, "area").id()) != areas.codes())
        problems.add("area", "its areas differ from the dataset's (made from another version?)");
    problems.throw_if_any();
}

// /persons: every column there, integers, one dimension, all of one length.
std::vector<std::vector<std::int32_t>> read_person_columns(hid_t in, const std::string& name) {
    Problems problems(name);
    if (!hdf5::link_exists(in, "persons") || !hdf5::is_group(in, "persons")) {
        problems.add("persons", "expected the group /persons (one column per person variable)");
        problems.throw_if_any();
    }
    const hdf5::Group group = hdf5::open_group(in, "persons");
    std::optional<hsize_t> n;
    for (const char* column : person_columns) {
        const std::string variable = fmt::format("persons/{}", column);
        if (!is_dataset_there(group.id(), column)) {
            problems.add(variable, "missing; expected one integer per person");
            continue;
        }
        const hdf5::Dataset dataset = hdf5::open_dataset(group.id(), column);
        const auto dims = hdf5::shape(dataset.id());
        if (type_class(dataset.id()) != H5T_INTEGER || dims.size() != 1) {
            problems.add(variable, fmt::format("has {} dimension(s) of {}; expected one integer "
                                               "per person (one dimension)",
                                               dims.size(),
                                               type_class(dataset.id()) == H5T_INTEGER
                                                   ? "integers"
                                                   : "another type than integers"));
            continue;
        }
        if (!n) {
            n = dims.front();
            if (*n > max_persons)
                problems.add(variable, fmt::format("holds {} persons; at most {} are expected", *n,
                                                   max_persons));
        } else if (dims.front() != *n) {
            problems.add(variable, fmt::format("holds {} persons, but persons/{} holds {}: every "
                                               "person column has one value per person",
                                               dims.front(), person_columns.front(), *n));
        }
    }
    problems.throw_if_any();
    std::vector<std::vector<std::int32_t>> columns;
    for (const char* column : person_columns)
        columns.push_back(hdf5::read_ints(hdf5::open_dataset(group.id(), column).id()));
    return columns;
}

// Every person's values and links, as the agent core's models use them: codes in range, links
// to persons of the file (or -1 for none), partners linked both ways, mothers older than their
// children, households named after a member who lives in the same area.
void check_persons(const std::vector<std::vector<std::int32_t>>& columns, const std::string& name,
                   std::size_t n_areas, int base_year) {
    const auto& birth_year = columns[0];
    const auto& sex = columns[1];
    const auto& position = columns[2];
    const auto& presence = columns[3];
    const auto& area = columns[4];
    const auto& mother = columns[5];
    const auto& partner = columns[6];
    const auto& household = columns[7];
    const std::size_t n = birth_year.size();
    const auto is_person = [n](std::int32_t id) {
        return id >= 0 && static_cast<std::size_t>(id) < n;
    };
    const auto is_link = [&](std::int32_t id) { return id == -1 || is_person(id); };
    const auto person_ids =
        n == 0 ? std::string("there are none") : fmt::format("persons are 0 to {}", n - 1);
    const auto present = [&](std::size_t i) {
        return presence[i] == static_cast<std::int32_t>(Presence::present);
    };
    const auto at = [](std::int32_t id) { return static_cast<std::size_t>(id); };

    Problems problems(name);
    problems.check_each(
        "persons/sex", n, [&](std::size_t i) { return sex[i] != 0 && sex[i] != 1; },
        [&](std::size_t i) {
            return fmt::format("person {} has sex {}; expected 0 (male) or 1 (female)", i, sex[i]);
        });
    const int born_last = base_year - 1, born_first = base_year - 1 - oldest_age;
    problems.check_each(
        "persons/birth_year", n,
        [&](std::size_t i) { return birth_year[i] < born_first || birth_year[i] > born_last; },
        [&](std::size_t i) {
            return fmt::format(
                "person {} was born in {}; expected {} to {} (aged 0 to {} on "
                "1 January {})",
                i, birth_year[i], born_first, born_last, oldest_age, base_year);
        });
    problems.check_each(
        "persons/position", n,
        [&](std::size_t i) { return position[i] < 0 || position[i] >= n_positions; },
        [&](std::size_t i) {
            return fmt::format(
                "person {} has household position {}; expected 0 to {} "
                "(child_at_home to institution)",
                i, position[i], n_positions - 1);
        });
    // `moved` lasts only while a year is projected; a start population has none.
    problems.check_each(
        "persons/presence", n, [&](std::size_t i) { return presence[i] < 0 || presence[i] > 2; },
        [&](std::size_t i) {
            return fmt::format(
                "person {} has presence {}; expected 0 (present), 1 (dead) or "
                "2 (emigrated)",
                i, presence[i]);
        });
    problems.check_each(
        "persons/area", n,
        [&](std::size_t i) { return area[i] < 0 || static_cast<std::size_t>(area[i]) >= n_areas; },
        [&](std::size_t i) {
            return fmt::format(
                "person {} lives in area {}; expected an index into /area ({})", i, area[i],
                n_areas == 0 ? std::string("there are none") : fmt::format("0 to {}", n_areas - 1));
        });

    problems.check_each(
        "persons/mother", n, [&](std::size_t i) { return !is_link(mother[i]); },
        [&](std::size_t i) {
            return fmt::format(
                "person {} has mother {}; expected -1 (none) or a person of the "
                "file ({})",
                i, mother[i], person_ids);
        });
    problems.check_each(
        "persons/mother", n, [&](std::size_t i) { return mother[i] == static_cast<int>(i); },
        [&](std::size_t i) { return fmt::format("person {} is its own mother", i); });
    // A mother born after her child is impossible, and chains of mothers could then loop.
    problems.check_each(
        "persons/mother", n,
        [&](std::size_t i) {
            return is_person(mother[i]) && mother[i] != static_cast<int>(i) &&
                   birth_year[at(mother[i])] >= birth_year[i];
        },
        [&](std::size_t i) {
            return fmt::format(
                "person {}, born in {}, has mother {}, born in {}; a mother is "
                "born before her child",
                i, birth_year[i], mother[i], birth_year[at(mother[i])]);
        });

    // The models keep partner links symmetric (each partner decides for its own side) and end
    // a link when a partner dies; partners of the same sex are allowed (nothing assumes
    // otherwise), though the core only forms couples of a man and a woman.
    problems.check_each(
        "persons/partner", n, [&](std::size_t i) { return !is_link(partner[i]); },
        [&](std::size_t i) {
            return fmt::format(
                "person {} has partner {}; expected -1 (none) or a person of the "
                "file ({})",
                i, partner[i], person_ids);
        });
    problems.check_each(
        "persons/partner", n, [&](std::size_t i) { return partner[i] == static_cast<int>(i); },
        [&](std::size_t i) { return fmt::format("person {} is its own partner", i); });
    problems.check_each(
        "persons/partner", n,
        [&](std::size_t i) {
            return is_person(partner[i]) && partner[at(partner[i])] != static_cast<int>(i);
        },
        [&](std::size_t i) {
            return fmt::format(
                "person {} has partner {}, whose partner is {}; partner links go "
                "both ways",
                i, partner[i], partner[at(partner[i])]);
        });
    problems.check_each(
        "persons/partner", n,
        [&](std::size_t i) {
            return is_person(partner[i]) && present(i) &&
                   presence[at(partner[i])] == static_cast<std::int32_t>(Presence::dead);
        },
        [&](std::size_t i) {
            return fmt::format(
                "person {} (present) has partner {}, who is dead; a death ends the "
                "link",
                i, partner[i]);
        });

    // A household is named by one of its members, who lives there too (see AgentPopulation).
    problems.check_each(
        "persons/household", n, [&](std::size_t i) { return !is_person(household[i]); },
        [&](std::size_t i) {
            return fmt::format(
                "person {} lives in household {}; expected the id of a member, a "
                "person of the file ({})",
                i, household[i], person_ids);
        });
    problems.check_each(
        "persons/household", n,
        [&](std::size_t i) {
            if (!present(i) || !is_person(household[i])) return false;
            const std::size_t h = at(household[i]);
            return !present(h) || area[h] != area[i] || household[h] != household[i];
        },
        [&](std::size_t i) {
            const std::size_t h = at(household[i]);
            return fmt::format(
                "person {} (area {}) lives in household {}, but person {} is not "
                "a present member of it in that area (area {}, household {})",
                i, area[i], h, h, area[h], household[h]);
        });
    problems.throw_if_any();
}
}  // namespace

AgentPopulation load_start_population(const std::filesystem::path& file, const AreaTable& areas,
                                      const StartPopulationInfo& expected) {
    const std::string name = file.string();
    auto problem = [&](std::string message) {
        return InputError(problem_at(where_in(name), std::move(message)));
    };
    if (!hdf5::is_hdf5_file(file)) throw problem("not an HDF5 file (or cannot be read)");
    std::vector<std::vector<std::int32_t>> columns;
    try {
        const hdf5::File in = hdf5::open_file_read_only(file);
        if (!hdf5::has_attribute(in.id(), marker))
            throw problem("not a socialtwin start population (made by `socialtwin synthesise`)");
        check_identity(in.id(), name, areas, expected);
        columns = read_person_columns(in.id(), name);
    } catch (const hdf5::Error& e) {
        // A file damaged below the layout checked above (a truncated chunk, a broken header).
        throw problem(fmt::format("cannot be read as a start population: {}", e.what()));
    }
    check_persons(columns, name, areas.size(), expected.base_year);

    const std::size_t n = columns[0].size();
    AgentPopulation persons;
    persons.reserve(n);
    auto as_link = [](std::int32_t id) {
        return id < 0 ? no_person : static_cast<std::uint32_t>(id);
    };
    for (std::size_t i = 0; i < n; ++i) {
        persons.add(columns[0][i], static_cast<Sex>(columns[1][i]),
                    static_cast<Position>(columns[2][i]), static_cast<std::uint32_t>(columns[4][i]),
                    as_link(columns[5][i]));
        persons.presence.back() = static_cast<Presence>(columns[3][i]);
        persons.partner.back() = as_link(columns[6][i]);
    }
    return persons;
}

}  // namespace socialtwin
