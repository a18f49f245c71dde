#pragma once

// One lock's worth of the aggregator: the jobs whose names hash onto it,
// their source series (per-instance state: last value, counter baseline)
// and their aggregate series (per-interval statistics). Internal to
// gateway/aggregate; Aggregator owns the shards.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gateway/aggregate/aggregator_config.h"
#include "gateway/aggregate/aggregator_stats.h"
#include "gateway/aggregate/metric_catalog.h"
#include "gateway/aggregate/series_accumulator.h"
#include "gateway/aggregate/source_key.h"
#include "gateway/aggregate/source_ledger.h"
#include "gateway/aggregate/source_series_table.h"
#include "gateway/flink_sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

// The configuration in the form the hot path reads it; shared by all shards.
struct FoldRules {
  explicit FoldRules(const AggregatorConfig& config);

  std::string gateway;
  std::string cluster;
  int64_t interval_ms;
  int64_t max_series;
  int64_t max_series_per_job;
  int64_t max_new_series_per_source;
  int64_t open_series;  // beyond it: the reserve
  int64_t expire_after_intervals;
  bool fold_source;
  absl::flat_hash_set<std::string> fold_labels;
  absl::flat_hash_set<std::string> raw_metrics;
  absl::flat_hash_set<std::string> instance_metrics;
  absl::flat_hash_set<std::string> job_labels;
  std::string tenant_label;
  MetricCatalog catalog;
};

class AggregatorShard {
 public:
  // `global_series` counts source series across all shards, for max_series;
  // `sources` keeps the per-sender books, for the fair caps.
  AggregatorShard(const FoldRules* rules, std::atomic<int64_t>* global_series,
                  SourceLedger* sources);
  AggregatorShard(const AggregatorShard&) = delete;
  AggregatorShard& operator=(const AggregatorShard&) = delete;

  void Add(const FlinkSample& sample) ABSL_LOCKS_EXCLUDED(mu_);

  // Closes every interval starting before `close_before_ms`: appends one
  // batch per job and closed interval, forgets expired series, and drops
  // later samples for closed intervals as late.
  void Close(int64_t close_before_ms, std::vector<v1::MetricBatch>* out) ABSL_LOCKS_EXCLUDED(mu_);

  // Adds this shard's figures to `stats`.
  void AddStatsTo(AggregatorStats& stats) const ABSL_LOCKS_EXCLUDED(mu_);

  // Switches to new rules (a config reload; same interval). Every held
  // source series keeps its pending value and counter baseline and is
  // re-routed to the aggregate the new fold rules give it; aggregates left
  // without sources are emitted at their interval's close, then forgotten.
  // A series whose kind changes (a new cumulative metric) starts a fresh
  // baseline. Caps apply to new series only. `rules` must outlive the shard.
  void Rebind(const FoldRules* rules) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // An aggregate series: one job's metric with its surviving labels.
  struct Group {
    v1::Scope scope = v1::SCOPE_UNSPECIFIED;
    std::string metric;
    std::vector<std::pair<std::string, std::string>> labels;
    v1::MetricKind kind = v1::METRIC_KIND_UNSPECIFIED;
    int64_t sources = 0;  // slots folding into it
    // One per interval not yet closed, usually one or two, oldest first.
    std::vector<SeriesAccumulator> open;

    SeriesAccumulator& At(int64_t interval_start_ms);
  };

  struct Job {
    int64_t series = 0;  // slots of this job
    absl::node_hash_map<std::string, Group> groups;
    // The job id of the newest sample per open interval, oldest first.
    std::vector<std::pair<int64_t, std::string>> ids;
    // The cluster the job's samples last named; empty: the gateway's.
    std::string cluster;
    // Values of the job labels, as the newest source series named them.
    std::map<std::string, std::string, std::less<>> labels;
  };

  struct QuantileSlot {
    std::string quantile;
    double value = 0;
    bool set = false;
  };

  // What only skew metrics and summaries need, kept out of line so that
  // the hot table stays small.
  struct SlotExtra {
    std::string instance;
    std::vector<QuantileSlot> quantiles;
  };

  // A source series: one sender's one series, whose samples are reduced to
  // one value per interval before they are folded into its Group.
  struct Slot {
    Job* job = nullptr;
    Group* group = nullptr;
    std::unique_ptr<SlotExtra> extra;
    int64_t pending_interval_ms = kNoInterval;  // interval `value` belongs to
    int64_t last_seen_interval_ms = 0;
    int64_t timestamp_ms = 0;
    double value = 0;
    double baseline = 0;  // counters: last cumulative value folded
    v1::MetricKind kind = v1::METRIC_KIND_UNSPECIFIED;
    SampleType type = SampleType::kGauge;  // the route's, for re-classifying
    uint8_t suffix_size = 0;               // of a summary field's `_<field>`
    bool keep_instance = false;
    bool has_baseline = false;
  };

  static constexpr int64_t kNoInterval = INT64_MIN;

  // How a sample addresses its source series: summaries' quantiles share
  // one series, their count/sum and non-numeric fields become series of
  // their own, named `<metric>_<field>`.
  struct Route {
    std::string_view suffix;    // "" or the field name appended after '_'
    std::string_view quantile;  // set for a numeric quantile
    SampleType type;
  };
  static Route RouteOf(const FlinkSample& sample);

  // A new source series, or nullptr (counted) when a cap refuses it.
  Slot* CreateSlot(const FlinkSample& sample, const Route& route, std::string_view key,
                   uint64_t key_hash, int64_t interval_start) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The aggregate a source series folds into under the current rules,
  // created when new; nullptr (counted) when its kind conflicts with the
  // aggregate's; job labels are left out of its labels. `metric` carries the summary field suffix,
  // `base_metric` does not; `kind` is updated to the aggregate's.
  Group* GroupFor(Job& job, v1::Scope scope, std::string_view base_metric, std::string metric,
                  std::span<const LabelView> labels, std::string_view source, v1::MetricKind* kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetInstance(Slot& slot, std::span<const LabelView> labels, std::string_view source)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the job labels (rules' job_labels) among `labels` on the job:
  // once per new series, never per sample.
  void NoteJobLabels(Job& job, std::span<const LabelView> labels)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the aggregates that have neither sources nor open intervals.
  void ForgetEmptyGroups(Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Update(Slot& slot, const FlinkSample& sample, const Route& route, int64_t interval_start)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FoldPending(Slot& slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Drop(DropReason reason, std::string_view source) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    dropped_.Add(reason, SourceKindOf(source));
  }

  const FoldRules* rules_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t>* global_series_;
  SourceLedger* sources_;

  mutable absl::Mutex mu_;
  // Samples of intervals starting before this are late.
  int64_t closed_before_ms_ ABSL_GUARDED_BY(mu_);
  // The interval of the latest sample.
  int64_t latest_interval_ms_ ABSL_GUARDED_BY(mu_) = 0;
  SourceKeyEncoder key_encoder_ ABSL_GUARDED_BY(mu_);
  SourceSeriesTable<Slot> slots_ ABSL_GUARDED_BY(mu_);
  absl::node_hash_map<std::string, Job> jobs_ ABSL_GUARDED_BY(mu_);
  int64_t aggregates_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t samples_folded_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t non_finite_skipped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t undefined_skipped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t series_expired_ ABSL_GUARDED_BY(mu_) = 0;
  DropCounts dropped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::gateway
