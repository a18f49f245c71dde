#pragma once

// The embedded Kafka of `vitals standalone` and the tests: librdkafka's
// mock cluster, real Kafka protocol on 127.0.0.1, so that outside clients
// (kcat) can talk to it too.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace vitals::kafka {

class EmbeddedCluster {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(int brokers);
  ~EmbeddedCluster();

  // Comma-separated host:port list for bootstrap.servers.
  std::string bootstrap_servers() const;
  absl::Status CreateTopic(const std::string& topic, int partitions, int replication_factor = 1);
  // Brokers are numbered from 1. A down broker refuses connections.
  absl::Status SetBrokerDown(int broker_id, bool down);
  int brokers() const { return brokers_; }

 private:
  EmbeddedCluster() = default;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  int brokers_ = 0;
};

}  // namespace vitals::kafka
