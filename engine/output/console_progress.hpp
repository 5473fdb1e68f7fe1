#pragma once
// Progress of a run on a terminal: one line on stderr, rewritten as each year finishes, with the
// years done and an estimate of the time left. `socialtwin run` adds it only when stderr is a
// terminal, so logs and pipes get exactly what they got before.

#include <chrono>
#include <cstdio>

#include "engine/core/observer.hpp"

namespace socialtwin {

class ConsoleProgress final : public Observer {
public:
    explicit ConsoleProgress(std::FILE* out) : out_(out) {}
    void on_start(const RunDescription& run) override;
    void on_year(const YearResults& results) override;
    void on_finish(const RunSummary& summary) override;

private:
    std::FILE* out_;
    std::size_t total_ = 0;  // years x replicates reported
    std::size_t done_ = 0;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace socialtwin
