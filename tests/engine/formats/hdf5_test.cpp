#include "engine/formats/hdf5.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace socialtwin {
namespace {

namespace fs = std::filesystem;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

class Hdf5ChunkFilterTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() / ("socialtwin-" + std::string(test->name()) + "-" +
                                             std::to_string(getpid()) + ".h5");
        file_ = hdf5::create_file(path_);
    }
    void TearDown() override {
        file_.reset();
        std::error_code ignored;
        fs::remove(path_, ignored);
    }
    // A chunked dataset of `n` values in chunks of `chunk`, NaN where never written, as the
    // result writer makes them.
    hdf5::Dataset dataset(const std::string& name, hid_t type, hsize_t n, hsize_t chunk,
                          int deflate_level = 4) {
        hdf5::DatasetOptions options;
        options.chunk = {chunk};
        options.deflate_level = deflate_level;
        options.fill = nan;
        options.set_fill = true;
        const std::array<hsize_t, 1> dims{n};
        return hdf5::create_dataset(file_.id(), name, type, dims, options);
    }
    fs::path path_;
    hdf5::File file_;
};

// Values with runs and variety (counts, fractions, zeros), as an indicator's year has them.
std::vector<double> sample_values(std::size_t n) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i)
        values[i] = i % 7 == 0 ? 0.0
                               : static_cast<double>(i % 97) * 1.25 +
                                     1.0 / (1.0 + static_cast<double>(i % 13));
    return values;
}

template <class T>
std::span<const unsigned char> bytes_of(const std::vector<T>& values) {
    return {reinterpret_cast<const unsigned char*>(values.data()), values.size() * sizeof(T)};
}

// Inflate a zlib stream as HDF5's deflate filter does (zlib's inflate), into `size` bytes.
std::vector<unsigned char> inflated(const std::vector<unsigned char>& stream, std::size_t size) {
    std::vector<unsigned char> out(size + 1);
    uLongf made = static_cast<uLongf>(out.size());
    EXPECT_EQ(uncompress(out.data(), &made, stream.data(), static_cast<uLong>(stream.size())),
              Z_OK);
    out.resize(made);
    return out;
}

// filter_chunk's chunk holds what H5Dwrite stores through the dataset's own filters, once
// inflated: zlib's inflate (any HDF5 reader's) gives the very bytes HDF5's shuffle made of the
// same values. The compressed bytes are libdeflate's, smaller than the raw values. The last chunk
// is an edge chunk (1000 values in chunks of 384), padded with the fill value.
TEST_F(Hdf5ChunkFilterTest, InflatesToWhatHdf5sOwnFiltersStore) {
    constexpr hsize_t n = 1000, chunk = 384;
    const auto values = sample_values(n);
    for (const bool float32 : {false, true}) {
        SCOPED_TRACE(float32 ? "float32" : "float64");
        const std::size_t size = float32 ? sizeof(float) : sizeof(double);
        auto stored =
            dataset(float32 ? "f4" : "f8", float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, n, chunk);
        hdf5::write(stored.id(), std::span<const double>(values));
        std::vector<unsigned char> scratch;
        for (hsize_t first = 0; first < n; first += chunk) {
            // The chunk's values as stored, padded to the full chunk with the fill value.
            std::vector<double> doubles(chunk, nan);
            std::copy(values.begin() + static_cast<std::ptrdiff_t>(first),
                      values.begin() + static_cast<std::ptrdiff_t>(std::min(n, first + chunk)),
                      doubles.begin());
            std::vector<float> floats(chunk);
            for (std::size_t i = 0; i < chunk; ++i) floats[i] = hdf5::to_stored_float32(doubles[i]);
            for (const int level : {1, 4, 9}) {
                SCOPED_TRACE(level);
                hdf5::StoredChunk ours;
                hdf5::filter_chunk(float32 ? bytes_of(floats) : bytes_of(doubles), size, level,
                                   scratch, ours);
                hdf5::StoredChunk theirs;
                const std::array<hsize_t, 1> offset{first};
                ASSERT_TRUE(hdf5::read_stored_chunk(stored.id(), offset, theirs));
                EXPECT_EQ(ours.filter_mask, 0u);
                EXPECT_LT(ours.bytes.size(), chunk * size) << "compressed";
                EXPECT_EQ(inflated(ours.bytes, chunk * size), inflated(theirs.bytes, chunk * size))
                    << "chunk at " << first;
            }
        }
    }
}

