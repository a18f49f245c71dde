#include "scorer/state/kafka_state_sink.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace vitals::scorer {

struct KafkaStateSink::Callbacks {
  DeliveryCallback on_delivery;
};

namespace {

// What a Kafka record, its batch and the produce request add around one
// key and value, with room to spare: librdkafka refuses a message whose
// key, value and record overhead exceed message.max.bytes.
constexpr size_t kRecordOverheadBytes = 1024;

// The status of a record librdkafka refused or Kafka failed, coded as
// StateWriteFailureReason reads it.
absl::Status Failure(rd_kafka_resp_err_t err, const std::string& message) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return absl::OutOfRangeError(message);
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return absl::ResourceExhaustedError(message);
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return absl::FailedPreconditionError(message);
    default:
      return absl::UnavailableError(message);
  }
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* callbacks = static_cast<KafkaStateSink::Callbacks*>(opaque);
  if (!callbacks->on_delivery) return;
  callbacks->on_delivery(
      msg->err == RD_KAFKA_RESP_ERR_NO_ERROR
          ? absl::OkStatus()
          : Failure(msg->err, absl::StrCat("state record for partition ", msg->partition, ": ",
                                           rd_kafka_err2str(msg->err))));
}

}  // namespace

std::string_view StateWriteFailureReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOutOfRange:
      return kStateWriteFailureReasons[0];
    case absl::StatusCode::kResourceExhausted:
      return kStateWriteFailureReasons[1];
    case absl::StatusCode::kFailedPrecondition:
      return kStateWriteFailureReasons[2];
    default:
      return kStateWriteFailureReasons[3];
  }
}

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
  // As librdkafka took it: its default when the property is not set.
  char max_bytes[32];
  size_t max_bytes_size = sizeof(max_bytes);
  size_t max_message_bytes = 1'000'000;
  if (rd_kafka_conf_get(*conf, "message.max.bytes", max_bytes, &max_bytes_size) ==
      RD_KAFKA_CONF_OK) {
    (void)absl::SimpleAtoi(max_bytes, &max_message_bytes);
  }
  sink->max_record_bytes_ =
      max_message_bytes > kRecordOverheadBytes ? max_message_bytes - kRecordOverheadBytes : 0;
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
  absl::Status refused;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    refused = Failure(err, "state producer queue full");
  } else if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    refused = Failure(err, absl::StrCat("state topic ", topic_, " has no partition ", partition,
                                        ": it needs as many partitions as the metrics topic"));
  } else if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
    refused =
        Failure(err, absl::StrCat("state record of ", key.size() + len, " bytes for partition ",
                                  partition, ": over the producer's message.max.bytes"));
  } else {
    refused = Failure(err, absl::StrCat("state produce: ", rd_kafka_err2str(err)));
  }
  // No delivery report will come for it: this is the record's answer.
  if (callbacks_->on_delivery) callbacks_->on_delivery(refused);
  return refused;
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
