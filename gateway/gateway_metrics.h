#pragma once

// The gateway's own `vitals_gateway_*` metrics that are not a receiver's
// (IngestMetrics) or the Kafka sink's: what each flush did, what the
// aggregator and process attribution dropped, and Kafka's connection state.
// Totals kept by those parts are followed at each flush.

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/metrics/flow_metrics.h"
#include "common/metrics/followed_counter.h"
#include "gateway/aggregate/aggregator_stats.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/sinks/producer_statistics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

// What one flush reports.
struct FlushFacts {
  double seconds = 0;
  size_t push_groups = 0;
  AggregatorStats aggregator;
  AttributionCounts attribution;
  size_t unattributed_processes = 0;
  size_t shared_processes = 0;
  ProducerStatistics producer;
};

class GatewayMetrics {
 public:
  explicit GatewayMetrics(prometheus::Registry& registry);

  void Flushed(const FlushFacts& facts);

 private:
  prometheus::Registry& registry_;
  prometheus::Counter& intervals_flushed_;
  prometheus::Histogram& flush_duration_;
  prometheus::Gauge& push_groups_;
  prometheus::Gauge& active_series_;
  prometheus::Gauge& broker_connections_;
  metrics::FollowedCounter kafka_retries_;
  // The aggregator's drops of one kind of sender, followed per DropReason.
  struct KindDrops {
    std::unique_ptr<metrics::FlowMetrics> flow;
    std::vector<metrics::FollowedCounter> by_reason;
  };
  std::map<std::string, KindDrops, std::less<>> series_dropped_;
  prometheus::Family<prometheus::Counter>& process_samples_;
  metrics::FollowedCounter attributed_samples_;
  metrics::FollowedCounter shared_samples_;
  metrics::FollowedCounter sender_named_samples_;
  metrics::FollowedCounter unattributed_samples_;
  prometheus::Gauge& unattributed_processes_;
  prometheus::Gauge& shared_processes_;
};

}  // namespace vitals::gateway
