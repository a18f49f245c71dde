#pragma once

// What the aggregator counts about itself, for the gateway's
// `vitals_gateway_*` self-metrics. Counters are totals since start.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
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

// The kind of sender a sample came from: the prefix of its source string
// (FlinkSample::source: `push:<group>`, `scrape:<target>`,
// `statsd:<address>`, `influx:<client>`, and whatever a new receiver puts
// before its `:`), so that the aggregator knows no list of receivers.
// "other" when there is none, or when it is not a short lower-case name.
constexpr std::string_view kOtherSourceKind = "other";
inline constexpr size_t kMaxSourceKindBytes = 16;

constexpr std::string_view SourceKindOf(std::string_view source) {
  const size_t colon = source.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > kMaxSourceKindBytes) {
    return kOtherSourceKind;
  }
  const std::string_view kind = source.substr(0, colon);
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return kOtherSourceKind;
  }
  return kind;
}

inline constexpr size_t kDropReasons = static_cast<size_t>(DropReason::kCount);

// One kind of sender's drops, by DropReason.
using DropsByReason = std::array<uint64_t, kDropReasons>;

// Drops by kind of sender (a few: one per receiver), then reason.
class DropCounts {
 public:
  void Add(DropReason reason, std::string_view kind, uint64_t count = 1) {
    Counts(kind)[static_cast<size_t>(reason)] += count;
  }
  // A kind of sender, with no drops yet.
  void Note(std::string_view kind) { Counts(kind); }
  void Add(const DropCounts& other) {
    for (const auto& [kind, counts] : other.by_kind_) {
      DropsByReason& mine = Counts(kind);
      for (size_t r = 0; r < kDropReasons; ++r) mine[r] += counts[r];
    }
  }
  uint64_t For(DropReason reason) const {
    uint64_t total = 0;
    for (const auto& [kind, counts] : by_kind_) total += counts[static_cast<size_t>(reason)];
    return total;
  }
  uint64_t For(DropReason reason, std::string_view kind) const {
    auto it = by_kind_.find(kind);
    return it == by_kind_.end() ? 0 : it->second[static_cast<size_t>(reason)];
  }
  const std::map<std::string, DropsByReason, std::less<>>& by_kind() const { return by_kind_; }

 private:
  DropsByReason& Counts(std::string_view kind) {
    auto it = by_kind_.find(kind);
    if (it == by_kind_.end()) it = by_kind_.emplace(std::string(kind), DropsByReason{}).first;
    return it->second;
  }

  std::map<std::string, DropsByReason, std::less<>> by_kind_;
};

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
  // Samples dropped, by kind of sender, then DropReason.
  DropCounts dropped;
  // Distinct intervals among the batches Flush/FlushAll returned.
  uint64_t intervals_flushed = 0;
  // MetricBatches returned (one per job and closed interval with data).
  uint64_t batches_flushed = 0;
  // Source series forgotten after expire_after_intervals unseen intervals.
  uint64_t series_expired = 0;

  uint64_t dropped_for(DropReason reason) const { return dropped.For(reason); }
  uint64_t dropped_for(DropReason reason, std::string_view kind) const {
    return dropped.For(reason, kind);
  }
};

}  // namespace vitals::gateway
