#include "gateway/sinks/kafka_sink.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace vitals::gateway {
namespace {

metrics::FlowSpec FlowSpec(std::string_view failed, std::string_view buffer_full) {
  metrics::FlowSpec spec;
  spec.accepted = metrics::SeriesName{
      "vitals_gateway_kafka_messages_delivered_total", "Messages acknowledged by Kafka.", {}};
  // Two losses in their own units: messages Kafka refused, job intervals
  // the full local buffer let go.
  spec.dropped.own[std::string(failed)] = {"vitals_gateway_kafka_messages_failed_total",
                                           "Messages Kafka refused or that could not be produced.",
                                           {}};
  spec.dropped.own[std::string(buffer_full)] = {
      "vitals_gateway_kafka_intervals_dropped_total",
      "Job intervals dropped, oldest first, because the local buffer was full.",
      {}};
  spec.in_flight = metrics::SeriesName{
      "vitals_gateway_kafka_buffered_bytes", "Bytes waiting in the local buffer for Kafka.", {}};
  return spec;
}

}  // namespace

KafkaSink::KafkaSink(KafkaSinkOptions options, kafka::MessageProducer* producer,
                     prometheus::Registry& registry)
    : options_(std::move(options)),
      producer_(producer),
      flow_(registry, FlowSpec(kFailed, kBufferFull)),
      latency_(prometheus::BuildHistogram()
                   .Name("vitals_gateway_kafka_produce_latency_seconds")
                   .Help("Time from handing a message to the producer to its acknowledgement.")
                   .Register(registry)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1,
                                                                    0.5, 1, 5, 30, 120})) {
  prometheus::BuildGauge()
      .Name("vitals_gateway_kafka_buffer_capacity_bytes")
      .Help("Bound of the local buffer.")
      .Register(registry)
      .Add({})
      .Set(static_cast<double>(options_.buffer_bytes));
}

void KafkaSink::Publish(const std::vector<v1::MetricBatch>& batches) {
  std::vector<Pending> fresh;
  size_t fresh_bytes = 0;
  for (const v1::MetricBatch& batch : batches) {
    for (EncodedMessage& m : EncodeBatch(batch, options_.max_message_bytes)) {
      fresh_bytes += m.key.size() + m.value.size();
      fresh.push_back({batch.interval_start_ms(), std::move(m)});
    }
  }
  absl::MutexLock lock(&mu_);
  for (Pending& p : fresh) buffer_.push_back(std::move(p));
  buffer_bytes_ += fresh_bytes;
  // Drop whole intervals, oldest first, until the bound holds again; a job
  // interval is the unit the scorer reasons about, half of one is useless.
  while (buffer_bytes_ > options_.buffer_bytes && !buffer_.empty()) {
    const int64_t oldest = buffer_.front().interval_start_ms;
    uint64_t jobs_dropped = 0;
    std::string last_key;
    while (!buffer_.empty() && buffer_.front().interval_start_ms == oldest) {
      const Pending& p = buffer_.front();
      if (p.message.key != last_key) {
        ++jobs_dropped;
        last_key = p.message.key;
      }
      buffer_bytes_ -= p.message.key.size() + p.message.value.size();
      buffer_.pop_front();
    }
    flow_.Dropped(kBufferFull, static_cast<double>(jobs_dropped));
    log::Warn(
        "kafka buffer full: dropped the oldest interval",
        {{"interval_start_ms", std::to_string(oldest)}, {"jobs", std::to_string(jobs_dropped)}});
  }
  flow_.InFlight(static_cast<double>(buffer_bytes_));
}

void KafkaSink::Pump(absl::Duration wait) {
  {
    absl::MutexLock lock(&mu_);
    while (!buffer_.empty() && producer_->Outstanding() < options_.max_in_flight) {
      const Pending& p = buffer_.front();
      absl::Status status = producer_->Produce(options_.topic, p.message.key, p.message.value, 0);
      if (absl::IsResourceExhausted(status)) break;  // librdkafka's queue is full: later
      if (!status.ok()) {
        flow_.Dropped(kFailed);
        produce_refused_log_.Report({{"error", std::string(status.message())}});
      }
      buffer_bytes_ -= p.message.key.size() + p.message.value.size();
      buffer_.pop_front();
    }
    flow_.InFlight(static_cast<double>(buffer_bytes_));
  }
  producer_->Poll(wait);
}

absl::Status KafkaSink::Drain(absl::Time deadline) {
  while (absl::Now() < deadline) {
    Pump(absl::Milliseconds(50));
    absl::MutexLock lock(&mu_);
    if (buffer_.empty() && producer_->Outstanding() == 0) return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  return absl::DeadlineExceededError(
      absl::StrCat(buffer_.size() + static_cast<size_t>(producer_->Outstanding()),
                   " messages not acknowledged by Kafka before the shutdown deadline"));
}

void KafkaSink::OnDelivery(const kafka::DeliveryReport& report) {
  if (report.status.ok()) {
    flow_.Accepted();
    latency_.Observe(absl::ToDoubleSeconds(report.latency));
  } else {
    flow_.Dropped(kFailed);
    delivery_failed_log_.Report({{"error", std::string(report.status.message())}});
  }
}

size_t KafkaSink::buffered_bytes() const {
  absl::MutexLock lock(&mu_);
  return buffer_bytes_;
}

}  // namespace vitals::gateway
