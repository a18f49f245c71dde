#pragma once

// The state topic's producer. It names the partition of every record
// itself instead of leaving it to a partitioner: the state of a job must
// sit in the partition number its batches arrive on, whatever partitioner
// the gateways were configured with.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/properties.h"
#include "scorer/state/state_sink.h"

struct rd_kafka_s;

namespace vitals::scorer {

class KafkaStateSink : public StateSink {
 public:
  // Called inside Poll/Flush once per record: OK when Kafka acknowledged it.
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

  // Opaque; named here only so that librdkafka's C callback can see it.
  struct Callbacks;

 private:
  KafkaStateSink() = default;
  rd_kafka_s* rk_ = nullptr;
  std::string topic_;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace vitals::scorer