// A chunk stored with write_stored_chunk reads back, through HDF5's filters, as its values:
// also an edge chunk, whose padding a reader never sees.
TEST_F(Hdf5ChunkFilterTest, StoredChunksReadBackAsTheirValues) {
    constexpr hsize_t n = 10, chunk = 4;
    const std::vector<double> values{1.5, 0, 0, 3, -2.25, 1e300, 7, 7, 7, 0.1};
    auto stored = dataset("values", H5T_IEEE_F64LE, n, chunk);
    std::vector<unsigned char> scratch;
    for (hsize_t first = 0; first < n; first += chunk) {
        std::vector<double> padded(chunk, nan);
        for (hsize_t i = first; i < std::min(n, first + chunk); ++i) padded[i - first] = values[i];
        hdf5::StoredChunk ours;
        hdf5::filter_chunk(bytes_of(padded), sizeof(double), 4, scratch, ours);
        const std::array<hsize_t, 1> offset{first};
        hdf5::write_stored_chunk(stored.id(), offset, ours);
    }
    const auto back = hdf5::read_doubles(stored.id());
    ASSERT_EQ(back.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i]), std::bit_cast<std::uint64_t>(values[i]))
            << i;
}

// Without compression (level 0, a dataset without filters) the chunk is its raw bytes.
TEST_F(Hdf5ChunkFilterTest, LevelZeroLeavesTheBytesAsTheyAre) {
    const std::vector<double> values{1, 2, 3, 4};
    std::vector<unsigned char> scratch;
    hdf5::StoredChunk chunk;
    hdf5::filter_chunk(bytes_of(values), sizeof(double), 0, scratch, chunk);
    const auto raw = bytes_of(values);
    EXPECT_EQ(chunk.bytes, std::vector<unsigned char>(raw.begin(), raw.end()));
}

// The shuffle puts byte b of every element together, byte 0 first, and leaves a tail shorter
// than an element at the end; then zlib deflates: inflated, the chunk is the transposed bytes.
TEST_F(Hdf5ChunkFilterTest, ShuffleGroupsByteBOfEveryElementThenDeflates) {
    // Three 4-byte elements and a 2-byte tail: not an HDF5 chunk, but the filter's own rule.
    const std::vector<unsigned char> raw{0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22,
                                         0x23, 0x30, 0x31, 0x32, 0x33, 0xee, 0xff};
    std::vector<unsigned char> scratch;
    hdf5::StoredChunk chunk;
    hdf5::filter_chunk(raw, 4, 1, scratch, chunk);
    std::vector<unsigned char> inflated(64);
    uLongf size = static_cast<uLongf>(inflated.size());
    ASSERT_EQ(uncompress(inflated.data(), &size, chunk.bytes.data(),
                         static_cast<uLong>(chunk.bytes.size())),
              Z_OK);
    inflated.resize(size);
    const std::vector<unsigned char> shuffled{0x10, 0x20, 0x30, 0x11, 0x21, 0x31, 0x12,
                                              0x22, 0x32, 0x13, 0x23, 0x33, 0xee, 0xff};
    EXPECT_EQ(inflated, shuffled);
}

// The same rule for every element size and for as many elements as a real chunk holds, in
// blocks and a remainder (150 elements: two blocks of 64 and 22), with a tail of one byte less
// than an element.
TEST_F(Hdf5ChunkFilterTest, ShuffleOfAChunkOfAnyElementSizeFollowsTheRule) {
    constexpr std::size_t n = 150;
    for (const std::size_t size : {2u, 3u, 4u, 8u}) {
        SCOPED_TRACE(size);
        const std::size_t tail = size - 1;
        std::vector<unsigned char> raw(n * size + tail);
        for (std::size_t i = 0; i < raw.size(); ++i)
            raw[i] = static_cast<unsigned char>((i * 37 + i / 7) & 0xff);
        std::vector<unsigned char> expected(raw.size());
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t b = 0; b < size; ++b) expected[b * n + i] = raw[i * size + b];
        std::copy(raw.end() - tail, raw.end(), expected.end() - tail);
        std::vector<unsigned char> scratch;
        hdf5::StoredChunk chunk;
        hdf5::filter_chunk(raw, size, 1, scratch, chunk);
        std::vector<unsigned char> inflated(raw.size() + 64);
        uLongf got = static_cast<uLongf>(inflated.size());
        ASSERT_EQ(uncompress(inflated.data(), &got, chunk.bytes.data(),
                             static_cast<uLong>(chunk.bytes.size())),
                  Z_OK);
        inflated.resize(got);
        EXPECT_EQ(inflated, expected);
    }
}

