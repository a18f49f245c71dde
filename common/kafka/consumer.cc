#include "common/kafka/consumer.h"

#include <librdkafka/rdkafka.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/kafka/rd_message.h"
#include "common/log/log.h"

namespace vitals::kafka {

namespace {

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

}  // namespace

struct ConsumerCallbacks {
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<KafkaConsumer*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    const std::vector<TopicPartition> changed = ToVector(partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        rd_kafka_error_t* error = rd_kafka_incremental_assign(rk, partitions);
        if (error != nullptr) {
          log::Error("kafka incremental assign failed", {{"error", rd_kafka_error_string(error)}});
          rd_kafka_error_destroy(error);
        }
      } else {
        rd_kafka_assign(rk, partitions);
      }
      if (self->listener_ != nullptr) self->listener_->OnAssigned(changed);
    } else {
      // Revoked or lost: either way the partitions are no longer ours.
      if (self->listener_ != nullptr) self->listener_->OnRevoked(changed);
      if (cooperative) {
        rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions);
        if (error != nullptr) rd_kafka_error_destroy(error);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }
};

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(
    Properties properties, const std::vector<std::string>& topics, RebalanceListener* listener) {
  properties.try_emplace("partition.assignment.strategy", "cooperative-sticky");
  properties.try_emplace("enable.partition.eof", "false");
  absl::StatusOr<rd_kafka_conf_t*> conf = MakeConf(properties);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer());
  consumer->listener_ = listener;
  rd_kafka_conf_set_opaque(*conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(*conf, &ConsumerCallbacks::OnRebalance);
  char err[512];
  consumer->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof(err));
  if (consumer->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create kafka consumer: ", err));
  }
  rd_kafka_poll_set_consumer(consumer->rk_);
  rd_kafka_topic_partition_list_t* subscription =
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(subscription, topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t sub_err = rd_kafka_subscribe(consumer->rk_, subscription);
  rd_kafka_topic_partition_list_destroy(subscription);
  if (sub_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot subscribe: ", rd_kafka_err2str(sub_err)));
  }
  return consumer;
}

KafkaConsumer::~KafkaConsumer() {
  Close();
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

absl::StatusOr<std::optional<Message>> KafkaConsumer::Poll(absl::Duration timeout) {
  rd_kafka_message_t* msg =
      rd_kafka_consumer_poll(rk_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (msg == nullptr) return std::optional<Message>();
  std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(
      msg, &rd_kafka_message_destroy);
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return std::optional<Message>();
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka consume: ", rd_kafka_message_errstr(msg)));
  }
  return std::optional<Message>(internal::ToMessage(*msg));
}

std::vector<TopicPartition> KafkaConsumer::Assignment() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || list == nullptr) return {};
  std::vector<TopicPartition> out = ToVector(list);
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

int64_t KafkaConsumer::Lag() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || list == nullptr) return 0;
  rd_kafka_position(rk_, list);
  int64_t lag = 0;
  for (int i = 0; i < list->cnt; ++i) {
    int64_t low = 0;
    int64_t high = 0;
    if (rd_kafka_get_watermark_offsets(rk_, list->elems[i].topic, list->elems[i].partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      continue;
    }
    const int64_t position = list->elems[i].offset >= 0 ? list->elems[i].offset : low;
    if (high > position) lag += high - position;
  }
  rd_kafka_topic_partition_list_destroy(list);
  return lag;
}

void KafkaConsumer::Close() {
  if (closed_ || rk_ == nullptr) return;
  closed_ = true;
  rd_kafka_consumer_close(rk_);
}

}  // namespace vitals::kafka
