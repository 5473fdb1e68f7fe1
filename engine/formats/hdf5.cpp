#include "engine/formats/hdf5.hpp"

#include <hdf5_hl.h>
#include <libdeflate.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace socialtwin::hdf5 {

namespace {

// HDF5 prints its error stack to stderr on every failure unless told otherwise; we turn the
// stack into exception text instead, so the switch is flipped once before the first call.
void silence_default_error_printing() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

herr_t collect_message(unsigned /*n*/, const H5E_error2_t* error, void* data) {
    auto& messages = *static_cast<std::vector<std::string>*>(data);
    std::string text = error->desc != nullptr ? error->desc : "";
    if (text.empty()) {
        char minor[256] = {};
        if (H5Eget_msg(error->min_num, nullptr, minor, sizeof minor) > 0) text = minor;
    }
    if (!text.empty() && std::find(messages.begin(), messages.end(), text) == messages.end())
        messages.push_back(std::move(text));
    return 0;
}

// The current error stack in one line: the outermost message (what the API call could not do)
// and the innermost (the cause, such as "errno = 13, error message = 'Permission denied'");
// the layers between repeat one or the other.
std::string current_error_stack() {
    std::vector<std::string> messages;
    const hid_t stack = H5Eget_current_stack();
    if (stack >= 0) {
        H5Ewalk2(stack, H5E_WALK_DOWNWARD, collect_message, &messages);
        H5Eclose_stack(stack);
    }
    if (messages.empty()) return "no HDF5 error message";
    if (messages.size() > 2) messages.erase(messages.begin() + 1, messages.end() - 1);
    std::string text = fmt::format("{}", fmt::join(messages, ": "));
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

PropertyList property_list(hid_t cls, std::string_view what) {
    return PropertyList(check_id(H5Pcreate(cls), what));
}

// Object creation order tracking, as netCDF-4 sets it on every group and dataset. Object times
// are not tracked (HDF5 would store each object's creation time): the same content written twice
// gives the same bytes, which is how a sweep's merged file is checked to be the same however its
// tasks were split.
constexpr unsigned creation_order_flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

std::vector<std::string> names_by_index(hid_t object, bool links) {
    std::vector<std::string> names;
    auto collect = [&](H5_index_t index) {
        names.clear();
        hsize_t idx = 0;
        herr_t status;
        if (links) {
            status = H5Literate(
                object, index, H5_ITER_INC, &idx,
                [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
                    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                    return 0;
                },
                &names);
        } else {
            status = H5Aiterate2(
                object, index, H5_ITER_INC, &idx,
                [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
                    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                    return 0;
                },
                &names);
        }
        return status >= 0;
    };
    // Creation order is only available where the writer tracked it; fall back to names.
    if (!collect(H5_INDEX_CRT_ORDER)) {
        H5Eclear2(H5E_DEFAULT);
        if (!collect(H5_INDEX_NAME))
            throw Error(fmt::format("cannot list {}: {}", links ? "links" : "attributes",
                                    current_error_stack()));
    }
    return names;
}

Attribute create_attribute(hid_t object, const std::string& name, hid_t type) {
    Dataspace space = scalar_space();
    // Replace rather than fail, so writing the same key twice keeps the last value.
    if (has_attribute(object, name))
        check(H5Adelete(object, name.c_str()), fmt::format("deleting attribute '{}'", name));
    return Attribute(
        check_id(H5Acreate2(object, name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                 fmt::format("creating attribute '{}'", name)));
}

std::string object_name(hid_t object) {
    const ssize_t n = H5Iget_name(object, nullptr, 0);
    if (n <= 0) return "?";
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Iget_name(object, name.data(), name.size());
    name.resize(static_cast<std::size_t>(n));
    return name;
}

hsize_t element_count(hid_t space) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    check(static_cast<herr_t>(n < 0 ? -1 : 0), "counting dataspace elements");
    return static_cast<hsize_t>(n);
}

// Reads `count` strings of the dataset or attribute `object` whose file type is `file_type`,
// through `read(memory_type, buffer)`.
template <typename Read>
std::vector<std::string> read_string_values(hid_t file_type, hsize_t count, Read read,
                                            std::string_view what) {
    if (H5Tget_class(file_type) != H5T_STRING) throw Error(fmt::format("{}: not a string", what));
    std::vector<std::string> out;
    out.reserve(count);
    const htri_t variable = H5Tis_variable_str(file_type);
    check(static_cast<herr_t>(variable < 0 ? -1 : 0), what);
    if (variable > 0) {
        Datatype memory = utf8_string_type();
        std::vector<char*> buffer(count, nullptr);
        check(read(memory.id(), buffer.data()), what);
        for (char* s : buffer) {
            out.emplace_back(s != nullptr ? s : "");
            H5free_memory(s);
        }
    } else {
        const std::size_t size = H5Tget_size(file_type);
        Datatype memory(check_id(H5Tcopy(file_type), what));
        std::vector<char> buffer(count * size);
        check(read(memory.id(), buffer.data()), what);
        const bool space_padded = H5Tget_strpad(file_type) == H5T_STR_SPACEPAD;
        for (hsize_t i = 0; i < count; ++i) {
            std::string s(buffer.data() + i * size, size);
            // Fixed-length strings are padded to their size with nulls or, Fortran-style, spaces.
            if (const auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
            if (space_padded) s.erase(s.find_last_not_of(' ') + 1);
            out.push_back(std::move(s));
        }
    }
    return out;
}

}  // namespace

void check(herr_t status, std::string_view what) {
    if (status < 0) throw Error(fmt::format("{}: {}", what, current_error_stack()));
}

hid_t check_id(hid_t id, std::string_view what) {
    if (id < 0) throw Error(fmt::format("{}: {}", what, current_error_stack()));
    return id;
}

void skip_library_shutdown_at_exit() { H5dont_atexit(); }

File create_file(const std::filesystem::path& path) {
    silence_default_error_printing();
    PropertyList fcpl = property_list(H5P_FILE_CREATE, "creating file properties");
    check(H5Pset_link_creation_order(fcpl.id(), creation_order_flags), "set link order");
    check(H5Pset_attr_creation_order(fcpl.id(), creation_order_flags), "set attribute order");
    check(H5Pset_obj_track_times(fcpl.id(), false), "set time tracking");
    return File(check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), H5P_DEFAULT),
                         fmt::format("cannot create HDF5 file '{}'", path.string())));
}

