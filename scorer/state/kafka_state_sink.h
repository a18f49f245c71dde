#pragma once

// The state topic's producer. It names the partition of every record
// itself instead of leaving it to a partitioner: the state of a job must
// sit in the partition number its batches arrive on, whatever partitioner
// the gateways were configured with.
//
// Every record written is heard of once by the delivery callback: with
// Kafka's answer, or at once with the refusal when librdkafka does not
// take it (too large for message.max.bytes, queue full), since such a
// record never gets a delivery report. Failures carry a status code that
// StateWriteFailureReason names.

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/properties.h"
#include "scorer/state/state_sink.h"

struct rd_kafka_s;

namespace vitals::scorer {

// The `reason` label of a failed state record: `too_large` (over
// message.max.bytes, OutOfRange), `queue_full` (ResourceExhausted), `topic`
// (the topic or partition missing or not allowed, FailedPrecondition),
// `kafka` (anything else: brokers away, delivery timed out).
std::string_view StateWriteFailureReason(const absl::Status& status);
inline constexpr std::array<std::string_view, 4> kStateWriteFailureReasons = {
    "too_large", "queue_full", "topic", "kafka"};

class KafkaStateSink : public StateSink {
 public:
  // Called once per record: inside Poll/Flush with Kafka's answer (OK when
  // it acknowledged the record), or inside Write when the record was
  // refused there.
  using DeliveryCallback = std::function<void(const absl::Status&)>;

  static absl::StatusOr<std::unique_ptr<KafkaStateSink>> Create(const kafka::Properties& properties,
                                                                std::string topic,
                                                                DeliveryCallback on_delivery);
  ~KafkaStateSink() override;

  absl::Status Write(int32_t partition, std::string_view key,
                     std::optional<std::string_view> value) override;
  // Serves delivery callbacks without waiting.
  void Poll();
  // Waits until every written record is acknowledged or failed.
  absl::Status Flush(absl::Duration timeout);
  // The producer's message.max.bytes less what the Kafka record around a
  // key and a value takes: the most key and value may take together.
  size_t max_record_bytes() const { return max_record_bytes_; }

  // Opaque; named here only so that librdkafka's C callback can see it.
  struct Callbacks;

 private:
  KafkaStateSink() = default;
  rd_kafka_s* rk_ = nullptr;
  std::string topic_;
  size_t max_record_bytes_ = 0;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace vitals::scorer
