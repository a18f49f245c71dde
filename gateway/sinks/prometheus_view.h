#pragma once

// The gateway's aggregated Flink series for GET /metrics, in Prometheus text
// format 0.0.4. One series per job, metric and surviving label set, never
// one per subtask, named like Flink's PrometheusReporter family
// (`flink_<scope>_<metric>`; non-Flink metrics keep their own name) so
// dashboards keep their names; each carries job_name, job_id, cluster and
// gateway (the job's newest, on all of its series: one job, one identity).
// The value is the job-wide figure natural for the metric's kind
// (docs/gateway-metrics.md):
//   counters       running total of the per-interval deltas; never decreases
//                  while the job reports, across pod restarts and redeploys
//   event meters   sum over instances (numRecordsInPerSecond, …)
//   time meters    max over instances (busyTimeMsPerSecond, …)
//   gauges         max over instances, or sum for `sum_gauges`; newest
//                  value at JobManager scopes (one leader per job)
//   summaries      per-quantile max, plus `_count` (running total) when the
//                  reporter sends the observation count

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct PrometheusViewOptions {
  // A series missing from this many consecutive updates (flushes) is no
  // longer exported: one late push must not make it flicker, a stopped job
  // must disappear.
  int64_t keep_intervals = 3;
  // A counter's running total is remembered this many updates after its
  // series was last seen, so that a job back from a longer restart carries
  // on from its total instead of starting again at zero.
  int64_t counter_memory_intervals = 360;
  // Gauges whose job-wide figure is the sum over instances, not the max.
  std::vector<std::string> sum_gauges = {"pendingRecords", "pendingBytes"};
};

class PrometheusView {
 public:
  PrometheusView() : PrometheusView(PrometheusViewOptions()) {}
  explicit PrometheusView(PrometheusViewOptions options);
  ~PrometheusView();

  // Takes one flush's batches (every job; normally one interval, more when a
  // flush catches up), once per flush, empty or not: each call is one
  // interval for keep_intervals.
  void Update(std::span<const v1::MetricBatch> batches) ABSL_LOCKS_EXCLUDED(mu_);

  // Appends the text for GET /metrics (Content-Type
  // `text/plain; version=0.0.4`) to `out`. Rendered on each call, not kept:
  // the text of a large fleet is megabytes that a gateway nobody scrapes
  // between flushes would hold for nothing.
  void RenderTo(std::string* out) const ABSL_LOCKS_EXCLUDED(mu_);
  std::string Render() const;

 private:
  struct Job;
  struct State;

  Job& JobOf(const v1::MetricBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Expire() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const PrometheusViewOptions options_;
  const absl::flat_hash_set<std::string> sum_gauges_;

  mutable absl::Mutex mu_;
  int64_t update_ ABSL_GUARDED_BY(mu_) = 0;
  // By job name: the identity labels all of a job's series carry, held once.
  absl::flat_hash_map<std::string, std::unique_ptr<Job>> jobs_ ABSL_GUARDED_BY(mu_);
  // Keyed by a view of the state's own key.
  absl::flat_hash_map<absl::string_view, std::unique_ptr<State>> series_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::gateway