File open_file_read_only(const std::filesystem::path& path) {
    silence_default_error_printing();
    return File(check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                         fmt::format("cannot open HDF5 file '{}'", path.string())));
}

File open_file_read_write(const std::filesystem::path& path) {
    silence_default_error_printing();
    return File(check_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                         fmt::format("cannot open HDF5 file '{}' for writing", path.string())));
}

bool is_hdf5_file(const std::filesystem::path& path) {
    silence_default_error_printing();
    const htri_t result = H5Fis_hdf5(path.c_str());
    if (result < 0) H5Eclear2(H5E_DEFAULT);
    return result > 0;
}

Group create_group(hid_t parent, const std::string& name) {
    PropertyList gcpl = property_list(H5P_GROUP_CREATE, "creating group properties");
    check(H5Pset_link_creation_order(gcpl.id(), creation_order_flags), "set link order");
    check(H5Pset_attr_creation_order(gcpl.id(), creation_order_flags), "set attribute order");
    check(H5Pset_obj_track_times(gcpl.id(), false), "set time tracking");
    return Group(check_id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT),
                          fmt::format("creating group '{}'", name)));
}

Group open_group(hid_t parent, const std::string& name) {
    return Group(check_id(H5Gopen2(parent, name.c_str(), H5P_DEFAULT),
                          fmt::format("opening group '{}'", name)));
}

bool link_exists(hid_t parent, const std::string& name) {
    const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
    check(static_cast<herr_t>(exists < 0 ? -1 : 0), fmt::format("looking up '{}'", name));
    return exists > 0;
}

bool is_dataset(hid_t parent, const std::string& name) {
    Object object(
        check_id(H5Oopen(parent, name.c_str(), H5P_DEFAULT), fmt::format("opening '{}'", name)));
    return H5Iget_type(object.id()) == H5I_DATASET;
}

std::vector<std::string> link_names(hid_t group) { return names_by_index(group, true); }

bool is_group(hid_t parent, const std::string& name) {
    Object object(
        check_id(H5Oopen(parent, name.c_str(), H5P_DEFAULT), fmt::format("opening '{}'", name)));
    return H5Iget_type(object.id()) == H5I_GROUP;
}

void delete_link(hid_t parent, const std::string& name) {
    check(H5Ldelete(parent, name.c_str(), H5P_DEFAULT), fmt::format("deleting '{}'", name));
}

Dataspace scalar_space() {
    return Dataspace(check_id(H5Screate(H5S_SCALAR), "creating scalar dataspace"));
}

Dataspace simple_space(std::span<const hsize_t> dims) {
    return Dataspace(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                              "creating dataspace"));
}

Datatype utf8_string_type() {
    Datatype type(check_id(H5Tcopy(H5T_C_S1), "copying string type"));
    check(H5Tset_size(type.id(), H5T_VARIABLE), "making string type variable-length");
    check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "making string type UTF-8");
    return type;
}

