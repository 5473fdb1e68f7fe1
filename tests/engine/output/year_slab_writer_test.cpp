// YearSlabWriter: whole years of a result variable deflated on several threads and stored as
// chunks, read back through HDF5's own filters as the values written -- the same as write_slab.

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/formats/hdf5.hpp"
#include "engine/output/result_file.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<std::uint64_t> bits(const std::vector<double>& values) {
    std::vector<std::uint64_t> out;
    for (const double v : values) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
}

class YearSlabWriterTest : public testing::ResultFileTest {
protected:
    // A variable (year, unit, sex, band) as the aggregates have: 5 years, 1,700 units (chunks of
    // 800 units: two whole and an edge chunk of 100), 2 x 20 values a unit.
    static constexpr hsize_t years = 5, units = 1700, sexes = 2, bands = 20;
    hdf5::Dataset variable(hid_t file, const std::string& name) {
        const std::array<hsize_t, 4> shape{years, units, sexes, bands};
        std::array<hdf5::Dataset, 4> scales{
            write_dimension(file, name + "_year", std::vector<std::int32_t>(years, 0), next_++),
            write_dimension(file, name + "_unit", std::vector<std::int32_t>(units, 0), next_++),
            write_dimension(file, name + "_sex", std::vector<std::int32_t>(sexes, 0), next_++),
            write_dimension(file, name + "_band", std::vector<std::int32_t>(bands, 0), next_++)};
        const std::array<hid_t, 4> ids{scales[0].id(), scales[1].id(), scales[2].id(),
                                       scales[3].id()};
        return create_variable(file, name, ids, shape, 0);
    }
    // Year y's values: whole numbers, fractions and a NaN now and then.
    static std::vector<double> year_values(hsize_t y) {
        std::vector<double> values(units * sexes * bands);
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = i % 97 == 0 ? nan
                                    : static_cast<double>((i * 7 + y * 13) % 50) +
                                          (i % 3 == 0 ? 1.0 / static_cast<double>(i + 1) : 0.0);
        return values;
    }
    int next_ = 0;
};

TEST_F(YearSlabWriterTest, YearsWrittenOnAnyNumberOfThreadsReadBackAsWriteSlabWroteThem) {
    const auto path = dir_ / "slabs.h5";
    {
        auto file = hdf5::create_file(path);
        auto reference = variable(file.id(), "reference");
        for (hsize_t y = 0; y < years; ++y) {
            const std::array<hsize_t, 1> at{y};
            write_slab(reference.id(), at, year_values(y));
        }
        for (const int threads : {1, 2}) {
            auto ours = variable(file.id(), "threads_" + std::to_string(threads));
            YearSlabWriter writer(ours.id(), threads);
            // Out of order, in two flushes.
            for (const hsize_t y : {3, 0, 4, 1}) writer.add(y, year_values(y));
            writer.flush();
            writer.add(2, year_values(2));
            writer.flush();
        }
    }
    auto file = hdf5::open_file_read_only(path);
    const auto reference =
        bits(hdf5::read_doubles(hdf5::open_dataset(file.id(), "reference").id()));
    for (const std::string name : {"threads_1", "threads_2"}) {
        SCOPED_TRACE(name);
        auto ours = hdf5::open_dataset(file.id(), name);
        EXPECT_EQ(bits(hdf5::read_doubles(ours.id())), reference);
        EXPECT_EQ(hdf5::chunk_shape(ours.id()), (std::vector<hsize_t>{1, 800, sexes, bands}));
    }
}

// A layout it does not store chunks for (not chunked by year) is written as write_slab would.
TEST_F(YearSlabWriterTest, AnotherLayoutIsWrittenThroughHdf5sOwnPipeline) {
    const auto path = dir_ / "contiguous.h5";
    const std::array<hsize_t, 2> shape{3, 4};
    {
        auto file = hdf5::create_file(path);
        auto dataset = hdf5::create_dataset(file.id(), "values", H5T_IEEE_F64LE, shape);
        YearSlabWriter writer(dataset.id(), 2);
        for (hsize_t y = 0; y < 3; ++y) writer.add(y, {1.0 * static_cast<double>(y), 2, 3, 4.5});
        writer.flush();
    }
    auto file = hdf5::open_file_read_only(path);
    EXPECT_EQ(hdf5::read_doubles(hdf5::open_dataset(file.id(), "values").id()),
              (std::vector<double>{0, 2, 3, 4.5, 1, 2, 3, 4.5, 2, 2, 3, 4.5}));
}

}  // namespace
}  // namespace socialtwin
