#pragma once

// Closes the aggregation interval at every boundary: multiples of the
// interval since the epoch on the TimeSource, so that gateways on different
// nodes cut the same intervals. A flusher woken late (a stalled machine, a
// slow flush) closes every boundary it passed, each in turn, since pushed
// groups are replayed per boundary and skipping one would leave a hole in
// every job's series; one far behind (a clock jump) skips ahead, logging it.
// Shutdown closes the boundaries not reached yet and then the open interval,
// after the receivers have stopped: their last samples are in it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/component/loop_thread.h"

namespace vitals::gateway {

class IntervalFlusher final : public Component {
 public:
  // Closes the interval ending at `boundary_ms`; `final_flush` on shutdown.
  using Flush = std::function<void(int64_t boundary_ms, bool final_flush)>;

  // A flusher further behind than this many intervals skips ahead.
  static constexpr int64_t kMaxCatchUpIntervals = 30;

  IntervalFlusher(const TimeSource* time, absl::Duration interval, Flush flush);

  std::string_view component_name() const override { return "interval flusher"; }
  absl::Status Start() override;
  absl::Status Shutdown(absl::Time deadline) override;

 private:
  // The loop's step: flushes what is due, returns the next boundary.
  int64_t FlushDue();

  const TimeSource* time_;
  const int64_t interval_ms_;
  const Flush flush_;
  std::unique_ptr<LoopThread> loop_;
  // The next boundary to close; the loop's, then Shutdown's once it joined.
  int64_t next_boundary_ms_ = 0;
  bool shut_down_ = false;
};

}  // namespace vitals::gateway
