#include "engine/output/cf_conventions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "engine/formats/hdf5.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

// What udunits_of returns (and "m", "s" that writers use): already UDUNITS-2.
constexpr std::array<std::string_view, 7> udunits_forms{"1",  "year-1", "h", "h year-1",
                                                        "km", "m",      "s"};

// Names whose plain words say too little; every other variable's long_name is its name in words.
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> known_long_names{{
    {"year", "calendar year"},
    {"area", "area code"},
    {"sex", "sex"},
    {"age_band", "age band (5 years)"},
    {"head_age_band", "age band of the household head"},
    {"replicate", "replicate number"},
    {"quantile", "probability level of the quantile over replicates"},
    {"n_areas", "number of areas"},
    {"phase", "phase of the yearly step"},
    {"seconds", "wall time per phase"},
    {"scenario_yaml", "resolved scenario (YAML)"},
    {"observation", "observation number"},
    {"row", "row number"},
    {"variant", "variant number"},
}};

std::string long_name_for(std::string_view name) {
    for (const auto& [known, words] : known_long_names)
        if (known == name) return std::string(words);
    return long_name_of(name);
}

// The bytes of a floating-point dataset's values, 0 for any other.
std::size_t float_size(hid_t dataset) {
    hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "reading a dataset's type"));
    return H5Tget_class(type.id()) == H5T_FLOAT ? H5Tget_size(type.id()) : 0;
}

bool is_numeric(hid_t dataset) {
    hdf5::Datatype type(hdf5::check_id(H5Dget_type(dataset), "reading a dataset's type"));
    const H5T_class_t type_class = H5Tget_class(type.id());
    return type_class == H5T_FLOAT || type_class == H5T_INTEGER;
}

// A netCDF-4 dimension without a variable: not a variable to CF.
bool is_bare_dimension(hid_t dataset) {
    if (!hdf5::has_attribute(dataset, "NAME")) return false;
    return hdf5::attribute_text(dataset, "NAME").rfind("This is a netCDF dimension", 0) == 0;
}

void apply_to_dataset(hid_t dataset, const std::string& name) {
    if (is_bare_dimension(dataset)) return;
    const bool scale = hdf5::is_dimension_scale(dataset);
    const std::string long_name(cf::long_name);
    if (!hdf5::has_attribute(dataset, long_name) && !hdf5::has_attribute(dataset, "standard_name"))
        hdf5::write_attribute(dataset, long_name, long_name_for(name));
    const std::string units(indicator_attribute::units);
    if (hdf5::has_attribute(dataset, units)) {
        const std::string label = hdf5::attribute_text(dataset, units);
        const std::string udunits = udunits_of(label);
        if (udunits != label) {
            // The label stays what tables print: a unit_label the writer gave wins.
            if (!hdf5::has_attribute(dataset, std::string(cf::unit_label)))
                hdf5::write_attribute(dataset, std::string(cf::unit_label), label);
            hdf5::write_attribute(dataset, units, udunits);
        }
        const std::string currency = currency_of(label);
        if (!currency.empty() && !hdf5::has_attribute(dataset, std::string(cf::currency)))
            hdf5::write_attribute(dataset, std::string(cf::currency), currency);
    } else if (scale && is_numeric(dataset)) {
        // year, replicate, observation: labels, not quantities (a calendar year is not a CF
        // time axis: stocks are on 1 January, flows during the year).
        hdf5::write_attribute(dataset, units, std::string_view("1"));
    }
    // CF forbids missing values in coordinate variables: dimension scales get no _FillValue.
    // It has the variable's own type (CF 2.5.1): float32 values (output.precision, the agent
    // core's default) get a float32 NaN.
    if (!scale && !hdf5::has_attribute(dataset, "_FillValue")) {
        if (const std::size_t size = float_size(dataset); size == 8)
            hdf5::write_attribute(dataset, "_FillValue", std::numeric_limits<double>::quiet_NaN());
        else if (size == 4)
            hdf5::write_attribute(dataset, "_FillValue", std::numeric_limits<float>::quiet_NaN());
    }
}

void apply_to_group(hid_t group) {
    for (const auto& name : hdf5::link_names(group)) {
        if (hdf5::is_group(group, name)) {
            auto child = hdf5::open_group(group, name);
            apply_to_group(child.id());
        } else if (hdf5::is_dataset(group, name)) {
            auto dataset = hdf5::open_dataset(group, name);
            apply_to_dataset(dataset.id(), name);
        }
    }
}

}  // namespace

std::string udunits_of(std::string_view label) {
    label = trimmed(label);
    if (std::find(udunits_forms.begin(), udunits_forms.end(), label) != udunits_forms.end())
        return std::string(label);
    // "(constant prices of 2022)", ", present value in 2024": qualifications, not units.
    label = trimmed(label.substr(0, std::min(label.find('('), label.find(','))));
    std::vector<std::string_view> parts;  // "<numerator> per <denominator> per ..."
    constexpr std::string_view per = " per ";
    for (std::size_t at = label.find(per); at != std::string_view::npos; at = label.find(per)) {
        parts.push_back(trimmed(label.substr(0, at)));
        label.remove_prefix(at + per.size());
    }
    parts.push_back(trimmed(label));
    // A string_view, not a string assigned in branches: GCC 12 at -O2 under ASan warns
    // (-Wrestrict, a false positive) on that assignment.
    std::string_view numerator;
    const std::string_view first = parts.front();
    if (first == "hours" || first == "hour" || first == "h")
        numerator = "h";
    else if (first == "km" || first == "m" || first == "s")
        numerator = first;
    // Anything else before "per" is a count of something (persons, EUR, FTE): dimensionless.
    bool per_year = false;
    for (std::size_t i = 1; i < parts.size(); ++i)
        if (parts[i] == "year") per_year = true;
    if (numerator.empty()) return per_year ? "year-1" : "1";
    return fmt::format("{}{}", numerator, per_year ? " year-1" : "");
}

