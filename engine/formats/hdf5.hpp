#pragma once
// A thin RAII layer over the HDF5 C API, only as wide as the result writer and reader need.
// Every handle closes itself; every failing call throws hdf5::Error carrying HDF5's own error
// stack as text, and HDF5's habit of printing that stack to stderr is switched off, so a caller
// decides what the user sees. The serial Debian libhdf5 is not thread-safe: use these from one
// thread at a time.

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socialtwin::hdf5 {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws Error("<what>: <HDF5 error stack>") when `status` is negative (HDF5's failure value).
void check(herr_t status, std::string_view what);
hid_t check_id(hid_t id, std::string_view what);

// Owns one identifier and releases it with the matching H5?close.
template <herr_t (*close_fn)(hid_t)>
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) noexcept : id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    ~Handle() { reset(); }

    hid_t id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return id_ >= 0; }

    // Closes now and reports failure: for the file, where closing writes the last bytes.
    void close(std::string_view what) {
        if (id_ < 0) return;
        check(close_fn(std::exchange(id_, H5I_INVALID_HID)), what);
    }
    // Closes without reporting: for destructors and unwinding, where nobody could act on it.
    void reset() noexcept {
        if (id_ >= 0) close_fn(std::exchange(id_, H5I_INVALID_HID));
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;
using Attribute = Handle<H5Aclose>;
using PropertyList = Handle<H5Pclose>;
using Object = Handle<H5Oclose>;  // any of group, dataset, named datatype

// For programs, before any other HDF5 call: keep HDF5 from closing still-open files in its
// atexit handler. After a failed write (a full disk) HDF5 1.10 cannot close the file: H5Fclose
// fails and leaves the identifier half-closed, and the exit handler then crashes on it (SIGSEGV,
// exit 139, instead of the error's exit 1). Every file socialtwin completes is closed explicitly
// with its error checked; one still open at exit is an unfinished temporary file, already
// removed, whose descriptor the kernel closes.
void skip_library_shutdown_at_exit();

// Files and groups. Created objects track link and attribute creation order, as netCDF-4 files
// do, so readers list datasets and attributes in the order they were written.
File create_file(const std::filesystem::path& path);  // truncates an existing file
File open_file_read_only(const std::filesystem::path& path);
File open_file_read_write(const std::filesystem::path& path);
bool is_hdf5_file(const std::filesystem::path& path);  // false also when unreadable
Group create_group(hid_t parent, const std::string& name);
Group open_group(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& name);
bool is_dataset(hid_t parent, const std::string& name);
std::vector<std::string> link_names(hid_t group);  // in creation order where tracked
bool is_group(hid_t parent, const std::string& name);
void delete_link(hid_t parent, const std::string& name);  // unlinks a dataset or a whole group

// Dataspaces and types.
Dataspace scalar_space();
Dataspace simple_space(std::span<const hsize_t> dims);
Datatype utf8_string_type();  // variable-length, UTF-8
std::vector<hsize_t> shape(hid_t dataset);

// Dataset creation (scalar when `dims` is empty): contiguous unless chunk dims are given; chunked
// datasets get shuffle + deflate at `deflate_level` and `fill` as fill value.
struct DatasetOptions {
    std::vector<hsize_t> chunk;  // empty = contiguous
    int deflate_level = 4;       // 0 = no compression filters
    double fill = 0;             // for float datasets only
    bool set_fill = false;
    // false: this handle gets no chunk cache (HDF5 gives each open dataset 1 MiB by default).
    // For a dataset only ever read and written whole chunks at a time, e.g. by
    // write_stored_chunk, where a cache holds nothing that is read again. Readers that open the
    // file later get their own cache.
    bool chunk_cache = true;
};
Dataset create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                       std::span<const hsize_t> dims, const DatasetOptions& options = {});
Dataset open_dataset(hid_t parent, const std::string& name);

// Whole-dataset writes and reads.
void write(hid_t dataset, std::span<const double> values);
void write(hid_t dataset, std::span<const std::int32_t> values);
void write(hid_t dataset, std::span<const std::string> values);
void write(hid_t dataset, std::string_view value);  // scalar string dataset
// Writes `values` (row-major over `count`) into the block of `dataset` starting at `start`.
void write_block(hid_t dataset, std::span<const hsize_t> start, std::span<const hsize_t> count,
                 std::span<const double> values);
std::vector<double> read_doubles(hid_t dataset);
// Reads the block of `dataset` starting at `start` (row-major over `count`) into `values`.
void read_block(hid_t dataset, std::span<const hsize_t> start, std::span<const hsize_t> count,
                std::span<double> values);
std::vector<std::int32_t> read_ints(hid_t dataset);
std::vector<std::string> read_strings(hid_t dataset);  // fixed- or variable-length

