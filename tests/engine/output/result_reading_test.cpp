// open_result and read_result_layout: the one place where every command that reads a result
// (info, aggregate, compare, export) learns that a file is not what it relies on - as an
// InputError naming the file, the variable and what was expected, before any value is read.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <array>
#include <fstream>
#include <string>

#include "engine/core/errors.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/result_file.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;
using ::testing::HasSubstr;

class ResultReadingTest : public testing::ResultFileTest {
protected:
    fs::path write_result() {
        const fs::path path = dir_ / "run.h5";
        FixtureRun fixture;
        fixture.write(path);
        return path;
    }

    // The InputError's text when the result is opened and its layout read, "" when it is not
    // refused.
    static std::string refusal(const fs::path& path) {
        try {
            auto file = open_result(path);
            read_result_layout(file.id(), path);
        } catch (const InputError& e) {
            return e.what();
        }
        return {};
    }

    // Replaces `name` in `group` with a float64 variable of `shape` over the dimension scales
    // `scales` (as an editor that keeps the dimension names but changes the size would).
    static void replace_with_shape(hid_t group, const std::string& name,
                                   std::span<const hsize_t> shape,
                                   std::span<const std::string> scales) {
        hdf5::delete_link(group, name);
        auto dataset = hdf5::create_dataset(group, name, H5T_IEEE_F64LE, shape);
        for (unsigned axis = 0; axis < scales.size(); ++axis) {
            auto scale = hdf5::open_dataset(group, scales[axis]);
            hdf5::attach_dimension_scale(dataset.id(), scale.id(), axis);
        }
    }
};

TEST_F(ResultReadingTest, AWellFormedResultIsReadWithItsYearsAreasAndIndicators) {
    const fs::path path = write_result();
    auto file = open_result(path);
    const ResultLayout layout = read_result_layout(file.id(), path);
    EXPECT_EQ(layout.years, (std::vector<std::int32_t>{2024, 2025}));
    EXPECT_EQ(layout.areas.size(), 5u);
    EXPECT_NE(layout.find("population_by_age_sex"), nullptr);
}

TEST_F(ResultReadingTest, AnIndicatorLongerThanTheAreasIsRefusedNamingItAndItsDimensions) {
    const fs::path path = write_result();
    {
        auto file = hdf5::open_file_read_write(path);
        const std::array<hsize_t, 2> shape{2, 7};
        const std::array<std::string, 2> scales{"year", "area"};
        replace_with_shape(file.id(), "gp_contacts", shape, scales);
    }
    const std::string error = refusal(path);
    EXPECT_THAT(error, HasSubstr(path.string() + ": /gp_contacts: has shape (2, 7), which does "
                                                 "not fit its dimensions: expected (year 2, "
                                                 "area 5)"));
}

TEST_F(ResultReadingTest, AnAggregateThatDoesNotFitItsLevelIsRefusedNamingItsGroup) {
    const fs::path path = write_result();
    {
        auto file = hdf5::open_file_read_write(path);
        auto level = hdf5::open_group(file.id(), "aggregates/buurt");
        const std::array<hsize_t, 2> shape{2, 1};
        const std::array<std::string, 2> scales{"year", "buurt"};
        replace_with_shape(level.id(), "population", shape, scales);
    }
    EXPECT_THAT(refusal(path), HasSubstr(": /aggregates/buurt/population: has shape (2, 1)"));
}

TEST_F(ResultReadingTest, YearsStoredAsStringsAreRefusedSayingWholeNumbersWereExpected) {
    const fs::path path = write_result();
    {
        auto file = hdf5::open_file_read_write(path);
        hdf5::delete_link(file.id(), "year");
        const std::array<hsize_t, 1> n{2};
        hdf5::Datatype text = hdf5::utf8_string_type();
        auto year = hdf5::create_dataset(file.id(), "year", text.id(), n);
        const std::array<std::string, 2> labels{"2024", "2025"};
        hdf5::write(year.id(), labels);
    }
    EXPECT_THAT(refusal(path), HasSubstr(path.string() + ": /year: holds strings; expected the "
                                                         "calendar years of the result (whole "
                                                         "numbers"));
}

TEST_F(ResultReadingTest, AResultWithoutAreasIsRefusedNamingTheMissingVariable) {
    const fs::path path = write_result();
    {
        auto file = hdf5::open_file_read_write(path);
        hdf5::delete_link(file.id(), "area");
    }
    EXPECT_THAT(refusal(path), HasSubstr(path.string() + ": /area: missing; expected the codes"));
}

TEST_F(ResultReadingTest, AnIndicatorOfStringsIsRefusedSayingNumbersWereExpected) {
    const fs::path path = write_result();
    {
        auto file = hdf5::open_file_read_write(path);
        hdf5::delete_link(file.id(), "population");
        const std::array<hsize_t, 2> shape{2, 5};
        hdf5::Datatype text = hdf5::utf8_string_type();
        auto dataset = hdf5::create_dataset(file.id(), "population", text.id(), shape);
        for (unsigned axis = 0; axis < 2; ++axis) {
            auto scale = hdf5::open_dataset(file.id(), axis == 0 ? "year" : "area");
            hdf5::attach_dimension_scale(dataset.id(), scale.id(), axis);
        }
    }
    EXPECT_THAT(refusal(path),
                HasSubstr(": /population: holds strings; expected numbers (one value per year "
                          "and area)"));
}

TEST_F(ResultReadingTest, AnEmptyFileIsRefusedAsEmpty) {
    const fs::path path = dir_ / "empty.h5";
    std::ofstream{path};
    EXPECT_THAT(refusal(path), HasSubstr(path.string() + ": an empty file; expected a socialtwin "
                                                         "result"));
}

TEST_F(ResultReadingTest, ATruncatedFileIsRefusedAsDamagedWithoutHdf5sInternals) {
    const fs::path path = write_result();
    fs::resize_file(path, fs::file_size(path) / 2);
    const std::string error = refusal(path);
    EXPECT_THAT(error, HasSubstr(path.string() + ": a damaged or truncated HDF5 file"));
    EXPECT_THAT(error, ::testing::Not(HasSubstr("eof")));
}

}  // namespace
}  // namespace socialtwin