std::vector<hsize_t> shape(hid_t dataset) {
    Dataspace space(check_id(H5Dget_space(dataset), "getting dataspace"));
    const int rank = H5Sget_simple_extent_ndims(space.id());
    check(static_cast<herr_t>(rank < 0 ? -1 : 0), "getting rank");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "getting dimensions");
    return dims;
}

Dataset create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                       std::span<const hsize_t> dims, const DatasetOptions& options) {
    const std::string what = fmt::format("creating dataset '{}'", name);
    Dataspace space = dims.empty() ? scalar_space() : simple_space(dims);
    PropertyList dcpl = property_list(H5P_DATASET_CREATE, what);
    check(H5Pset_attr_creation_order(dcpl.id(), creation_order_flags), what);
    check(H5Pset_obj_track_times(dcpl.id(), false), what);
    if (!options.chunk.empty()) {
        check(H5Pset_chunk(dcpl.id(), static_cast<int>(options.chunk.size()), options.chunk.data()),
              what);
        if (options.deflate_level > 0) {
            // Shuffle first: it groups the bytes of the doubles so deflate finds the runs.
            check(H5Pset_shuffle(dcpl.id()), what);
            check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.deflate_level)), what);
        }
    }
    if (options.set_fill)
        check(H5Pset_fill_value(dcpl.id(), H5T_NATIVE_DOUBLE, &options.fill), what);
    PropertyList dapl = property_list(H5P_DATASET_ACCESS, what);
    if (!options.chunk_cache)
        check(H5Pset_chunk_cache(dapl.id(), 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT), what);
    return Dataset(check_id(
        H5Dcreate2(parent, name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), dapl.id()),
        what));
}

Dataset open_dataset(hid_t parent, const std::string& name) {
    return Dataset(check_id(H5Dopen2(parent, name.c_str(), H5P_DEFAULT),
                            fmt::format("opening dataset '{}'", name)));
}

void write(hid_t dataset, std::span<const double> values) {
    check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          fmt::format("writing '{}'", object_name(dataset)));
}

void write(hid_t dataset, std::span<const std::int32_t> values) {
    check(H5Dwrite(dataset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          fmt::format("writing '{}'", object_name(dataset)));
}

void write(hid_t dataset, std::span<const std::string> values) {
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    Datatype type = utf8_string_type();
    check(H5Dwrite(dataset, type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
          fmt::format("writing '{}'", object_name(dataset)));
}

void write(hid_t dataset, std::string_view value) {
    const std::string text(value);
    const char* pointer = text.c_str();
    Datatype type = utf8_string_type();
    check(H5Dwrite(dataset, type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer),
          fmt::format("writing '{}'", object_name(dataset)));
}

void write_block(hid_t dataset, std::span<const hsize_t> start, std::span<const hsize_t> count,
                 std::span<const double> values) {
    const std::string what = fmt::format("writing a block of '{}'", object_name(dataset));
    Dataspace file_space(check_id(H5Dget_space(dataset), what));
    check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          what);
    Dataspace memory_space = simple_space(count);
    if (element_count(memory_space.id()) != values.size())
        throw std::logic_error(fmt::format("{}: {} values for a block of {}", what, values.size(),
                                           element_count(memory_space.id())));
    check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                   values.data()),
          what);
}

std::vector<double> read_doubles(hid_t dataset) {
    Dataspace space(check_id(H5Dget_space(dataset), "getting dataspace"));
    std::vector<double> values(element_count(space.id()));
    check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          fmt::format("reading '{}'", object_name(dataset)));
    return values;
}

std::vector<hsize_t> chunk_shape(hid_t dataset) {
    const std::string what = fmt::format("reading the chunk layout of '{}'", object_name(dataset));
    PropertyList dcpl(check_id(H5Dget_create_plist(dataset), what));
    if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
    const int rank = H5Pget_chunk(dcpl.id(), 0, nullptr);
    check(rank, what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Pget_chunk(dcpl.id(), rank, dims.data()), what);
    return dims;
}

