#pragma once

// The scorer's own `vitals_scorer_*` metrics that are not per job
// (ScoreMetrics, JobInfoMetrics): what the consumer took in, what the
// evaluation loop published, and how job state travelled.

#include <string_view>

#include "common/metrics/flow_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace vitals::scorer {

struct ScorerMetrics {
  explicit ScorerMetrics(prometheus::Registry& registry);

  // The consumer: batches consumed, refused as kLate or kInvalid, and the
  // lag behind the assigned partitions' ends.
  static constexpr std::string_view kLate = "late";
  static constexpr std::string_view kInvalid = "invalid";
  metrics::FlowMetrics batches;
  // The publisher: reports Kafka acknowledged.
  metrics::FlowMetrics reports;
  // The state writer: records acknowledged, or failed by reason
  // (StateWriteFailureReason).
  metrics::FlowMetrics state_records;
  prometheus::Gauge& jobs_tracked;
  prometheus::Gauge& assigned_partitions;
  prometheus::Histogram& evaluation_duration;
  prometheus::Counter& jobs_restored;
  prometheus::Histogram& state_restore_duration;
  prometheus::Counter& jobs_expired;
};

}  // namespace vitals::scorer
