#include "gateway/sinks/kafka_publisher.h"

#include <utility>

namespace vitals::gateway {

KafkaPublisher::KafkaPublisher(KafkaSinkOptions options, kafka::Properties properties,
                               prometheus::Registry& registry)
    : options_(std::move(options)), properties_(std::move(properties)), registry_(registry) {}

KafkaPublisher::~KafkaPublisher() { (void)Shutdown(absl::Now()); }

absl::Status KafkaPublisher::Start() {
  if (producer_ || shut_down_) return absl::FailedPreconditionError("started once");
  // Delivery reports arrive only for messages the sink produced, so the
  // sink exists by the time the callback reads it.
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer =
      kafka::KafkaProducer::Create(properties_, [this](const kafka::DeliveryReport& report) {
        if (sink_) sink_->OnDelivery(report);
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  sink_ = std::make_unique<KafkaSink>(options_, producer_.get(), registry_);
  // The pump blocks in Pump for up to its wait, so it runs again at once.
  pump_ = std::make_unique<LoopThread>("kafka pump", &SystemTimeSource::Get(), [this] {
    sink_->Pump(absl::Milliseconds(100));
    return int64_t{0};
  });
  return pump_->Start();
}

absl::Status KafkaPublisher::Shutdown(absl::Time deadline) {
  if (!pump_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  (void)pump_->Shutdown(deadline);
  return sink_->Drain(deadline);
}

std::string KafkaPublisher::statistics() const {
  return producer_ ? producer_->LatestStatistics() : std::string();
}

bool KafkaPublisher::ready() const {
  if (!sink_) return false;
  if (sink_->delivered() > 0) return true;
  return statistics().find("\"state\":\"UP\"") != std::string::npos;
}

}  // namespace vitals::gateway
