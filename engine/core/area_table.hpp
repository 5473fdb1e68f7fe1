#pragma once
// The areas of a dataset: a code each (PC6, PC4 or buurt: the engine is not tied to one level)
// and the codes of the larger areas each lies in (buurt, wijk, gemeente), kept as named columns
// so results can be aggregated and labelled.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace socialtwin {

struct AreaAttribute {
    std::string name;                 // e.g. "buurt", "wijk", "gemeente", "buurt_name"
    std::vector<std::string> values;  // one per area
};

// A number per area that models may use, e.g. "addresses" or a calibration factor.
struct AreaQuantity {
    std::string name;
    std::vector<double> values;  // one per area
};

class AreaTable;

// What to tell a user who named `code`, which is not one of `areas`' codes: when it is a larger
// area the areas lie in (a buurt, wijk, PC4 or gemeente given where the areas are PC6), that,
// with the areas it holds, since a scenario places dwellings and facilities in one area; else
// the nearest code ("did you mean ...?"), or "" when none is near.
std::string unknown_area_hint(const AreaTable& areas, const std::string& code);

class AreaTable {
public:
    AreaTable() = default;
    AreaTable(std::string level, std::vector<std::string> codes);

    void add_attribute(AreaAttribute attribute);
    void add_quantity(AreaQuantity quantity);

    const std::string& level() const noexcept { return level_; }  // e.g. "pc6" or "buurt"
    std::size_t size() const noexcept { return codes_.size(); }
    const std::vector<std::string>& codes() const noexcept { return codes_; }
    const std::string& code(std::size_t area) const { return codes_.at(area); }
    std::optional<std::size_t> find(const std::string& code) const;
    const std::vector<AreaAttribute>& attributes() const noexcept { return attributes_; }
    const AreaAttribute* attribute(const std::string& name) const;
    // Each area's group at the named attribute (its buurt, its gemeente), numbered 0, 1, ... in
    // order of first appearance; one group of all areas when the table has no such attribute.
    std::vector<std::size_t> groups(const std::string& attribute_name) const;
    // The named quantity, or nullptr when the dataset does not have it.
    const AreaQuantity* quantity(const std::string& name) const;
    const std::vector<AreaQuantity>& quantities() const noexcept { return quantities_; }

private:
    std::string level_;
    std::vector<std::string> codes_;
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<AreaAttribute> attributes_;
    std::vector<AreaQuantity> quantities_;
};

}  // namespace socialtwin
