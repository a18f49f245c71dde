#pragma once

// What the aggregator counts about itself, for the gateway's
// `vitals_gateway_*` self-metrics. Counters are totals since start.

#include <array>
#include <cstdint>
#include <string_view>

namespace vitals::gateway {

enum class DropReason : uint8_t {
  kJobCap,        // the job already holds max_series_per_job source series
  kGlobalCap,     // the gateway already holds max_series source series, or a
                  // large source reached the reserved room (aggregator.h)
  kLate,          // the sample's interval was already flushed, or its series
                  // has moved on to a later interval
  kKindConflict,  // a summary and a plain series share one identity
  kSourceCap,     // the sender already added max_new_series_per_source new
                  // series in this interval
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
    case DropReason::kSourceCap:
      return "source_cap";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

// The kind of sender a sample came from, read off its source string
// (FlinkSample::source): `push:<group>`, `scrape:<target>`,
// `statsd:<address>`, `influx:<client>`; anything else is kOther.
enum class SourceKind : uint8_t {
  kPush,
  kScrape,
  kStatsd,
  kInflux,
  kOther,
  kCount,
};

constexpr SourceKind SourceKindOf(std::string_view source) {
  const size_t colon = source.find(':');
  if (colon == std::string_view::npos) return SourceKind::kOther;
  const std::string_view prefix = source.substr(0, colon);
  if (prefix == "push") return SourceKind::kPush;
  if (prefix == "scrape") return SourceKind::kScrape;
  if (prefix == "statsd") return SourceKind::kStatsd;
  if (prefix == "influx") return SourceKind::kInflux;
  return SourceKind::kOther;
}

constexpr std::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kPush:
      return "push";
    case SourceKind::kScrape:
      return "scrape";
    case SourceKind::kStatsd:
      return "statsd";
    case SourceKind::kInflux:
      return "influx";
    case SourceKind::kOther:
    case SourceKind::kCount:
      break;
  }
  return "other";
}

inline constexpr size_t kDropReasons = static_cast<size_t>(DropReason::kCount);
inline constexpr size_t kSourceKinds = static_cast<size_t>(SourceKind::kCount);

// Drop counts by reason, then by the kind of source the sample came from.
using DropCounts = std::array<std::array<uint64_t, kSourceKinds>, kDropReasons>;

struct AggregatorStats {
  // Source series held (one per instance, metric and label set).
  int64_t active_series = 0;
  // Aggregate series held (one per job, metric and surviving label set).
  int64_t active_aggregates = 0;
  // Senders (push groups, scrape targets, StatsD addresses, Influx
  // clients) that hold source series or added some in an open interval.
  int64_t active_sources = 0;
  // Samples taken into an interval.
  uint64_t samples_folded = 0;
  // NaN and ±Inf samples, treated as missing.
  uint64_t non_finite_skipped = 0;
  // Flink's "not defined yet" values (MetricCatalog::IsUndefinedValue).
  uint64_t undefined_skipped = 0;
  // Samples dropped, indexed by DropReason, then SourceKind.
  DropCounts dropped{};
  // Distinct intervals among the batches Flush/FlushAll returned.
  uint64_t intervals_flushed = 0;
  // MetricBatches returned (one per job and closed interval with data).
  uint64_t batches_flushed = 0;
  // Source series forgotten after expire_after_intervals unseen intervals.
  uint64_t series_expired = 0;
  // Times the aggregator handed freed memory back to the system after an
  // expiry that forgot many series (malloc_trim).
  uint64_t memory_trims = 0;

  uint64_t dropped_for(DropReason reason) const {
    uint64_t total = 0;
    for (uint64_t n : dropped[static_cast<size_t>(reason)]) total += n;
    return total;
  }
  uint64_t dropped_for(DropReason reason, SourceKind kind) const {
    return dropped[static_cast<size_t>(reason)][static_cast<size_t>(kind)];
  }
};

}  // namespace vitals::gateway