bool same_filters(hid_t a, hid_t b) {
    const std::string what = fmt::format("reading the filters of '{}'", object_name(a));
    // A stored chunk holds values of the dataset's type: float32 chunks do not read as float64.
    Datatype ta(check_id(H5Dget_type(a), what)), tb(check_id(H5Dget_type(b), what));
    const htri_t same_type = H5Tequal(ta.id(), tb.id());
    check(same_type < 0 ? -1 : 0, what);
    if (same_type == 0) return false;
    PropertyList pa(check_id(H5Dget_create_plist(a), what));
    PropertyList pb(check_id(H5Dget_create_plist(b), what));
    const int n = H5Pget_nfilters(pa.id());
    check(n, what);
    if (n != H5Pget_nfilters(pb.id())) return false;
    for (unsigned f = 0; f < static_cast<unsigned>(n); ++f) {
        std::array<std::array<unsigned, 8>, 2> values{};
        std::array<std::size_t, 2> n_values{values[0].size(), values[1].size()};
        std::array<unsigned, 2> flags{};
        const H5Z_filter_t ida = H5Pget_filter2(pa.id(), f, &flags[0], &n_values[0],
                                                values[0].data(), 0, nullptr, nullptr);
        const H5Z_filter_t idb = H5Pget_filter2(pb.id(), f, &flags[1], &n_values[1],
                                                values[1].data(), 0, nullptr, nullptr);
        check(ida < 0 || idb < 0 ? -1 : 0, what);
        if (ida != idb || flags[0] != flags[1] || n_values[0] != n_values[1] ||
            !std::equal(
                values[0].begin(),
                values[0].begin() + static_cast<long>(std::min(n_values[0], values[0].size())),
                values[1].begin()))
            return false;
    }
    return true;
}

bool read_stored_chunk(hid_t dataset, std::span<const hsize_t> offset, StoredChunk& chunk) {
    const std::string what = fmt::format("reading a stored chunk of '{}'", object_name(dataset));
    hsize_t size = 0;
    // A chunk never written has no storage: HDF5 reports size 0 (or fails to find it).
    if (H5Dget_chunk_storage_size(dataset, offset.data(), &size) < 0 || size == 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    chunk.bytes.resize(static_cast<std::size_t>(size));
    check(
        H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &chunk.filter_mask, chunk.bytes.data()),
        what);
    return true;
}

void write_stored_chunk(hid_t dataset, std::span<const hsize_t> offset, const StoredChunk& chunk) {
    check(H5Dwrite_chunk(dataset, H5P_DEFAULT, chunk.filter_mask, offset.data(), chunk.bytes.size(),
                         chunk.bytes.data()),
          fmt::format("writing a stored chunk of '{}'", object_name(dataset)));
}

void to_stored_float32(std::span<const double> values, float* out) noexcept {
    std::size_t i = 0;
#if defined(__AVX2__)
    // Rounded to nearest as a cast rounds (the default rounding mode); beyond float's range
    // +-infinity, chosen by an ordered compare (false for NaN, which converts to NaN as a cast
    // converts it). A compare's lanes, all ones or all zeros, are converted like the values: all
    // ones is a NaN whose sign bit, the one blendv reads, survives the conversion.
    const __m256d largest = _mm256_set1_pd(std::numeric_limits<float>::max());
    const __m256d lowest = _mm256_set1_pd(-std::numeric_limits<float>::max());
    const __m128 infinity = _mm_set1_ps(std::numeric_limits<float>::infinity());
    const __m128 minus_infinity = _mm_set1_ps(-std::numeric_limits<float>::infinity());
    for (; i + 4 <= values.size(); i += 4) {
        const __m256d v = _mm256_loadu_pd(values.data() + i);
        __m128 f = _mm256_cvtpd_ps(v);
        f = _mm_blendv_ps(f, infinity, _mm256_cvtpd_ps(_mm256_cmp_pd(v, largest, _CMP_GT_OQ)));
        f = _mm_blendv_ps(f, minus_infinity, _mm256_cvtpd_ps(_mm256_cmp_pd(v, lowest, _CMP_LT_OQ)));
        _mm_storeu_ps(out + i, f);
    }
#endif
    for (; i < values.size(); ++i) out[i] = to_stored_float32(values[i]);
}

// The bytes of a value are its bytes in the file only on a little-endian machine.
static_assert(std::endian::native == std::endian::little,
              "filter_chunk and to_stored_float32 assume a little-endian machine");

