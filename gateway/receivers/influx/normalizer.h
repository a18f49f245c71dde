#pragma once

// Maps the points of Flink's InfluxdbReporter onto Flink identities, so that
// a job writing to `/write` folds into the same series as one pushing
// Prometheus text (docs in gateway/receivers/influx/README.md):
//
// - measurement = logical scope + `_` + metric name, as the Prometheus
//   family without `flink_`: read with the Prometheus path's scope rules,
//   the rest filtered to the canonical metric name;
// - tags = Flink's variables: job_name and job_id apart, the others labels,
//   values filtered like the Prometheus path's;
// - fields by metric type: gauge `value`, counter `count`, meter `count` and
//   `rate` (the rate becomes the gauge PrometheusReporter writes; the count
//   is dropped unless `meter_counts`), histogram `run-count`, `min`, `max`,
//   `mean`, `std-dev`, `<q>-percentile` (summary samples like the
//   Prometheus path's: "count", "0.0" … "1.0", plus "mean" and "stddev";
//   the sampling window's size, field `count`, has no counterpart and is
//   dropped). Booleans, which Flink writes as the strings "true"/"false",
//   become 1/0 as in PrometheusReporter; other strings are skipped.
// - Points carry their report time, but samples get the arrival time:
//   every path assigns intervals by arrival.
// - Process-level points (JobManager, TaskManager) name no job and leave
//   without one: process attribution (gateway/attribute/) gives them to the
//   jobs their process runs.
//
// Not thread-safe: one per request in flight.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/flink_sample.h"
#include "gateway/receivers/influx/parser.h"

namespace vitals::gateway {

struct InfluxNormalizerOptions {
  // Keep a meter's `count` field as `<meter>_count` (a counter).
  bool meter_counts = false;
  // A tag naming the job's cluster (Flink's scope.variables.additional);
  // it also stays a label, as it does on the Prometheus path.
  std::string cluster_tag = "cluster";
  // Whether that tag names the samples' cluster; otherwise the gateway's
  // configured cluster does (a client cannot move its series into another
  // cluster). Either way a tag that is no cluster name (cluster_name.h)
  // names nothing.
  bool cluster_override = false;
  // The gateway's configured cluster, for counting tags that differ.
  std::string configured_cluster;
};

// Cumulative counts, read by the receiver for its self-metrics.
struct InfluxNormalizerStats {
  uint64_t points = 0;
  uint64_t samples = 0;
  uint64_t text_values = 0;   // string fields other than "true"/"false"
  uint64_t meter_counts = 0;  // dropped meter `count` fields
  uint64_t window_sizes = 0;  // dropped histogram `count` fields
  // Points whose cluster tag named no cluster: differing from the
  // configured one without cluster_override, or not a cluster name.
  uint64_t clusters_ignored = 0;
};

class InfluxNormalizer : public InfluxSink {
 public:
  explicit InfluxNormalizer(FlinkSampleSink* next, InfluxNormalizerOptions options = {});

  // Before each request: who sent it and when it arrived.
  void Begin(std::string_view source, int64_t now_ms);
  void OnPoint(const InfluxPoint& point) override;
  // Counted by the receiver, which answers for the request.
  void OnReject(size_t line, std::string_view reason) override {}

  const InfluxNormalizerStats& stats() const { return stats_; }

 private:
  // Emits one sample of the current point.
  void Sample(std::string_view metric, double value, SampleType type, std::string_view quantile);
  std::string_view Filtered(std::string_view value);
  // Sets the current point's cluster from its cluster tag, if it may.
  void NameCluster(std::string_view tag);

  FlinkSampleSink* next_;
  InfluxNormalizerOptions options_;
  std::string source_;
  int64_t now_ms_ = 0;

  // The current point.
  FlinkSample current_;
  std::string family_;
  std::string metric_;
  std::string field_metric_;
  std::vector<LabelView> labels_;
  std::deque<std::string> scratch_;  // filtered values; a deque keeps them in place

  InfluxNormalizerStats stats_;
};

}  // namespace vitals::gateway
