#include "engine/io/start_population.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/errors.hpp"
#include "engine/io/hdf5.hpp"
#include "engine/io/version.hpp"

namespace socialtwin {

namespace {
constexpr const char* marker = "socialtwin_start_population";
constexpr hsize_t chunk_persons = 1 << 16;

void write_column(hid_t group, const std::string& name, const std::vector<std::int32_t>& values) {
    const std::array<hsize_t, 1> dims{values.size()};
    hdf5::DatasetOptions options;
    if (!values.empty()) options.chunk = {std::min<hsize_t>(chunk_persons, values.size())};
    const hdf5::Dataset dataset = hdf5::create_dataset(group, name, H5T_STD_I32LE, dims, options);
    hdf5::write(dataset.id(), std::span<const std::int32_t>(values));
}

template <class T, class F>
std::vector<std::int32_t> column(const std::vector<T>& values, F convert) {
    std::vector<std::int32_t> out(values.size());
    std::transform(values.begin(), values.end(), out.begin(), convert);
    return out;
}

std::int32_t link(std::uint32_t id) { return id == no_person ? -1 : static_cast<std::int32_t>(id); }
}  // namespace

void save_start_population(const std::filesystem::path& file, const AgentPopulation& persons,
                           const AreaTable& areas, const StartPopulationInfo& info) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    const auto temporary = file.parent_path() / fmt::format(".{}.tmp-{}", file.filename().string(),
                                                            static_cast<long>(::getpid()));
    try {
        {
            const hdf5::File out = hdf5::create_file(temporary);
            hdf5::write_attribute(out.id(), marker, std::int32_t{1});
            hdf5::write_attribute(out.id(), "dataset", info.dataset);
            hdf5::write_attribute(out.id(), "base_year", std::int32_t{info.base_year});
            hdf5::write_attribute(out.id(), "seed", std::to_string(info.seed));
            // What made it, for `socialtwin info` (as a result's /meta says it).
            hdf5::write_attribute(out.id(), "engine_version", engine_version());
            hdf5::write_attribute(out.id(), "git_commit", engine_git_commit());
            const std::array<hsize_t, 1> n_areas{areas.size()};
            const hdf5::Datatype text = hdf5::utf8_string_type();
            const hdf5::Dataset codes = hdf5::create_dataset(out.id(), "area", text.id(), n_areas);
            hdf5::write(codes.id(), std::span<const std::string>(areas.codes()));
            const hdf5::Group group = hdf5::create_group(out.id(), "persons");
            write_column(group.id(), "birth_year", column(persons.birth_year, [](std::int16_t y) {
                             return std::int32_t{y};
                         }));
            write_column(group.id(), "sex", column(persons.sex, [](Sex s) { return index(s); }));
            write_column(group.id(), "position",
                         column(persons.position, [](Position p) { return index(p); }));
            write_column(group.id(), "presence", column(persons.presence, [](Presence p) {
                             return static_cast<std::int32_t>(p);
                         }));
            write_column(group.id(), "area", column(persons.area, link));
            write_column(group.id(), "mother", column(persons.mother, link));
            write_column(group.id(), "partner", column(persons.partner, link));
            write_column(group.id(), "household", column(persons.household, link));
        }
        std::filesystem::rename(temporary, file);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

AgentPopulation load_start_population(const std::filesystem::path& file, const AreaTable& areas,
                                      const StartPopulationInfo& expected) {
    const std::string name = file.string();
    auto problem = [&](std::string message) {
        return InputError(problem_at(where_in(name), std::move(message)));
    };
    if (!hdf5::is_hdf5_file(file)) throw problem("not an HDF5 file (or cannot be read)");
    const hdf5::File in = hdf5::open_file_read_only(file);
    if (!hdf5::has_attribute(in.id(), marker))
        throw problem("not a socialtwin start population (made by `socialtwin synthesise`)");
    const std::string dataset = hdf5::read_string_attribute(in.id(), "dataset");
    const std::string base_year = hdf5::attribute_text(in.id(), "base_year");
    if (dataset != expected.dataset || base_year != std::to_string(expected.base_year))
        throw problem(
            fmt::format("made for dataset '{}' on 1 January {}, but the run uses '{}' "
                        "on 1 January {}",
                        dataset, base_year, expected.dataset, expected.base_year));
    if (hdf5::read_strings(hdf5::open_dataset(in.id(), "area").id()) != areas.codes())
        throw problem("its areas differ from the dataset's (made from another version?)");

    const hdf5::Group group = hdf5::open_group(in.id(), "persons");
    auto read = [&](const char* column) {
        return hdf5::read_ints(hdf5::open_dataset(group.id(), column).id());
    };
    const auto birth_year = read("birth_year"), sex = read("sex"), position = read("position"),
               presence = read("presence"), area = read("area"), mother = read("mother"),
               partner = read("partner"), household = read("household");
    const std::size_t n = birth_year.size();
    for (const auto* v : {&sex, &position, &presence, &area, &mother, &partner, &household})
        if (v->size() != n) throw problem("its person columns differ in length");
    AgentPopulation persons;
    persons.reserve(n);
    auto as_link = [](std::int32_t id) {
        return id < 0 ? no_person : static_cast<std::uint32_t>(id);
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (sex[i] < 0 || sex[i] >= n_sexes || position[i] < 0 || position[i] >= n_positions ||
            area[i] < 0 || static_cast<std::size_t>(area[i]) >= areas.size() || presence[i] < 0 ||
            presence[i] > 2)
            throw problem(fmt::format("person {} has an impossible sex, position or area", i));
        persons.add(birth_year[i], static_cast<Sex>(sex[i]), static_cast<Position>(position[i]),
                    static_cast<std::uint32_t>(area[i]), as_link(mother[i]));
        persons.presence.back() = static_cast<Presence>(presence[i]);
        persons.partner.back() = as_link(partner[i]);
        persons.household.back() = as_link(household[i]);
    }
    return persons;
}

}  // namespace socialtwin
