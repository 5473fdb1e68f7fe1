// The canary of the `tsan` preset: proof that the suppressions (tests/tsan.supp) and the ordering
// annotations (engine/core/parallel.hpp) hide no race of ours. Two bodies of one parallel_for add
// to one counter without synchronisation: ThreadSanitizer must report it, so this program must
// fail. Data written before the loop and read after it is not a race and must
// not be the report: the program checks its own result so that only TSan can make it fail.
#include <cstdio>
#include <vector>

#include "engine/core/parallel.hpp"

int main() {
    const std::vector<double> prepared(4096, 1.0);
    std::vector<double> doubled(prepared.size());
    long counted = 0;  // the race
    socialtwin::parallel_for_ranges(prepared.size(), [&](const auto& range) {
        for (auto i = range.begin(); i != range.end(); ++i) {
            doubled[i] = 2 * prepared[i];
            counted += 1;
        }
    });
    double sum = 0;
    for (double v : doubled) sum += v;
    std::printf("sum %g, counted %ld\n", sum, counted);
    return sum == 2.0 * static_cast<double>(prepared.size()) ? 0 : 1;
}
