#include "scorer/batch_consumer.h"

#include <utility>

namespace vitals::scorer {

BatchConsumer::BatchConsumer(kafka::Properties properties, std::string topic,
                             kafka::RebalanceListener* listener, const TimeSource* time,
                             OnMessage on_message, OnSecond on_second)
    : properties_(std::move(properties)),
      topic_(std::move(topic)),
      listener_(listener),
      time_(time),
      on_message_(std::move(on_message)),
      on_second_(std::move(on_second)) {}

BatchConsumer::~BatchConsumer() { (void)Shutdown(absl::Now()); }

absl::Status BatchConsumer::Start() {
  if (consumer_ || shut_down_) return absl::FailedPreconditionError("started once");
  absl::StatusOr<std::unique_ptr<kafka::KafkaConsumer>> consumer =
      kafka::KafkaConsumer::Create(properties_, {topic_}, listener_);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(*consumer);
  loop_ = std::make_unique<LoopThread>("metrics consumer", time_, [this] { return PollOnce(); });
  return loop_->Start();
}

int64_t BatchConsumer::PollOnce() {
  // The poll waits on its own (and wakes for a rebalance), so the loop
  // runs again at once.
  absl::StatusOr<std::optional<kafka::Message>> polled = consumer_->Poll(absl::Milliseconds(200));
  if (!polled.ok()) {
    consume_failed_.Report({{"error", std::string(polled.status().message())}});
  } else if (polled->has_value()) {
    on_message_(**polled);
  }
  if (const int64_t now = time_->NowMs(); now - last_second_ms_ >= 1000) {
    last_second_ms_ = now;
    lag_.store(consumer_->Lag(), std::memory_order_relaxed);
    assigned_.store(consumer_->Assignment().size(), std::memory_order_relaxed);
    on_second_(now);
  }
  return 0;
}

absl::Status BatchConsumer::Shutdown(absl::Time deadline) {
  if (!consumer_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  (void)loop_->Shutdown(deadline);
  // Leaving the group revokes every partition: the listener hands on the
  // jobs of each.
  consumer_->Close();
  return absl::OkStatus();
}

}  // namespace vitals::scorer