// Stored chunks, copied as they are on disk (still compressed): a merge of results that share a
// chunk layout and filters moves bytes instead of decompressing and compressing every value.
std::vector<hsize_t> chunk_shape(hid_t dataset);  // empty when not chunked
// The same value type and the same filters with the same settings, in the same order (a chunk
// stored by one reads in the other).
bool same_filters(hid_t a, hid_t b);
struct StoredChunk {
    std::uint32_t filter_mask = 0;  // filters skipped when it was stored
    std::vector<unsigned char> bytes;
};
// The chunk starting at `offset` (a multiple of the chunk shape) into `chunk`, reusing its
// buffer; false when that chunk was never written (it reads as the fill value).
bool read_stored_chunk(hid_t dataset, std::span<const hsize_t> offset, StoredChunk& chunk);
void write_stored_chunk(hid_t dataset, std::span<const hsize_t> offset, const StoredChunk& chunk);

// Chunks filtered away from HDF5. H5Dwrite runs its filters (shuffle, deflate) on the one thread
// that may call HDF5; a writer that wants them on many threads does the filtering itself with
// these (they call no HDF5 function, so any thread may) and hands the finished bytes to
// write_stored_chunk with filter mask 0. Values are stored little-endian, as in the files we
// write (H5T_IEEE_F64LE, H5T_IEEE_F32LE).
//
// `value` as HDF5 converts a double to a float32 dataset: out of float's range it becomes
// +-infinity (H5T_CONV_Ff), where a plain cast would round a value just above FLT_MAX down.
// Inline: a year's chunks convert every value through it (a call per value was ~1% of a
// PC6-density run).
inline float to_stored_float32(double value) noexcept {
    constexpr double largest = std::numeric_limits<float>::max();
    if (value > largest) return std::numeric_limits<float>::infinity();
    if (value < -largest) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(value);  // NaN stays NaN
}
// The same for `values.size()` values into `out`, four at a time where the build has AVX2 (the
// loop above is not vectorised: with trapping math the compiler keeps its comparisons in
// order). The same floats to the bit.
void to_stored_float32(std::span<const double> values, float* out) noexcept;
// The bytes a chunk of `raw` (the chunk's values as stored, `element_size` bytes each, a full
// chunk: an edge chunk padded with the fill value) takes in a dataset made with `deflate_level`
// (DatasetOptions): HDF5's shuffle filter (H5Z_FILTER_SHUFFLE: byte b of every element together,
// b = 0 first) then deflate at that level (1-12) into one zlib stream, which H5Z_FILTER_DEFLATE
// inflates in any HDF5 reader. The deflating is libdeflate's, not zlib's compress2 that H5Dwrite
// calls: about four times less CPU and a slightly smaller chunk, so the bytes are not the ones
// H5Dwrite would store, but they read back as the same values, and the same input gives the same
// bytes (libdeflate's CPU-specific code is in checksums and table resets, not in the matching).
// Leading planes that look random (looks_incompressible) go into the stream as stored blocks.
// A chunk of zeros gives the same stream as ever, made once per size and level on each thread.
// Level 0: the raw bytes. `scratch` is reused between calls to keep allocations out of a loop over
// chunks.
void filter_chunk(std::span<const unsigned char> raw, std::size_t element_size, int deflate_level,
                  std::vector<unsigned char>& scratch, StoredChunk& chunk);
// Whether deflate could not shrink `plane` (one byte of every element after the shuffle):
// bytes that look random, such as the low mantissa bytes of computed values (euros, expected
// contacts), which the shuffle puts first. filter_chunk stores the leading planes that look so
// without a match search, which costs deflate most on exactly these bytes and finds nothing
// (zlib at level 1, plane by plane on a cohort result's chunks, spent about 70% of its time on
// planes it left at 0.99-1.00 of their size). The test is cheap and one-sided: a plane of at
// least 512 bytes whose collision entropy (-log2 of the chance that two of its bytes are equal;
// never above the Shannon entropy a Huffman code could reach) is at least 7 bits a byte, and in
// which fewer than 1 byte in 64 repeats the one before (deflate's runs). Zeros, few distinct
// bytes, runs and shorter planes are left to deflate.
bool looks_incompressible(std::span<const unsigned char> plane);

// Attributes (scalars; strings are stored variable-length UTF-8).
void write_attribute(hid_t object, const std::string& name, std::string_view value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, float value);  // as float32
void write_attribute(hid_t object, const std::string& name, std::int32_t value);
bool has_attribute(hid_t object, const std::string& name);
std::vector<std::string> attribute_names(hid_t object);  // in creation order where tracked
std::string read_string_attribute(hid_t object, const std::string& name);
// Any scalar string, integer or float attribute as text; arrays as "[n values]".
std::string attribute_text(hid_t object, const std::string& name);

// Dimension scales (HDF5 high-level library), the way netCDF-4 and h5netcdf see dimensions.
// `netcdf_dim_id` is stored as _Netcdf4Dimid so netCDF readers keep the dimensions in order.
void make_dimension_scale(hid_t dataset, const std::string& name, int netcdf_dim_id);
void attach_dimension_scale(hid_t dataset, hid_t scale, unsigned axis);
bool is_dimension_scale(hid_t dataset);
// The name of the scale attached to each axis of `dataset` ("" where none is).
std::vector<std::string> dimension_names(hid_t dataset);

}  // namespace socialtwin::hdf5
