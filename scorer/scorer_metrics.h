#pragma once

// The scorer's own `vitals_scorer_*` metrics that are not per job
// (ScoreMetrics, JobInfoMetrics): what the consumer took in, what the
// evaluation loop published, and how job state travelled.

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace vitals::scorer {

struct ScorerMetrics {
  explicit ScorerMetrics(prometheus::Registry& registry);

  prometheus::Counter& batches_consumed;
  prometheus::Counter& batches_late;
  prometheus::Counter& batches_invalid;
  prometheus::Counter& reports_published;
  prometheus::Gauge& jobs_tracked;
  prometheus::Gauge& consumer_lag;
  prometheus::Gauge& assigned_partitions;
  prometheus::Histogram& evaluation_duration;
  prometheus::Family<prometheus::Counter>& state_records;
  prometheus::Counter& state_records_written;
  // result="failed" children are labelled by reason (scorer/state).
  prometheus::Counter& jobs_restored;
  prometheus::Histogram& state_restore_duration;
  prometheus::Counter& jobs_expired;
};

}  // namespace vitals::scorer
