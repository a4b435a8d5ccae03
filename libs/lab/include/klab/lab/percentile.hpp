#pragma once
// Percentiles of measured values (latencies, response times), one definition for every tool.
#include <cstddef>
#include <vector>

namespace klab::lab {

/// The nearest-rank percentile of `values` (any order; copied and sorted): the smallest value
/// with at least q of all values at or below it, as Kafka's ProducerPerformance reports.
/// q in [0, 1]; 0 gives the minimum, 1 the maximum. Empty input gives 0. Errors: none.
double percentile(std::vector<double> values, double q);

/// The same for values already sorted ascending, without a copy. Errors: none.
double percentile_of_sorted(const std::vector<double>& sorted, double q);

}  // namespace klab::lab
