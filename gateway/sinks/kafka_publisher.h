#pragma once

// The gateway's Kafka side as one component: the producer, the bounded
// KafkaSink in front of it, and the pump thread that moves the sink's
// buffer into the producer. It starts before anything that publishes and
// stops after, so that the final interval (flushed once every receiver has
// stopped) is still drained before the deadline.

#include <memory>
#include <string_view>

#include "common/component/component.h"
#include "common/component/loop_thread.h"
#include "common/kafka/producer.h"
#include "common/kafka/properties.h"
#include "gateway/sinks/kafka_sink.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class KafkaPublisher final : public Component {
 public:
  KafkaPublisher(KafkaSinkOptions options, kafka::Properties properties,
                 prometheus::Registry& registry);
  ~KafkaPublisher() override;

  std::string_view component_name() const override { return "kafka sink"; }
  // Creates the producer; InvalidArgument for properties librdkafka refuses.
  absl::Status Start() override;
  // Stops the pump, then waits until Kafka acknowledged everything buffered
  // or `deadline` passed: DeadlineExceeded says how much was not delivered.
  absl::Status Shutdown(absl::Time deadline) override;

  // After Start.
  KafkaSink& sink() { return *sink_; }
  const KafkaSink& sink() const { return *sink_; }
  // librdkafka's latest statistics JSON ("" before the first).
  std::string statistics() const;
  // Kafka acknowledged something, or librdkafka reports a broker up.
  bool ready() const;

 private:
  const KafkaSinkOptions options_;
  const kafka::Properties properties_;
  prometheus::Registry& registry_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<LoopThread> pump_;
  bool shut_down_ = false;
};

}  // namespace vitals::gateway
