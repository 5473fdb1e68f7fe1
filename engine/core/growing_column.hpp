#pragma once
// A column of the agent person store: a std::vector-like array of a trivially copyable type
// that grows without copying. Its storage is an anonymous memory mapping, grown with Linux's
// mremap, which moves the pages instead of their bytes.
//
// Why not std::vector: the store holds everyone who ever lived in the run (17.5 M persons
// become ~30 M in 30 years nationally) in nine columns. A vector that grows copies every column
// into fresh memory, which the kernel must then fault in page by page: 36% of the national run's
// page faults and +1 s of system time on two threads were that copy. Here capacity that is never
// written costs address space only, not memory (pages are committed when first touched), so the
// columns can double as vectors do without holding half of the store empty in RAM.
//
// Only what the store needs: push_back, reserve, indexing, iteration, front/back, comparison.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

namespace socialtwin {

template <class T>
class GrowingColumn {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "GrowingColumn moves its elements' bytes");

public:
    using value_type = T;
    using iterator = T*;
    using const_iterator = const T*;

    GrowingColumn() noexcept = default;
    GrowingColumn(const GrowingColumn& other) { *this = other; }
    GrowingColumn(GrowingColumn&& other) noexcept { swap(other); }
    GrowingColumn& operator=(const GrowingColumn& other) {
        if (this == &other) return *this;
        size_ = 0;
        reserve(other.size_);
        if (other.size_ > 0) std::memcpy(data_, other.data_, other.size_ * sizeof(T));
        size_ = other.size_;
        return *this;
    }
    GrowingColumn& operator=(GrowingColumn&& other) noexcept {
        GrowingColumn(std::move(other)).swap(*this);
        return *this;
    }
    ~GrowingColumn() { release(); }

    void swap(GrowingColumn& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool empty() const noexcept { return size_ == 0; }
    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T& front() noexcept { return data_[0]; }
    const T& front() const noexcept { return data_[0]; }
    T& back() noexcept { return data_[size_ - 1]; }
    const T& back() const noexcept { return data_[size_ - 1]; }
    iterator begin() noexcept { return data_; }
    iterator end() noexcept { return data_ + size_; }
    const_iterator begin() const noexcept { return data_; }
    const_iterator end() const noexcept { return data_ + size_; }

    void push_back(const T& value) {
        if (size_ == capacity_) reserve(std::max<std::size_t>(2 * capacity_, min_capacity()));
        data_[size_++] = value;
    }
    void clear() noexcept { size_ = 0; }
    // n elements; those beyond the old size hold whatever the memory held (zero if never
    // written): for a caller that writes them all next.
    void resize_for_overwrite(std::size_t n) {
        reserve(n);
        size_ = n;
    }

    // Room for n elements. Growing keeps the elements where the kernel moves the pages: no
    // byte is copied, and no page beyond those written is ever committed.
    void reserve(std::size_t n) {
        if (n <= capacity_) return;
        const std::size_t bytes = round_to_pages(n * sizeof(T));
        void* p = data_ == nullptr ? ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                                   : ::mremap(data_, mapped_bytes(), bytes, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) throw std::bad_alloc();
        // Columns of many persons on 2 MB pages where the kernel offers them (only a hint): a
        // page fault per 2 MB instead of per 4 KB as the store fills (engine/core/large_table.hpp).
        if (bytes >= huge_page_hint_bytes) ::madvise(p, bytes, MADV_HUGEPAGE);
        data_ = static_cast<T*>(p);
        capacity_ = bytes / sizeof(T);
    }

    friend bool operator==(const GrowingColumn& a, const GrowingColumn& b) noexcept {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    static constexpr std::size_t huge_page_hint_bytes = std::size_t{4} << 20;
    static std::size_t page_bytes() noexcept {
        static const auto bytes = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        return bytes;
    }
    static std::size_t round_to_pages(std::size_t bytes) noexcept {
        return (std::max<std::size_t>(bytes, 1) + page_bytes() - 1) / page_bytes() * page_bytes();
    }
    static std::size_t min_capacity() noexcept {
        return std::max<std::size_t>(1, page_bytes() / sizeof(T));
    }
    std::size_t mapped_bytes() const noexcept { return round_to_pages(capacity_ * sizeof(T)); }
    void release() noexcept {
        if (data_ != nullptr) ::munmap(data_, mapped_bytes());
        data_ = nullptr;
        size_ = capacity_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace socialtwin