// The shuffled chunk of `values` (`Size`-byte elements): plane b (byte b of every element) at
// b * n, as filter_chunk deflates it.
template <class T>
std::vector<unsigned char> shuffled(const std::vector<T>& values) {
    const auto raw = bytes_of(values);
    std::vector<unsigned char> out(raw.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        for (std::size_t b = 0; b < sizeof(T); ++b)
            out[b * values.size() + i] = raw[i * sizeof(T) + b];
    return out;
}

bool holds(const std::vector<unsigned char>& haystack, std::span<const unsigned char> needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

// Computed values (expected contacts, euros) have low mantissa bytes that look random: after the
// shuffle those planes come first, and deflate cannot shrink them. They are stored in the zlib
// stream as they are (stored blocks, here six planes of 16,384 bytes: more than one block of at
// most 65,535), the exponent planes deflated after them; any inflater reads the whole, and HDF5
// reads back the values.
TEST_F(Hdf5ChunkFilterTest, PlanesThatLookRandomAreStoredAsTheyAreAndTheRestDeflated) {
    constexpr std::size_t n = 16384;
    std::mt19937_64 draws(7);
    std::uniform_real_distribution<double> spread(10.0, 100.0);
    std::vector<double> values(n);
    for (double& v : values) v = spread(draws);
    const auto planes = shuffled(values);
    std::vector<unsigned char> scratch;
    hdf5::StoredChunk chunk;
    hdf5::filter_chunk(bytes_of(values), sizeof(double), 1, scratch, chunk);
    EXPECT_EQ(inflated(chunk.bytes, n * sizeof(double)), planes);
    // Six low planes look random (stored), the two with the sign and exponent do not.
    const std::span<const unsigned char> all(planes);
    for (std::size_t b = 0; b < sizeof(double); ++b)
        EXPECT_EQ(hdf5::looks_incompressible(all.subspan(b * n, n)), b < 6) << "plane " << b;
    EXPECT_TRUE(holds(chunk.bytes, all.subspan(0, n))) << "first plane stored";
    EXPECT_FALSE(holds(chunk.bytes, all.subspan(7 * n, n))) << "last plane deflated";
    EXPECT_LT(chunk.bytes.size(), 7 * n) << "the exponents compressed";

    auto stored = dataset("values", H5T_IEEE_F64LE, n, n, 1);
    const std::array<hsize_t, 1> origin{0};
    hdf5::write_stored_chunk(stored.id(), origin, chunk);
    const auto back = hdf5::read_doubles(stored.id());
    ASSERT_EQ(back.size(), n);
    for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(back[i]), std::bit_cast<std::uint64_t>(values[i]))
            << i;
}

// Planes too short to tell are left to deflate, whatever their bytes.
TEST_F(Hdf5ChunkFilterTest, APlaneShorterThan512BytesIsLeftToDeflate) {
    std::mt19937 draws(5);
    std::vector<unsigned char> plane(600);
    for (unsigned char& byte : plane) byte = static_cast<unsigned char>(draws() >> 24);
    EXPECT_TRUE(hdf5::looks_incompressible(plane));
    EXPECT_FALSE(hdf5::looks_incompressible(std::span<const unsigned char>(plane).first(511)));
}

// A chunk of random bytes is stored whole (the final bit on the last stored block); with a tail
// shorter than an element, the tail is deflated after the stored planes.
TEST_F(Hdf5ChunkFilterTest, AChunkOfRandomBytesIsStoredWhole) {
    constexpr std::size_t n = 4096;
    std::mt19937 draws(11);
    for (const std::size_t tail : {0u, 3u}) {
        SCOPED_TRACE(tail);
        std::vector<unsigned char> raw(n * 4 + tail);
        for (unsigned char& byte : raw) byte = static_cast<unsigned char>(draws() >> 24);
        std::vector<unsigned char> scratch;
        hdf5::StoredChunk chunk;
        hdf5::filter_chunk(raw, 4, 1, scratch, chunk);
        std::vector<unsigned char> expected(raw.size());
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t b = 0; b < 4; ++b) expected[b * n + i] = raw[i * 4 + b];
        std::copy(raw.end() - static_cast<std::ptrdiff_t>(tail), raw.end(),
                  expected.end() - static_cast<std::ptrdiff_t>(tail));
        EXPECT_EQ(inflated(chunk.bytes, raw.size()), expected);
        EXPECT_TRUE(hdf5::looks_incompressible(std::span<const unsigned char>(expected).first(n)));
        // Header, one stored block (5 bytes of its own), the tail's deflate block, checksum.
        if (tail == 0)
            EXPECT_EQ(chunk.bytes.size(), 2 + 5 + 4 * n + 4);
        else
            EXPECT_LE(chunk.bytes.size(), 2 + 5 + 4 * n + 16 + 4);
    }
}

