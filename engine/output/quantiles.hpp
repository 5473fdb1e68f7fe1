#pragma once
// Quantiles over replicates: the 5th, 50th and 95th percentile the result writer stores for
// every indicator of a run with several replicates, also taken of aggregates and of the console
// summary's totals. One function, so that every quantile of a result is computed alike.

#include <span>

namespace socialtwin {

// The quantiles of `values` at each of `levels` (in [0, 1]) into `out`, as
// result_layout::quantile_method says, with numpy.quantile's own arithmetic so that
// np.quantile(values, levels) gives the same doubles. Sorts `values` in place. All NaN when
// `values` is empty or holds a NaN.
void replicate_quantiles(std::span<double> values, std::span<const double> levels,
                         std::span<double> out);

}  // namespace socialtwin
