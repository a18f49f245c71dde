#pragma once

// A component that is one thread running a step again and again until it is
// shut down. The step says when it wants to run next (epoch ms on the
// TimeSource): a loop on a tick returns now + tick, one that blocks on its
// own (a Kafka poll with a timeout) returns 0 to run again at once. Waiting
// on the TimeSource, not on sleep(), lets a test step the loop with
// ManualTimeSource, and lets a shutdown end the wait at once.

#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "common/base/clock.h"
#include "common/component/component.h"

namespace vitals {

class LoopThread final : public Component {
 public:
  // Returns the epoch ms at which it runs again.
  using Step = std::function<int64_t()>;

  // `first_run_ms`: when the first step runs (0: at start).
  LoopThread(std::string name, const TimeSource* time, Step step, int64_t first_run_ms = 0);
  ~LoopThread() override;

  std::string_view component_name() const override { return name_; }
  absl::Status Start() override;
  // Waits for a running step to return; a step does not see the deadline,
  // so steps must be short or bounded by their own timeouts.
  absl::Status Shutdown(absl::Time deadline) override;

  // Stopped once Shutdown begins: a long step may look at it.
  const StopSignal& stopping() const { return stop_; }

 private:
  void Run();

  const std::string name_;
  const TimeSource* time_;
  const Step step_;
  const int64_t first_run_ms_;
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace vitals
