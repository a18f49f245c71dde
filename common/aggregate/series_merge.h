#pragma once

// Merging SeriesAggregates of the same identity (scope, metric, labels)
// from several gateways, or several parts of one interval. This is the
// operation that makes per-node aggregation lossless: counts, sums and
// squares add, extremes take extremes, `last` keeps the newest, instance
// lists concatenate, quantile maxima take the max.

#include <string>

#include "vitals/v1/metrics.pb.h"

namespace vitals::aggregate {

// `into` and `from` must share scope, metric and labels; kind is taken from
// `from` when `into` has none.
void MergeInto(v1::SeriesAggregate& into, const v1::SeriesAggregate& from);

// A stable key for (scope, metric, labels), for maps of aggregates.
std::string SeriesKey(const v1::SeriesAggregate& series);

}  // namespace vitals::aggregate
