#pragma once

// Reading one SeriesAggregate as the gateway folded it. Flink reports
// "undefined" as NaN, −Inf or −1 depending on the metric and version; these
// readers turn all of them into kMissing (NaN) so that no dimension ever
// reads an undefined value as zero.

#include <cmath>
#include <limits>
#include <string_view>

#include "scorer/window/merged_interval.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
inline bool Has(double v) { return !std::isnan(v); }

// Largest value over the folded series; kMissing when none was finite.
double MaxOf(const v1::SeriesAggregate& s);
// Largest value, where a negative one means "undefined" (lags, CPU load).
double NonNegativeMaxOf(const v1::SeriesAggregate& s);
// Smallest value; kMissing when none was finite.
double MinOf(const v1::SeriesAggregate& s);
// Mean over the folded series.
double MeanOf(const v1::SeriesAggregate& s);
// Sum over the folded series.
double SumOf(const v1::SeriesAggregate& s);
// Sum where negative values mean "undefined": when some series were
// undefined the sum is unreliable and the largest value stands in as a
// lower bound.
double NonNegativeSumOf(const v1::SeriesAggregate& s);
// Newest value.
double LastOf(const v1::SeriesAggregate& s);

// The increase of a counter in the interval: the sum of per-series deltas
// for METRIC_KIND_COUNTER; kMissing for other kinds (see CumulativeDelta).
double CounterDeltaOf(const v1::SeriesAggregate& s);

// For a cumulative metric that arrived as a gauge from a single source
// series: the increase since `*previous` (a decrease is a reset, so the new
// value is the increase). Updates `*previous`; kMissing the first time.
double CumulativeDelta(double current, double* previous);

// The increase of counter `metric` over all its series in one interval:
// Σ counter deltas, or for a single source series that arrived as a plain
// gauge the increase of its cumulative value since `*previous`.
double CounterIncrease(const MergedInterval& interval, std::string_view metric, double* previous);

// The value of a label that survived aggregation, empty when absent.
std::string_view LabelOf(const v1::SeriesAggregate& s, std::string_view name);

// A task's or operator's name for explanations: task_name/operator_name,
// else the ids.
std::string_view TaskNameOf(const v1::SeriesAggregate& s);
std::string_view OperatorNameOf(const v1::SeriesAggregate& s);

}  // namespace vitals::scorer