// Leading planes of zeros -- the low mantissa bytes of counts stored as floats, every plane of a
// breakdown no one is in -- are runs in a block of deflate's fixed codes: any inflater reads the
// chunk back, whatever the planes' length (each remainder of a run of 258: none, 1, 2, 3 and
// 257 bytes, the longest match's length and every extra-bits width), their element size, a tail,
// or what comes before and after them (random planes stored, planes deflated), and a chunk of
// zeros takes about 13 bits per 258 bytes.
TEST_F(Hdf5ChunkFilterTest, PlanesOfZerosAreRunsThatAnyInflaterReads) {
    std::mt19937 draws(5);
    auto shuffle = [](const std::vector<unsigned char>& raw, std::size_t size) {
        const std::size_t n = raw.size() / size;
        std::vector<unsigned char> out(raw);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t b = 0; b < size; ++b) out[b * n + i] = raw[i * size + b];
        return out;
    };
    std::vector<unsigned char> scratch;
    hdf5::StoredChunk chunk;
    // Whole chunks of zeros: one run of n * size bytes, so n * size - 1 after the first literal.
    for (const std::size_t n : {516u, 517u, 518u, 519u, 773u, 1290u, 32000u})
        for (const std::size_t size : {4u, 8u})
            for (const std::size_t tail : {0u, 3u}) {
                SCOPED_TRACE(testing::Message() << n << " x " << size << " + " << tail);
                const std::vector<unsigned char> raw(n * size + tail, 0);
                hdf5::filter_chunk(raw, size, 1, scratch, chunk);
                EXPECT_EQ(inflated(chunk.bytes, raw.size()), raw);
                if (tail == 0) {
                    EXPECT_LE(chunk.bytes.size(), raw.size() / 150 + 2 + 12 + 4);
                }
            }
    // The run lengths 3 to 258 one by one (each length symbol and its extra bits): the chunk's
    // planes are zeros after plane 0, which is random.
    for (std::size_t n = 512; n < 512 + 258; ++n) {
        SCOPED_TRACE(n);
        std::vector<unsigned char> raw(n * 2, 0);
        for (std::size_t i = 0; i < n; ++i) raw[i * 2] = static_cast<unsigned char>(draws() >> 24);
        hdf5::filter_chunk(raw, 2, 1, scratch, chunk);
        ASSERT_EQ(inflated(chunk.bytes, raw.size()), shuffle(raw, 2));
    }
    // Counts as floats (planes 0 and 1 zeros), after them or before them a random plane, and
    // exponents deflated last.
    constexpr std::size_t n = 4096;
    std::vector<float> counts(n);
    for (float& c : counts) c = static_cast<float>(draws() % 40);
    const auto count_bytes = bytes_of(counts);
    std::vector<unsigned char> raw(count_bytes.begin(), count_bytes.end());
    hdf5::filter_chunk(raw, 4, 1, scratch, chunk);
    EXPECT_EQ(inflated(chunk.bytes, raw.size()), shuffle(raw, 4));
    EXPECT_LT(chunk.bytes.size(), raw.size() / 3);
    for (std::size_t i = 0; i < n; ++i) raw[i * 4] = static_cast<unsigned char>(draws() >> 24);
    hdf5::filter_chunk(raw, 4, 1, scratch, chunk);
    EXPECT_EQ(inflated(chunk.bytes, raw.size()), shuffle(raw, 4));
    for (std::size_t i = 0; i < n; ++i) {
        raw[i * 4 + 1] = raw[i * 4];
        raw[i * 4] = 0;
    }
    hdf5::filter_chunk(raw, 4, 1, scratch, chunk);
    EXPECT_EQ(inflated(chunk.bytes, raw.size()), shuffle(raw, 4));
}

