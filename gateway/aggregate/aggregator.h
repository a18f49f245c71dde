#pragma once

// The gateway's aggregator: folds normalized Flink samples of many instances
// (subtasks, TaskManagers, pods) into per-job, per-interval SeriesAggregates
// that merge losslessly with other gateways' (common/aggregate/series_merge.h).
//
// Per source series (a sender's series with all its labels) it keeps one
// value per interval: the last one for gauges and meters, the delta against
// the previous interval's cumulative value for counters (a decrease is a
// reset; the first sighting only sets the baseline), the last quantiles for
// summaries. Closing an interval folds those values across the instance
// labels (`fold_labels`) into one aggregate per (scope, metric, surviving
// labels). Intervals are aligned to multiples of their length since the
// epoch, using each sample's timestamp. NaN, ±Inf and Flink's "undefined"
// markers are missing values, not data. Source series are capped per job
// and in total, and forgotten after `expire_after_intervals` silent
// intervals; AggregatorStats counts what was skipped, dropped (by reason and
// kind of sender) and expired.
//
// Fair caps, so that one runaway sender cannot lock out new jobs: each
// source (push group, scrape target, StatsD sender address, Influx client:
// FlinkSample::source) may add at most `max_new_series_per_source` new
// series per interval, the rest are dropped as `source_cap` and retried
// with its next samples. The last `reserved_series_fraction` of
// `max_series` is kept for sources that hold fewer than
// `max_new_series_per_source` series (every well-behaved Flink process), so
// new jobs of other senders still get in once a flood has filled the rest
// (refused: `global_cap`). Series already held are never evicted. These
// checks run only when a series is new; a sample of a held series pays
// nothing for them. After an expiry that forgets many series the freed
// memory is handed back to the system, so RSS falls back after a flood.
//
// Thread-safe: jobs are spread over shards by name, each with its own lock,
// so receivers on several threads add concurrently.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/aggregate/aggregator_config.h"
#include "gateway/aggregate/aggregator_stats.h"
#include "gateway/aggregate/source_ledger.h"
#include "gateway/flink_sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

class AggregatorShard;
struct FoldRules;

class Aggregator final : public FlinkSampleSink {
 public:
  // `config` must pass Validate() (the gateway config checks it at start-up).
  explicit Aggregator(AggregatorConfig config);
  // The same, checked: InvalidArgument when config.Validate() fails.
  static absl::StatusOr<std::unique_ptr<Aggregator>> Create(AggregatorConfig config);
  ~Aggregator() override;

  void OnFlinkSample(const FlinkSample& sample) override;

  // Closes every interval that ends at or before `now_ms` and returns one
  // batch per job and closed interval, ordered by interval, then job name.
  // Samples that arrive later for a closed interval are dropped as late.
  std::vector<v1::MetricBatch> Flush(int64_t now_ms) ABSL_LOCKS_EXCLUDED(flush_mu_);
  // Also closes the interval containing `now_ms`: the last flush before exit.
  std::vector<v1::MetricBatch> FlushAll(int64_t now_ms) ABSL_LOCKS_EXCLUDED(flush_mu_);

  // Applies a reloaded config (SIGHUP): fold rules, metric lists, caps and
  // expiry, without losing held series, pending values or counter
  // baselines (AggregatorShard::Rebind). The interval, the shard count and
  // the gateway's node and cluster cannot change: InvalidArgument names
  // the key; so does a config that fails Validate().
  absl::Status Reload(AggregatorConfig config) ABSL_LOCKS_EXCLUDED(flush_mu_);

  AggregatorStats stats() const;

 private:
  std::vector<v1::MetricBatch> CloseBefore(int64_t close_before_ms) ABSL_LOCKS_EXCLUDED(flush_mu_);

  AggregatorConfig config_ ABSL_GUARDED_BY(flush_mu_);
  const int64_t interval_ms_;
  // Every set of rules, the current one last: shards switch over one by
  // one, and reloads are rare enough that keeping the old sets costs
  // nothing.
  std::vector<std::unique_ptr<const FoldRules>> all_rules_ ABSL_GUARDED_BY(flush_mu_);
  std::atomic<int64_t> series_{0};
  SourceLedger sources_;
  std::vector<std::unique_ptr<AggregatorShard>> shards_;

  absl::Mutex flush_mu_;
  std::atomic<uint64_t> intervals_flushed_{0};
  std::atomic<uint64_t> batches_flushed_{0};
};

}  // namespace vitals::gateway