std::string currency_of(std::string_view label) {
    return trimmed(label).rfind("EUR", 0) == 0 ? "EUR" : "";
}

std::string long_name_of(std::string_view name) {
    std::string words(name);
    std::replace(words.begin(), words.end(), '_', ' ');
    return words;
}

std::vector<double> metres_of(std::span<const double> km) {
    std::vector<double> metres(km.size());
    // Round away the binary fraction so that x is exactly the metre the dataset meant.
    std::transform(km.begin(), km.end(), metres.begin(),
                   [](double value) { return std::round(value * 1000.0); });
    return metres;
}

std::vector<std::pair<std::string, std::string>> crs_text_attributes() {
    // Amersfoort / RD New, the Dutch national grid, in CF's terms (CF-1.8 appendix F).
    return {
        {std::string(cf::long_name), "coordinate reference system: Amersfoort / RD New"},
        {"grid_mapping_name", "oblique_stereographic"},
        {"epsg_code", "EPSG:28992"},
        {"crs_wkt",
         R"(PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",)"
         R"(SPHEROID["Bessel 1841",6377397.155,299.1528128],)"
         R"(TOWGS84[565.2369,50.0087,465.658,-0.406857,0.350733,-1.87035,4.0812]],)"
         R"(PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],)"
         R"(PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",52.1561605555556],)"
         R"(PARAMETER["central_meridian",5.38763888888889],PARAMETER["scale_factor",0.9999079],)"
         R"(PARAMETER["false_easting",155000],PARAMETER["false_northing",463000],)"
         R"(UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH],)"
         R"(AUTHORITY["EPSG","28992"]])"},
    };
}

std::vector<std::pair<std::string, double>> crs_number_attributes() {
    return {
        {"latitude_of_projection_origin", 52.15616055555555},
        {"longitude_of_projection_origin", 5.38763888888889},
        {"scale_factor_at_projection_origin", 0.9999079},
        {"false_easting", 155000.0},
        {"false_northing", 463000.0},
        {"semi_major_axis", 6377397.155},
        {"inverse_flattening", 299.1528128},
    };
}

std::vector<std::pair<std::string, std::string>> position_attributes(std::string_view axis) {
    return {
        {"standard_name", fmt::format("projection_{}_coordinate", axis)},
        {std::string(cf::long_name),
         fmt::format("{} of the area's position (RD New, EPSG:28992)", axis)},
        {"units", "m"},
    };
}

void write_area_positions(hid_t parent, std::span<const double> x_km, std::span<const double> y_km,
                          hid_t area_scale) {
    if (x_km.size() != y_km.size())
        throw std::logic_error("write_area_positions: x and y differ in length");
    const std::array<hsize_t, 1> n{x_km.size()};
    const auto axis = [&](std::string_view name, std::span<const double> km) {
        const std::vector<double> metres = metres_of(km);
        auto dataset = hdf5::create_dataset(parent, std::string(name), H5T_IEEE_F64LE, n);
        if (!metres.empty()) hdf5::write(dataset.id(), std::span<const double>(metres));
        hdf5::attach_dimension_scale(dataset.id(), area_scale, 0);
        for (const auto& [key, value] : position_attributes(name))
            hdf5::write_attribute(dataset.id(), key, value);
    };
    axis(cf::x, x_km);
    axis(cf::y, y_km);

    auto crs = hdf5::create_dataset(parent, std::string(cf::crs), H5T_STD_I32LE, {});
    const std::array<std::int32_t, 1> zero{0};
    hdf5::write(crs.id(), std::span<const std::int32_t>(zero));
    for (const auto& [key, value] : crs_text_attributes())
        hdf5::write_attribute(crs.id(), key, value);
    for (const auto& [key, value] : crs_number_attributes())
        hdf5::write_attribute(crs.id(), key, value);
}

bool copy_area_positions(hid_t from, hid_t to, hid_t area_scale) {
    const std::string x(cf::x), y(cf::y);
    if (!hdf5::link_exists(from, x) || !hdf5::link_exists(from, y) || !hdf5::is_dataset(from, x) ||
        !hdf5::is_dataset(from, y))
        return false;
    std::vector<double> x_km = hdf5::read_doubles(hdf5::open_dataset(from, x).id());
    std::vector<double> y_km = hdf5::read_doubles(hdf5::open_dataset(from, y).id());
    for (double& value : x_km) value /= 1000.0;
    for (double& value : y_km) value /= 1000.0;
    write_area_positions(to, x_km, y_km, area_scale);
    return true;
}

void apply_cf_conventions(hid_t file) {
    hdf5::write_attribute(file, "Conventions", cf::conventions);
    apply_to_group(file);
}

}  // namespace socialtwin
