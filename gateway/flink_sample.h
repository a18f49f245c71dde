#pragma once

// A sample after normalization: whatever the reporter and Flink version,
// it names its Flink scope, its canonical metric name and its job, so the
// aggregator folds StatsD, Influx, Pushgateway and scraped input alike.
//
// Canonical metric names are the part of Flink's PrometheusReporter family
// name after `flink_<scope>_`: dots and every character outside
// [a-zA-Z0-9:_] become `_` (`numRecordsInPerSecond`, `Status_JVM_CPU_Load`,
// `KafkaSourceReader_KafkaConsumer_records_lag_max`). That is the one
// spelling every reporter can be mapped onto without ambiguity.

#include <cstdint>
#include <span>
#include <string_view>

#include "gateway/receivers/sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct FlinkSample {
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  std::string_view metric;  // canonical name (see above)
  std::string_view job_id;
  std::string_view job_name;
  // Every other label, per-instance ones (host, tm_id, subtask_index,
  // task_attempt_*) included: the aggregator decides what folds away.
  // Sorted by name.
  std::span<const LabelView> labels;
  double value = 0;
  // kSummary for quantile samples (then `quantile` is set, e.g. "0.99")
  // and for the summary's `_count`/`_sum` (`quantile` is "count"/"sum").
  SampleType type = SampleType::kGauge;
  std::string_view quantile;
  int64_t timestamp_ms = 0;
  // Which sender the sample came from (push group, scrape target, StatsD
  // peer): with the labels it identifies the source series, so counters
  // are differenced per source.
  std::string_view source;
  // The job's cluster when the sender names it (a `cluster` grouping label
  // on a push, with gateway.pushgateway.cluster_override; a target label on
  // a scrape; an Influx cluster tag); empty means the gateway's own.
  // One gateway may serve jobs of several clusters, e.g. during a move.
  std::string_view cluster;
};

// Receives normalized samples.
class FlinkSampleSink {
 public:
  virtual ~FlinkSampleSink() = default;
  virtual void OnFlinkSample(const FlinkSample& sample) = 0;
};

}  // namespace vitals::gateway
