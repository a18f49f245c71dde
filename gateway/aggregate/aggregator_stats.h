#pragma once

// What the aggregator counts about itself, for the gateway's
// `vitals_gateway_*` self-metrics. Counters are totals since start.

#include <array>
#include <cstdint>
#include <string_view>

namespace vitals::gateway {

enum class DropReason : uint8_t {
  kJobCap,        // the job already holds max_series_per_job source series
  kGlobalCap,     // the gateway already holds max_series source series
  kLate,          // the sample's interval was already flushed, or its series
                  // has moved on to a later interval
  kKindConflict,  // a summary and a plain series share one identity
  kCount,
};

constexpr std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kJobCap:
      return "job_cap";
    case DropReason::kGlobalCap:
      return "global_cap";
    case DropReason::kLate:
      return "late";
    case DropReason::kKindConflict:
      return "kind_conflict";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

struct AggregatorStats {
  // Source series held (one per instance, metric and label set).
  int64_t active_series = 0;
  // Aggregate series held (one per job, metric and surviving label set).
  int64_t active_aggregates = 0;
  // Samples taken into an interval.
  uint64_t samples_folded = 0;
  // NaN and ±Inf samples, treated as missing.
  uint64_t non_finite_skipped = 0;
  // Flink's "not defined yet" values (MetricCatalog::IsUndefinedValue).
  uint64_t undefined_skipped = 0;
  // Samples dropped, indexed by DropReason.
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> dropped{};
  // Distinct intervals among the batches Flush/FlushAll returned.
  uint64_t intervals_flushed = 0;
  // MetricBatches returned (one per job and closed interval with data).
  uint64_t batches_flushed = 0;
  // Source series forgotten after expire_after_intervals unseen intervals.
  uint64_t series_expired = 0;

  uint64_t dropped_for(DropReason reason) const { return dropped[static_cast<size_t>(reason)]; }
};

}  // namespace vitals::gateway
