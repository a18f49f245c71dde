#include "common/kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/kafka/rd_message.h"

namespace vitals::kafka {

struct KafkaProducer::Callbacks {
  DeliveryCallback on_delivery;
  mutable absl::Mutex stats_mu;
  std::string stats ABSL_GUARDED_BY(stats_mu);
};

namespace {

struct MessageContext {
  uint64_t token;
  absl::Time enqueued;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* callbacks = static_cast<KafkaProducer::Callbacks*>(opaque);
  std::unique_ptr<MessageContext> ctx(static_cast<MessageContext*>(msg->_private));
  if (ctx == nullptr || !callbacks->on_delivery) return;
  DeliveryReport report;
  report.token = ctx->token;
  report.partition = msg->partition;
  report.offset = msg->offset;
  report.latency = absl::Now() - ctx->enqueued;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    report.status = absl::UnavailableError(rd_kafka_err2str(msg->err));
  }
  callbacks->on_delivery(report);
}

int OnStats(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* callbacks = static_cast<KafkaProducer::Callbacks*>(opaque);
  absl::MutexLock lock(&callbacks->stats_mu);
  callbacks->stats.assign(json, len);
  return 0;  // librdkafka frees json
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const Properties& properties,
                                                                     DeliveryCallback on_delivery) {
  absl::StatusOr<rd_kafka_conf_t*> conf = MakeConf(properties);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer());
  producer->callbacks_ = std::make_unique<Callbacks>();
  producer->callbacks_->on_delivery = std::move(on_delivery);
  rd_kafka_conf_set_opaque(*conf, producer->callbacks_.get());
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  rd_kafka_conf_set_stats_cb(*conf, OnStats);
  char err[512];
  producer->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, err, sizeof(err));
  if (producer->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create kafka producer: ", err));
  }
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (rk_ == nullptr) return;
  // Messages still queued are failed by rd_kafka_destroy through the
  // delivery callback, which frees their contexts; callers that care
  // Flush() first.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

absl::Status KafkaProducer::Produce(std::string_view topic, std::string_view key,
                                    std::string_view value, uint64_t token) {
  return Produce(topic, key, value, token, Headers());
}

absl::Status KafkaProducer::Produce(std::string_view topic, std::string_view key,
                                    std::string_view value, uint64_t token,
                                    const Headers& headers) {
  auto* ctx = new MessageContext{token, absl::Now()};
  const std::string topic_name(topic);
  // librdkafka owns the header list once the record is accepted, not before.
  rd_kafka_headers_t* rd_headers = internal::ToRdHeaders(headers);
  const rd_kafka_resp_err_t err =
      rd_headers == nullptr
          ? rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic_name.c_str()),
                              RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(ctx),
                              RD_KAFKA_V_END)
          : rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic_name.c_str()),
                              RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_HEADERS(rd_headers),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(ctx),
                              RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && rd_headers != nullptr) {
    rd_kafka_headers_destroy(rd_headers);
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  delete ctx;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return absl::ResourceExhaustedError("kafka producer queue full");
  }
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
    return absl::InvalidArgumentError(
        absl::StrCat("message of ", value.size(), " bytes exceeds message.max.bytes"));
  }
  return absl::UnavailableError(absl::StrCat("kafka produce: ", rd_kafka_err2str(err)));
}

void KafkaProducer::Poll(absl::Duration timeout) {
  rd_kafka_poll(rk_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

absl::Status KafkaProducer::Flush(absl::Duration timeout) {
  const rd_kafka_resp_err_t err =
      rd_kafka_flush(rk_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat(rd_kafka_outq_len(rk_), " kafka messages not delivered before the deadline"));
  }
  return absl::OkStatus();
}

int KafkaProducer::Outstanding() const { return rd_kafka_outq_len(rk_); }

std::string KafkaProducer::LatestStatistics() const {
  absl::MutexLock lock(&callbacks_->stats_mu);
  return callbacks_->stats;
}

}  // namespace vitals::kafka
