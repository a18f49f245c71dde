#pragma once

// A component that follows a topic on a loop thread of its own: a
// TopicFollower (every partition, no consumer group) whose records go to
// `on_record` as they come, a burst at a time, and `on_period` every
// `period` of the TimeSource. What the scorer's fleet view and wave book
// are fed by. Kafka being away is not an error of Start: polls retry and
// are logged at most once per period, and caught_up() stays false until
// the topic has been read up to where it ended when first read.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/component/loop_thread.h"
#include "common/kafka/properties.h"
#include "common/kafka/topic_follower.h"
#include "common/log/repeated_log.h"

namespace vitals::kafka {

struct TopicLoopOptions {
  // The component's and its thread's name, e.g. "health follower".
  std::string name;
  // Topic, where reading starts, metadata refresh and request timeouts.
  TopicFollower::Options follow;
  // One Kafka poll: how long Shutdown waits for an idle loop.
  absl::Duration poll_timeout = absl::Milliseconds(200);
  // Records handed on per loop step before `on_period` gets its turn.
  int max_batch = 1000;
  // How often `on_period` runs, on the TimeSource.
  absl::Duration period = absl::Seconds(10);
};

class TopicLoop final : public Component {
 public:
  using OnRecord = std::function<void(const Message& record)>;
  using OnPeriod = std::function<void(int64_t now_ms)>;
  // `time` must outlive the loop; the callbacks run on its thread.
  // `properties` need bootstrap.servers.
  TopicLoop(Properties properties, TopicLoopOptions options, const TimeSource* time,
            OnRecord on_record, OnPeriod on_period = nullptr);
  ~TopicLoop() override;

  std::string_view component_name() const override { return options_.name; }
  // InvalidArgument for properties librdkafka refuses; contacts no broker.
  absl::Status Start() override;
  // Stops the loop (after its current poll) and closes the consumer.
  absl::Status Shutdown(absl::Time deadline) override;

  // Thread-safe.
  bool caught_up() const { return caught_up_.load(); }
  // Failed polls since Start.
  uint64_t poll_errors() const { return poll_errors_.load(); }

 private:
  int64_t Step();  // on the loop thread only

  const Properties properties_;
  const TopicLoopOptions options_;
  const TimeSource* const time_;
  const OnRecord on_record_;
  const OnPeriod on_period_;
  log::RepeatedLog poll_failed_{log::Level::kWarn, "cannot follow a topic"};
  std::unique_ptr<TopicFollower> follower_;
  std::unique_ptr<LoopThread> loop_;
  int64_t next_period_ms_ = 0;  // on the loop thread only
  std::atomic<bool> caught_up_{false};
  std::atomic<uint64_t> poll_errors_{0};
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace vitals::kafka
