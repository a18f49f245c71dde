#include "scorer/scorer_metrics.h"

#include <string>

#include "common/metrics/register.h"
#include "common/version/version.h"

namespace vitals::scorer {
ScorerMetrics::ScorerMetrics(prometheus::Registry& registry)
    : batches_consumed(metrics::AddCounter(registry, "vitals_scorer_batches_consumed_total",
                                           "MetricBatches consumed from Kafka.")),
      batches_late(
          metrics::AddCounter(registry, "vitals_scorer_batches_late_total",
                              "MetricBatches that arrived after their interval had closed.")),
      batches_invalid(
          metrics::AddCounter(registry, "vitals_scorer_batches_invalid_total",
                              "Messages on the metrics topic that were not a MetricBatch.")),
      reports_published(metrics::AddCounter(registry, "vitals_scorer_reports_published_total",
                                            "HealthReports produced to the health topic.")),
      jobs_tracked(
          metrics::AddGauge(registry, "vitals_scorer_jobs_tracked", "Jobs this replica owns.")),
      consumer_lag(
          metrics::AddGauge(registry, "vitals_scorer_consumer_lag_messages",
                            "Messages behind the high watermark over the assigned partitions.")),
      assigned_partitions(
          metrics::AddGauge(registry, "vitals_scorer_assigned_partitions",
                            "Partitions of the metrics topic assigned to this replica.")),
      evaluation_duration(metrics::AddHistogram(
          registry, "vitals_scorer_evaluation_duration_seconds",
          "Time to grade every job with a closed interval.", {0.0001, 0.001, 0.01, 0.1, 1, 10})),
      state_records(prometheus::BuildCounter()
                        .Name("vitals_scorer_state_records_total")
                        .Help("Job state records (tombstones included) written to the state "
                              "topic, by Kafka's answer.")
                        .Register(registry)),
      state_records_written(state_records.Add({{"result", "acknowledged"}})),
      jobs_restored(
          metrics::AddCounter(registry, "vitals_scorer_jobs_restored_total",
                              "Jobs resumed from the state topic on partition assignment.")),
      state_restore_duration(
          metrics::AddHistogram(registry, "vitals_scorer_state_restore_duration_seconds",
                                "Time to read back the state of newly assigned partitions.",
                                {0.01, 0.1, 1, 5, 10, 30, 60})),
      jobs_expired(metrics::AddCounter(registry, "vitals_scorer_jobs_expired_total",
                                       "Jobs dropped after job_expiry without a batch.")) {
  AddBuildInfo(registry);
}

}  // namespace vitals::scorer
