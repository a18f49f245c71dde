#pragma once

// A group consumer over librdkafka with cooperative rebalancing: the
// listener hears which partitions were added or taken away, so that the
// scorer can restore or drop the state of exactly those partitions.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/headers.h"
#include "common/kafka/properties.h"

struct rd_kafka_s;

namespace vitals::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const TopicPartition&) const = default;
};

struct Message {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
  // In the order the producer wrote them; FindHeader picks one by name.
  Headers headers;
};

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Called on the polling thread, inside Poll().
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

class KafkaConsumer {
 public:
  // `properties` must hold bootstrap.servers and group.id; the consumer
  // sets cooperative-sticky assignment unless the caller chose otherwise.
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> Create(
      Properties properties, const std::vector<std::string>& topics,
      RebalanceListener* listener = nullptr);
  ~KafkaConsumer();

  // The next message, nullopt on timeout; Unavailable on a consumer error
  // other than reaching a partition's end.
  absl::StatusOr<std::optional<Message>> Poll(absl::Duration timeout);

  // Total messages between the committed/consumed position and the high
  // watermark over the assigned partitions (from cached watermarks).
  int64_t Lag() const;
  std::vector<TopicPartition> Assignment() const;

  // Leaves the group (revoking partitions) and closes. Safe twice.
  void Close();

 private:
  KafkaConsumer() = default;
  rd_kafka_s* rk_ = nullptr;
  RebalanceListener* listener_ = nullptr;
  bool closed_ = false;
  friend struct ConsumerCallbacks;
};

}  // namespace vitals::kafka
