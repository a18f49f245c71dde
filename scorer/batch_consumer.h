#pragma once

// The replica's place in the consumer group on `flink.metrics`: the consumer
// and the thread that polls it. Every message and every partition change is
// handled on that thread (partition changes inside the poll, before any
// batch of a new partition is handed on). Once a second, by the TimeSource,
// `on_second` runs there too. Shutdown stops the thread and leaves the
// group, which revokes every partition: the listener hands their jobs on.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/component/loop_thread.h"
#include "common/kafka/consumer.h"
#include "common/log/repeated_log.h"

namespace vitals::scorer {

class BatchConsumer final : public Component {
 public:
  using OnMessage = std::function<void(const kafka::Message&)>;
  using OnSecond = std::function<void(int64_t now_ms)>;

  // `listener` and `time` must outlive the consumer.
  BatchConsumer(kafka::Properties properties, std::string topic, kafka::RebalanceListener* listener,
                const TimeSource* time, OnMessage on_message, OnSecond on_second);
  ~BatchConsumer() override;

  std::string_view component_name() const override { return "metrics consumer"; }
  absl::Status Start() override;
  absl::Status Shutdown(absl::Time deadline) override;

  // Messages behind the high watermark, and partitions assigned (any thread).
  int64_t lag() const { return lag_.load(std::memory_order_relaxed); }
  size_t assigned_partitions() const { return assigned_.load(std::memory_order_relaxed); }

 private:
  int64_t PollOnce();

  const kafka::Properties properties_;
  const std::string topic_;
  kafka::RebalanceListener* listener_;
  const TimeSource* time_;
  const OnMessage on_message_;
  const OnSecond on_second_;
  log::RepeatedLog consume_failed_{log::Level::kWarn, "kafka consume error"};
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::unique_ptr<LoopThread> loop_;
  int64_t last_second_ms_ = 0;  // the loop's
  std::atomic<int64_t> lag_{0};
  std::atomic<size_t> assigned_{0};
  bool shut_down_ = false;
};

}  // namespace vitals::scorer