namespace {

// libdeflate's compressor for a level (1-12; another is a bug: std::out_of_range), one per thread
// and level: allocating one costs more than compressing a small chunk, and a compressor is not to
// be shared between threads.
libdeflate_compressor& compressor_for(int level) {
    struct Free {
        void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
    };
    thread_local std::array<std::unique_ptr<libdeflate_compressor, Free>, 13> by_level;
    auto& slot = by_level.at(static_cast<std::size_t>(level));
    if (!slot) {
        slot.reset(libdeflate_alloc_compressor(level));
        if (!slot) throw std::bad_alloc();
    }
    return *slot;
}

// The shuffle of `n` elements of `Size` bytes: byte b of element i to out[b * n + i]. With the
// size known the compiler gathers the bytes of a block of elements at once (the loop with the
// size a variable moved one byte at a time: 3% of a PC6-density run's instructions).
template <std::size_t Size>
void shuffle_bytes(const unsigned char* in, std::size_t n, unsigned char* out) {
    constexpr std::size_t block = 64;
    std::size_t i = 0;
    for (; i + block <= n; i += block) {
        std::array<std::array<unsigned char, block>, Size> planes;
        for (std::size_t k = 0; k < block; ++k)
            for (std::size_t b = 0; b < Size; ++b) planes[b][k] = in[(i + k) * Size + b];
        for (std::size_t b = 0; b < Size; ++b)
            std::memcpy(out + b * n + i, planes[b].data(), block);
    }
    for (; i < n; ++i)
        for (std::size_t b = 0; b < Size; ++b) out[b * n + i] = in[i * Size + b];
}

// zlib's second header byte for a level, as libdeflate writes it (FLEVEL is only a hint to a
// reader; the check bits make the header a multiple of 31).
unsigned char zlib_flags_for(int level) {
    if (level < 2) return 0x01;
    if (level < 6) return 0x5e;
    if (level < 7) return 0x9c;
    return 0xda;
}

// Whether every byte is zero: each equal to the one before and the first zero (memcmp stops at
// the first difference, in a plane of values mostly within its first bytes).
bool all_zero(std::span<const unsigned char> bytes) noexcept {
    return bytes.empty() ||
           (bytes[0] == 0 && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0);
}

// Deflate's bits (RFC 1951, 3.1.1): packed from the lowest bit of each byte up; a Huffman code
// goes most significant bit first, so it is put reversed.
class DeflateBits {
public:
    explicit DeflateBits(unsigned char* out) noexcept : out_(out) {}
    void put(std::uint32_t value, int n_bits) noexcept {
        bits_ |= std::uint64_t{value} << n_bits_;
        n_bits_ += n_bits;
        for (; n_bits_ >= 8; n_bits_ -= 8, bits_ >>= 8) *out_++ = static_cast<unsigned char>(bits_);
    }
    void put_code(std::uint32_t code, int length) noexcept {
        std::uint32_t reversed = 0;
        for (int i = 0; i < length; ++i) reversed |= ((code >> i) & 1u) << (length - 1 - i);
        put(reversed, length);
    }
    // Pads to the next byte (a stored block's header, or the stream's end) and returns where the
    // bytes end.
    unsigned char* align() noexcept {
        if (n_bits_ > 0) put(0, 8 - n_bits_);
        return out_;
    }

private:
    unsigned char* out_;
    std::uint64_t bits_ = 0;
    int n_bits_ = 0;
};

// `length` zero bytes (>= 1) as one block with deflate's fixed codes (RFC 1951, 3.2.6): a literal
// 0, then the longest matches at distance 1 (13 bits each 258 bytes), the rest as a shorter match
// or literals; then, unless `final`, an empty stored block, so that what follows starts on a
// byte as the stored blocks and libdeflate's part do. At most length / 150 + 12 bytes.
unsigned char* put_zeros(unsigned char* out, std::size_t length, bool final) noexcept {
    DeflateBits bits(out);
    bits.put(final ? 1u : 0u, 1);  // BFINAL
    bits.put(1, 2);                // BTYPE 01: fixed Huffman codes
    // The fixed code of a literal/length symbol: 0-143 8 bits from 0x30, 256-279 7 bits from 0,
    // 280-287 8 bits from 0xc0 (no other is used here).
    auto symbol = [&](std::uint32_t s) {
        if (s < 144)
            bits.put_code(0x30 + s, 8);
        else if (s < 280)
            bits.put_code(s - 256, 7);
        else
            bits.put_code(0xc0 + s - 280, 8);
    };
    auto distance_1 = [&] { bits.put_code(0, 5); };  // distance code 0, no extra bits
    symbol(0);
    std::size_t left = length - 1;
    for (; left >= 258; left -= 258) {
        symbol(285);
        distance_1();
    }
    if (left >= 3) {
        // Length symbols 257-284: a base length and extra bits (RFC 1951, 3.2.5).
        static constexpr std::array<std::uint16_t, 28> base = {
            3,  4,  5,  6,  7,  8,  9,  10, 11, 13,  15,  17,  19,  23,
            27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227};
        std::size_t k = base.size() - 1;
        while (base[k] > left) --k;
        symbol(257 + static_cast<std::uint32_t>(k));
        const int extra = k < 8 ? 0 : static_cast<int>(k - 4) / 4;
        bits.put(static_cast<std::uint32_t>(left - base[k]), extra);
        distance_1();
    } else {
        for (; left > 0; --left) symbol(0);
    }
    symbol(256);  // end of block
    if (!final) {
        bits.put(0, 1);  // an empty stored block: BFINAL 0, BTYPE 00, padding, LEN 0, NLEN ~0
        bits.put(0, 2);
        static constexpr std::array<unsigned char, 4> length_0 = {0x00, 0x00, 0xff, 0xff};
        unsigned char* at = bits.align();
        std::memcpy(at, length_0.data(), length_0.size());
        return at + length_0.size();
    }
    return bits.align();
}

}  // namespace

