#pragma once

// Publishes flushed intervals to Kafka through one producer per gateway.
//
// Receivers never wait on Kafka: Publish() only appends to a bounded local
// buffer of whole intervals. A pump hands buffered messages to librdkafka a
// few at a time; librdkafka (idempotent, retrying without a deadline)
// delivers each exactly once, through outages. When the buffer would
// exceed its byte bound, the oldest intervals are dropped and counted, so
// the newest data survives.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/kafka/producer.h"
#include "common/log/repeated_log.h"
#include "common/metrics/flow_metrics.h"
#include "gateway/sinks/batch_encoder.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct KafkaSinkOptions {
  std::string topic = "flink.metrics";
  size_t buffer_bytes = 256 << 20;
  size_t max_message_bytes = 1000000;  // librdkafka's message.max.bytes default
  int max_in_flight = 1000;            // messages handed to librdkafka at once
};

class KafkaSink {
 public:
  KafkaSink(KafkaSinkOptions options, kafka::MessageProducer* producer,
            prometheus::Registry& registry);

  // Thread-safe, never blocks on Kafka.
  void Publish(const std::vector<v1::MetricBatch>& batches) ABSL_LOCKS_EXCLUDED(mu_);

  // Moves buffered messages into the producer and serves delivery reports,
  // waiting up to `wait`. Call from one pump thread.
  void Pump(absl::Duration wait) ABSL_LOCKS_EXCLUDED(mu_);

  // For shutdown: pumps until everything buffered is acknowledged or the
  // deadline passes; DeadlineExceeded says how much was not delivered.
  absl::Status Drain(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // The delivery callback's entry point (wired by the owner of the producer).
  void OnDelivery(const kafka::DeliveryReport& report);

  size_t buffered_bytes() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t delivered() { return Count(flow_.accepted()); }
  uint64_t failed() { return Count(flow_.dropped(kFailed)); }
  uint64_t intervals_dropped() { return Count(flow_.dropped(kBufferFull)); }

 private:
  // The sink's two losses (FlowMetrics reasons, each a counter of its own).
  static constexpr std::string_view kFailed = "failed";
  static constexpr std::string_view kBufferFull = "buffer_full";

  struct Pending {
    int64_t interval_start_ms;
    EncodedMessage message;
  };

  KafkaSinkOptions options_;
  kafka::MessageProducer* producer_;

  mutable absl::Mutex mu_;
  std::deque<Pending> buffer_ ABSL_GUARDED_BY(mu_);
  size_t buffer_bytes_ ABSL_GUARDED_BY(mu_) = 0;

  static uint64_t Count(prometheus::Counter& counter) {
    return static_cast<uint64_t>(counter.Value());
  }

  metrics::FlowMetrics flow_;
  prometheus::Histogram& latency_;

  // Per-message failures during an outage: one log line per period.
  log::RepeatedLog produce_refused_log_{log::Level::kWarn, "kafka produce refused a message"};
  log::RepeatedLog delivery_failed_log_{log::Level::kWarn, "kafka delivery failed"};
};

}  // namespace vitals::gateway
