#pragma once

// Feeds a WaveBook from the compacted waves topic: a TopicLoop over all of
// its partitions from the beginning (every replica knows every wave,
// whenever it started) that applies each record and hands each new or
// changed wave to `on_wave`, and calls `on_period` every
// `period` of the TimeSource (the scorer re-applies the waves to the jobs it
// owns then). Kafka being away is not an error of Start: the follower
// retries and logs, and caught_up() stays false until it has read the topic.

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
#include "common/kafka/properties.h"
#include "common/kafka/topic_loop.h"
#include "scorer/waves/wave_book.h"

namespace vitals::scorer {

struct WaveFollowerOptions {
  std::string topic = "vitals.scorer.waves";
  absl::Duration period = absl::Seconds(5);
  absl::Duration metadata_refresh = absl::Seconds(30);
  // One Kafka poll: how long Shutdown waits for an idle loop.
  absl::Duration poll_timeout = absl::Milliseconds(200);
  absl::Duration request_timeout = absl::Seconds(3);
};

class WaveFollower final : public Component {
 public:
  using OnWave = std::function<void(const v1::Wave& wave)>;
  using OnPeriod = std::function<void()>;
  // `book` and `time` must outlive the follower; the callbacks run on its
  // loop thread.
  WaveFollower(kafka::Properties properties, WaveFollowerOptions options, WaveBook* book,
               const TimeSource* time, OnWave on_wave, OnPeriod on_period);
  ~WaveFollower() override { (void)Shutdown(absl::Now()); }

  std::string_view component_name() const override { return "wave follower"; }
  absl::Status Start() override { return loop_.Start(); }
  absl::Status Shutdown(absl::Time deadline) override { return loop_.Shutdown(deadline); }

  // Whether every wave the topic held when the follower first read it is
  // in the book. Thread-safe.
  bool caught_up() const { return loop_.caught_up(); }
  // Records that were not a Wave (counted, skipped). Thread-safe.
  uint64_t malformed() const { return malformed_.load(); }

 private:
  void Apply(const kafka::Message& record);  // on the loop thread

  WaveBook* const book_;
  const OnWave on_wave_;
  std::atomic<uint64_t> malformed_{0};
  kafka::TopicLoop loop_;  // last: its thread uses the members above
};

}  // namespace vitals::scorer
