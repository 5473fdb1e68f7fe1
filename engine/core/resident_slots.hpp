#pragma once
// Where each of an area's residents stands in the area's list of residents, found by a hashed
// probe. The agent core's models look up partners and mothers among an area's residents many
// times a year; a binary search through a PC4 area's ~4,300 sorted ids costs a dozen
// unpredictable branches per look-up (a fifth of the national run's CPU went to them in the
// housing market), a probe of this table one or two reads.
//
// Built per area and per year from the residents' ids (any order, no repeats); a thread keeps
// one and refills it area after area, so its memory is reused.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace socialtwin {

class ResidentSlots {
public:
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

    // Indexes `ids`: find(ids[i]) is i afterwards. Ids are never the empty key (0xFFFFFFFF,
    // which is no_person).
    void assign(std::span<const std::uint32_t> ids) {
        // At most half full, so an absent id ends its probe after about two reads.
        const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * ids.size()));
        shift_ = 64 - std::countr_zero(capacity);
        mask_ = capacity - 1;
        table_.assign(capacity, Entry{empty, 0});
        for (std::size_t i = 0; i < ids.size(); ++i) {
            std::size_t at = home(ids[i]);
            while (table_[at].id != empty) at = (at + 1) & mask_;
            table_[at] = Entry{ids[i], static_cast<std::uint32_t>(i)};
        }
    }

    // The slot of `id` in the list last assigned, or `none` (also for no_person).
    std::size_t find(std::uint32_t id) const noexcept {
        if (id == empty || table_.empty()) return none;
        for (std::size_t at = home(id);; at = (at + 1) & mask_) {
            const Entry e = table_[at];
            if (e.id == id) return e.slot;
            if (e.id == empty) return none;
        }
    }

private:
    static constexpr std::uint32_t empty = 0xFFFFFFFFu;
    struct Entry {
        std::uint32_t id;
        std::uint32_t slot;
    };
    // Fibonacci hashing: an area's ids are runs of consecutive numbers, which the multiplier
    // spreads over the whole table.
    std::size_t home(std::uint32_t id) const noexcept {
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    std::vector<Entry> table_;
    int shift_ = 60;
    std::size_t mask_ = 0;
};

}  // namespace socialtwin
