#include "gateway/gateway_metrics.h"

#include <memory>
#include <string>
#include <utility>

#include "common/metrics/register.h"
#include "common/version/version.h"

namespace vitals::gateway {
namespace {

// The aggregator's flow for one kind of sender: its drops by DropReason.
metrics::FlowSpec DropFlow(const std::string& kind) {
  metrics::FlowSpec spec;
  spec.labels = {{"source_kind", kind}};
  spec.dropped.by_reason = {
      "vitals_gateway_series_dropped_total",
      "Samples of series the aggregator refused, by reason and by the kind of sender they "
      "came from (push, scrape, statsd, influx: the receiver).",
      {}};
  for (size_t r = 0; r < kDropReasons; ++r) {
    spec.dropped.declared.emplace_back(DropReasonName(static_cast<DropReason>(r)));
  }
  return spec;
}

prometheus::Family<prometheus::Counter>& ProcessSamples(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("vitals_gateway_process_samples_total")
      .Help(
          "Process-scope samples (JobManager and TaskManager JVM, memory, cluster figures) by "
          "where process attribution sent them: attributed (once per job), sender_named (to "
          "the sender's name, attribution.sender_name_as_job), unattributed (dropped: the "
          "process reported no job-scoped series).")
      .Register(registry);
}

}  // namespace

GatewayMetrics::GatewayMetrics(prometheus::Registry& registry)
    : registry_(registry),
      intervals_flushed_(
          metrics::AddCounter(registry, "vitals_gateway_intervals_flushed_total",
                              "Aggregation intervals closed and handed to the sinks.")),
      flush_duration_(prometheus::BuildHistogram()
                          .Name("vitals_gateway_flush_duration_seconds")
                          .Help("Time to close one interval: replay, fold, encode, enqueue.")
                          .Register(registry)
                          .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05,
                                                                           0.1, 0.5, 1, 5})),
      push_groups_(metrics::AddGauge(registry, "vitals_gateway_push_groups",
                                     "Pushgateway groups currently held.")),
      active_series_(metrics::AddGauge(registry, "vitals_gateway_active_series",
                                       "Series held by the aggregator.")),
      broker_connections_(
          metrics::AddGauge(registry, "vitals_gateway_kafka_broker_connections",
                            "Kafka broker connections up, from librdkafka's statistics.")),
      kafka_retries_(
          &metrics::AddCounter(registry, "vitals_gateway_kafka_retries_total",
                               "Produce requests librdkafka sent again (outages, throttling).")),
      process_samples_(ProcessSamples(registry)),
      attributed_samples_(&process_samples_.Add({{"result", "attributed"}})),
      shared_samples_(
          &metrics::AddCounter(registry, "vitals_gateway_process_samples_shared_total",
                               "Copies of process-scope samples beyond the first, for processes "
                               "that run several jobs (session clusters).")),
      sender_named_samples_(&process_samples_.Add({{"result", "sender_named"}})),
      unattributed_samples_(&process_samples_.Add({{"result", "unattributed"}})),
      unattributed_processes_(
          metrics::AddGauge(registry, "vitals_gateway_unattributed_processes",
                            "Flink processes whose process-scope series found no job: "
                            "they reported no job-scoped series (a JobManager between "
                            "jobs, a TaskManager without tasks).")),
      shared_processes_(metrics::AddGauge(registry, "vitals_gateway_shared_processes",
                                          "Flink processes that run several jobs (session cluster "
                                          "TaskManagers and JobManagers).")) {
  AddBuildInfo(registry);
}

void GatewayMetrics::Flushed(const FlushFacts& facts) {
  intervals_flushed_.Increment();
  flush_duration_.Observe(facts.seconds);
  push_groups_.Set(static_cast<double>(facts.push_groups));
  active_series_.Set(static_cast<double>(facts.aggregator.active_series));
  // A kind of sender gets its counters, every reason's, with its first
  // series.
  for (const auto& [kind, counts] : facts.aggregator.dropped.by_kind()) {
    auto it = series_dropped_.find(kind);
    if (it == series_dropped_.end()) {
      KindDrops drops{std::make_unique<metrics::FlowMetrics>(registry_, DropFlow(kind)), {}};
      for (size_t r = 0; r < kDropReasons; ++r) {
        drops.by_reason.emplace_back(
            &drops.flow->dropped(DropReasonName(static_cast<DropReason>(r))));
      }
      it = series_dropped_.emplace(kind, std::move(drops)).first;
    }
    for (size_t r = 0; r < kDropReasons; ++r) it->second.by_reason[r].Follow(counts[r]);
  }
  attributed_samples_.Follow(facts.attribution.attributed);
  shared_samples_.Follow(facts.attribution.shared_copies);
  sender_named_samples_.Follow(facts.attribution.sender_named);
  unattributed_samples_.Follow(facts.attribution.unattributed);
  unattributed_processes_.Set(static_cast<double>(facts.unattributed_processes));
  shared_processes_.Set(static_cast<double>(facts.shared_processes));
  broker_connections_.Set(static_cast<double>(facts.producer.brokers_up));
  // librdkafka's figure restarts with a broker entry it drops and learns
  // again: FollowedCounter exports only its increases.
  kafka_retries_.Follow(facts.producer.retries);
}

}  // namespace vitals::gateway
