#include "scorer/state/kafka_state_sink.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"

namespace vitals::scorer {

struct KafkaStateSink::Callbacks {
  DeliveryCallback on_delivery;
};

namespace {

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* callbacks = static_cast<KafkaStateSink::Callbacks*>(opaque);
  if (!callbacks->on_delivery) return;
  callbacks->on_delivery(
      msg->err == RD_KAFKA_RESP_ERR_NO_ERROR
          ? absl::OkStatus()
          : absl::UnavailableError(absl::StrCat("state record for partition ", msg->partition, ": ",
                                                rd_kafka_err2str(msg->err))));
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaStateSink>> KafkaStateSink::Create(
    const kafka::Properties& properties, std::string topic, DeliveryCallback on_delivery) {
  absl::StatusOr<rd_kafka_conf_t*> conf = kafka::MakeConf(properties);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaStateSink> sink(new KafkaStateSink());
  sink->topic_ = std::move(topic);
  sink->callbacks_ = std::make_unique<Callbacks>();
  sink->callbacks_->on_delivery = std::move(on_delivery);
  rd_kafka_conf_set_opaque(*conf, sink->callbacks_.get());
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  char err[512];
  sink->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, err, sizeof(err));
  if (sink->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create the state producer: ", err));
  }
  return sink;
}

KafkaStateSink::~KafkaStateSink() {
  if (rk_ == nullptr) return;
  // Callers that need the records delivered Flush() first.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

absl::Status KafkaStateSink::Write(int32_t partition, std::string_view key,
                                   std::optional<std::string_view> value) {
  // A null payload, not an empty one, is what compaction treats as a
  // tombstone.
  void* payload = value ? const_cast<char*>(value->data()) : nullptr;
  const size_t len = value ? value->size() : 0;
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()), RD_KAFKA_V_VALUE(payload, len),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return absl::ResourceExhaustedError("state producer queue full");
  }
  if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return absl::FailedPreconditionError(
        absl::StrCat("state topic ", topic_, " has no partition ", partition,
                     ": it needs as many partitions as the metrics topic"));
  }
  return absl::UnavailableError(absl::StrCat("state produce: ", rd_kafka_err2str(err)));
}

void KafkaStateSink::Poll() { rd_kafka_poll(rk_, 0); }

absl::Status KafkaStateSink::Flush(absl::Duration timeout) {
  const rd_kafka_resp_err_t err =
      rd_kafka_flush(rk_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat(rd_kafka_outq_len(rk_), " state records not delivered before the deadline"));
  }
  return absl::OkStatus();
}

}  // namespace vitals::scorer
