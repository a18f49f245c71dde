#include "common/kafka/embedded_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"

namespace vitals::kafka {

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(int brokers) {
  if (brokers < 1) return absl::InvalidArgumentError("embedded kafka needs at least one broker");
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster());
  // The mock cluster lives inside a client instance; this one is never
  // used for anything else.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  cluster->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (cluster->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("embedded kafka: ", err));
  }
  cluster->cluster_ = rd_kafka_mock_cluster_new(cluster->rk_, brokers);
  if (cluster->cluster_ == nullptr) {
    return absl::UnavailableError("embedded kafka: cannot start the mock cluster");
  }
  cluster->brokers_ = brokers;
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

std::string EmbeddedCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

absl::Status EmbeddedCluster::CreateTopic(const std::string& topic, int partitions,
                                          int replication_factor) {
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("create topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedCluster::SetBrokerDown(int broker_id, bool down) {
  const rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(cluster_, broker_id)
                                       : rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("broker ", broker_id, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

}  // namespace vitals::kafka