bool looks_incompressible(std::span<const unsigned char> plane) {
    const unsigned char* bytes = plane.data();
    const std::size_t n = plane.size();
    constexpr std::size_t smallest = 512;
    if (n < smallest) return false;
    // Runs show at once in the first bytes (a plane of zeros stops here).
    std::size_t repeats = 0;
    for (std::size_t i = 1; i < 64; ++i) repeats += bytes[i] == bytes[i - 1];
    if (repeats > 4) return false;
    // Four histograms side by side: one would wait on its own increments of a byte value that
    // comes twice in a row.
    std::array<std::array<std::uint32_t, 256>, 4> counts{};
    std::size_t i = 0;
    repeats = 0;
    for (; i + 4 <= n; i += 4) {
        ++counts[0][bytes[i]];
        ++counts[1][bytes[i + 1]];
        ++counts[2][bytes[i + 2]];
        ++counts[3][bytes[i + 3]];
    }
    for (; i < n; ++i) ++counts[0][bytes[i]];
    for (i = 1; i < n; ++i) repeats += bytes[i] == bytes[i - 1];
    if (repeats * 64 >= n) return false;
    // Collision entropy >= 7 bits: sum of squared counts <= n^2 / 2^7.
    std::uint64_t squares = 0;
    for (std::size_t v = 0; v < 256; ++v) {
        const std::uint64_t c =
            std::uint64_t{counts[0][v]} + counts[1][v] + counts[2][v] + counts[3][v];
        squares += c * c;
    }
    return squares * 128 <= std::uint64_t{n} * n;
}

