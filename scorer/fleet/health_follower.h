#pragma once

// Feeds a FleetView from the health topic: a TopicLoop over all of its
// partitions (no consumer group, so every replica reads every report) that
// applies each record with the URL in its `vitals-scorer-url` header, and
// forgets silent jobs on a period of the TimeSource (the clock that stamps
// evaluated_at_ms).
//
// Reading starts at the reports of the last `lookback` of wall-clock time
// (Kafka's timestamps are wall clock); partitions with none start at their
// end. Kafka being away is not an error of Start: the follower retries and
// logs, and caught_up() stays false until it has read the topic.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/kafka/properties.h"
#include "common/kafka/topic_loop.h"
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
  bool caught_up() const { return loop_ != nullptr && loop_->caught_up(); }
  // Poll errors since Start (each also logged, at most once per period).
  uint64_t poll_errors() const { return loop_ != nullptr ? loop_->poll_errors() : 0; }

 private:
  void Apply(const kafka::Message& message);

  const kafka::Properties properties_;
  const HealthFollowerOptions options_;
  FleetView* const view_;
  const TimeSource* const time_;
  // Made by Start: where reading starts is counted back from then.
  std::unique_ptr<kafka::TopicLoop> loop_;
  bool shut_down_ = false;
};

}  // namespace vitals::scorer
