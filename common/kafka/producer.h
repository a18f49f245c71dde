#pragma once

// The producer seam: sinks talk to MessageProducer, so tests can hand them
// a fake that answers QUEUE_FULL; KafkaProducer is the librdkafka one.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/headers.h"
#include "common/kafka/properties.h"

struct rd_kafka_s;

namespace vitals::kafka {

struct DeliveryReport {
  uint64_t token = 0;  // what the caller passed to Produce
  absl::Status status;
  int32_t partition = -1;
  int64_t offset = -1;
  absl::Duration latency;
};

using DeliveryCallback = std::function<void(const DeliveryReport&)>;

class MessageProducer {
 public:
  virtual ~MessageProducer() = default;
  // Enqueues without blocking. ResourceExhausted when the local queue is
  // full (retry later), InvalidArgument for a message that can never fit.
  virtual absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                               uint64_t token) = 0;
  // Serves delivery callbacks; waits up to `timeout` for one.
  virtual void Poll(absl::Duration timeout) = 0;
  // Waits until every enqueued message is delivered or failed.
  virtual absl::Status Flush(absl::Duration timeout) = 0;
  virtual int Outstanding() const = 0;
};

class KafkaProducer : public MessageProducer {
 public:
  // `on_delivery` runs inside Poll/Flush on the caller's thread.
  static absl::StatusOr<std::unique_ptr<KafkaProducer>> Create(const Properties& properties,
                                                               DeliveryCallback on_delivery);
  ~KafkaProducer() override;

  absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                       uint64_t token) override;
  // The same with record headers (copied; none when empty).
  absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                       uint64_t token, const Headers& headers);
  void Poll(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;
  int Outstanding() const override;

  // librdkafka's statistics JSON (needs `statistics.interval.ms`); empty
  // until the first one arrived.
  std::string LatestStatistics() const;

  // Opaque; named here only so that librdkafka's C callbacks can see it.
  struct Callbacks;

 private:
  KafkaProducer() = default;
  rd_kafka_s* rk_ = nullptr;
  std::unique_ptr<Callbacks> callbacks_;
};

}  // namespace vitals::kafka
