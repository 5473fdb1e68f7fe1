#pragma once
// The result file of a run, written as the run goes: an Observer that opens a temporary HDF5 file
// next to the target at construction (so a bad output path fails before a long run, not after),
// lays out every dataset at on_start, writes each (year, replicate)'s values as they arrive, and
// at on_finish (with several replicates) derives the mean and quantiles over replicates and
// renames the finished file onto the target (engine/formats/output_file.hpp). A writer destroyed
// before on_finish (exception, interrupt) removes its temporary file and leaves the target alone.
//
// The layout it writes, and every reader reads, is engine/output/result_layout.hpp; at on_finish
// it adds /aggregates (engine/output/aggregate.hpp) unless Hdf5WriterOptions::aggregates is false.
//
// Every HDF5 call of a writer is made on its own thread (a std::thread, not a TBB worker: the
// serial Debian libhdf5 is not thread-safe, and nothing else calls HDF5 during a run). The
// work of a year is not: on_year cuts the year's values into the datasets' chunks and filters
// each as HDF5 would (float32 conversion, NaN padding of an edge chunk, shuffle, deflate:
// hdf5::filter_chunk) in parallel over (indicator, chunk) on the run's threads
// (Hdf5WriterOptions::threads), then hands only the compressed chunks to the writer thread,
// which stores them as they are (H5Dwrite_chunk) in a fixed order while the projection computes
// the next year. The file is the one HDF5's own filters would make: same filters in the
// datasets' creation properties, the same bytes in every chunk, whatever the thread count.
// One year is in hand at a time: on_year first waits until the writer is done with the previous
// one (one compressed year in memory, no copy of the results). A failure on the writer thread (a
// full disk) is thrown again, the same exception, from the next on_year or from on_finish; the
// constructor and on_start wait for their part and throw theirs at once.
//
// The aggregates (/aggregates) are computed in on_year, alongside the chunks, from each year's
// values as they arrive (AggregateAccumulator, one task per indicator) and written at on_finish,
// without reading the file back.
//
// Memory stays bounded: on_year writes its block at once (into <indicator> with one replicate,
// into <indicator>_replicates with several: in the result, or with area_replicates off in a
// scratch HDF5 file beside it), and with several replicates on_finish reads back one year and one
// chunk of areas of all replicates at a time (at most replicates x 32 Ki values), writes their
// mean and quantiles, and moves on. The companion names are reserved
// whatever N, so a catalog that writes with one replicate writes with any number.

#include <array>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/core/observer.hpp"
#include "engine/formats/output_file.hpp"
#include "engine/output/result_layout.hpp"

namespace socialtwin {

struct Hdf5WriterOptions {
    // At on_finish, aggregate every indicator to the larger areas (pc4, buurt, wijk, gemeente)
    // into /aggregates (engine/output/aggregate.hpp); `socialtwin run --no-aggregates` turns it
    // off.
    bool aggregates = true;
    // Store the indicators (and their replicates and quantiles) as float32 instead of float64
    // (scenario key output.precision): half the bytes, ~7 significant digits. Aggregates stay
    // float64, computed from the values before rounding.
    bool float32 = false;
    // Round every stored indicator value (replicates and quantiles too) to this many mantissa
    // bits (BitRound, engine/output/bit_round.hpp; scenario key output.significant_digits), and
    // say so as CF 1.12 quantization; 0 = every bit. Aggregates stay computed before rounding.
    int significant_bits = 0;
    // With several replicates, keep every replicate of every area in the file
    // (<indicator>_replicates; output.replicates_per_area: all). False (the scenario's default,
    // "percentiles") keeps per area only the mean and quantiles, and each replicate per larger
    // area in /aggregates: the replicates then go to a scratch file beside the target, which
    // on_finish reads the mean and quantiles back from and removes.
    bool area_replicates = true;
    // Every indicator per area (output.breakdowns_per_area: all). False keeps per area only the
    // indicators without a breakdown (dims year, area); the others are written per larger area
    // in /aggregates only (so with `aggregates` off, nowhere), from the same values: the same
    // numbers as with true. Their per-area values are then never compressed (with several
    // replicates they wait in the scratch file for the mean, like the replicates).
    bool area_breakdowns = true;
    // The aggregates of every year are held in memory up to this many bytes; a run whose
    // aggregates take more keeps them in a scratch file beside the target as the years come
    // (engine/output/aggregate.hpp), read back and removed at on_finish: a PC6 run of the whole
    // country with its pc4, buurt and wijk has 1.2 GB of them over 30 years.
    std::size_t aggregates_in_memory = std::size_t{64} << 20;
    // The run's input files (scenario, dataset folder, start population): the result never
    // replaces one of them (engine/formats/output_file.hpp).
    std::vector<ProtectedInput> inputs{};
    // Threads that compress each year's chunks (0 = all the machine has): a run passes its own,
    // so `--threads 1` uses one. The file does not depend on it.
    int threads = 0;
};

// A value as a result file with these options stores it (float32 as HDF5 converts it, then
// BitRound), back as a double: for results kept in memory that must equal the file's.
double as_stored_value(double value, bool float32, int significant_bits) noexcept;

class Hdf5Writer final : public Observer {
public:
    // Checks the target (engine/formats/output_file.hpp: a regular file or none, none of
    // options.inputs), creates its directory if missing and the temporary file in it; throws
    // InputError for a target it must not write and std::runtime_error naming the target when it
    // cannot.
    explicit Hdf5Writer(std::filesystem::path target, Hdf5WriterOptions options = {});
    ~Hdf5Writer() override;
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary& summary) override;

    const std::filesystem::path& target() const noexcept { return target_; }
    // Where the file is written until on_finish: ".socialtwin-<pid>-<random>.tmp" beside the
    // target (AtomicOutput).
    const std::filesystem::path& temporary_path() const noexcept { return output_->temporary(); }

private:
    struct State;
    class Thread;
    class Encoder;
    std::filesystem::path target_;
    std::unique_ptr<AtomicOutput> output_;
    // Where the replicates wait for on_finish when the file does not keep them per area; never
    // committed, so it is removed with the writer (or by the interrupt handling).
    std::unique_ptr<AtomicOutput> scratch_;
    std::unique_ptr<State> state_;
    std::unique_ptr<Encoder> encoder_;  // on_year's chunks and aggregates, on the run's threads
    std::unique_ptr<Thread> thread_;    // makes every HDF5 call on state_
    Hdf5WriterOptions options_;
    bool finished_ = false;
};

}  // namespace socialtwin