void filter_chunk(std::span<const unsigned char> raw, std::size_t element_size, int deflate_level,
                  std::vector<unsigned char>& scratch, StoredChunk& chunk) {
    chunk.filter_mask = 0;
    if (deflate_level <= 0) {
        chunk.bytes.assign(raw.begin(), raw.end());
        return;
    }
    libdeflate_compressor& compressor = compressor_for(deflate_level);
    scratch.resize(raw.size());
    // Shuffle (H5Z_filter_shuffle): byte b of element i goes to b * n + i; bytes after the last
    // whole element stay at the end. One-byte elements are left as they are.
    std::span<const unsigned char> input = raw;
    const std::size_t n = element_size > 0 ? raw.size() / element_size : 0;
    if (element_size > 1 && n > 1) {
        switch (element_size) {
            case 4:
                shuffle_bytes<4>(raw.data(), n, scratch.data());
                break;
            case 8:
                shuffle_bytes<8>(raw.data(), n, scratch.data());
                break;
            default:
                for (std::size_t b = 0; b < element_size; ++b) {
                    unsigned char* out = scratch.data() + b * n;
                    const unsigned char* in = raw.data() + b;
                    for (std::size_t i = 0; i < n; ++i) out[i] = in[i * element_size];
                }
        }
        const std::size_t whole = n * element_size;
        std::memcpy(scratch.data() + whole, raw.data() + whole, raw.size() - whole);
        input = std::span<const unsigned char>(scratch.data(), raw.size());
    }
    // Deflate: one zlib stream (RFC 1950) over the whole chunk, what H5Z_FILTER_DEFLATE inflates:
    // libdeflate's header for the level, the deflate blocks, the Adler-32 of the chunk. Leading
    // planes are taken apart where libdeflate does worst: those that look random
    // (looks_incompressible) go into stored blocks, and those of zeros (the low mantissa bytes of
    // counts stored as floats; a whole chunk of a breakdown no one is in) into a block of runs
    // (put_zeros), which libdeflate makes at ~0.45 GB/s. Each part ends on a byte, and libdeflate
    // deflates the rest after them as the stream's last blocks (it sets the final bit on its own
    // last block; its matches reach back only into its own part, which any inflater accepts).
    // Without such planes this is libdeflate_zlib_compress's stream, byte for byte.
    struct Part {
        bool zeros = false;
        std::size_t length = 0;  // bytes of the planes, from where the part before ends
    };
    std::vector<Part> parts;
    std::size_t taken = 0;  // bytes of the planes taken apart
    if (element_size > 1 && n >= 512)
        for (std::size_t plane = 0; plane < element_size; ++plane, taken += n) {
            const auto bytes = input.subspan(plane * n, n);
            const bool zeros = all_zero(bytes);
            if (!zeros && !looks_incompressible(bytes)) break;
            if (parts.empty() || parts.back().zeros != zeros) parts.push_back({zeros, 0});
            parts.back().length += n;
        }
    const std::size_t rest = input.size() - taken;
    constexpr std::size_t max_stored_block = 65535;
    std::size_t bound = 2 + rest + 4;
    for (const Part& part : parts)
        bound += part.zeros
                     ? part.length / 150 + 12
                     : part.length + 5 * ((part.length + max_stored_block - 1) / max_stored_block);
    const std::size_t rest_bound =
        rest > 0 ? libdeflate_deflate_compress_bound(&compressor, rest) : 0;
    bound += rest_bound;
    // Made in the scratch after the shuffled bytes (which the deflating reads) and then copied:
    // the chunk gets only the bytes made, so a year of chunks in hand is its compressed size.
    scratch.resize(raw.size() + bound);
    if (input.data() != raw.data())  // the shuffled bytes, which the resize may have moved
        input = std::span<const unsigned char>(scratch.data(), raw.size());
    unsigned char* const begin = scratch.data() + raw.size();
    unsigned char* at = begin;
    *at++ = 0x78;  // deflate, 32 KiB window
    *at++ = zlib_flags_for(deflate_level);
    std::size_t from = 0;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const Part& part = parts[p];
        const bool last_part = rest == 0 && p + 1 == parts.size();
        if (part.zeros) {
            at = put_zeros(at, part.length, last_part);
        } else {
            for (std::size_t first = 0; first < part.length; first += max_stored_block) {
                const auto length =
                    static_cast<std::uint16_t>(std::min(max_stored_block, part.length - first));
                const bool last = last_part && first + length == part.length;
                *at++ = last ? 0x01 : 0x00;  // BFINAL, BTYPE 00 (stored), the rest padding
                const auto inverted = static_cast<std::uint16_t>(~length);
                *at++ = static_cast<unsigned char>(length & 0xff);
                *at++ = static_cast<unsigned char>(length >> 8);
                *at++ = static_cast<unsigned char>(inverted & 0xff);
                *at++ = static_cast<unsigned char>(inverted >> 8);
                std::memcpy(at, input.data() + from + first, length);
                at += length;
            }
        }
        from += part.length;
    }
    if (rest > 0) {
        const std::size_t size =
            libdeflate_deflate_compress(&compressor, input.data() + taken, rest, at, rest_bound);
        if (size == 0)
            throw Error(
                fmt::format("compressing a chunk of {} bytes at level {}: no room in {} bytes",
                            input.size(), deflate_level, rest_bound));
        at += size;
    }
    const std::uint32_t adler = libdeflate_adler32(1, input.data(), input.size());
    for (int shift = 24; shift >= 0; shift -= 8) *at++ = static_cast<unsigned char>(adler >> shift);
    chunk.bytes.assign(begin, at);
}

void read_block(hid_t dataset, std::span<const hsize_t> start, std::span<const hsize_t> count,
                std::span<double> values) {
    const std::string what = fmt::format("reading a block of '{}'", object_name(dataset));
    Dataspace file_space(check_id(H5Dget_space(dataset), what));
    check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          what);
    Dataspace memory_space = simple_space(count);
    if (element_count(memory_space.id()) != values.size())
        throw std::logic_error(fmt::format("{}: a block of {} values into {}", what,
                                           element_count(memory_space.id()), values.size()));
    check(H5Dread(dataset, H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                  values.data()),
          what);
}