// What deflate can shrink is left to it: random bytes that come in runs (each twice, from the
// start or after the first bytes) or among many zeros (empty cells, nearly half of a PC6
// area's age bands) are deflated, as are counts (whole numbers, whose low planes are zeros).
TEST_F(Hdf5ChunkFilterTest, PlanesWithRunsOrZerosAreLeftToDeflate) {
    constexpr std::size_t n = 8192;
    std::mt19937_64 draws(3);
    std::uniform_real_distribution<double> spread(10.0, 100.0);
    std::vector<float> runs(n), late_runs(n), zeros(n), counts(n);
    for (std::size_t i = 0; i < n; ++i) {
        runs[i] = i % 2 == 0 ? static_cast<float>(spread(draws)) : runs[i - 1];
        late_runs[i] = i < 128 || i % 2 == 0 ? static_cast<float>(spread(draws)) : late_runs[i - 1];
        zeros[i] = draws() % 9 < 4 ? 0.0f : static_cast<float>(spread(draws));
        counts[i] = static_cast<float>(draws() % 40);
    }
    for (const auto* values : {&runs, &late_runs, &zeros, &counts}) {
        std::vector<unsigned char> scratch;
        hdf5::StoredChunk chunk;
        hdf5::filter_chunk(bytes_of(*values), sizeof(float), 1, scratch, chunk);
        const auto planes = shuffled(*values);
        EXPECT_EQ(inflated(chunk.bytes, n * sizeof(float)), planes);
        for (std::size_t b = 0; b < sizeof(float); ++b)
            EXPECT_FALSE(hdf5::looks_incompressible(
                std::span<const unsigned char>(planes).subspan(b * n, n)))
                << "plane " << b;
        EXPECT_LT(chunk.bytes.size(), n * sizeof(float) * 85 / 100);
    }
}

// A double becomes the float32 HDF5's own conversion stores: read back from a float32 dataset
// written with doubles, each value is to_stored_float32's, to the bit; out of float's range
// that is infinity, not the nearest float.
TEST_F(Hdf5ChunkFilterTest, Float32ConversionIsHdf5s) {
    const double just_above_max = std::nextafter(double{std::numeric_limits<float>::max()}, 1e300);
    const std::vector<double> values{0.1,  1.0 / 3.0, 123456789.0, 1e-50,          -1e-50,
                                     1e39, -1e39,     1e300,       just_above_max, -just_above_max,
                                     0.0,  -0.0,      nan,         16777217.0,     2.5e-45};
    auto stored = dataset("f4", H5T_IEEE_F32LE, values.size(), values.size(), 0);
    hdf5::write(stored.id(), std::span<const double>(values));
    std::vector<float> back(values.size());
    ASSERT_GE(H5Dread(stored.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()),
              0);
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(std::bit_cast<std::uint32_t>(back[i]),
                  std::bit_cast<std::uint32_t>(hdf5::to_stored_float32(values[i])))
            << values[i];
    EXPECT_TRUE(std::isinf(hdf5::to_stored_float32(just_above_max)));
}

// Many values at once (four at a time where the build has AVX2) convert as one at a time, to the
// bit: each kind of value in every lane, and a remainder.
TEST_F(Hdf5ChunkFilterTest, Float32ConversionOfManyIsThatOfEach) {
    const double just_above_max = std::nextafter(double{std::numeric_limits<float>::max()}, 1e300);
    const std::vector<double> kinds{0.1,
                                    1.0 / 3.0,
                                    123456789.0,
                                    1e-50,
                                    -1e39,
                                    1e300,
                                    just_above_max,
                                    -just_above_max,
                                    double{std::numeric_limits<float>::max()},
                                    -0.0,
                                    nan,
                                    -nan,
                                    std::numeric_limits<double>::infinity(),
                                    16777217.0,
                                    2.5e-45};
    std::vector<double> values;
    for (std::size_t shift = 0; shift < 4; ++shift) {
        values.insert(values.end(), shift, 7.0);
        values.insert(values.end(), kinds.begin(), kinds.end());
    }
    std::vector<float> many(values.size());
    hdf5::to_stored_float32(values, many.data());
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(std::bit_cast<std::uint32_t>(many[i]),
                  std::bit_cast<std::uint32_t>(hdf5::to_stored_float32(values[i])))
            << i << ": " << values[i];
}

}  // namespace
}  // namespace socialtwin
