#pragma once

// Feeds a FleetView from the health topic: a TopicFollower over all of its
// partitions (no consumer group, so every replica reads every report), one
// loop thread that applies each record with the URL in its
// `vitals-scorer-url` header, and forgets silent jobs on a period of the
// TimeSource (the clock that stamps evaluated_at_ms).
//
// Reading starts at the reports of the last `lookback` of wall-clock time
// (Kafka's timestamps are wall clock); partitions with none start at their
// end. Kafka being away is not an error of Start: the follower retries and
// logs, and caught_up() stays false until it has read the topic.

#include <atomic>
#include <cstdint>
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
#include "scorer/fleet/fleet_view.h"

namespace vitals::scorer {

struct HealthFollowerOptions {
  std::string topic = "flink.health";
  // How far back reading starts: long enough to hold a report of every
  // job (a few evaluation intervals), and no longer than the view's
  // expiry, beyond which the reports would be forgotten at once.
  absl::Duration lookback = absl::Minutes(10);
  // How often the view forgets silent jobs, on the TimeSource.
  absl::Duration expire_every = absl::Seconds(10);
  // How often the topic's partition list is re-read.
  absl::Duration metadata_refresh = absl::Seconds(30);
  // One Kafka poll: how long Shutdown waits for an idle loop.
  absl::Duration poll_timeout = absl::Milliseconds(200);
  // Each metadata or offset request of a refresh; a refresh (up to three
  // requests) while the brokers are away can hold Shutdown that long.
  absl::Duration request_timeout = absl::Seconds(3);
  // Records applied per loop step before expiry gets its turn.
  int max_batch = 1000;
};

class HealthFollower final : public Component {
 public:
  // `view` and `time` must outlive the follower. `properties` need
  // bootstrap.servers (the scorer's Kafka properties do).
  HealthFollower(kafka::Properties properties, HealthFollowerOptions options, FleetView* view,
                 const TimeSource* time);
  ~HealthFollower() override;

  std::string_view component_name() const override { return "health follower"; }
  // InvalidArgument for properties librdkafka refuses; contacts no broker.
  absl::Status Start() override;
  // Stops the loop (after its current poll) and closes the consumer.
  absl::Status Shutdown(absl::Time deadline) override;

  // Whether the reports the topic held since the lookback, when the
  // follower first read its partitions, are in the view: until then the
  // view may lack jobs. Thread-safe.
  bool caught_up() const { return caught_up_.load(); }
  // Poll errors since Start (each also logged, at most once per period).
  uint64_t poll_errors() const { return poll_errors_.load(); }

 private:
  // The loop's step; on the loop thread only.
  int64_t Step();
  void Apply(const kafka::Message& message);

  const kafka::Properties properties_;
  const HealthFollowerOptions options_;
  FleetView* const view_;
  const TimeSource* const time_;
  log::RepeatedLog poll_failed_{log::Level::kWarn, "cannot follow the health topic"};
  std::unique_ptr<kafka::TopicFollower> follower_;
  std::unique_ptr<LoopThread> loop_;
  // On the loop thread only.
  int64_t next_expire_ms_ = 0;
  std::atomic<bool> caught_up_{false};
  std::atomic<uint64_t> poll_errors_{0};
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace vitals::scorer
