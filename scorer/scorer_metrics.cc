#include "scorer/scorer_metrics.h"

#include <string>
#include <string_view>

#include "common/metrics/register.h"
#include "common/version/version.h"
#include "scorer/state/kafka_state_sink.h"

namespace vitals::scorer {
namespace {

metrics::FlowSpec BatchFlow() {
  metrics::FlowSpec spec;
  spec.accepted = metrics::SeriesName{
      "vitals_scorer_batches_consumed_total", "MetricBatches consumed from Kafka.", {}};
  spec.rejected.own[std::string(ScorerMetrics::kLate)] = {
      "vitals_scorer_batches_late_total",
      "MetricBatches that arrived after their interval had closed.",
      {}};
  spec.rejected.own[std::string(ScorerMetrics::kInvalid)] = {
      "vitals_scorer_batches_invalid_total",
      "Messages on the metrics topic that were not a MetricBatch.",
      {}};
  spec.in_flight =
      metrics::SeriesName{"vitals_scorer_consumer_lag_messages",
                          "Messages behind the high watermark over the assigned partitions.",
                          {}};
  return spec;
}

metrics::FlowSpec ReportFlow() {
  metrics::FlowSpec spec;
  spec.accepted = metrics::SeriesName{
      "vitals_scorer_reports_published_total", "HealthReports produced to the health topic.", {}};
  return spec;
}

metrics::FlowSpec StateRecordFlow() {
  constexpr std::string_view kName = "vitals_scorer_state_records_total";
  constexpr std::string_view kHelp =
      "Job state records (tombstones included) written to the state topic, by Kafka's answer.";
  metrics::FlowSpec spec;
  spec.accepted =
      metrics::SeriesName{std::string(kName), std::string(kHelp), {{"result", "acknowledged"}}};
  spec.dropped.by_reason = {std::string(kName), std::string(kHelp), {{"result", "failed"}}};
  spec.dropped.declared.assign(kStateWriteFailureReasons.begin(), kStateWriteFailureReasons.end());
  return spec;
}

}  // namespace

ScorerMetrics::ScorerMetrics(prometheus::Registry& registry)
    : batches(registry, BatchFlow()),
      reports(registry, ReportFlow()),
      state_records(registry, StateRecordFlow()),
      jobs_tracked(
          metrics::AddGauge(registry, "vitals_scorer_jobs_tracked", "Jobs this replica owns.")),
      assigned_partitions(
          metrics::AddGauge(registry, "vitals_scorer_assigned_partitions",
                            "Partitions of the metrics topic assigned to this replica.")),
      evaluation_duration(metrics::AddHistogram(
          registry, "vitals_scorer_evaluation_duration_seconds",
          "Time to grade every job with a closed interval.", {0.0001, 0.001, 0.01, 0.1, 1, 10})),
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
