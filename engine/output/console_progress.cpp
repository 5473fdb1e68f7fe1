#include "engine/output/console_progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace socialtwin {

void ConsoleProgress::on_start(const RunDescription& run) {
    total_ = run.years.size() * static_cast<std::size_t>(run.replicates);
    done_ = 0;
    start_ = std::chrono::steady_clock::now();
}

void ConsoleProgress::on_year(const YearResults& results) {
    ++done_;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    // The years so far at their mean pace: later years of a growing population run a little
    // slower, so the estimate errs on the short side, and settles as the run goes on.
    const double left = elapsed / static_cast<double>(done_) *
                        static_cast<double>(total_ - std::min(done_, total_));
    std::fputs(fmt::format("\r\033[Kyear {} done: {}/{}{}, about {:.0f} s left", results.year,
                           done_, total_,
                           results.replicate > 0 ? fmt::format(" (replicate {})", results.replicate)
                                                 : std::string{},
                           left)
                   .c_str(),
               out_);
    std::fflush(out_);
}

void ConsoleProgress::on_finish(const RunSummary&) {
    // The line is cleared: what follows (the summary) starts on a clean line.
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
}

}  // namespace socialtwin
