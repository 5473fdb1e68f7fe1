#include "models/housing/dwelling_stock.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace socialtwin {

namespace {
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }

// Tenure shares of `type` in `stock` (type < 0: all types); nullopt when there is none.
std::optional<std::array<double, n_tenures>> tenure_mix(const DwellingStock& stock, int type) {
    std::array<double, n_tenures> mix{};
    for (int t = 0; t < n_dwelling_types; ++t)
        if (type < 0 || t == type)
            for (int r = 0; r < n_tenures; ++r) mix[at(r)] += stock[stock_cell(t, r)];
    const double sum = std::accumulate(mix.begin(), mix.end(), 0.0);
    if (sum <= 0) return std::nullopt;
    for (double& share : mix) share /= sum;
    return mix;
}

// Removes up to `n` dwellings from the cells `in` selects, in proportion; returns what is left
// to remove.
template <class Selected>
double remove(DwellingStock& stock, double n, Selected in) {
    double there = 0;
    for (std::size_t c = 0; c < stock.size(); ++c)
        if (in(c)) there += stock[c];
    if (there <= 0 || n <= 0) return n;
    const double taken = std::min(n, there);
    for (std::size_t c = 0; c < stock.size(); ++c)
        if (in(c)) stock[c] = taken == there ? 0.0 : stock[c] * (1.0 - taken / there);
    return n - taken;
}
}  // namespace

double type_total(const DwellingStock& stock, int type) noexcept {
    double sum = 0;
    for (int r = 0; r < n_tenures; ++r) sum += stock[stock_cell(type, r)];
    return sum;
}

double total(const DwellingStock& stock) noexcept {
    return std::accumulate(stock.begin(), stock.end(), 0.0);
}

std::string stock_quantity_name(int type, int tenure) {
    return fmt::format("dwellings_{}_{}", dwelling_type_names.names[at(type)],
                       tenure_names.names[at(tenure)]);
}

bool has_dwelling_types(const AreaTable& areas) {
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r)
            if (!areas.quantity(stock_quantity_name(t, r))) return false;
    return true;
}

DwellingStock national_mix(double dwellings) noexcept {
    DwellingStock stock{};
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r)
            stock[stock_cell(t, r)] =
                dwellings * national_type_share[at(t)] * national_tenure_share[at(r)];
    return stock;
}

std::vector<DwellingStock> base_dwelling_stock(const AreaTable& areas,
                                               std::span<const double> base_dwellings) {
    std::vector<DwellingStock> stock(areas.size());
    if (!has_dwelling_types(areas)) {
        for (std::size_t a = 0; a < areas.size(); ++a) stock[a] = national_mix(base_dwellings[a]);
        return stock;
    }
    for (int t = 0; t < n_dwelling_types; ++t)
        for (int r = 0; r < n_tenures; ++r) {
            const AreaQuantity& q = *areas.quantity(stock_quantity_name(t, r));
            for (std::size_t a = 0; a < areas.size(); ++a) stock[a][stock_cell(t, r)] = q.values[a];
        }
    return stock;
}

void build(DwellingStock& stock, std::span<const StockChange> changes,
           const DwellingStock& dataset) {
    // Tenure mixes are taken from the stock on 1 January, before this year's projects.
    const DwellingStock before = stock;
    for (const StockChange& change : changes) {
        if (change.dwellings <= 0) continue;
        const int type = static_cast<int>(change.type);
        if (change.tenure) {
            stock[stock_cell(type, static_cast<int>(*change.tenure))] += change.dwellings;
            continue;
        }
        std::optional<std::array<double, n_tenures>> mix = tenure_mix(before, type);
        if (!mix) mix = tenure_mix(before, -1);
        if (!mix) mix = tenure_mix(dataset, type);
        if (!mix) mix = tenure_mix(dataset, -1);
        if (!mix) mix = std::array<double, n_tenures>{1.0 / 3, 1.0 / 3, 1.0 / 3};
        for (int r = 0; r < n_tenures; ++r)
            stock[stock_cell(type, r)] += change.dwellings * (*mix)[at(r)];
    }
    for (const StockChange& change : changes) {
        if (change.dwellings >= 0) continue;
        const auto type = static_cast<std::size_t>(change.type);
        const std::optional<std::size_t> tenure =
            change.tenure ? std::optional<std::size_t>(static_cast<std::size_t>(*change.tenure))
                          : std::nullopt;
        const double left = remove(stock, -change.dwellings, [&](std::size_t c) {
            return c / n_tenures == type && (!tenure || c % n_tenures == *tenure);
        });
        remove(stock, left, [](std::size_t) { return true; });
    }
}

}  // namespace socialtwin