std::vector<std::int32_t> read_ints(hid_t dataset) {
    Dataspace space(check_id(H5Dget_space(dataset), "getting dataspace"));
    std::vector<std::int32_t> values(element_count(space.id()));
    check(H5Dread(dataset, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          fmt::format("reading '{}'", object_name(dataset)));
    return values;
}

std::vector<std::string> read_strings(hid_t dataset) {
    const std::string what = fmt::format("reading '{}'", object_name(dataset));
    Dataspace space(check_id(H5Dget_space(dataset), what));
    Datatype type(check_id(H5Dget_type(dataset), what));
    return read_string_values(
        type.id(), element_count(space.id()),
        [&](hid_t memory, void* buffer) {
            return H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        },
        what);
}

void write_attribute(hid_t object, const std::string& name, std::string_view value) {
    Datatype type = utf8_string_type();
    Attribute attribute = create_attribute(object, name, type.id());
    const std::string text(value);
    const char* pointer = text.c_str();
    check(H5Awrite(attribute.id(), type.id(), &pointer),
          fmt::format("writing attribute '{}'", name));
}

void write_attribute(hid_t object, const std::string& name, double value) {
    Attribute attribute = create_attribute(object, name, H5T_IEEE_F64LE);
    check(H5Awrite(attribute.id(), H5T_NATIVE_DOUBLE, &value),
          fmt::format("writing attribute '{}'", name));
}

void write_attribute(hid_t object, const std::string& name, float value) {
    Attribute attribute = create_attribute(object, name, H5T_IEEE_F32LE);
    check(H5Awrite(attribute.id(), H5T_NATIVE_FLOAT, &value),
          fmt::format("writing attribute '{}'", name));
}

void write_attribute(hid_t object, const std::string& name, std::int32_t value) {
    Attribute attribute = create_attribute(object, name, H5T_STD_I32LE);
    check(H5Awrite(attribute.id(), H5T_NATIVE_INT32, &value),
          fmt::format("writing attribute '{}'", name));
}

bool has_attribute(hid_t object, const std::string& name) {
    const htri_t exists = H5Aexists(object, name.c_str());
    check(static_cast<herr_t>(exists < 0 ? -1 : 0), fmt::format("looking up attribute '{}'", name));
    return exists > 0;
}

std::vector<std::string> attribute_names(hid_t object) { return names_by_index(object, false); }

std::string read_string_attribute(hid_t object, const std::string& name) {
    const std::string what =
        fmt::format("reading attribute '{}' of '{}'", name, object_name(object));
    Attribute attribute(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), what));
    Dataspace space(check_id(H5Aget_space(attribute.id()), what));
    Datatype type(check_id(H5Aget_type(attribute.id()), what));
    auto values = read_string_values(
        type.id(), element_count(space.id()),
        [&](hid_t memory, void* buffer) { return H5Aread(attribute.id(), memory, buffer); }, what);
    if (values.size() != 1) throw Error(fmt::format("{}: not a single string", what));
    return values.front();
}

std::string attribute_text(hid_t object, const std::string& name) {
    const std::string what = fmt::format("reading attribute '{}'", name);
    Attribute attribute(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), what));
    Dataspace space(check_id(H5Aget_space(attribute.id()), what));
    Datatype type(check_id(H5Aget_type(attribute.id()), what));
    const hsize_t n = element_count(space.id());
    switch (H5Tget_class(type.id())) {
        case H5T_STRING: {
            if (n == 1) return read_string_attribute(object, name);
            break;
        }
        case H5T_INTEGER: {
            if (n != 1) break;
            long long value = 0;
            check(H5Aread(attribute.id(), H5T_NATIVE_LLONG, &value), what);
            return std::to_string(value);
        }
        case H5T_FLOAT: {
            if (n != 1) break;
            double value = 0;
            check(H5Aread(attribute.id(), H5T_NATIVE_DOUBLE, &value), what);
            return fmt::format("{}", value);
        }
        default:
            break;
    }
    return fmt::format("[{} values]", n);
}

void make_dimension_scale(hid_t dataset, const std::string& name, int netcdf_dim_id) {
    check(H5DSset_scale(dataset, name.c_str()), fmt::format("making '{}' a dimension", name));
    write_attribute(dataset, "_Netcdf4Dimid", std::int32_t{netcdf_dim_id});
}

void attach_dimension_scale(hid_t dataset, hid_t scale, unsigned axis) {
    check(H5DSattach_scale(dataset, scale, axis),
          fmt::format("attaching dimension '{}' to axis {} of '{}'", object_name(scale), axis,
                      object_name(dataset)));
}

bool is_dimension_scale(hid_t dataset) {
    const htri_t scale = H5DSis_scale(dataset);
    check(static_cast<herr_t>(scale < 0 ? -1 : 0), "checking for a dimension scale");
    return scale > 0;
}

std::vector<std::string> dimension_names(hid_t dataset) {
    const auto rank = shape(dataset).size();
    std::vector<std::string> names(rank);
    for (unsigned axis = 0; axis < rank; ++axis) {
        if (H5DSget_num_scales(dataset, axis) <= 0) continue;
        // The last attached scale names the axis, as netCDF-C and h5netcdf read it.
        auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
            auto& name = *static_cast<std::string*>(data);
            const ssize_t n = H5DSget_scale_name(scale, nullptr, 0);
            if (n <= 0) return 0;
            name.assign(static_cast<std::size_t>(n) + 1, '\0');
            H5DSget_scale_name(scale, name.data(), name.size());
            name.resize(static_cast<std::size_t>(n));
            return 0;
        };
        check(H5DSiterate_scales(dataset, axis, nullptr, visit, &names[axis]),
              fmt::format("reading the dimensions of '{}'", object_name(dataset)));
    }
    return names;
}

}  // namespace socialtwin::hdf5
