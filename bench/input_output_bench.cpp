// Questions these benchmarks answer (answers in docs/performance.md, issue 13):
//  1. How fast are a year's result chunks deflated (hdf5::filter_chunk: shuffle, then
//     libdeflate at the result files' level), on values like a PC6 area's: small whole counts,
//     many zeros, and expected values with every digit (float64)?
//  2. How fast is a dataset's population table parsed and read field by field (CsvTable keeps
//     the text and where each row starts; a field is found by scanning its row)?
// Counters: bytes/s of raw chunk values; rows/s of the table. The inputs are SYNTHETIC.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/formats/csv.hpp"
#include "engine/formats/hdf5.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {
namespace {

// 32,000 values, the writer's chunk (engine/output/hdf5_writer.cpp): counts of persons by sex and
// age band in areas of ~30 (mostly 0, 1, 2) and, every fourth value, an expected value.
std::vector<double> pc6_like_chunk() {
    std::vector<double> values(32000);
    std::uint64_t state = 12345;
    for (std::size_t i = 0; i < values.size(); ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const auto r = static_cast<std::uint32_t>(state >> 33);
        values[i] = i % 4 == 3 ? static_cast<double>(r % 1000) * 0.0137
                               : static_cast<double>(r % 7 < 4 ? 0 : r % 3);
    }
    return values;
}

// The chunk's values as stored (double, or float as an agent run stores them:
// docs/output-schema.md, "Precision"), filtered again and again.
template <typename Stored>
void filter_chunk_again_and_again(benchmark::State& state) {
    std::vector<Stored> values;
    for (const double v : pc6_like_chunk())
        values.push_back(std::is_same_v<Stored, float> ? hdf5::to_stored_float32(v)
                                                       : static_cast<Stored>(v));
    const std::span<const unsigned char> raw(reinterpret_cast<const unsigned char*>(values.data()),
                                             values.size() * sizeof(Stored));
    std::vector<unsigned char> scratch;
    hdf5::StoredChunk chunk;
    for (auto _ : state) {
        hdf5::filter_chunk(raw, sizeof(Stored), result_layout::deflate_level, scratch, chunk);
        benchmark::DoNotOptimize(chunk.bytes.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
    state.counters["compressed_share"] =
        static_cast<double>(chunk.bytes.size()) / static_cast<double>(raw.size());
}
void BM_FilterChunk_Float64(benchmark::State& state) {
    filter_chunk_again_and_again<double>(state);
}
BENCHMARK(BM_FilterChunk_Float64);
void BM_FilterChunk_Float32(benchmark::State& state) { filter_chunk_again_and_again<float>(state); }
BENCHMARK(BM_FilterChunk_Float32);

// A population table as bench/pc6_density_dataset.py writes it: one row per area, sex and age
// with counts by household position; 200,000 rows (~6 MB), every field read once.
void BM_PopulationCsv_ParseAndRead(benchmark::State& state) {
    std::string text =
        "area,sex,age,child_at_home,living_alone,partner_no_children,partner_with_children,"
        "single_parent,other_member,institution\n";
    constexpr int rows = 200000;
    for (int r = 0; r < rows; ++r)
        text += "1011-" + std::to_string(r / 30) + (r % 2 ? ",male," : ",female,") +
                std::to_string(r % 100) + ",1,0,0,2,0,0,0\n";
    for (auto _ : state) {
        CsvTable table = parse_csv(text, "population.csv", {});
        std::int64_t total = 0;
        for (std::size_t row = 0; row < table.size(); ++row)
            for (std::size_t c = 3; c < table.header().size(); ++c)
                total += table.whole_number(row, CsvColumn{c}, 0);
        benchmark::DoNotOptimize(total);
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * rows,
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PopulationCsv_ParseAndRead)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace socialtwin
