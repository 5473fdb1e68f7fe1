#include "engine/core/area_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <stdexcept>

#include "engine/core/suggest.hpp"

namespace socialtwin {

AreaTable::AreaTable(std::string level, std::vector<std::string> codes)
    : level_(std::move(level)), codes_(std::move(codes)) {
    index_.reserve(codes_.size());
    for (std::size_t i = 0; i < codes_.size(); ++i) {
        if (!index_.emplace(codes_[i], i).second)
            throw std::logic_error("area code '" + codes_[i] + "' appears twice");
    }
}

void AreaTable::add_attribute(AreaAttribute attribute) {
    if (attribute.values.size() != codes_.size())
        throw std::logic_error("area attribute '" + attribute.name + "' has the wrong length");
    attributes_.push_back(std::move(attribute));
}

void AreaTable::add_quantity(AreaQuantity quantity) {
    if (quantity.values.size() != codes_.size())
        throw std::logic_error("area quantity '" + quantity.name + "' has the wrong length");
    quantities_.push_back(std::move(quantity));
}

const AreaQuantity* AreaTable::quantity(const std::string& name) const {
    for (const auto& q : quantities_)
        if (q.name == name) return &q;
    return nullptr;
}

std::optional<std::size_t> AreaTable::find(const std::string& code) const {
    const auto it = index_.find(code);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

const AreaAttribute* AreaTable::attribute(const std::string& name) const {
    for (const auto& a : attributes_)
        if (a.name == name) return &a;
    return nullptr;
}

std::vector<std::size_t> AreaTable::groups(const std::string& attribute_name) const {
    std::vector<std::size_t> group(size(), 0);
    if (const AreaAttribute* found = attribute(attribute_name)) {
        std::map<std::string, std::size_t> numbers;
        for (std::size_t a = 0; a < size(); ++a)
            group[a] = numbers.emplace(found->values[a], numbers.size()).first->second;
    }
    return group;
}

std::string unknown_area_hint(const AreaTable& areas, const std::string& code) {
    for (const AreaAttribute& attribute : areas.attributes()) {
        if (attribute.name.ends_with("_name")) continue;
        std::vector<std::string> members;
        for (std::size_t a = 0; a < areas.size(); ++a)
            if (attribute.values[a] == code) members.push_back(areas.code(a));
        if (members.empty()) continue;
        constexpr std::size_t shown = 8;
        const std::size_t n = members.size();
        if (n > shown) members.resize(shown);
        return fmt::format(
            "'{}' is a {}; a scenario names one of the dataset's {} areas, and "
            "this {} holds {}: {}{}",
            code, attribute.name, areas.level(), attribute.name,
            n == 1 ? std::string("one") : std::to_string(n), fmt::join(members, ", "),
            n > shown ? ", ..." : "");
    }
    const std::vector<std::string_view> codes(areas.codes().begin(), areas.codes().end());
    return did_you_mean(code, codes);
}

}  // namespace socialtwin
